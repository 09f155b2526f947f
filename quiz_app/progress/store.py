"""The progress store: every answer a player gives, kept in one SQLite file.

Each write is its own transaction, committed (and synced) before the call returns, so a
crash or a kill loses nothing that was reported as saved. The file is in WAL mode with a
busy timeout, so two quiz_app windows on one machine can write to it at once.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

from quiz_app import locations
from quiz_app.progress import schema

BUSY_TIMEOUT_S = 10.0
_HEX = re.compile(r"[0-9a-fA-F]+")
_COMPANIONS = ("-wal", "-shm", "-journal")
_SQLITE_HEADER = b"SQLite format 3\x00"
_WAL_MAGICS = (bytes.fromhex("377f0682"), bytes.fromhex("377f0683"))
_WAL_VERSION = (3007000).to_bytes(4, "big")
_OPEN_TRIES = 3
# Primary SQLite result codes (sqlite3.SQLITE_* exists only from Python 3.11).
_CORRUPT_CODES = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB


class StoreError(Exception):
    """A problem the user must fix; the message is shown as is, without a traceback."""


@dataclass(frozen=True)
class AnswerRecord:
    player: str
    bank_id: str
    question_id: str
    question_hash: str
    answer: str
    correct: bool | None  # None: not graded
    seconds: float
    device: str | None
    attempt_id: int | None = None
    answered_at: datetime | None = None  # None: now; otherwise timezone-aware


@dataclass(frozen=True)
class BankHistory:
    """A player's full (non-retry) attempts at one bank that recorded at least one answer."""

    attempts: int
    last_correct: int
    last_total: int
    last_played: datetime
    best_correct: int
    best_total: int


@dataclass(frozen=True)
class BankTotals:
    """Every answer a player gave in one bank: ``answered`` counts ungraded answers too."""

    bank_id: str
    answered: int
    correct: int
    last_played: datetime


