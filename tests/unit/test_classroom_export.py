"""The portable answers file: export, import (each answer once), damaged lines, newer versions,
and `report` reading files directly beside the database."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quiz_app.classroom import ExportRefused, Selection, import_file, read_export, report_data, write_export
from quiz_app.classroom.export import VERSION
from quiz_app.progress import AnswerRecord, MisconceptionMark, ProgressStore

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
MARKS = (MisconceptionMark("eval-stops-autograd", "model.eval() turns autograd off", True),)


def record(player: str, question: str, answer: str, correct: bool | None, minutes: int = 0, **more) -> AnswerRecord:
    return AnswerRecord(
        player=player,
        bank_id="class-test",
        question_id=question,
        question_hash="c0ffee",
        answer=answer,
        correct=correct,
        seconds=12.5,
        device="cuda",
        answered_at=T0 + timedelta(minutes=minutes),
        **more,
    )


@pytest.fixture
def laptop(tmp_path: Path) -> Path:
    """A student's machine: two players, an attempt, misconception marks."""
    path = tmp_path / "laptop" / "progress.sqlite3"
    with ProgressStore.open(path) as store:
        attempt = store.start_attempt("ann", "class-test", 2)
        store.record_answer(record("ann", "q1", "B", False, 0, attempt_id=attempt, misconceptions=MARKS))
        store.record_answer(record("ann", "q2", "A, C", True, 1, attempt_id=attempt))
        offered = MisconceptionMark("eval-stops-autograd", "model.eval() turns autograd off", False)
        store.record_answer(record("bob", "q1", "A", True, 2, misconceptions=(offered,)))
    return path


def export(database: Path, target: Path, player: str | None = None) -> int:
    with ProgressStore.open(database, readonly=True) as store:
        return write_export(store, target, player)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_writes_a_header_then_one_answer_per_line_with_uid_and_marks(laptop: Path, tmp_path: Path):
    target = tmp_path / "ann.jsonl"
    assert export(laptop, target) == 3
    head, *answers = lines(target)
    assert (head["format"], head["version"], head["player"]) == ("quiz-app-answers", 1, None)
    assert [a["player"] for a in answers] == ["ann", "ann", "bob"]
    first = answers[0]
    assert set(first) == {
        "uid",
        "player",
        "bank_id",
        "question_id",
        "question_hash",
        "answer",
        "correct",
        "seconds",
        "device",
        "answered_at",
        "misconceptions",
    }
    assert first["misconceptions"] == [
        {"id": "eval-stops-autograd", "text": "model.eval() turns autograd off", "revealed": True}
    ]
    assert (first["answered_at"], first["correct"], first["device"]) == (
        "2026-09-01T09:00:00.000000+00:00",
        False,
        "cuda",
    )
    assert export(laptop, target, "bob") == 1
    assert [a["player"] for a in lines(target)[1:]] == ["bob"]
    assert not list(tmp_path.glob(".ann.jsonl.*"))  # no partial file left beside it


def test_export_of_a_missing_database_is_a_header_alone(tmp_path: Path):
    target = tmp_path / "empty.jsonl"
    assert export(tmp_path / "none.sqlite3", target) == 0
    assert len(lines(target)) == 1
    assert read_export(target).answers == []


def test_export_then_import_round_trip_and_a_second_import_counts_once(laptop: Path, tmp_path: Path):
    target = tmp_path / "class.jsonl"
    export(laptop, target)
    teacher = tmp_path / "teacher" / "progress.sqlite3"
    with ProgressStore.open(teacher) as store:
        first = import_file(store, read_export(target))
        second = import_file(store, read_export(target))
    assert (first.read, first.added, first.already_here) == (3, 3, 0)
    assert (second.read, second.added, second.already_here) == (3, 0, 3)
    source, copy = (sqlite3.connect(db) for db in (laptop, teacher))
    columns = "uid, player, bank_id, question_id, question_hash, answer, correct, seconds, device, answered_at"
    assert (
        copy.execute(f"SELECT {columns} FROM answers ORDER BY uid").fetchall()
        == source.execute(f"SELECT {columns} FROM answers ORDER BY uid").fetchall()
    )
    assert copy.execute("SELECT count(*) FROM answers WHERE attempt_id IS NOT NULL").fetchone() == (0,)
    marks = (
        "SELECT a.uid, m.misconception_id, m.text, m.revealed"
        " FROM answer_misconceptions AS m JOIN answers AS a ON a.id = m.answer_id ORDER BY 1, 2"
    )
    assert copy.execute(marks).fetchall() == source.execute(marks).fetchall()
    with ProgressStore.open(laptop, readonly=True) as a, ProgressStore.open(teacher, readonly=True) as b:
        assert report_data(a, Selection(), {}) == report_data(b, Selection(), {})


