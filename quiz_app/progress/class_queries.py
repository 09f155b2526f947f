"""Read-only SQL over a whole class's answers, for :mod:`quiz_app.classroom` (report, export).

Every function takes a connection handed out by :meth:`ProgressStore.with_connection` and
only reads. The report counts one answer per student and question (the first or the last):
that choice is made in one pass over the covering index ``answers_by_player_bank`` (player,
bank, question, correct, answered_at, and the row id), so at 1M answers only the few thousand
answers counted are read from the table. ``--attempts all`` reads the tallies that schema
version 6 keeps as answers are stored (per student, question, verdict and response; and the
misconceptions revealed), about 31,000 rows at 1M answers; with ``since``, or from an older
database, it groups every answer in SQL instead, to the same figures. Python never loops over
a million rows.

A database older than schema version 4 has no uids and no misconception marks: its answers
get a uid made from the row id (``local-<id>``, unique on this machine only: ``export``
upgrades such a database first) and no marks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from quiz_app.progress.records import MisconceptionMark

_CHUNK = 500  # uids per "IN (...)" lookup
UID_SCHEMA_VERSION = 4  # the schema version that gave answers uids and misconception marks


@dataclass(frozen=True)
class ClassAnswer:
    """One answer as the classroom reads it, from the database or from an export file."""

    uid: str
    player: str
    bank_id: str
    question_id: str
    question_hash: str
    response: str  # as stored: "B", "A, C", "true", or the text a learner predicted
    correct: bool | None  # None: not graded
    seconds: float
    device: str | None
    answered_at: str  # records.stamp(): UTC ISO-8601 of fixed width, so text order is time order
    marks: tuple[MisconceptionMark, ...] = ()
    torch: str | None = None  # only from an export file that carries it: the database keeps none


@dataclass(frozen=True)
class AnswerFilter:
    """Which answers count: empty ``players`` or ``banks`` mean all; ``since`` is a stamp."""

    players: tuple[str, ...] = ()
    banks: tuple[str, ...] = ()
    since: str | None = None

    def sql(self) -> tuple[str, list[object]]:
        """A WHERE clause on ``answers AS a`` (or "") and its parameters."""
        clauses: list[str] = []
        params: list[object] = []
        for column, values in (("a.player", self.players), ("a.bank_id", self.banks)):
            if values:
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if self.banks and not self.players:
            # Every player, one index seek each: the index then seeks (player, bank) instead
            # of reading every bank's entries (one bank of five at 1M answers: 5x faster).
            clauses.append(f"a.player IN ({_EVERY_PLAYER})")
        if self.since is not None:
            clauses.append("a.answered_at >= ?")
            params.append(self.since)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def matches(self, answer: ClassAnswer) -> bool:
        return (
            (not self.players or answer.player in self.players)
            and (not self.banks or answer.bank_id in self.banks)
            and (self.since is None or answer.answered_at >= self.since)
        )


def has_marks(conn: sqlite3.Connection) -> bool:
    """Schema version 4 or later: answers have uids and misconception marks."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'answer_misconceptions'").fetchone() is not None


_EVERY_PLAYER = (
    "WITH RECURSIVE p (name) AS (SELECT (SELECT min(player) FROM answers)"
    " UNION ALL SELECT (SELECT min(player) FROM answers WHERE player > p.name) FROM p WHERE p.name IS NOT NULL)"
    " SELECT name FROM p WHERE name IS NOT NULL"
)

_COLUMNS = (
    "a.id, {uid}, a.player, a.bank_id, a.question_id, a.question_hash, a.answer, a.correct, a.seconds,"
    " a.device, a.answered_at"
)


def _select(conn: sqlite3.Connection) -> tuple[str, str]:
    """The answer columns and the join of their marks (none before schema version 4)."""
    if has_marks(conn):
        return (
            _COLUMNS.format(uid="a.uid") + ", m.misconception_id, m.text, m.revealed",
            " LEFT JOIN answer_misconceptions AS m ON m.answer_id = a.id",
        )
    return _COLUMNS.format(uid="'local-' || a.id") + ", NULL, NULL, NULL", ""


def _answers(rows: Iterable[Sequence[object]]) -> Iterator[ClassAnswer]:
    """Rows of one answer each, or several in a row (one per mark), into answers."""
    current: list[Sequence[object]] = []
    for row in rows:
        if current and current[0][0] != row[0]:
            yield _answer(current)
            current = []
        current.append(row)
    if current:
        yield _answer(current)


