"""Which answers a report counts, read from the database and from export files.

A report counts, per student and question, the first answer (the default: what the student
knew), the last, or all of them. Answers are the same answer wherever they come from when
their uids are equal: an answer in the database and in an export file, or in two files,
counts once. The database part is chosen in SQL (:mod:`quiz_app.progress.class_queries`);
the few answers from files are merged in here.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from quiz_app.core.i18n import _
from quiz_app.progress import MisconceptionMark, ProgressStore
from quiz_app.progress.class_queries import (
    AnswerFilter,
    ClassAnswer,
    MarkTally,
    ResponseTally,
    all_attempt_tallies,
    counted_answers,
    iter_answers,
    known_uids,
)
from quiz_app.progress.records import stamp

Attempts = Literal["first", "last", "all"]
ATTEMPTS: tuple[Attempts, ...] = ("first", "last", "all")


@dataclass(frozen=True)
class Selection:
    """What a report counts: ``banks`` and ``players`` (empty: all), answers given at or after
    ``since`` (a stamp, see :func:`parse_since`), and which of a student's answers to each
    question: the first, the last, or all."""

    banks: tuple[str, ...] = ()
    players: tuple[str, ...] = ()
    since: str | None = None
    attempts: Attempts = "first"

    def __post_init__(self) -> None:
        if self.attempts not in ATTEMPTS:
            raise ValueError(f"attempts must be one of {', '.join(ATTEMPTS)}, not {self.attempts!r}")

    @property
    def filter(self) -> AnswerFilter:
        return AnswerFilter(players=self.players, banks=self.banks, since=self.since)


def parse_since(text: str) -> str:
    """A date (``2026-09-01``) or a date and time, into a stamp; without a time zone it is
    local time (a teacher's "since Monday" means the teacher's Monday). Raises ValueError."""
    raw = text.strip()
    try:
        moment = datetime.fromisoformat(raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw)
    except ValueError:
        raise ValueError(
            _("not a date: {text} (write it as 2026-09-01, or 2026-09-01T14:30)").format(text=repr(text))
        ) from None
    if moment.utcoffset() is None:
        moment = moment.astimezone()  # local time
    return stamp(moment)


@dataclass
class Tally:
    """One student's counted answers to one question: how many of each response (with its
    verdict), their seconds, and the misconceptions they were offered (``revealed`` when any
    counted answer picked a choice carrying it)."""

    player: str
    bank_id: str
    question_id: str
    responses: Counter[tuple[str, bool | None]] = field(default_factory=Counter)
    seconds: float = 0.0
    marks: dict[str, MisconceptionMark] = field(default_factory=dict)
    answered: int = 0
    graded: int = 0  # answers not graded count in neither graded nor right
    right: int = 0

    def count(self, response: str, correct: bool | None, answers: int = 1, seconds: float = 0.0) -> None:
        self.responses[(response, correct)] += answers
        self.answered += answers
        self.graded += answers if correct is not None else 0
        self.right += answers if correct else 0
        self.seconds += seconds

    def add(self, answer: ClassAnswer) -> None:
        self.count(answer.response, answer.correct, 1, answer.seconds)
        for mark in answer.marks:
            self.mark(mark)

    def mark(self, mark: MisconceptionMark) -> None:
        seen = self.marks.get(mark.id)
        if seen is None or (mark.revealed and not seen.revealed):
            self.marks[mark.id] = mark


def unique(answers: Iterable[ClassAnswer]) -> list[ClassAnswer]:
    """The answers with each uid once (the first seen is kept)."""
    seen: dict[str, ClassAnswer] = {}
    for answer in answers:
        seen.setdefault(answer.uid, answer)
    return list(seen.values())


def _moment(answer: ClassAnswer) -> tuple[str, str]:
    return (answer.answered_at, answer.uid)


def chosen_answers(store: ProgressStore, selection: Selection, extra: Sequence[ClassAnswer] = ()) -> list[ClassAnswer]:
    """With ``attempts`` first or last: the one answer counted per student and question,
    from the database and ``extra`` (answers from export files) together."""
    if selection.attempts == "all":
        raise ValueError("chosen_answers counts one answer per question; use all_answers for --attempts all")
    where = selection.filter
    last = selection.attempts == "last"
    none: list[ClassAnswer] = []
    found = store.with_connection(lambda conn: counted_answers(conn, where, last=last), none)
    best: dict[tuple[str, str, str], ClassAnswer] = {}
    for answer in [*found, *(a for a in unique(extra) if where.matches(a))]:
        key = (answer.player, answer.bank_id, answer.question_id)
        held = best.get(key)
        if held is None or (_moment(answer) > _moment(held) if last else _moment(answer) < _moment(held)):
            best[key] = answer
    return sorted(best.values(), key=lambda a: (a.answered_at, a.uid))


def all_answers(
    store: ProgressStore, selection: Selection, extra: Sequence[ClassAnswer], write: Callable[[ClassAnswer], None]
) -> int:
    """Hand every answer the selection keeps (all attempts) to ``write``: the database's,
    then those of ``extra`` it does not hold. Returns how many."""
    where = selection.filter
    files = [a for a in unique(extra) if where.matches(a)]
    read_database = False

    def work(conn: sqlite3.Connection) -> int:
        nonlocal read_database
        read_database = True
        count = 0
        for answer in iter_answers(conn, where):
            write(answer)
            count += 1
        known = known_uids(conn, (a.uid for a in files))
        for answer in files:
            if answer.uid not in known:
                write(answer)
                count += 1
        return count

    count = store.with_connection(work, 0)
    if not read_database:  # there is no database: the files alone
        for answer in files:
            write(answer)
        count = len(files)
    return count


def tallies(store: ProgressStore, selection: Selection, extra: Sequence[ClassAnswer] = ()) -> list[Tally]:
    """Per student and question, what the report counts (see :class:`Tally`)."""
    found: dict[tuple[str, str, str], Tally] = {}

    def tally(player: str, bank_id: str, question_id: str) -> Tally:
        key = (player, bank_id, question_id)
        if key not in found:
            found[key] = Tally(player, bank_id, question_id)
        return found[key]

    if selection.attempts != "all":
        for answer in chosen_answers(store, selection, extra):
            tally(answer.player, answer.bank_id, answer.question_id).add(answer)
        return list(found.values())

    where = selection.filter
    files = [a for a in unique(extra) if where.matches(a)]

    Read = tuple[list[ResponseTally], list[MarkTally], set[str]]

    def read(conn: sqlite3.Connection) -> Read:
        return (*all_attempt_tallies(conn, where), known_uids(conn, (a.uid for a in files)))

    nothing: Read = ([], [], set())
    responses, marks, known = store.with_connection(read, nothing)
    for row in responses:
        counted = tally(row.player, row.bank_id, row.question_id)
        counted.count(row.response, row.correct, row.count, row.seconds)
    for mark in marks:
        tally(mark.player, mark.bank_id, mark.question_id).mark(mark.mark)
    for answer in files:
        if answer.uid not in known:
            tally(answer.player, answer.bank_id, answer.question_id).add(answer)
    return list(found.values())
