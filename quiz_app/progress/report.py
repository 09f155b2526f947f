"""A player's progress as data (for ``quiz-app stats --json``) and as a plain-text table."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from quiz_app.core.i18n import _, ngettext
from quiz_app.progress.store import ProgressStore

Tags = Mapping[str, Iterable[str]]


class InstalledTags(Mapping[str, tuple[str, ...]]):
    """Each installed question's content hash and its tags (bundled banks, then the player's
    folder), read from the banks the first time a hash is looked up: a player with no review
    to count never pays for loading the banks."""

    def __init__(self) -> None:
        self._tags: dict[str, tuple[str, ...]] | None = None

    def _load(self) -> dict[str, tuple[str, ...]]:
        if self._tags is None:
            from quiz_app.bank import load_installed
            from quiz_app.play.review import tags_by_hash

            self._tags = tags_by_hash(load_installed().banks)
        return self._tags

    def __getitem__(self, digest: str) -> tuple[str, ...]:
        return self._load()[digest]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


def retention_data(store: ProgressStore, player: str, tags: Tags | None = None) -> list[dict[str, Any]]:
    """Per tag, by name: the player's reviews of questions that were due, and how many were
    right (``rate``: their share). ``tags`` maps question content hashes to tags
    (``quiz_app.play.review.tags_by_hash``); by default, the installed banks'. JSON-ready."""
    found = store.retention_by_tag(player, InstalledTags() if tags is None else tags)
    return [{"tag": t.tag, "reviews": t.reviews, "recalled": t.recalled, "rate": t.rate} for t in found]


def stats_data(store: ProgressStore, player: str, tags: Tags | None = None) -> dict[str, Any]:
    """Per-bank totals, each with its per-question success rates, the misconceptions the
    player's answers were offered (not cleared first, then the most picked), and retention
    per tag (see :func:`retention_data`; ``tags`` as there); JSON-ready."""
    rates = store.question_rates(player)
    banks = []
    for totals in store.bank_totals(player):
        questions = [
            {
                "question_id": rate.question_id,
                "answered": rate.answered,
                "correct": rate.correct,
                "rate": rate.rate,
            }
            for rate in rates
            if rate.bank_id == totals.bank_id
        ]
        banks.append(
            {
                "bank_id": totals.bank_id,
                "answered": totals.answered,
                "correct": totals.correct,
                "last_played": totals.last_played.isoformat(),
                "questions": questions,
            }
        )
    misconceptions = [
        {"id": m.id, "text": m.text, "picked": m.picked, "offered": m.offered, "cleared": m.cleared}
        for m in store.misconceptions(player)
    ]
    return {
        "player": player,
        "banks": banks,
        "misconceptions": misconceptions,
        "retention": retention_data(store, player, tags),
    }


def format_stats(store: ProgressStore, player: str, tags: Tags | None = None) -> str:
    """A plain-text report for a terminal: bank totals, then each bank's questions, retention
    per tag and the misconceptions picked."""
    data = stats_data(store, player, tags)
    if not data["banks"]:
        lines = [
            _("No answers recorded for {player} yet: play a bank, and your progress shows here.").format(player=player)
        ]
        others = [name for name in store.players() if name != player]
        if others:
            lines.append(_("Players with progress: {names}").format(names=", ".join(others)))
        return "\n".join(lines) + "\n"

    lines = [_("Progress for {player}").format(player=player), ""]
    lines += _table(
        (_("Bank"), _("Answered"), _("Correct"), _("Last played (UTC)")),
        [(b["bank_id"], str(b["answered"]), str(b["correct"]), _when(b["last_played"])) for b in data["banks"]],
    )
    for bank in data["banks"]:
        lines += ["", _("{bank}: success rate per question").format(bank=bank["bank_id"])]
        graded = sum(q["answered"] for q in bank["questions"])
        if bank["questions"]:
            rows = [
                (q["question_id"], str(q["answered"]), str(q["correct"]), f"{q['rate']:.0%}") for q in bank["questions"]
            ]
            lines += _table((_("Question"), _("Answered"), _("Correct"), _("Rate")), rows, indent="  ")
        else:
            lines.append("  " + _("(no graded answers yet)"))
        if bank["answered"] > graded:
            left_out = bank["answered"] - graded
            lines.append("  " + _("{count} answer(s) not graded are left out").format(count=left_out))
    lines += _retention_lines(data["retention"])
    lines += _misconception_lines(data["misconceptions"])
    return "\n".join(lines) + "\n"


def _retention_lines(retention: list[dict[str, Any]]) -> list[str]:
    """Per tag, the reviews of due questions and how many were right; nothing before the
    first review (a question comes back days after it is answered)."""
    if not retention:
        return []
    rows = [(t["tag"], str(t["reviews"]), str(t["recalled"]), f"{t['rate']:.0%}") for t in retention]
    header = (_("Tag"), _("Reviews"), _("Right"), _("Rate"))
    return ["", _("Retention per tag (reviews of questions when due, answered right)"), *_table(header, rows, "  ")]


def _misconception_lines(misconceptions: list[dict[str, Any]]) -> list[str]:
    """One line per misconception the player picked at least once (one never picked was never
    believed, as far as the answers tell): the ones still believed first."""
    lines = []
    for m in misconceptions:
        if not m["picked"]:
            continue
        times = ngettext("picked {picked} of {offered} time", "picked {picked} of {offered} times", m["offered"])
        times = times.format(picked=m["picked"], offered=m["offered"])
        label = _("Cleared") if m["cleared"] else _("You may still believe")
        lines.append(f"  {label}: {m['text']} ({times})")
    return ["", _("Misconceptions"), *lines] if lines else []


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    """Columns padded to fit; the first column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return indent + "  ".join([first, *rest]).rstrip()

    return [line(header), *(line(row) for row in rows)]
