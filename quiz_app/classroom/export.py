"""The portable answers file: what ``quiz-app export`` writes and ``import`` and ``report`` read.

JSON Lines in UTF-8. The first line is a header::

    {"format": "quiz-app-answers", "version": 1, "exported_at": "...", "app": "quiz-app 0.1.0", "player": null}

then one answer per line, with the keys of the store's journal (``uid``, ``player``,
``bank_id``, ``question_id``, ``question_hash``, ``answer``, ``correct``, ``seconds``,
``device``, ``answered_at``, ``misconceptions``: a list of ``{"id", "text", "revealed"}``),
and optionally ``torch`` (the torch version; nothing writes it yet, as the database keeps
none). Keys a reader does not know are ignored, so version 1 can grow new optional keys; a
change old readers would misread raises the version, and a file of a newer version is
refused as a whole. A damaged answer line is reported as ``file:line: problem`` and
skipped; the other lines are kept.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from quiz_app import __version__
from quiz_app.core.i18n import _
from quiz_app.progress import AnswerRecord, MisconceptionMark, ProgressStore
from quiz_app.progress.class_queries import AnswerFilter, ClassAnswer, iter_answers
from quiz_app.progress.records import check_record, now, parse_stamp, stamp

FORMAT = "quiz-app-answers"
VERSION = 1  # the newest version this quiz_app reads and the one it writes


class ExportRefused(Exception):
    """A file that is not read at all (unreadable, not an answers file, a newer version)."""


@dataclass
class ExportFile:
    """The answers of one file, and its lines that were skipped (``file:line: problem``)."""

    path: Path
    answers: list[ClassAnswer] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def header(player: str | None) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": stamp(now()),
        "app": f"quiz-app {__version__}",
        "player": player,
    }


def answer_line(answer: ClassAnswer) -> str:
    entry: dict[str, Any] = {
        "uid": answer.uid,
        "player": answer.player,
        "bank_id": answer.bank_id,
        "question_id": answer.question_id,
        "question_hash": answer.question_hash,
        "answer": answer.response,
        "correct": answer.correct,
        "seconds": answer.seconds,
        "device": answer.device,
        "answered_at": answer.answered_at,
        "misconceptions": [{"id": m.id, "text": m.text, "revealed": m.revealed} for m in answer.marks],
    }
    if answer.torch is not None:
        entry["torch"] = answer.torch
    return json.dumps(entry, ensure_ascii=False, allow_nan=False) + "\n"


def write_lines(out: TextIO, answers: Iterable[ClassAnswer], player: str | None) -> int:
    out.write(json.dumps(header(player), ensure_ascii=False) + "\n")
    count = 0
    for answer in answers:
        out.write(answer_line(answer))
        count += 1
    return count


def write_export(store: ProgressStore, path: Path, player: str | None = None) -> int:
    """Write the database's answers (all players, or ``player``'s) to ``path``; returns how
    many. The file appears whole or not at all (written beside it, then renamed)."""
    where = AnswerFilter(players=(player,) if player is not None else ())
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:

            def work(conn: sqlite3.Connection) -> int:
                out.seek(0)
                out.truncate()  # a read done again after damage starts the file again
                return write_lines(out, iter_answers(conn, where), player)

            count = store.with_connection(work, -1)
            if count < 0:  # no database: a file with the header and no answers
                count = write_lines(out, (), player)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def read_export(path: Path) -> ExportFile:
    """Read an answers file. Raises :class:`ExportRefused` for a file that cannot be read,
    is not an answers file, or is of a newer version."""
    path = Path(path)
    result = ExportFile(path)
    try:
        with path.open("rb") as handle:
            first = handle.readline()
            check_header(path, first)
            for number, raw in enumerate(handle, start=2):
                if not raw.strip():
                    continue
                try:
                    result.answers.append(parse_answer(raw))
                except ValueError as problem:
                    result.problems.append(f"{path}:{number}: {problem}")
    except OSError as exc:
        raise ExportRefused(
            _("{path}: cannot read it: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc
    return result


def check_header(path: Path, first: bytes) -> None:
    not_ours = _("{path}:1: not a quiz-app answers file (it should start with a {format} header line)").format(
        path=path, format=repr(FORMAT)
    )
    try:
        head = json.loads(first.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ExportRefused(not_ours) from None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise ExportRefused(not_ours)
    version = head.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ExportRefused(
            _("{path}:1: the header's version must be a whole number from 1, not {version}").format(
                path=path, version=repr(version)
            )
        )
    if version > VERSION:
        raise ExportRefused(
            _(
                "{path}: written by a newer quiz-app (answers format version {version}; this one reads up to "
                "version {latest}). Update quiz-app to read it; nothing was read from it."
            ).format(path=path, version=version, latest=VERSION)
        )


def _field(entry: dict[str, Any], name: str) -> Any:
    if name not in entry:
        raise ValueError(_("the answer has no {key}").format(key=repr(name)))
    return entry[name]


def parse_answer(raw: bytes) -> ClassAnswer:
    """One answer line; ValueError (saying what is wrong) for a damaged one."""
    try:
        entry = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValueError(_("not UTF-8 text")) from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            # TRANSLATORS: {error} is Python's JSON error, in English ("Expecting value")
            _("not a JSON object ({error}, column {column})").format(error=exc.msg, column=exc.colno)
        ) from None
    if not isinstance(entry, dict):
        raise ValueError(_("not a JSON object"))
    marks_raw = _field(entry, "misconceptions")
    if not isinstance(marks_raw, list) or not all(isinstance(m, dict) for m in marks_raw):
        raise ValueError(_("'misconceptions' must be a list of objects"))
    marks = tuple(MisconceptionMark(_field(m, "id"), _field(m, "text"), _field(m, "revealed")) for m in marks_raw)
    when = _field(entry, "answered_at")
    try:
        moment = parse_stamp(when) if isinstance(when, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise ValueError(
            _("'answered_at' must be a date and time with its time zone, not {value}").format(value=repr(when))
        )
    correct = _field(entry, "correct")
    if correct is not None and not isinstance(correct, bool):
        raise ValueError(_("'correct' must be true, false or null, not {value}").format(value=repr(correct)))
    record = AnswerRecord(
        player=_field(entry, "player"),
        bank_id=_field(entry, "bank_id"),
        question_id=_field(entry, "question_id"),
        question_hash=_field(entry, "question_hash"),
        answer=_field(entry, "answer"),
        correct=correct,
        seconds=_field(entry, "seconds"),
        device=entry.get("device"),
        answered_at=moment,
        uid=_field(entry, "uid"),
        misconceptions=marks,
    )
    check_record(record)  # the checks every answer the store keeps passes (ValueError)
    torch = entry.get("torch")
    if torch is not None and not isinstance(torch, str):
        raise ValueError(_("'torch' must be a version string, not {value}").format(value=repr(torch)))
    return ClassAnswer(
        uid=record.uid,
        player=record.player,
        bank_id=record.bank_id,
        question_id=record.question_id,
        question_hash=record.question_hash,
        response=record.answer,
        correct=record.correct,
        seconds=float(record.seconds),
        device=record.device,
        answered_at=stamp(moment),
        marks=marks,
        torch=torch,
    )


def to_record(answer: ClassAnswer) -> AnswerRecord:
    """The answer as the store keeps it (no attempt: attempts stay on the machine that played)."""
    return AnswerRecord(
        player=answer.player,
        bank_id=answer.bank_id,
        question_id=answer.question_id,
        question_hash=answer.question_hash,
        answer=answer.response,
        correct=answer.correct,
        seconds=answer.seconds,
        device=answer.device,
        attempt_id=None,
        answered_at=parse_stamp(answer.answered_at),
        uid=answer.uid,
        misconceptions=answer.marks,
    )
