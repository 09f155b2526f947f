"""Keeping what a damaged progress file held: files are moved or copied aside, never deleted."""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

from quiz_app.core.i18n import _
from quiz_app.progress.errors import StoreError

COMPANIONS = ("-wal", "-shm", "-journal")
_WAL_MAGICS = (bytes.fromhex("377f0682"), bytes.fromhex("377f0683"))
_WAL_VERSION = (3007000).to_bytes(4, "big")


def identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` now (None: none), to notice that another process replaced it."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def companion(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def free_name(path: Path, label: str) -> Path:
    """``progress.sqlite3.corrupt-20261127T101500Z`` (then ``-2``, ``-3``... if taken)."""
    base = f"{path.name}{label}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}"
    candidate, n = path.with_name(base), 1
    while any(companion(candidate, s).exists() for s in ("", *COMPANIONS)):
        n += 1
        candidate = path.with_name(f"{base}-{n}")
    return candidate


def move_aside(path: Path, label: str) -> Path:
    """Rename the file and its -wal/-shm/-journal together, keeping them paired."""
    aside = free_name(path, label)
    try:
        # Journals first, so that no one sees them without their database (and takes them
        # for orphans).
        for suffix in (*COMPANIONS, ""):
            source = companion(path, suffix)
            if not source.exists():
                continue
            os.rename(source, companion(aside, suffix))
    except OSError as exc:
        raise StoreError(
            # TRANSLATORS: {error} is the system's error, in English ("[Errno 13] Permission denied: …")
            _("cannot move the damaged file {path} aside: {error}").format(path=path, error=exc)
        ) from exc
    return aside


def damaged_notice(path: Path, aside: Path, reason: str) -> str:
    return _(
        "The progress file {path} could not be used ({reason}). It was moved to {aside}, "
        "nothing was deleted, and a new, empty progress file was started at {path}."
    ).format(path=path, reason=reason, aside=aside)


def check_leftovers(path: Path, notices: list[str]) -> None:
    """Deal with journal files SQLite would misuse or silently throw away."""
    wal = companion(path, "-wal")
    try:
        size = wal.stat().st_size
    except FileNotFoundError:
        return
    if size == 0:
        return
    if not path.exists():
        # SQLite would silently empty a journal found without its database: keep it.
        aside = move_aside(path, ".orphaned")
        notices.append(
            _(
                "Journal files were found without their progress file {path}; they were moved "
                "to {aside} and a new, empty progress file was started."
            ).format(path=path, aside=companion(aside, "-wal"))
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
    copy = free_name(path, ".damaged-wal")
    try:
        shutil.copy2(wal, copy)
    except OSError as exc:
        raise StoreError(
            # TRANSLATORS: {error} is the system's error, in English ("[Errno 28] No space left on device")
            _("cannot keep a copy of the damaged journal {journal}: {error}").format(journal=wal, error=exc)
        ) from exc
    notices.append(
        _(
            "The journal {journal} beside the progress file was damaged, so the answers saved in "
            "it last could not be read back; a copy was kept at {copy}."
        ).format(journal=wal, copy=copy)
    )
