"""What can go wrong with the progress file, and how SQLite's errors are told apart and worded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from quiz_app.core.i18n import N_, _

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
        return _("another program holds it locked; close other quiz_app windows and try again")
    if code == SQLITE_READONLY:
        return _("it is read-only; check the file's permissions")
    if code == SQLITE_FULL:
        return _("the disk is full")
    if is_corruption(exc):
        # TRANSLATORS: {error} is SQLite's own message, in English ("database disk image is malformed")
        return _("it is damaged ({error}); restart quiz_app to move it aside and start anew").format(error=exc)
    return str(exc)


# What could not be done, one whole sentence per action. The actions stay English keys (a
# LockWait carries them to a UI too); the sentence is translated when the error is made.
_CANNOT = {
    "open": N_("cannot open the progress file {path}: {reason}"),
    "read": N_("cannot read the progress file {path}: {reason}"),
    "start an attempt in": N_("cannot start an attempt in the progress file {path}: {reason}"),
    "save an answer to": N_("cannot save an answer to the progress file {path}: {reason}"),
    "finish an attempt in": N_("cannot finish an attempt in the progress file {path}: {reason}"),
    "update a review card in": N_("cannot update a review card in the progress file {path}: {reason}"),
    "import answers into": N_("cannot import answers into the progress file {path}: {reason}"),
}
# An action not listed above (a new caller's): the sentence says less, but all of it translated.
_CANNOT_USE = N_("cannot use the progress file {path}: {reason}")


def store_error(action: str, path: Path, exc: sqlite3.Error) -> StoreError:
    """``action`` is one of the keys of ``_CANNOT`` ("save an answer to", "read"...)."""
    return StoreError(_(_CANNOT.get(action, _CANNOT_USE)).format(path=path, reason=describe(exc)))
