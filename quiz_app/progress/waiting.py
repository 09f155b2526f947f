"""Waiting for another program's write lock: retry with backoff, and say that we are waiting.

SQLite's own busy timeout (``busy_timeout_s``) bounds one try; between tries the store sleeps
(10 ms, doubling up to 1 s) and calls the ``on_wait`` listener, so a UI can show that a save
is still waiting. After ``lock_patience_s`` of waiting (``math.inf``: never) the busy error is raised.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from quiz_app.progress.errors import is_busy

T = TypeVar("T")

_FIRST_BACKOFF_S = 0.01
_MAX_BACKOFF_S = 1.0


@dataclass(frozen=True)
class LockWait:
    """Sent to ``on_wait`` while a write waits for another program's lock.

    ``action`` says what waits ("save an answer to"); ``waited_s`` is how long so far. A last
    call with ``over=True`` comes when the wait ends, whether the lock was had or not. The
    listener runs in the thread that writes, while the store is busy: it must return quickly
    and must not call the store (a UI posts a message to its event loop). What it raises is
    ignored: a save never fails because of its listener.
    """

    action: str
    waited_s: float
    over: bool = False


WaitListener = Callable[[LockWait], None]


@dataclass(frozen=True)
class Patience:
    busy_timeout_s: float
    lock_patience_s: float  # math.inf: wait as long as it takes
    on_wait: WaitListener | None = None


def until_free(work: Callable[[], T], action: str, patience: Patience) -> T:
    """Run ``work`` until it does not fail for a busy database, or patience runs out.

    ``work`` must leave nothing half done when it raises (roll back its transaction).
    """
    start = time.monotonic()
    delay = _FIRST_BACKOFF_S
    waited = False
    try:
        while True:
            try:
                return work()
            except sqlite3.OperationalError as exc:
                if not is_busy(exc):
                    raise
                elapsed = time.monotonic() - start
                limit = patience.lock_patience_s
                if elapsed >= limit:
                    raise
                waited = True
                _tell(patience.on_wait, LockWait(action, elapsed))
                time.sleep(max(0.0, min(delay, limit - elapsed)))
                delay = min(delay * 2, _MAX_BACKOFF_S)
    finally:
        if waited:
            _tell(patience.on_wait, LockWait(action, time.monotonic() - start, over=True))


def _tell(listener: WaitListener | None, wait: LockWait) -> None:
    if listener is None:
        return
    try:
        listener(wait)
    except Exception:  # noqa: BLE001 - an answer must not be lost to a UI's mistake
        pass


def write_transaction(
    conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T], action: str, patience: Patience
) -> T:
    """``work`` in one write transaction, committed; the write lock is taken at once
    (``BEGIN IMMEDIATE``: no upgrade deadlock), waiting for it as :func:`until_free` does."""

    def once() -> T:
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return result

    return until_free(once, action, patience)
