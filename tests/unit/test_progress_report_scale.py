"""`quiz-app report --attempts all` from the tallies schema version 6 keeps as answers are
stored (``answer_tallies``, ``revealed_marks``): the same figures as reading every answer, on
a small class built by hand; the triggers that keep them; the migration that makes them; and
a read-only open of an older database, which reads every answer and writes nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from quiz_app.bank import Bank, Question, grade, parse_bank
from quiz_app.bank.grading import Verdict
from quiz_app.classroom import Selection, report_data
from quiz_app.classroom import answers as class_answers
from quiz_app.play.run import misconception_marks, response_text
from quiz_app.progress import AnswerRecord, MisconceptionMark, ProgressStore, class_queries, schema, writes
from quiz_app.progress.class_queries import AnswerFilter
from quiz_app.progress.records import stamp

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
TALLIES_VERSION = 6  # the schema version that added answer_tallies and revealed_marks

BANK_YAML = """\
format: 2
id: scale-test
title: "A bank for the report's tallies"
misconceptions:
  grad-off: "no_grad() is what eval() does"
  params-freeze: "eval() freezes the parameters"
questions:
  - id: pick
    type: single
    prompt: "What does `model.eval()` change?"
    choices:
      - text: "The training flags"
      - text: "Autograd stops"
        misconception: grad-off
      - text: "Parameters freeze"
        misconception: params-freeze
    answer: A
    explanation: "Only the flags."
  - id: many
    type: multiple
    prompt: "Which are true?"
    choices:
      - text: "one"
      - text: "two"
        misconception: grad-off
      - text: "three"
      - text: "four"
    answer: [A, C]
    explanation: "A and C."
  - id: tf
    type: true_false
    prompt: "After eval(), backward() still fills .grad."
    answer: true
    explanation: "Yes."
  - id: pred
    type: predict
    prompt: "What does this print?"
    code: "print(model.eval().training)"
    snippet: "print(nn.Linear(1, 1).eval().training)"
    answer: "False"
    explanation: "eval() returns the model."
