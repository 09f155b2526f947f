"""The report for people: one table per bank, the students, the class's misconceptions; and
the CSV of the answers counted, one row per answer, for a gradebook or pandas."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from quiz_app.classroom.answers import Selection, all_answers, chosen_answers
from quiz_app.core.i18n import N_, _, ngettext
from quiz_app.core.terminal_text import cells, control_characters, escaped, ljust, rjust
from quiz_app.progress import ProgressStore
from quiz_app.progress.class_queries import ClassAnswer

CSV_COLUMNS = (
    "player",
    "bank",
    "question",
    "response",
    "correct",
    "seconds",
    "answered_at",
    "device",
    "torch_version",
    "question_hash",
)

_CONTROL = control_characters()
_COUNTED = {
    "first": N_("each student's first answer to each question"),
    "last": N_("each student's last answer to each question"),
    "all": N_("every answer"),
}


def clean(text: str, width: int | None = None) -> str:
    """Text from answers, made safe for a terminal (control characters shown as ``\\x1b``,
    a new line as ``⏎``) and cut to ``width``."""
    shown = _CONTROL.sub(lambda m: "⏎" if m.group() == "\n" else escaped(m.group()), text)
    if width is not None and len(shown) > width:
        shown = shown[: width - 1] + "…"
    return shown


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m {rest:02}s" if minutes else f"{rest}s"


def _options(options: Mapping[str, int]) -> str:
    """Choices as 'A 3  B 1', true/false as 'true 2  false 1'; a predict question's options
    are its most common wrong predictions, quoted."""
    names = list(options)
    if names[:2] == ["true", "false"] or all(len(name) == 1 and name.isalpha() for name in names):
        return "  ".join(f"{name} {n}" for name, n in options.items())
    return _("wrong: {predictions}").format(
        predictions=", ".join(f"{clean(name, 16)!r} {n}" for name, n in options.items())
    )


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], left: Sequence[int] = (0,), indent: str = "  "
) -> list[str]:
    """Columns padded to fit: numbers right-aligned, the columns in ``left`` (and the last)
    left-aligned. Widths are in terminal cells: a Chinese heading takes two a character."""
    widths = [max(cells(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lefts = {*left, len(header) - 1}

    def line(cells: Sequence[str]) -> str:
        out = [
            ljust(cell, width) if i in lefts else rjust(cell, width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return (indent + "  ".join(out)).rstrip()

    return [line(header), *(line(row) for row in rows)]


def format_report(data: Mapping[str, Any], selection: Selection) -> str:
    """The report as text for a terminal."""
    if not data["banks"]:
        return _("No answers to report yet: nothing matched (check --bank, --player and --since).") + "\n"
    students = len({p["player"] for bank in data["banks"] for p in bank["players"]})
    heading = ngettext(
        "Class report: {count} student, counting {counted}.",
        "Class report: {count} students, counting {counted}.",
        students,
    )
    lines = [heading.format(count=students, counted=_(_COUNTED[selection.attempts]))]
    for bank in data["banks"]:
        lines += ["", *_bank_lines(bank)]
    lines += ["", *misconception_lines(data["misconceptions"])]
    return "\n".join(lines).rstrip() + "\n"


def _bank_lines(bank: Mapping[str, Any]) -> list[str]:
    title = clean(bank["id"])
    if bank["bank_installed"]:
        title += f": {clean(bank['title'])}"
    else:
        title += " " + _(
            "(this bank is not installed here: its questions are reported by id, as the answers hold them)"
        )
    rows = [
        (
            clean(q["id"], 40) + (" (?)" if q["dubious"] else ""),
            str(q["answered"]),
            _percent(q["facility"]),
            _number(q["discrimination"]),
            clean(q["top_wrong"], 20) if q["top_wrong"] is not None else "-",
            _options(q["options"]),
        )
        for q in bank["questions"]
    ]
    header = (_("Question"), _("Answered"), _("Facility"), _("Discr."), _("Top wrong"), _("Options"))
    lines = [title, *table(header, rows, left=(0, 4))]
    flagged = [q for q in bank["questions"] if q["dubious"]]
    if flagged:
        lines += ["", "  " + _("(?) dubious, worth a look:")]
        lines += [f"    {clean(q['id'])}: {'; '.join(clean(r) for r in q['dubious'])}" for q in flagged]
    students = [
        (
            clean(p["player"], 30),
            str(p["answered"]),
            str(p["correct"]),
            _duration(p["seconds"]),
            str(len(p["misconceptions"])),
        )
        for p in bank["players"]
    ]
    columns = (_("Student"), _("Answered"), _("Correct"), _("Time"), _("Misconceptions shown"))
    lines += ["", *table(columns, students)]
    return lines


def misconception_lines(misconceptions: Sequence[Mapping[str, Any]]) -> list[str]:
    """'7 of 12 students still believe: <text>' per misconception shown, the most shown first."""
    shown = [m for m in misconceptions if m["players"]]
    if not misconceptions:
        return [_("No answer counted was offered a misconception (questions of bank format 2 carry them).")]
    lines = [_("Misconceptions (students whose counted answers showed it, of those offered it)")]
    for m in shown:
        believe = ngettext(
            "{count} of {of} student still believe: {belief}",
            "{count} of {of} students still believe: {belief}",
            m["of"],
        )
        lines.append("  " + believe.format(count=m["players"], of=m["of"], belief=clean(m["text"])))
    rest = len(misconceptions) - len(shown)
    if rest:
        lines.append("  " + unshown_line(rest))
    return lines


def unshown_line(count: int) -> str:
    """The misconceptions offered that no student showed, counted (the text report and the TUI's)."""
    return ngettext(
        "{count} other misconception offered, shown by no one",
        "{count} other misconceptions offered, shown by no one",
        count,
    ).format(count=count)


def csv_row(answer: ClassAnswer) -> list[str]:
    return [
        answer.player,
        answer.bank_id,
        answer.question_id,
        answer.response,
        "" if answer.correct is None else str(int(answer.correct)),
        f"{answer.seconds:g}",
        answer.answered_at,
        answer.device or "",
        answer.torch or "",
        answer.question_hash,
    ]


def write_csv(out: TextIO, store: ProgressStore, selection: Selection, extra: Sequence[ClassAnswer] = ()) -> int:
    """The answers the report counts, one row each, under a header row (RFC 4180: CRLF line
    ends; ``out`` opened with ``newline=""``). ``correct`` is 1, 0, or empty when not graded;
    ``torch_version`` is empty unless an export file carried one. Returns the rows written."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    if selection.attempts == "all":
        return all_answers(store, selection, extra, lambda answer: writer.writerow(csv_row(answer)))
    chosen = chosen_answers(store, selection, extra)
    writer.writerows(csv_row(answer) for answer in chosen)
    return len(chosen)