@dataclass(frozen=True)
class QuestionRate:
    """Graded answers to one question; ungraded answers count in neither number."""

    bank_id: str
    question_id: str
    answered: int
    correct: int

    @property
    def rate(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


class _Damaged(Exception):
    """The file at the database path cannot be used as a progress database."""


class ProgressStore:
    """Open with :meth:`open`; close with :meth:`close` or a ``with`` block."""

    path: Path
    notices: list[str]

    def __init__(self, conn: sqlite3.Connection, path: Path, notices: list[str]) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._lock = threading.Lock()  # the UI may call from a worker thread
        self.path = path
        self.notices = notices

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None) -> ProgressStore:
        """Open (creating and migrating as needed) the database at ``path``.

        A damaged file is moved aside, never deleted, and a fresh one started; what was done
        is described in ``notices``. Anything the user must fix raises :class:`StoreError`.
        """
        target = (locations.database_path() if path is None else Path(path)).expanduser()
        target = target.absolute()
        _prepare_folder(target.parent)
        if target.is_dir():
            raise StoreError(f"cannot open the progress file {target}: it is a folder")
        if target.exists() and not os.access(target, os.W_OK):
            raise StoreError(
                f"cannot write to the progress file {target}: it is read-only; check the file's permissions"
            )
        notices: list[str] = []
        for _ in range(_OPEN_TRIES):
            seen = _identity(target)
            try:
                # Before SQLite opens it: SQLite deletes the journals of an unreadable file.
                _check_header(target)
                _check_leftovers(target, notices)
                return cls(_connect(target), target, notices)
            except _Damaged as damage:
                reason = str(damage)
            except schema.ForeignDatabaseError:
                reason = "it is an SQLite database, but not one quiz_app made"
            except schema.NewerSchemaError as exc:
                raise StoreError(
                    f"the progress file {target} was written by a newer quiz_app "
                    f"(schema version {exc.found}; this one knows up to "
                    f"{schema.LATEST_VERSION}). Update quiz_app, or set "
                    f"{locations.HOME_ENV} to use another folder."
                ) from exc
            except sqlite3.Error as exc:
                if not _is_corruption(exc):
                    raise _store_error("open", target, exc) from exc
                reason = str(exc)
            # Damaged: move it aside unless another process already replaced it.
            if seen is not None and _identity(target) == seen:
                aside = _move_aside(target, ".corrupt")
                notices.append(
                    f"The progress file {target} could not be used ({reason}). It was moved "
                    f"to {aside}, nothing was deleted, and a new, empty progress file was "
                    f"started at {target}."
                )
        raise StoreError(
            f"cannot open the progress file {target}: it kept changing while it was checked; "
            "is another program writing to it?"
        )

    # -- writing ---------------------------------------------------------------------------

    def start_attempt(self, player: str, bank_id: str, total_questions: int, retry: bool = False) -> int:
        """Begin one play-through of a bank (``retry``: of its missed questions)."""
        _require_text(player=player, bank_id=bank_id)
        if isinstance(total_questions, bool) or total_questions < 1:
            raise ValueError(f"total_questions must be at least 1, not {total_questions!r}")
        with self._write("start an attempt in") as conn:
            cursor = conn.execute(
                "INSERT INTO attempts (player, bank_id, total_questions, retry, started_at) VALUES (?, ?, ?, ?, ?)",
                (player, bank_id, int(total_questions), int(retry), _stamp(_now())),
            )
            attempt_id = cursor.lastrowid
        assert attempt_id is not None
        return attempt_id

    def record_answer(self, record: AnswerRecord) -> None:
        """Save one answer; it is committed to disk before this returns."""
        _check_record(record)
        answered_at = _stamp(record.answered_at or _now())
        with self._write("save an answer to") as conn:
            if record.attempt_id is not None:
                row = conn.execute("SELECT player, bank_id FROM attempts WHERE id = ?", (record.attempt_id,)).fetchone()
                if row is None:
                    raise ValueError(f"no attempt with id {record.attempt_id}")
                if tuple(row) != (record.player, record.bank_id):
                    raise ValueError(
                        f"attempt {record.attempt_id} is {row[0]!r} playing {row[1]!r}, "
                        f"not {record.player!r} playing {record.bank_id!r}"
                    )
            conn.execute(
                "INSERT INTO answers (attempt_id, player, bank_id, question_id, question_hash,"
                " answer, correct, seconds, device, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.attempt_id,
                    record.player,
                    record.bank_id,
                    record.question_id,
                    record.question_hash,
                    record.answer,
                    None if record.correct is None else int(record.correct),
                    float(record.seconds),
                    record.device,
                    answered_at,
                ),
            )

    def finish_attempt(self, attempt_id: int) -> None:
        """Mark an attempt finished (the first call's time is kept)."""
        with self._write("finish an attempt in") as conn:
            cursor = conn.execute(
                "UPDATE attempts SET finished_at = COALESCE(finished_at, ?) WHERE id = ?",
                (_stamp(_now()), attempt_id),
            )
            if cursor.rowcount == 0:
                raise ValueError(f"no attempt with id {attempt_id}")

    # -- reading ---------------------------------------------------------------------------

    def bank_history(self, player: str, bank_id: str) -> BankHistory | None:
        """Scores of the player's full attempts at a bank; None if none recorded an answer.

        An attempt scores its correct answers out of its ``total_questions``, whether it was
        finished or not. The last attempt is the one answered most recently.
        """
        rows = self._read(
            "SELECT a.id, a.total_questions, COALESCE(SUM(s.correct), 0), MAX(s.answered_at)"
            " FROM attempts AS a JOIN answers AS s ON s.attempt_id = a.id"
            " WHERE a.player = ? AND a.bank_id = ? AND a.retry = 0"
            " GROUP BY a.id",
            (player, bank_id),
        )
        if not rows:
            return None
        last = max(rows, key=lambda r: (r[3], r[0]))
        best = max(rows, key=lambda r: (Fraction(r[2], r[1]), r[3], r[0]))
        return BankHistory(
            attempts=len(rows),
            last_correct=last[2],
            last_total=last[1],
            last_played=_parse(last[3]),
            best_correct=best[2],
            best_total=best[1],
        )

    def bank_totals(self, player: str) -> list[BankTotals]:
        """One line per bank the player answered in, by bank id (retries included)."""
        rows = self._read(
            "SELECT bank_id, COUNT(*), COALESCE(SUM(correct), 0), MAX(answered_at)"
            " FROM answers WHERE player = ? GROUP BY bank_id ORDER BY bank_id",
            (player,),
        )
        return [BankTotals(r[0], r[1], r[2], _parse(r[3])) for r in rows]

    def question_rates(self, player: str, bank_id: str | None = None) -> list[QuestionRate]:
        """Per question with at least one graded answer, by bank id then question id."""
        sql = (
            "SELECT bank_id, question_id, COUNT(*), SUM(correct) FROM answers WHERE player = ? AND correct IS NOT NULL"
        )
        params: tuple[str, ...] = (player,)
        if bank_id is not None:
            sql += " AND bank_id = ?"
            params += (bank_id,)
        sql += " GROUP BY bank_id, question_id ORDER BY bank_id, question_id"
        return [QuestionRate(r[0], r[1], r[2], r[3]) for r in self._read(sql, params)]

    def players(self) -> list[str]:
        """Everyone who started an attempt or gave an answer, sorted."""
        rows = self._read("SELECT player FROM answers UNION SELECT player FROM attempts", ())
        return sorted(r[0] for r in rows)

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------------------

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("the progress store is closed")
        return self._conn

    @contextmanager
    def _write(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; the lock to write is taken at once (no upgrade deadlock)."""
        with self._lock:
            conn = self._live()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise _store_error(action, self.path, exc) from exc

    def _read(self, sql: str, params: tuple[str, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._live().execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _store_error("read", self.path, exc) from exc


# -- helpers for opening -------------------------------------------------------------------


def _prepare_folder(folder: Path) -> None:
    hint = f" (set {locations.HOME_ENV} to use another folder)"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise StoreError(f"cannot create the data folder {folder}: a file is in the way{hint}") from exc
    except OSError as exc:
        raise StoreError(f"cannot create the data folder {folder}: {exc.strerror or exc}{hint}") from exc
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".quiz-app-write-test-"):
            pass
    except OSError as exc:
        raise StoreError(f"cannot write to the data folder {folder}: {exc.strerror or exc}{hint}") from exc


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read the progress file {path}: {exc.strerror or exc}") from exc
    if head and head != _SQLITE_HEADER:  # an empty file is a new, empty database
        raise _Damaged("it does not start like an SQLite database")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    try:
        problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise _Damaged("; ".join(problems[:3]))
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")  # a commit is on disk before it returns
        conn.execute("PRAGMA foreign_keys = ON")
        schema.migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL. The switch does not wait for a busy database: retry it until it works."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchall()
            return
        except sqlite3.OperationalError as exc:
            code = getattr(exc, "sqlite_errorcode", None)
            busy = code & 0xFF == 5 if isinstance(code, int) else "locked" in str(exc)
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _companion(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _free_name(path: Path, label: str) -> Path:
    """``progress.sqlite3.corrupt-20261127T101500Z`` (then ``-2``, ``-3``... if taken)."""
    base = f"{path.name}{label}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
    candidate, n = path.with_name(base), 1
    while any(_companion(candidate, s).exists() for s in ("", *_COMPANIONS)):
        n += 1
        candidate = path.with_name(f"{base}-{n}")
    return candidate


def _move_aside(path: Path, label: str) -> Path:
    """Rename the file and its -wal/-shm/-journal together, keeping them paired."""
    aside = _free_name(path, label)
    try:
        # Journals first, so that no one sees them without their database (and takes them
        # for orphans).
        for suffix in (*_COMPANIONS, ""):
            source = _companion(path, suffix)
            if not source.exists():
                continue
            os.rename(source, _companion(aside, suffix))
    except OSError as exc:
        raise StoreError(f"cannot move the damaged file {path} aside: {exc}") from exc
    return aside


def _check_leftovers(path: Path, notices: list[str]) -> None:
    """Deal with journal files SQLite would misuse or silently throw away."""
    wal = _companion(path, "-wal")
    try:
        size = wal.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return
    if not path.exists():
        # SQLite would silently empty a journal found without its database: keep it.
        aside = _move_aside(path, ".orphaned")
        notices.append(
            f"Journal files were found without their progress file {path}; they were moved "
            f"to {_companion(aside, '-wal')} and a new, empty progress file was started."
        )
        return
    if size < 32:
        return
    try:
        with wal.open("rb") as handle:
            header = handle.read(8)
    except FileNotFoundError:  # the last other connection closed and removed it
        return
    if header[:4] in _WAL_MAGICS and header[4:] == _WAL_VERSION:
        return
    # SQLite ignores a journal with a broken header: keep a copy of what it held.
    copy = _free_name(path, ".damaged-wal")
    try:
        shutil.copy2(wal, copy)
    except OSError as exc:
        raise StoreError(f"cannot keep a copy of the damaged journal {wal}: {exc}") from exc
    notices.append(
        f"The journal {wal} beside the progress file was damaged, so the answers saved in "
        f"it last could not be read back; a copy was kept at {copy}."
    )


# -- small helpers -------------------------------------------------------------------------


def _is_corruption(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _CORRUPT_CODES
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def _store_error(action: str, path: Path, exc: sqlite3.Error) -> StoreError:
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        detail = "another program holds it locked; close other quiz_app windows and try again"
    elif primary == 8:  # SQLITE_READONLY
        detail = "it is read-only; check the file's permissions"
    elif primary == 13:  # SQLITE_FULL
        detail = "the disk is full"
    elif primary in _CORRUPT_CODES:
        detail = f"it is damaged ({exc}); restart quiz_app to move it aside and start anew"
    else:
        detail = str(exc)
    return StoreError(f"cannot {action} the progress file {path}: {detail}")


def _require_text(**fields: str) -> None:
    for name, value in fields.items():
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string, not {value!r}")


def _check_record(record: AnswerRecord) -> None:
    _require_text(player=record.player, bank_id=record.bank_id, question_id=record.question_id)
    if not isinstance(record.question_hash, str) or not _HEX.fullmatch(record.question_hash):
        raise ValueError(f"question_hash must be a hex string, not {record.question_hash!r}")
    if not isinstance(record.answer, str):
        raise ValueError(f"answer must be a string, not {record.answer!r}")
    if not math.isfinite(record.seconds) or record.seconds < 0:
        raise ValueError(f"seconds must be a finite number >= 0, not {record.seconds!r}")
    when = record.answered_at
    if when is not None and when.utcoffset() is None:
        raise ValueError("answered_at must be timezone-aware")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _stamp(moment: datetime) -> str:
    """UTC ISO-8601 with a fixed width, so that text order is time order."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _parse(text: object) -> datetime:
    return datetime.fromisoformat(str(text))
