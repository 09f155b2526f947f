"""Answer ids, misconception marks, the misconceptions() query, and the migrations that add them."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers.progress import T0, raw_rows
from helpers.progress import rec_at_t0 as rec

from quiz_app.progress import (
    BankHistory,
    MisconceptionMark,
    MisconceptionStatus,
    ProgressStore,
    queries,
    schema,
)

EVAL = "eval-stops-autograd"
NO_GRAD = "no-grad-stops-dropout"


def marks(picked: str | None = None, **offers: str) -> tuple[MisconceptionMark, ...]:
    return tuple(
        MisconceptionMark(mid.replace("_", "-"), text, mid.replace("_", "-") == picked) for mid, text in offers.items()
    )


# -- answer ids ------------------------------------------------------------------------------------


def test_every_answer_gets_its_own_stable_uid(store, db):
    first, second = rec(), rec()
    assert first.uid != second.uid and re.fullmatch(r"[0-9a-f]{32}", first.uid)
    assert replace(first, attempt_id=None).uid == first.uid  # a copy is the same answer
    store.record_answer(first)
    store.record_answer(second)
    assert sorted(r[0] for r in raw_rows(db, "SELECT uid FROM answers")) == sorted([first.uid, second.uid])


def test_the_same_answer_stored_twice_counts_once(store, db):
    answer = rec(misconceptions=marks(EVAL, eval_stops_autograd="model.eval() turns autograd off"))
    store.record_answer(answer)
    store.record_answer(answer)
    store.record_answer(replace(answer, answer="changed"))  # same uid: the first one stands
    assert [t.answered for t in store.bank_totals("ada")] == [1]
    assert raw_rows(db, "SELECT answer FROM answers") == [("B",)]
    assert raw_rows(db, "SELECT count(*) FROM answer_misconceptions") == [(1,)]
    assert [(m.picked, m.offered) for m in store.misconceptions("ada")] == [(1, 1)]


def test_the_database_refuses_a_second_row_with_the_same_uid(store, db):
    store.record_answer(rec(uid="abc"))
    conn = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO answers (uid, player, bank_id, question_id, question_hash, answer, seconds, answered_at)"
            " VALUES ('abc', 'ada', 'b', 'q', 'ff', 'A', 1.0, 'now')"
        )
    conn.close()


@pytest.mark.parametrize(
    "bad",
    [
        {"uid": ""},
        {"misconceptions": (MisconceptionMark("", "text", True),)},
        {"misconceptions": (MisconceptionMark(EVAL, "a", True), MisconceptionMark(EVAL, "b", False))},
        {"misconceptions": (("eval", "text", True),)},
    ],
)
def test_a_bad_uid_or_mark_is_refused_and_nothing_is_written(store, db, bad):
    with pytest.raises(ValueError):
        store.record_answer(rec(**bad))
    assert raw_rows(db, "SELECT count(*) FROM answers") == [(0,)]


# -- misconceptions --------------------------------------------------------------------------------


def test_marks_are_stored_with_their_answer(store, db):
    answer = rec(
        correct=False,
        misconceptions=marks(NO_GRAD, eval_stops_autograd="eval text", no_grad_stops_dropout="no_grad text"),
    )
    store.record_answer(answer)
    assert raw_rows(
        db,
        "SELECT a.uid, m.misconception_id, m.text, m.revealed FROM answer_misconceptions AS m"
        " JOIN answers AS a ON a.id = m.answer_id ORDER BY m.misconception_id",
    ) == [(answer.uid, EVAL, "eval text", 0), (answer.uid, NO_GRAD, "no_grad text", 1)]


BOTH = {"eval_stops_autograd": "eval text", "no_grad_stops_dropout": "no_grad text"}


def test_misconceptions_count_picks_and_offers_per_player(store):
    hour = timedelta(hours=1)
    store.record_answer(rec(correct=False, answered_at=T0, misconceptions=marks(EVAL, **BOTH)))
    store.record_answer(rec(correct=False, answered_at=T0 + hour, misconceptions=marks(EVAL, **BOTH)))
    store.record_answer(rec(correct=True, answered_at=T0 + 2 * hour, misconceptions=marks(None, **BOTH)))
    # Right, and neither picked: both cleared (the one picked more comes first).
    assert store.misconceptions("ada") == [
        MisconceptionStatus(EVAL, "eval text", picked=2, offered=3, cleared=True),
        MisconceptionStatus(NO_GRAD, "no_grad text", picked=0, offered=3, cleared=True),
    ]
    store.record_answer(rec(correct=False, answered_at=T0 + 3 * hour, misconceptions=marks(NO_GRAD, **BOTH)))
    store.record_answer(rec(correct=True, answered_at=T0 + 4 * hour))  # offers none: changes nothing
    store.record_answer(rec(player="bob", correct=False, misconceptions=marks(EVAL, **BOTH)))
    assert store.misconceptions("ada") == [
        # Not picked by the latest answer that offered it, but that answer was wrong.
        MisconceptionStatus(EVAL, "eval text", picked=2, offered=4, cleared=False),
        # Picked by the latest answer that offered it.
        MisconceptionStatus(NO_GRAD, "no_grad text", picked=1, offered=4, cleared=False),
    ]
    assert store.misconceptions("bob") == [
        MisconceptionStatus(EVAL, "eval text", picked=1, offered=1, cleared=False),
        MisconceptionStatus(NO_GRAD, "no_grad text", picked=0, offered=1, cleared=False),
    ]
    assert store.misconceptions("nobody") == []


def test_not_cleared_come_first_whatever_they_were_picked(store):
    hour = timedelta(hours=1)
    for n in range(3):  # picked three times, then answered right
        store.record_answer(rec(correct=False, answered_at=T0 + n * hour, misconceptions=marks(EVAL, **BOTH)))
    store.record_answer(rec(correct=True, answered_at=T0 + 3 * hour, misconceptions=marks(None, **BOTH)))
    store.record_answer(
        rec(correct=None, answered_at=T0 + 4 * hour, misconceptions=marks(None, no_grad_stops_dropout="no_grad"))
    )
    # Its latest answer was not graded: not shown to be cleared, so it comes first.
    assert [(m.id, m.picked, m.cleared) for m in store.misconceptions("ada")] == [(NO_GRAD, 0, False), (EVAL, 3, True)]


def test_the_latest_answer_is_the_latest_in_time_not_the_last_stored(store):
    later = rec(correct=True, answered_at=T0 + timedelta(days=1), misconceptions=marks(None, eval_stops_autograd="new"))
    earlier = rec(correct=False, answered_at=T0, misconceptions=marks(EVAL, eval_stops_autograd="old"))
    store.record_answer(later)
    store.record_answer(earlier)  # arrives last (say, from another machine's export)
    assert store.misconceptions("ada") == [MisconceptionStatus(EVAL, "new", picked=1, offered=2, cleared=True)]


# -- the migrations that add them ------------------------------------------------------------------


def database_at(db: Path, version: int) -> None:
    """A database as quiz_app left it at schema ``version``, with an attempt and three answers."""
    conn = sqlite3.connect(db, isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:version])
    conn.execute(
        "INSERT INTO attempts (id, player, bank_id, total_questions, retry, started_at)"
        " VALUES (7, 'ada', 'basics', 3, 0, '2026-01-02T03:04:05.000000+00:00')"
    )
    for n, correct in enumerate((1, 0, None)):
        conn.execute(
            "INSERT INTO answers (attempt_id, player, bank_id, question_id, question_hash, answer, correct, seconds,"
            " device, answered_at) VALUES (7, 'ada', 'basics', ?, 'ff', 'A', ?, 3.0, 'cpu', ?)",
            (f"q{n}", correct, f"2026-01-02T03:0{5 + n}:00.000000+00:00"),
        )
    conn.close()


@pytest.mark.parametrize("version", [2, 3])
def test_a_database_of_an_earlier_version_keeps_every_row_and_gains_uids(db, version):
    database_at(db, version)
    before = raw_rows(db, "SELECT * FROM answers ORDER BY id")
    with ProgressStore.open(db) as upgraded:
        assert upgraded.notices == []
        assert upgraded.bank_history("ada", "basics") == BankHistory(
            attempts=1,
            last_correct=1,
            last_total=3,
            last_played=datetime(2026, 1, 2, 3, 7, tzinfo=timezone.utc),
            best_correct=1,
            best_total=3,
        )
        assert [(t.answered, t.correct) for t in upgraded.bank_totals("ada")] == [(3, 1)]
        assert upgraded.misconceptions("ada") == []
        upgraded.record_answer(rec(attempt_id=7, misconceptions=marks(EVAL, eval_stops_autograd="eval text")))
    assert raw_rows(db, "PRAGMA user_version") == [(schema.LATEST_VERSION,)]
    after = raw_rows(db, "SELECT * FROM answers ORDER BY id")
    assert [row[:-1] for row in after[:3]] == before  # every old column of every old row, as it was
    uids = [row[-1] for row in after]
    assert len(set(uids)) == 4 and all(re.fullmatch(r"[0-9a-f]{32}", uid) for uid in uids)
    assert raw_rows(db, "SELECT count(*) FROM attempts") == [(1,)]
    assert raw_rows(db, "PRAGMA integrity_check") == [("ok",)]
    indexes = {r[0] for r in raw_rows(db, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"answers_by_player_bank", "answers_by_attempt", "attempts_by_player_bank", "answers_by_uid"} <= indexes


def test_every_stats_query_reads_indexes_not_tables(store):
    """At 1M answers a query that reads the answers table itself takes seconds."""
    store.record_answer(rec(attempt_id=store.start_attempt("ada", "basics", 1), misconceptions=marks(EVAL, **BOTH)))
    conn = sqlite3.connect(store.path)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    queries.bank_totals(conn, "ada")
    queries.question_rates(conn, "ada", None)
    queries.question_rates(conn, "ada", "basics")
    queries.bank_history(conn, "ada", "basics")
    queries.players(conn)
    queries.misconceptions(conn, "ada")
    conn.set_trace_callback(None)
    steps = []
    for sql in statements:
        if "sqlite_master" in sql:
            continue
        plan = conn.execute("EXPLAIN QUERY PLAN " + sql, ("ada",) * sql.count("?")).fetchall()
        steps += [
            row[3] for row in plan if re.match(r"(SCAN|SEARCH) (answers|attempts|answer_misconceptions|a|s)\b", row[3])
        ]
    conn.close()
    assert len(steps) >= 7
    for step in steps:
        # An index that holds every column the query needs, or one row fetched by its key.
        assert "COVERING INDEX" in step or "PRIMARY KEY" in step, step
