"""The progress store: every answer a player gives, kept in one SQLite file.

Each write is its own transaction, committed (and synced) before the call returns, so a
crash or a kill loses nothing that was reported as saved. The file is in WAL mode, so two
quiz_app windows on one machine can write to it at once.

Locks. A write that finds another program's write lock waits: SQLite's busy timeout
(``busy_timeout_s``, 1 s) per try, then a backoff, again and again, calling ``on_wait`` with
a :class:`LockWait` after each failed try (and once with ``over=True`` when the wait ends),
so that a UI can say "still saving". After ``lock_patience_s`` (30 s; ``math.inf``: never)
``record_answer`` stops waiting and puts the answer in the journal (see
:mod:`quiz_app.progress.journal`), then raises :class:`AnswerJournaled`; the other writes
raise :class:`StoreError`. No answer is dropped.

Reading. ``ProgressStore.open(path, readonly=True)`` opens with SQLite's ``mode=ro`` and
``query_only``: it never writes, never migrates and never takes a write lock. A missing
database reads as empty (no file or folder is created); a database of an older schema is
read as it is, with a notice (the queries need only what schema version 1 made; the
misconceptions of a database older than version 4 read as none); a newer one raises
:class:`StoreError`. A damaged file (or another program's) is moved aside as by any
open (renamed with its journals, never written) and reads as empty; no new file is made.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from quiz_app.core import locations
from quiz_app.core.i18n import _
from quiz_app.progress import cards, journal, queries, schema, writes
from quiz_app.progress.errors import AnswerJournaled, StoreError, is_corruption, store_error
from quiz_app.progress.opening import check_writable, open_for_reading, open_for_writing, prepare_folder, set_aside
from quiz_app.progress.records import (
    AnswerRecord,
    BankHistory,
    BankTotals,
    MisconceptionStatus,
    QuestionRate,
    UnfinishedAttempt,
    check_record,
    now,
    require_text,
    stamp,
)
from quiz_app.progress.recovery import damaged_notice, identity, move_aside
from quiz_app.progress.waiting import Patience, WaitListener, write_transaction

T = TypeVar("T")

BUSY_TIMEOUT_S = 1.0  # SQLite's own wait, per try
LOCK_PATIENCE_S = 30.0  # how long a write waits, in all, for another program's lock


class ProgressStore:
    """Open with :meth:`open`; close with :meth:`close` or a ``with`` block."""

    path: Path
    notices: list[str]
    readonly: bool
    schema_version: int
    busy_timeout_s: float
    lock_patience_s: float
    on_wait: WaitListener | None

    def __init__(
        self,
        conn: sqlite3.Connection | None,
        path: Path,
        notices: list[str],
        *,
        readonly: bool = False,
        schema_version: int = schema.LATEST_VERSION,
        patience: Patience | None = None,
    ) -> None:
        self._conn = conn  # None: a read-only store of a database that does not exist
        self._closed = False
        self._lock = threading.Lock()  # the UI may call from a worker thread
        self._identity = identity(path) if conn is not None else None
        self.path = path
        self.notices = notices
        self.readonly = readonly
        self.schema_version = schema_version
        patience = patience or Patience(BUSY_TIMEOUT_S, LOCK_PATIENCE_S)
        self.busy_timeout_s = patience.busy_timeout_s
        self.lock_patience_s = patience.lock_patience_s
        self.on_wait = patience.on_wait  # may be set later (the UI's, once it runs)

    @property
    def journal(self) -> Path:
        """Where answers the database could not take wait (see :mod:`quiz_app.progress.journal`)."""
        return journal.journal_path(self.path)

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        readonly: bool = False,
        busy_timeout_s: float | None = None,
        lock_patience_s: float | None = None,
        on_wait: WaitListener | None = None,
    ) -> ProgressStore:
        """Open (creating and migrating as needed) the database at ``path``.

        A damaged file is moved aside, never deleted, and a fresh one started; answers left
        in the journal are committed; what was done is described in ``notices``. Anything the
        user must fix raises :class:`StoreError`. ``readonly``: see the module's docstring.
        ``busy_timeout_s`` and ``lock_patience_s`` default to :data:`BUSY_TIMEOUT_S` and
        :data:`LOCK_PATIENCE_S`.
        """
        target = (locations.database_path() if path is None else Path(path)).expanduser().absolute()
        patience = Patience(
            BUSY_TIMEOUT_S if busy_timeout_s is None else busy_timeout_s,
            LOCK_PATIENCE_S if lock_patience_s is None else lock_patience_s,
            on_wait,
        )
        notices: list[str] = []
        if readonly:
            conn, version = open_for_reading(target, patience, notices)
            return cls(conn, target, notices, readonly=True, schema_version=version, patience=patience)
        prepare_folder(target.parent)
        check_writable(target)
        return cls(open_for_writing(target, patience, notices), target, notices, patience=patience)

    # -- writing ---------------------------------------------------------------------------

    def start_attempt(self, player: str, bank_id: str, total_questions: int, retry: bool = False) -> int:
        """Begin one play-through of a bank (``retry``: of its missed questions)."""
        require_text(player=player, bank_id=bank_id)
        if isinstance(total_questions, bool) or total_questions < 1:
            raise ValueError(f"total_questions must be at least 1, not {total_questions!r}")
        started = stamp(now())
        return self._transact(
            "start an attempt in",
            lambda conn: writes.insert_attempt(conn, player, bank_id, total_questions, retry, started),
        )

    def record_answer(self, record: AnswerRecord) -> None:
        """Save one answer; it is committed to disk before this returns.

        An answer whose ``uid`` is already stored is not stored again. If the database cannot
        take it (locked for longer than ``lock_patience_s``, or a disk or folder failure), it
        is written to the journal instead and :class:`AnswerJournaled` is raised.
        """
        check_record(record)
        answered_at = stamp(record.answered_at or now())

        def work(conn: sqlite3.Connection) -> None:
            problem = writes.attempt_mismatch(conn, record)
            if problem:
                raise ValueError(problem)
            writes.insert_answer(conn, record, answered_at)

        try:
            self._transact("save an answer to", work)
        except StoreError as error:
            try:
                journal.append(self.journal, record, answered_at)
            except OSError as exc:
                raise StoreError(
                    # TRANSLATORS: {error} says why the answer could not be saved: a whole sentence, translated
                    _("{error}; the answer could not be kept in the journal {journal} either: {reason}").format(
                        error=error, journal=self.journal, reason=exc.strerror or exc
                    )
                ) from error
            raise AnswerJournaled(
                # TRANSLATORS: {error} says why the answer could not be saved: a whole sentence, translated
                _(
                    "{error}. Nothing is lost: the answer was kept in {journal} and is saved "
                    "the next time quiz_app opens the progress file."
                ).format(error=error, journal=self.journal),
                self.journal,
            ) from error

    def finish_attempt(self, attempt_id: int) -> None:
        """Mark an attempt finished (the first call's time is kept)."""
        finished = stamp(now())
        self._transact("finish an attempt in", lambda conn: writes.finish_attempt(conn, attempt_id, finished))

    # -- reading ---------------------------------------------------------------------------

    def bank_history(self, player: str, bank_id: str) -> BankHistory | None:
        """Scores of the player's finished full attempts at a bank; None if none was finished.

        An attempt scores its correct answers out of its ``total_questions``. One left before
        its end is not counted (see ``unfinished_attempt``). The last attempt is the one
        answered most recently.
        """
        return self._read(lambda conn: queries.bank_history(conn, player, bank_id), None)

    def unfinished_attempt(self, player: str, bank_id: str) -> UnfinishedAttempt | None:
        """The player's latest full attempt at the bank when it was left before its end, with its answers."""
        return self._read(lambda conn: queries.unfinished_attempt(conn, player, bank_id), None)

    def bank_totals(self, player: str) -> list[BankTotals]:
        """One line per bank the player answered in, by bank id (retries included)."""
        return self._read(lambda conn: queries.bank_totals(conn, player), [])

    def question_rates(self, player: str, bank_id: str | None = None) -> list[QuestionRate]:
        """Per question with at least one graded answer, by bank id then question id."""
        return self._read(lambda conn: queries.question_rates(conn, player, bank_id), [])

    def players(self) -> list[str]:
        """Everyone who started an attempt or gave an answer, sorted."""
        return self._read(queries.players, [])

    def misconceptions(self, player: str) -> list[MisconceptionStatus]:
        """Each misconception the player's answers were offered: not cleared first, then the
        most picked first (then by id)."""
        return self._read(lambda conn: queries.misconceptions(conn, player), [])

    # -- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._closed = True
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

    def _patience(self) -> Patience:
        return Patience(self.busy_timeout_s, self.lock_patience_s, self.on_wait)

    def _live(self) -> sqlite3.Connection | None:
        if self._closed:
            raise ValueError("the progress store is closed")
        if self._conn is None and not self.readonly:
            raise StoreError(
                _("cannot use the progress file {path}: it could not be opened again after damage").format(
                    path=self.path
                )
            )
        return self._conn

    def _transact(self, action: str, work: Callable[[sqlite3.Connection], T]) -> T:
        """One write transaction, waiting for the write lock; damage found moves the file
        aside and the work is done again on a fresh one."""
        with self._lock:
            if self.readonly and not self._closed:
                raise ValueError("the progress store was opened read-only")
            conn = self._live()
            assert conn is not None
            try:
                return write_transaction(conn, work, action, self._patience())
            except sqlite3.Error as exc:
                if not is_corruption(exc):
                    raise store_error(action, self.path, exc) from exc
                reason = str(exc)
            self._recover(reason)
            conn = self._live()
            assert conn is not None
            try:
                return write_transaction(conn, work, action, self._patience())
            except sqlite3.Error as exc:
                raise store_error(action, self.path, exc) from exc

    def _read(self, query: Callable[[sqlite3.Connection], T], empty: T) -> T:
        with self._lock:
            conn = self._live()
            if conn is None:
                return empty  # read-only, and there is no database (or no longer a usable one)
            try:
                return query(conn)
            except sqlite3.Error as exc:
                if not is_corruption(exc):
                    raise store_error("read", self.path, exc) from exc
                reason = str(exc)
            self._recover(reason)
            conn = self._live()
            if conn is None:
                return empty
            try:
                return query(conn)
            except sqlite3.Error as exc:
                raise store_error("read", self.path, exc) from exc

    def _recover(self, reason: str) -> None:
        """Damage met mid-session: move the file aside (unless another process already
        replaced it) and carry on as :meth:`open` would: with a fresh file, or, read-only,
        with none."""
        assert self._conn is not None
        self._conn.close()
        self._conn = None
        if self.readonly:
            set_aside(self.path, self._identity, reason, self.notices)
            return
        if self._identity is not None and identity(self.path) == self._identity:
            aside = move_aside(self.path, ".corrupt")
            self.notices.append(damaged_notice(self.path, aside, reason))
        self._conn = open_for_writing(self.path, self._patience(), self.notices)
        self._identity = identity(self.path)

    # -- for query modules outside this class (quiz_app.progress.class_queries) -----------

    def with_connection(self, work: Callable[[sqlite3.Connection], T], empty: T, action: str = "read") -> T:
        """Run ``work`` on the database the way this store runs its own calls, damage included.

        A read-only store runs it as a read (``empty`` when there is no database); any other
        runs it as one write transaction, waiting for the lock as every write does (``action``
        names it in errors, e.g. "import answers into": a key of ``errors._CANNOT``, which holds
        each action's sentence, translated). The classroom's report and export
        read through it; its import writes a whole file of answers in one transaction.
        """
        if self.readonly:
            return self._read(work, empty)
        return self._transact(action, work)

    # -- spaced review (quiz_app.play.review holds the rules; cards.py the SQL) ----------------------

    def review_answer(
        self,
        player: str,
        bank_id: str,
        question_id: str,
        question_hash: str,
        correct: bool | None,
        at: datetime,
    ) -> datetime | None:
        """Move the player's review card for this question by one answer given at ``at``;
        return when the card is next due.

        Cards are keyed by the question's content hash: an edited question starts a new card.
        Right is FSRS's Good, wrong its Again (see :mod:`quiz_app.play.review`). Nothing changes,
        and None is returned, for an ungraded answer (``correct`` None) or one given no later
        than the card's last review (the same answer again, or another window's older answer
        arriving late). One write transaction, so two windows never lose a review.
        """
        from quiz_app.play import review  # fsrs and the bank model load only when a card moves

        require_text(player=player, bank_id=bank_id, question_id=question_id)
        cards.check_hash(question_hash)
        cards.moment_stamp(at)
        if correct is None:
            return None
        if correct not in (True, False):
            raise ValueError(f"correct must be True, False or None, not {correct!r}")
        moment = review.utc(at)

        def work(conn: sqlite3.Connection) -> datetime | None:
            stored = cards.read_card(conn, player, question_hash)
            if stored is None:
                card = review.new_card(question_hash, moment)
            else:
                card = review.card_from_json(stored.card_json, question_hash, moment)
            if card.last_review is not None and moment <= card.last_review:
                return None
            moved = review.review(card, bool(correct), moment)
            reviews = (stored.due_reviews if stored else 0) + int(moved.was_due)
            recalled = (stored.due_recalled if stored else 0) + int(moved.was_due and bool(correct))
            due = moved.card.due
            card_json = review.card_to_json(moved.card)
            cards.write_card(
                conn, player, question_hash, bank_id, question_id, card_json, stamp(due), reviews, recalled
            )
            return due

        return self._transact("update a review card in", work)

    def due_cards(self, player: str, now: datetime) -> list[cards.DueCard]:
        """The player's cards due at ``now``, across all banks, the most overdue first (then by
        bank and question id). A card names the bank and question it was last answered as."""
        moment = cards.moment_stamp(now)
        return self._read(lambda conn: cards.due_cards(conn, player, moment), [])

    def due_count(self, player: str, now: datetime) -> int:
        """How many of the player's cards are due at ``now`` (edited or removed questions'
        cards included: ``quiz_app.play.review.due_questions`` tells them apart)."""
        moment = cards.moment_stamp(now)
        return self._read(lambda conn: cards.due_count(conn, player, moment), 0)

    def retention_by_tag(self, player: str, tags: Mapping[str, Iterable[str]]) -> list[cards.TagRetention]:
        """Per tag, by name: of the player's reviews made when the card was due (answered at or
        after its due time; a question's first answer is not a review), how many were right.

        Tags live in the banks, so ``tags`` maps each question content hash to its tags
        (``quiz_app.play.review.tags_by_hash(banks)``); cards of hashes it does not hold (edited or
        removed questions) count nowhere. Tags with no such review are left out.
        """
        counts: list[tuple[str, int, int]] = self._read(lambda conn: cards.retention_counts(conn, player), [])
        return cards.group_by_tag(counts, tags)

    def score_trend(self, player: str, bank_id: str, limit: int = 20) -> list[float]:
        """The score share (right answers / questions) of each of the player's last ``limit``
        finished full attempts at the bank that recorded an answer, oldest first (a sparkline)."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be an int of at least 1, not {limit!r}")
        return self._read(lambda conn: cards.score_trend(conn, player, bank_id, limit), [])