def write_file(path: Path, *entries: object, version: int = VERSION) -> Path:
    head = {"format": "quiz-app-answers", "version": version}
    text = [json.dumps(head)] + [e if isinstance(e, str) else json.dumps(e) for e in entries]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def entry(uid: str, player: str = "cem", **changes: object) -> dict:
    base = {
        "uid": uid,
        "player": player,
        "bank_id": "class-test",
        "question_id": "q1",
        "question_hash": "c0ffee",
        "answer": "B",
        "correct": False,
        "seconds": 3.0,
        "device": None,
        "answered_at": "2026-09-02T10:00:00+02:00",
        "misconceptions": [],
    }
    return base | changes


def test_a_damaged_line_is_reported_with_file_and_line_and_the_rest_is_kept(tmp_path: Path):
    path = write_file(
        tmp_path / "cem.jsonl",
        entry("u1"),
        '{"uid": "u2", "player": "cem", "bank_',  # cut off
        entry("u3", seconds=-1),
        entry("u4", correct=1),
        entry("u5", answered_at="yesterday"),
        "",
        entry("u6", misconceptions=[{"id": "m", "text": "t", "revealed": True}]),
    )
    read = read_export(path)
    assert [a.uid for a in read.answers] == ["u1", "u6"]
    assert read.answers[0].answered_at == "2026-09-02T08:00:00.000000+00:00"
    assert [p.split(": ", 1)[0] for p in read.problems] == [f"{path}:3", f"{path}:4", f"{path}:5", f"{path}:6"]
    assert "not a JSON object" in read.problems[0]
    assert "seconds must be a finite number >= 0" in read.problems[1]
    assert "'correct' must be true, false or null" in read.problems[2]
    assert "'answered_at' must be a date and time" in read.problems[3]


def test_a_file_of_a_newer_version_is_refused_whole(tmp_path: Path):
    path = write_file(tmp_path / "future.jsonl", entry("u1"), version=VERSION + 1)
    with pytest.raises(
        ExportRefused, match=r"newer quiz-app \(answers format version 2; this one reads up to version 1\)"
    ):
        read_export(path)


@pytest.mark.parametrize("first_line", ["", "not json", '{"format": "other"}', '{"format": "quiz-app-answers"}'])
def test_a_file_that_is_not_an_answers_file_is_refused(tmp_path: Path, first_line: str):
    path = tmp_path / "odd.jsonl"
    path.write_text(first_line + "\n" + json.dumps(entry("u1")) + "\n", encoding="utf-8")
    with pytest.raises(ExportRefused, match=rf"{path}:1: "):
        read_export(path)
    with pytest.raises(ExportRefused, match="cannot read it"):
        read_export(tmp_path / "missing.jsonl")


def test_report_reads_files_directly_and_counts_each_uid_once(laptop: Path, tmp_path: Path):
    mine = tmp_path / "mine.jsonl"
    export(laptop, mine)
    cem = write_file(tmp_path / "cem.jsonl", entry("c1"), entry("c2", question_id="q2", answer="A, C", correct=True))
    files = [a for path in (mine, mine, cem) for a in read_export(path).answers]
    with ProgressStore.open(laptop, readonly=True) as store:
        for attempts in ("first", "last", "all"):
            data = report_data(store, Selection(attempts=attempts), {}, files)  # type: ignore[arg-type]
            players = {p["player"]: p["answered"] for p in data["banks"][0]["players"]}
            assert players == {"ann": 2, "bob": 1, "cem": 2}, attempts
            q1 = next(q for q in data["banks"][0]["questions"] if q["id"] == "q1")
            assert (q1["answered"], q1["options"]) == (3, {"A": 1, "B": 2})
    with ProgressStore.open(tmp_path / "nothing-here.sqlite3", readonly=True) as empty:
        data = report_data(empty, Selection(), {}, files)
        assert sum(p["answered"] for p in data["banks"][0]["players"]) == 5


def test_a_file_answer_earlier_than_the_database_one_is_the_first(laptop: Path, tmp_path: Path):
    early = write_file(
        tmp_path / "ann.jsonl", entry("early", "ann", answer="A", correct=True, answered_at="2026-08-01T00:00:00+00:00")
    )
    with ProgressStore.open(laptop, readonly=True) as store:
        first = report_data(store, Selection(), {}, read_export(early).answers)
        last = report_data(store, Selection(attempts="last"), {}, read_export(early).answers)
    ann = {p["player"]: p for p in first["banks"][0]["players"]}["ann"]
    assert (ann["answered"], ann["correct"]) == (2, 2)  # the early right answer, then q2
    ann = {p["player"]: p for p in last["banks"][0]["players"]}["ann"]
    assert (ann["answered"], ann["correct"]) == (2, 1)