"""

_parsed, _problems = parse_bank(BANK_YAML, "scale-test.yaml")
assert _parsed is not None, _problems
BANK: Bank = _parsed
Q = {q.id: q for q in BANK.questions}
BANKS = {BANK.id: BANK}


def answer(
    player: str, question: Question, response: object, minutes: float, *, graded: bool = True, seconds: float = 10.0
) -> AnswerRecord:
    """An answer as the app records it: its text, verdict and misconception marks."""
    verdict = grade(question, response) if graded else Verdict.UNGRADED  # type: ignore[arg-type]
    return AnswerRecord(
        player=player,
        bank_id=BANK.id,
        question_id=question.id,
        question_hash=question.content_hash,
        answer=response_text(question, response),  # type: ignore[arg-type]
        correct=None if verdict is Verdict.UNGRADED else verdict is Verdict.CORRECT,
        seconds=seconds,
        device="cpu",
        answered_at=T0 + timedelta(minutes=minutes),
        misconceptions=misconception_marks(BANK, question, response),
    )


def core_class() -> list[AnswerRecord]:
    """Three students, several attempts each; the figures below are counted from this by hand."""
    return [
        answer("ann", Q["pick"], "B", 0),
        answer("ann", Q["many"], ["A", "B"], 1),
        answer("ann", Q["tf"], False, 2),
        answer("ann", Q["pred"], "True", 3),
        answer("ann", Q["pick"], "C", 5),
        answer("ann", Q["many"], ["A", "C"], 6),
        answer("ann", Q["pred"], "False", 7),
        answer("ann", Q["pick"], "A", 10),
        answer("bob", Q["pick"], "A", 1),
        answer("bob", Q["many"], ["A", "C"], 2),
        answer("bob", Q["tf"], True, 3),
        answer("bob", Q["pick"], "A", 6),
        answer("bob", Q["tf"], True, 8, graded=False),
        answer("cy", Q["pick"], "B", 2),
        answer("cy", Q["many"], ["B"], 3),
        answer("cy", Q["pick"], "B", 4),
        answer("cy", Q["tf"], False, 5),
        answer("cy", Q["pred"], "None", 6),
    ]


def corner_cases() -> list[AnswerRecord]:
    """What decides which answer says what a question offered, and marks of older versions."""
    return [
        # dan answers two versions of "pick" at the same instant: the wrong one counts as the
        # first (by time, then verdict), though it was stored second; seconds not round in binary.
        replace(
            answer("dan", Q["pick"], "A", 20, seconds=1.1),
            question_hash="01de",
            misconceptions=(MisconceptionMark("older-belief", "an older wording", False),),
        ),
        answer("dan", Q["pick"], "B", 20, seconds=2.2),
        # eve first answers this version, then an older one that revealed a belief this one lacks.
        answer("eve", Q["pick"], "A", 30, seconds=3.3),
        replace(
            answer("eve", Q["pick"], "B", 31),
            question_hash="01de",
            misconceptions=(MisconceptionMark("legacy", "a belief the bank dropped", True),),
        ),
        # stored out of order: the earlier answer comes last.
        answer("fay", Q["tf"], True, 50, seconds=0.7),
        answer("fay", Q["tf"], False, 40),
        answer("fay", Q["pred"], "maybe", 41, graded=False),
    ]


def record_all(path: Path, records: list[AnswerRecord]) -> None:
    with ProgressStore.open(path) as store:
        for record in records:
            store.record_answer(record)


def report(path: Path, **selection: Any) -> dict[str, Any]:
    with ProgressStore.open(path, readonly=True) as reader:
        return report_data(reader, Selection(attempts="all", **selection), BANKS)


def every_answer(conn: sqlite3.Connection, where: AnswerFilter) -> tuple[Any, Any]:
    """What ``--attempts all`` read before schema version 6: every answer, grouped in SQL."""
    return class_queries.response_tallies(conn, where), class_queries.mark_tallies(conn, where)


def reference_report(path: Path, monkeypatch: pytest.MonkeyPatch, **selection: Any) -> dict[str, Any]:
    with monkeypatch.context() as patched:
        patched.setattr(class_answers, "all_attempt_tallies", every_answer)
        return report(path, **selection)


def question(data: dict[str, Any], qid: str) -> dict[str, Any]:
    (bank,) = data["banks"]
    return next(q for q in bank["questions"] if q["id"] == qid)


def older_database(path: Path, records: list[AnswerRecord], version: int = TALLIES_VERSION - 1) -> None:
    """A database as quiz_app left it at ``version`` (WAL), with ``records`` in it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    schema.migrate(conn, schema.MIGRATIONS[:version])
    conn.execute("BEGIN")
    for record in records:
        assert record.answered_at is not None
        if version >= 4:
            writes.insert_answer(conn, record, stamp(record.answered_at))
        else:  # no uids, no marks
            conn.execute(
                "INSERT INTO answers (player, bank_id, question_id, question_hash, answer, correct, seconds,"
                " device, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.player,
                    record.bank_id,
                    record.question_id,
                    record.question_hash,
                    record.answer,
                    record.correct,
                    record.seconds,
                    record.device,
                    stamp(record.answered_at),
                ),
            )
    conn.execute("COMMIT")
    conn.close()


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def tallies_recounted(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The tallies the triggers keep, as computed from every answer; and as kept."""
    recounted = rows(
        path,
        "SELECT player, bank_id, question_id, coalesce(correct, -1), answer, count(*), total(seconds),"
        " min(answered_at), (SELECT b.id FROM answers AS b WHERE b.player = a.player AND b.bank_id = a.bank_id"
        " AND b.question_id = a.question_id AND b.correct IS a.correct AND b.answer = a.answer"
        " ORDER BY b.answered_at, b.id LIMIT 1)"
        " FROM answers AS a GROUP BY player, bank_id, question_id, coalesce(correct, -1), answer"
        " ORDER BY 1, 2, 3, 4, 5",
    )
    revealed = rows(
        path,
        "SELECT DISTINCT a.player, a.bank_id, a.question_id, m.misconception_id FROM answer_misconceptions AS m"
        " JOIN answers AS a ON a.id = m.answer_id WHERE m.revealed = 1 ORDER BY 1, 2, 3, 4",
    )
    return recounted, revealed


def tallies_kept(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    return (
        rows(
            path,
            "SELECT player, bank_id, question_id, verdict, answer, answers, seconds, first_at, first_id"
            " FROM answer_tallies ORDER BY 1, 2, 3, 4, 5",
        ),
        rows(path, "SELECT * FROM revealed_marks ORDER BY 1, 2, 3, 4"),
    )


def same_seconds(kept: list[tuple[Any, ...]], recounted: list[tuple[Any, ...]]) -> bool:
    """Equal, seconds (summed in another order) to within rounding."""
    return [r[:6] + r[7:] for r in kept] == [r[:6] + r[7:] for r in recounted] and all(
        k[6] == pytest.approx(r[6], abs=1e-9) for k, r in zip(kept, recounted, strict=True)
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def both(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """The same class in a database of this schema and in one of schema version 5."""
    new, old = tmp_path / "new.sqlite3", tmp_path / "old.sqlite3"
    record_all(new, core_class() + corner_cases())
    older_database(old, core_class() + corner_cases())
    yield new, old


# -- the figures -------------------------------------------------------------------------------------


def test_all_attempts_figures_counted_by_hand(db, monkeypatch):
    record_all(db, core_class())
    data = report(db)
    pick, many, tf, pred = (question(data, qid) for qid in ("pick", "many", "tf", "pred"))
    assert (pick["answered"], pick["facility"], pick["options"]) == (7, 0.429, {"A": 3, "B": 3, "C": 1})
    assert pick["top_wrong"] == "B"
    assert pick["misconceptions"] == {"grad-off": 2, "params-freeze": 1}
    assert (many["answered"], many["facility"], many["options"]) == (4, 0.5, {"A": 3, "B": 2, "C": 2, "D": 0})
    assert many["misconceptions"] == {"grad-off": 2}
    assert (tf["answered"], tf["facility"], tf["options"]) == (4, 0.333, {"true": 2, "false": 2})  # one not graded
    assert (pred["answered"], pred["facility"], pred["options"]) == (3, 0.333, {"None": 1, "True": 1})
    assert data["banks"][0]["players"] == [
        {
            "player": "ann",
            "answered": 8,
            "correct": 3,
            "seconds": 80.0,
            "misconceptions": ["grad-off", "params-freeze"],
        },
        {"player": "bob", "answered": 5, "correct": 4, "seconds": 50.0, "misconceptions": []},
        {"player": "cy", "answered": 5, "correct": 0, "seconds": 50.0, "misconceptions": ["grad-off"]},
    ]
    assert data["misconceptions"] == [
        {"id": "grad-off", "text": BANK.misconceptions["grad-off"], "players": 2, "of": 3},
        {"id": "params-freeze", "text": BANK.misconceptions["params-freeze"], "players": 1, "of": 3},
    ]
    assert data == reference_report(db, monkeypatch)  # and what reading every answer gives


@pytest.mark.parametrize(
    "selection",
    [
        {},
        {"banks": ("scale-test",)},
        {"players": ("dan", "eve")},
        {"players": ("ann",), "banks": ("scale-test", "elsewhere")},
        {"since": stamp(T0 + timedelta(minutes=5))},  # needs each answer's time: reads every answer
    ],
    ids=["all", "bank", "players", "player-and-banks", "since"],
)
def test_the_tallies_give_what_reading_every_answer_gives(both, monkeypatch, selection):
    """Per question, student and misconception, on both schemas; dan's first answer (two at one
    instant) and eve's belief revealed only by an older version of a question included."""
    new, old = both
    expected = reference_report(old, monkeypatch, **selection)
    assert report(new, **selection) == expected
    assert reference_report(new, monkeypatch, **selection) == expected
    assert report(old, **selection) == expected