def _answer(rows: list[Sequence[object]]) -> ClassAnswer:
    _, uid, player, bank, question, qhash, response, correct, seconds, device, at = rows[0][:11]
    marks = tuple(MisconceptionMark(str(r[11]), str(r[12]), bool(r[13])) for r in rows if r[11] is not None)
    return ClassAnswer(
        uid=str(uid),
        player=str(player),
        bank_id=str(bank),
        question_id=str(question),
        question_hash=str(qhash),
        response=str(response),
        correct=None if correct is None else bool(correct),
        seconds=float(seconds),  # type: ignore[arg-type]
        device=None if device is None else str(device),
        answered_at=str(at),
        marks=marks,
    )


def counted_answers(conn: sqlite3.Connection, where: AnswerFilter, *, last: bool = False) -> list[ClassAnswer]:
    """Each player's first (``last``: last) answer to each question, with its marks.

    One pass over the covering index picks the row per (player, bank, question) with
    SQLite's min()/max() bare-column rule; only the rows picked are read from the table.
    """
    clause, params = where.sql()
    columns, marks = _select(conn)
    pick = "max" if last else "min"
    sql = (
        f"WITH picked (id) AS (SELECT id FROM (SELECT {pick}(a.answered_at), a.id AS id FROM answers AS a{clause}"
        " GROUP BY a.player, a.bank_id, a.question_id))"
        f" SELECT {columns} FROM picked JOIN answers AS a ON a.id = picked.id{marks} ORDER BY a.id"
    )
    return list(_answers(conn.execute(sql, params)))


def iter_answers(conn: sqlite3.Connection, where: AnswerFilter) -> Iterator[ClassAnswer]:
    """Every answer the filter keeps, with its marks, in the order they were stored."""
    clause, params = where.sql()
    columns, marks = _select(conn)
    return _answers(conn.execute(f"SELECT {columns} FROM answers AS a{marks}{clause} ORDER BY a.id", params))


@dataclass(slots=True)
class ResponseTally:
    """Answers one player gave one question with one response and verdict (``--attempts all``).

    Not frozen: a report over 1M answers makes about 31,000, and a frozen one takes 3x as long
    to make."""

    player: str
    bank_id: str
    question_id: str
    response: str
    correct: bool | None
    count: int
    seconds: float


@dataclass(frozen=True)
class MarkTally:
    """A misconception one player's answers to one question were offered (``--attempts all``):
    ``revealed`` when any of them picked a choice carrying it."""

    player: str
    bank_id: str
    question_id: str
    mark: MisconceptionMark


