"""The answer journal: answers the database could not take, kept on disk until it can.

When ``record_answer`` cannot write (another program held the database locked for longer
than ``lock_patience_s``, the disk is full, the folder or file failed), the answer is
appended to ``<database>.pending.jsonl`` beside the database: one JSON object per line,
written, then fsync'd before ``record_answer`` raises :class:`AnswerJournaled`. So an answer
reported as saved, or as journaled, survives a crash or a kill.

The next read-write ``ProgressStore.open`` commits every line in one transaction (by the
answer's ``uid``, so a line already in the database counts once: replaying twice changes
nothing), then truncates the journal, and says so in ``store.notices``. A line that does
not parse (a cut-off last line, an edited file) is never dropped: it is copied to
``<database>.pending-damaged-<time>`` and named in a notice. A read-only open commits
nothing; it only says that answers are waiting.

Appending and replaying hold an exclusive ``flock`` on the journal (where the platform has
one), so two quiz_app processes never interleave a line or truncate what the other added.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from quiz_app.core.i18n import _, ngettext
from quiz_app.progress.errors import is_corruption
from quiz_app.progress.records import AnswerRecord, MisconceptionMark, check_record, stamp
from quiz_app.progress.recovery import free_name
from quiz_app.progress.waiting import Patience, write_transaction
from quiz_app.progress.writes import attempt_mismatch, insert_answer

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock; appends are still atomic lines
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".pending.jsonl"
_FORMAT = 1


def journal_path(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


def to_line(record: AnswerRecord, answered_at: str) -> bytes:
    entry = {
        "v": _FORMAT,
        "uid": record.uid,
        "player": record.player,
        "bank_id": record.bank_id,
        "question_id": record.question_id,
        "question_hash": record.question_hash,
        "answer": record.answer,
        "correct": record.correct,
        "seconds": record.seconds,
        "device": record.device,
        "attempt_id": record.attempt_id,
        "answered_at": answered_at,
        "misconceptions": [{"id": m.id, "text": m.text, "revealed": m.revealed} for m in record.misconceptions],
    }
    return (json.dumps(entry, ensure_ascii=False, allow_nan=False, sort_keys=True) + "\n").encode("utf-8")


def from_line(line: bytes) -> AnswerRecord:
    """The record a journal line holds; ValueError if it holds none (a damaged line)."""
    try:
        entry = json.loads(line.decode("utf-8"))
        if not isinstance(entry, dict) or entry.get("v") != _FORMAT:
            raise ValueError("not a journal entry of format 1")
        marks = tuple(
            MisconceptionMark(id=m["id"], text=m["text"], revealed=m["revealed"]) for m in entry["misconceptions"]
        )
        record = AnswerRecord(
            player=entry["player"],
            bank_id=entry["bank_id"],
            question_id=entry["question_id"],
            question_hash=entry["question_hash"],
            answer=entry["answer"],
            correct=entry["correct"],
            seconds=entry["seconds"],
            device=entry["device"],
            attempt_id=entry["attempt_id"],
            answered_at=datetime.fromisoformat(entry["answered_at"]),
            uid=entry["uid"],
            misconceptions=marks,
        )
    except (UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a journal entry: {exc}") from exc
    check_record(record)
    return record


@contextmanager
def _locked(path: Path, flags: int) -> Iterator[int]:
    fd = os.open(path, flags, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def append(path: Path, record: AnswerRecord, answered_at: str) -> None:
    """Add one line and sync it to disk; raises OSError if it cannot."""
    data = to_line(record, answered_at)
    created = not path.exists()
    with _locked(path, os.O_RDWR | os.O_CREAT | os.O_APPEND) as fd:
        size = os.fstat(fd).st_size
        if size and _read_at(fd, size - 1, 1) != b"\n":
            data = b"\n" + data  # a line cut off by a crash stays alone (and is kept as damaged)
        while data:
            data = data[os.write(fd, data) :]
        os.fsync(fd)
    if created:
        _sync_folder(path.parent)


@dataclass
class Replay:
    """What a replay did: ``committed`` answers new to the database, ``damaged`` lines kept aside."""

    committed: int = 0
    damaged: int = 0
    damaged_copy: Path | None = None
    notices: list[str] = field(default_factory=list)


def pending(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def replay(path: Path, database: Path, commit: Callable[[list[AnswerRecord]], int]) -> Replay:
    """Commit what the journal holds (``commit`` returns how many were new), then truncate it.

    If ``commit`` raises, the journal is left as it was and the error propagates.
    """
    result = Replay()
    if not pending(path):
        return result
    with _locked(path, os.O_RDWR) as fd:
        size = os.fstat(fd).st_size
        content = _read_at(fd, 0, size)
        records: list[AnswerRecord] = []
        damaged: list[bytes] = []
        for line in content.splitlines(keepends=True):
            if not line.strip():
                continue
            try:
                records.append(from_line(line))
            except ValueError:
                damaged.append(line if line.endswith(b"\n") else line + b"\n")
        result.committed = commit(records) if records else 0
        if damaged:
            result.damaged, result.damaged_copy = len(damaged), _keep(database, damaged)
        os.ftruncate(fd, 0)
        os.fsync(fd)
    if result.committed:
        committed = ngettext(
            "{count} answer saved by the last session was committed now (from {path}).",
            "{count} answers saved by the last session were committed now (from {path}).",
            result.committed,
        )
        result.notices.append(committed.format(count=result.committed, path=path))
    if result.damaged:
        unread = ngettext(
            "{count} line of the answer journal {path} could not be read; it was kept in {copy}, nothing was deleted.",
            "{count} lines of the answer journal {path} could not be read; they were kept in {copy}, nothing was "
            "deleted.",
            result.damaged,
        )
        result.notices.append(unread.format(count=result.damaged, path=path, copy=result.damaged_copy))
    return result


def replay_into(conn: sqlite3.Connection, target: Path, patience: Patience, notices: list[str]) -> None:
    """Commit the answers a past session could not (one transaction, waiting for the lock)."""
    path = journal_path(target)
    if not pending(path):
        return

    def insert_all(conn: sqlite3.Connection, records: list[AnswerRecord]) -> int:
        added = 0
        for record in records:
            if attempt_mismatch(conn, record):  # its attempt was lost with a damaged file: keep the answer
                record = dataclasses.replace(record, attempt_id=None)
            assert record.answered_at is not None
            added += insert_answer(conn, record, stamp(record.answered_at))
        return added

    def commit(records: list[AnswerRecord]) -> int:
        return write_transaction(conn, lambda c: insert_all(c, records), "save the journal's answers to", patience)

    try:
        done = replay(path, target, commit)
    except OSError as exc:
        notices.append(
            _("The answer journal {path} could not be read ({error}); it was left as it is.").format(
                path=path, error=exc.strerror or exc
            )
        )
        return
    except sqlite3.Error as exc:
        if is_corruption(exc):
            raise
        notices.append(
            _(
                "Answers saved by the last session wait in {path}, but could not be committed now "
                "({error}); they stay there and are committed the next time."
            ).format(path=path, error=exc)
        )
        return
    notices.extend(done.notices)


def _read_at(fd: int, offset: int, size: int) -> bytes:
    os.lseek(fd, offset, os.SEEK_SET)
    chunks = []
    while size > 0:
        chunk = os.read(fd, size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _keep(database: Path, lines: list[bytes]) -> Path:
    copy = free_name(database, ".pending-damaged")
    with open(copy, "xb") as handle:
        handle.write(b"".join(lines))
        handle.flush()
        os.fsync(handle.fileno())
    return copy


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not every platform opens folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