def test_what_a_question_offered_comes_from_the_first_answer_as_before(both):
    new, _ = both
    data = report(new, players=("dan", "eve"))
    players = {p["player"]: p for p in data["banks"][0]["players"]}
    # dan: the wrong answer is first (same instant, verdict first), so "pick" offered what it did.
    assert players["dan"]["misconceptions"] == ["grad-off"]
    assert {m["id"] for m in data["misconceptions"]} == {"grad-off", "params-freeze", "legacy"}
    # eve: "legacy" was revealed only by an answer to the older version: counted, with its id for text.
    legacy = next(m for m in data["misconceptions"] if m["id"] == "legacy")
    assert legacy == {"id": "legacy", "text": "legacy", "players": 1, "of": 1}


# -- the tallies the triggers keep ---------------------------------------------------------------------


def test_the_triggers_keep_the_tallies_as_answers_are_recorded(db):
    records = core_class() + corner_cases()
    record_all(db, records)
    kept, revealed = tallies_kept(db)
    recounted, revealed_recounted = tallies_recounted(db)
    assert same_seconds(kept, recounted) and revealed == revealed_recounted
    assert len(kept) == 23 and len(revealed) == 7
    # fay's earlier answer, stored last, is her first; the same uid stored twice counts once.
    (fay_wrong,) = [row for row in kept if row[:5] == ("fay", "scale-test", "tf", 0, "false")]
    assert fay_wrong[7] == stamp(T0 + timedelta(minutes=40))
    with ProgressStore.open(db) as store:
        store.record_answer(records[0])  # already stored: not counted again
        store.record_answer(replace(records[0], uid="another", answered_at=T0 - timedelta(days=1)))
    kept, _ = tallies_kept(db)
    (ann_b,) = [row for row in kept if row[:5] == ("ann", "scale-test", "pick", 0, "B")]
    assert (ann_b[5], ann_b[7]) == (2, stamp(T0 - timedelta(days=1)))
    assert same_seconds(kept, tallies_recounted(db)[0])


