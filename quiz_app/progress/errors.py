"""What can go wrong with the progress file, and how SQLite's errors are told apart and worded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

# Primary SQLite result codes (sqlite3.SQLITE_* exists only from Python 3.11).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_FULL = 5, 6, 8, 13
CORRUPT_CODES = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB


class StoreError(Exception):
    """A problem the user must fix; the message is shown as is, without a traceback."""


class AnswerJournaled(StoreError):
    """``record_answer`` could not write to the database, so the answer went to the journal.

    Nothing is lost: the answer is on disk (fsync'd) in :attr:`journal`, and the next
    read-write :meth:`ProgressStore.open` commits it. Raised only after the store gave up on
    the database: another program held it locked for longer than ``lock_patience_s`` (30 s
    by default), or the disk or folder failed.
    """

    def __init__(self, message: str, journal: Path) -> None:
        super().__init__(message)
        self.journal = journal


class Damaged(Exception):
    """The file at the database path cannot be used as a progress database."""


def primary_code(exc: sqlite3.Error) -> int | None:
    """The primary result code (the low byte of the extended one), or None if unknown."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_busy(exc: sqlite3.Error) -> bool:
    code = primary_code(exc)
    if code is not None:
        return code in (SQLITE_BUSY, SQLITE_LOCKED)
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


def is_corruption(exc: sqlite3.Error) -> bool:
    code = primary_code(exc)
    if code is not None:
        return code in CORRUPT_CODES
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def describe(exc: sqlite3.Error) -> str:
    """Why an SQLite call failed, in words a user can act on."""
    code = primary_code(exc)
    if code is None and is_busy(exc):
        code = SQLITE_BUSY
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return "another program holds it locked; close other quiz_app windows and try again"
    if code == SQLITE_READONLY:
        return "it is read-only; check the file's permissions"
    if code == SQLITE_FULL:
        return "the disk is full"
    if is_corruption(exc):
        return f"it is damaged ({exc}); restart quiz_app to move it aside and start anew"
    return str(exc)


def store_error(action: str, path: Path, exc: sqlite3.Error) -> StoreError:
    return StoreError(f"cannot {action} the progress file {path}: {describe(exc)}")
