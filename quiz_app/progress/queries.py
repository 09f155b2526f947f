"""The SQL that reads. Each stats query is answered from a covering index (schema version 3+):
it reads the player's index entries, never the answers table itself."""

from __future__ import annotations

import sqlite3
from fractions import Fraction

from quiz_app.progress.records import (
    BankHistory,
    BankTotals,
    MisconceptionStatus,
    QuestionRate,
    StoredAnswer,
    UnfinishedAttempt,
    parse_stamp,
)


def bank_history(conn: sqlite3.Connection, player: str, bank_id: str) -> BankHistory | None:
    """Finished full attempts only: one left before its end is not scored."""
    rows = conn.execute(
        "SELECT a.id, a.total_questions, COALESCE(SUM(s.correct), 0), MAX(s.answered_at)"
        " FROM attempts AS a JOIN answers AS s ON s.attempt_id = a.id"
        " WHERE a.player = ? AND a.bank_id = ? AND a.retry = 0 AND a.finished_at IS NOT NULL"
        # Grouped by id (unique); total_questions first, so that the groups come in the
        # index's order and need no sorting.
        " GROUP BY a.total_questions, a.id",
        (player, bank_id),
    ).fetchall()
    if not rows:
        return None
    last = max(rows, key=lambda r: (r[3], r[0]))
    best = max(rows, key=lambda r: (Fraction(r[2], r[1]), r[3], r[0]))
    return BankHistory(
        attempts=len(rows),
        last_correct=last[2],
        last_total=last[1],
        last_played=parse_stamp(last[3]),
        best_correct=best[2],
        best_total=best[1],
    )


def unfinished_attempt(conn: sqlite3.Connection, player: str, bank_id: str) -> UnfinishedAttempt | None:
    """The player's latest full attempt at the bank that holds an answer, if it was left before its end."""
    row = conn.execute(
        "SELECT a.id, a.total_questions, a.finished_at FROM attempts AS a"
        " WHERE a.player = ? AND a.bank_id = ? AND a.retry = 0"
        " AND EXISTS (SELECT 1 FROM answers AS s WHERE s.attempt_id = a.id) ORDER BY a.id DESC LIMIT 1",
        (player, bank_id),
    ).fetchone()
    if row is None or row[2] is not None:
        return None
    answers = conn.execute(
        "SELECT question_id, answer, correct, seconds FROM answers WHERE attempt_id = ? ORDER BY answered_at, id",
        (row[0],),
    ).fetchall()
    if not answers:
        return None
    given = {
        qid: StoredAnswer(qid, answer, None if correct is None else bool(correct), seconds)
        for qid, answer, correct, seconds in answers
    }
    return UnfinishedAttempt(attempt_id=row[0], total=row[1], answers=tuple(given.values()))


def bank_totals(conn: sqlite3.Connection, player: str) -> list[BankTotals]:
    rows = conn.execute(
        "SELECT bank_id, COUNT(*), COALESCE(SUM(correct), 0), MAX(answered_at)"
        " FROM answers WHERE player = ? GROUP BY bank_id ORDER BY bank_id",
        (player,),
    ).fetchall()
    return [BankTotals(r[0], r[1], r[2], parse_stamp(r[3])) for r in rows]


def question_rates(conn: sqlite3.Connection, player: str, bank_id: str | None) -> list[QuestionRate]:
    sql = "SELECT bank_id, question_id, COUNT(*), SUM(correct) FROM answers WHERE player = ? AND correct IS NOT NULL"
    params: tuple[str, ...] = (player,)
    if bank_id is not None:
        sql += " AND bank_id = ?"
        params += (bank_id,)
    sql += " GROUP BY bank_id, question_id ORDER BY bank_id, question_id"
    return [QuestionRate(r[0], r[1], r[2], r[3]) for r in conn.execute(sql, params)]


def players(conn: sqlite3.Connection) -> list[str]:
    """Distinct players of both tables, one index seek per player (not a scan of every answer)."""
    names: set[str] = set()
    for table in ("answers", "attempts"):
        names.update(
            row[0]
            for row in conn.execute(
                "WITH RECURSIVE p (name) AS ("
                f" SELECT (SELECT min(player) FROM {table})"
                f" UNION ALL SELECT (SELECT min(player) FROM {table} WHERE player > p.name)"
                " FROM p WHERE p.name IS NOT NULL"
                ") SELECT name FROM p WHERE name IS NOT NULL"
            )
        )
    return sorted(names)


# Counted per misconception in one pass over the player's index entries; then, per
# misconception, one index seek to its latest answer (by time, then id), whose text, pick and
# verdict decide the rest.
_MISCONCEPTIONS = """
SELECT g.mid, m.text, g.picked, g.offered, m.revealed, a.correct
FROM (
    SELECT o.misconception_id AS mid, COUNT(*) AS offered, SUM(o.revealed) AS picked,
           (SELECT l.answer_id FROM answer_misconceptions AS l
            WHERE l.player = :player AND l.misconception_id = o.misconception_id
            ORDER BY l.answered_at DESC, l.answer_id DESC LIMIT 1) AS latest
    FROM answer_misconceptions AS o WHERE o.player = :player GROUP BY o.misconception_id
) AS g
JOIN answer_misconceptions AS m ON m.answer_id = g.latest AND m.misconception_id = g.mid
JOIN answers AS a ON a.id = g.latest
"""


def misconceptions(conn: sqlite3.Connection, player: str) -> list[MisconceptionStatus]:
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'answer_misconceptions'").fetchone():
        return []  # a database older than schema version 4, read as it is
    found = [
        MisconceptionStatus(
            id=mid, text=text, picked=picked, offered=offered, cleared=not latest_revealed and latest_correct == 1
        )
        for mid, text, picked, offered, latest_revealed, latest_correct in conn.execute(
            _MISCONCEPTIONS, {"player": player}
        )
    ]
    return sorted(found, key=lambda s: (s.cleared, -s.picked, s.id))