def test_the_report_reads_the_tallies_not_the_answers(db):
    """At 1M answers, grouping every answer took seconds; the tallies are read by their keys."""
    record_all(db, core_class())
    conn = sqlite3.connect(db)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    for where in (AnswerFilter(), AnswerFilter(banks=("scale-test",)), AnswerFilter(players=("ann",))):
        class_queries.all_attempt_tallies(conn, where)
    conn.set_trace_callback(None)
    read = " ".join(statements)
    assert "FROM answer_tallies AS a" in read and "FROM revealed_marks AS a" in read
    assert "FROM answers AS a" not in read  # no answer is grouped, nor joined to its marks
    for sql in statements:
        for step in (row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, ["x"] * sql.count("?"))):
            assert "TEMP B-TREE" not in step, (sql, step)
            if step.startswith("SEARCH"):  # by key; the answers only in their index, to list the students
                assert "PRIMARY KEY" in step or "COVERING INDEX" in step, (sql, step)
            elif step.startswith("SCAN"):  # all the tallies (no filter), or SQLite's own
                assert step in ("SCAN a", "SCAN p", "SCAN CONSTANT ROW", "SCAN sqlite_master"), (sql, step)
    conn.close()


# -- upgrading, and reading an older database --------------------------------------------------------


def test_an_older_database_is_upgraded_with_the_tallies_filled_and_kept(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    older_database(path, core_class() + corner_cases())
    before = reference_report(path, monkeypatch)
    with ProgressStore.open(path) as store:
        assert store.schema_version == schema.LATEST_VERSION and store.notices == []
    assert rows(path, "PRAGMA user_version") == [(schema.LATEST_VERSION,)]
    names = {row[0] for row in rows(path, "SELECT name FROM sqlite_master")}
    assert {"answer_tallies", "revealed_marks", "answer_tallies_count", "revealed_marks_add"} <= names
    kept, revealed = tallies_kept(path)
    recounted, revealed_recounted = tallies_recounted(path)
    assert same_seconds(kept, recounted) and revealed == revealed_recounted  # filled from what was there
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert report(path) == before
    record_all(path, [answer("gus", Q["pick"], "C", 60)])  # and kept from then on
    kept, revealed = tallies_kept(path)
    assert ("gus", "scale-test", "pick", 0, "C", 1, 10.0, stamp(T0 + timedelta(minutes=60)), 26) in kept
    assert ("gus", "scale-test", "pick", "params-freeze") in revealed


@pytest.mark.parametrize("version", [3, TALLIES_VERSION - 1])
def test_a_readonly_open_of_an_older_database_reads_every_answer_and_writes_nothing(tmp_path, monkeypatch, version):
    path = tmp_path / "progress.sqlite3"
    records = core_class() if version >= 4 else [replace(r, misconceptions=()) for r in core_class()]
    older_database(path, records, version)
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with ProgressStore.open(path, readonly=True) as reader:
        assert reader.schema_version == version
        assert len(reader.notices) == 1 and "older quiz_app" in reader.notices[0]
        data = report_data(reader, Selection(attempts="all"), BANKS)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.name in files} == files
    assert rows(path, "PRAGMA user_version") == [(version,)]
    assert not rows(path, "SELECT name FROM sqlite_master WHERE name IN ('answer_tallies', 'revealed_marks')")
    assert data == reference_report(path, monkeypatch)
    pick = question(data, "pick")
    assert (pick["answered"], pick["options"]) == (7, {"A": 3, "B": 3, "C": 1})
    players = {p["player"]: (p["answered"], p["correct"]) for p in data["banks"][0]["players"]}
    assert players == {"ann": (8, 3), "bob": (5, 4), "cy": (5, 0)}