def has_tallies(conn: sqlite3.Connection) -> bool:
    """Schema version 6 or later: answers are tallied as they are stored (``answer_tallies``,
    ``revealed_marks``, kept by triggers; see :mod:`quiz_app.progress.schema`)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'answer_tallies'").fetchone() is not None


def all_attempt_tallies(conn: sqlite3.Connection, where: AnswerFilter) -> tuple[list[ResponseTally], list[MarkTally]]:
    """``--attempts all``: per player, question, response and verdict, how many answers and
    their seconds (:func:`response_tallies`); per player and question, each misconception
    offered and whether any answer revealed it (:func:`mark_tallies`).

    From schema version 6 they are read from the tallies kept as answers are stored (at 1M
    answers, about 31,000 rows instead of a million); ``since`` (which needs each answer's
    time) and older databases read every answer instead. Both give the same figures.
    """
    if where.since is not None or not has_tallies(conn):
        return response_tallies(conn, where), mark_tallies(conn, where)
    clause, params = where.sql()  # player and bank only: the tallies share the answers' names for them
    responses: list[ResponseTally] = []
    first: dict[tuple[str, str, str], tuple[str, int, int]] = {}
    for player, bank, question, verdict, response, count, seconds, first_at, first_id in conn.execute(
        "SELECT a.player, a.bank_id, a.question_id, a.verdict, a.answer, a.answers, a.seconds, a.first_at, a.first_id"
        f" FROM answer_tallies AS a{clause}",
        params,
    ):
        responses.append(
            ResponseTally(player, bank, question, response, None if verdict < 0 else bool(verdict), count, seconds)
        )
        # The answer whose marks say what the question offered: the one mark_tallies (like
        # counted_answers) picks, the earliest, then by verdict (not graded first), then stored first.
        key, moment = (player, bank, question), (first_at, verdict, first_id)
        held = first.get(key)
        if held is None or moment < held:
            first[key] = moment
    by_id = {moment[2]: key for key, moment in first.items()}
    ids = list(by_id)
    offered: list[tuple[str, str, str, str, str]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        offered.extend(
            (*by_id[answer_id], mid, text)
            for answer_id, mid, text in conn.execute(
                "SELECT answer_id, misconception_id, text FROM answer_misconceptions"
                f" WHERE answer_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
        )
    offered.sort(key=lambda row: row[:4])  # as mark_tallies reads them: by player, bank, question, id
    revealed = conn.execute(
        f"SELECT a.player, a.bank_id, a.question_id, a.misconception_id FROM revealed_marks AS a{clause}", params
    ).fetchall()
    return responses, _mark_tallies(offered, revealed)


def response_tallies(conn: sqlite3.Connection, where: AnswerFilter) -> list[ResponseTally]:
    """Per player, question, response and verdict, read from every answer the filter keeps."""
    clause, params = where.sql()
    rows = conn.execute(
        "SELECT a.player, a.bank_id, a.question_id, a.answer, a.correct, count(*), total(a.seconds)"
        f" FROM answers AS a{clause} GROUP BY a.player, a.bank_id, a.question_id, a.answer, a.correct",
        params,
    )
    return [ResponseTally(p, b, q, r, None if c is None else bool(c), n, s) for p, b, q, r, c, n, s in rows]


def mark_tallies(conn: sqlite3.Connection, where: AnswerFilter) -> list[MarkTally]:
    """Per player, question and misconception offered: whether any answer revealed it.

    What a question offers is the same for all its answers, so it is read from one answer
    per player and question (as :func:`counted_answers` picks them); what was revealed is
    read from the marks' covering index, only the revealed ones, each joined to its answer.
    Reading every mark with its text would cost 10x more at 1M answers.
    """
    if not has_marks(conn):
        return []
    clause, params = where.sql()
    offered = conn.execute(
        "WITH picked (id) AS (SELECT id FROM (SELECT min(a.answered_at), a.id AS id FROM answers AS a"
        f"{clause} GROUP BY a.player, a.bank_id, a.question_id))"
        " SELECT a.player, a.bank_id, a.question_id, m.misconception_id, m.text"
        " FROM picked JOIN answers AS a ON a.id = picked.id JOIN answer_misconceptions AS m ON m.answer_id = a.id",
        params,
    ).fetchall()
    revealed = conn.execute(
        "SELECT a.player, a.bank_id, a.question_id, m.misconception_id"
        f" FROM answer_misconceptions AS m CROSS JOIN answers AS a ON a.id = m.answer_id"
        f"{' AND '.join([clause, 'm.revealed = 1']) if clause else ' WHERE m.revealed = 1'}"
        " GROUP BY a.player, a.bank_id, a.question_id, m.misconception_id",
        params,
    ).fetchall()
    return _mark_tallies(offered, revealed)


def _mark_tallies(offered: Sequence[Sequence[Any]], revealed: Iterable[Sequence[Any]]) -> list[MarkTally]:
    """``offered``: (player, bank, question, misconception, text) of each question's first
    answer; ``revealed``: (player, bank, question, misconception) that any answer revealed."""
    texts = {mid: text for *_, mid, text in offered}
    shown = {tuple(row) for row in revealed}
    found = {
        (p, b, q, mid): MarkTally(p, b, q, MisconceptionMark(mid, text, (p, b, q, mid) in shown))
        for p, b, q, mid, text in offered
    }
    for p, b, q, mid in shown - set(found):  # revealed by an answer to an older version of the question
        found[(p, b, q, mid)] = MarkTally(p, b, q, MisconceptionMark(mid, texts.get(mid, mid), True))
    return list(found.values())


def known_uids(conn: sqlite3.Connection, uids: Iterable[str]) -> set[str]:
    """Those of ``uids`` the database already holds (one index lookup each)."""
    wanted = list(dict.fromkeys(uids))
    if not wanted or not has_marks(conn):
        return set()
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(
            row[0]
            for row in conn.execute(f"SELECT uid FROM answers WHERE uid IN ({', '.join('?' * len(chunk))})", chunk)
        )
    return found
