"""The classroom's commands through their run_* functions (cli.py dispatches to them):
report (text, JSON, CSV), export and import, with the data folder in a temporary place."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quiz_app.cli.classroom import run_export, run_import, run_report
from quiz_app.core import locations
from quiz_app.progress import AnswerRecord, MisconceptionMark, ProgressStore

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
BANK = """\
format: 2
id: cli-class
title: "The CLI's class bank"
misconceptions:
  eval-stops-autograd: "model.eval() turns autograd off"
questions:
  - id: what-eval-changes
    type: single
    prompt: "What does `model.eval()` change?"
    choices:
      - text: "The training flags"
      - text: "Autograd stops"
        misconception: eval-stops-autograd
      - text: "Nothing"
    answer: A
    explanation: "Only the flags."
  - id: backward-after-eval
    type: true_false
    prompt: "After eval(), backward() still fills .grad."
    answer: true
    explanation: "Yes."
"""


def answer(player: str, question: str, response: str, correct: bool, minutes: int, bank: str = "cli-class"):
    shown = MisconceptionMark("eval-stops-autograd", "stored text", response == "B")
    return AnswerRecord(
        player=player,
        bank_id=bank,
        question_id=question,
        question_hash="abc123",
        answer=response,
        correct=correct,
        seconds=20.0,
        device="cpu",
        answered_at=T0 + timedelta(minutes=minutes),
        misconceptions=(shown,) if question == "what-eval-changes" else (),
    )


@pytest.fixture
def classroom(quiz_home: Path) -> Path:
    """The teacher's data folder: the bank installed, three students' answers."""
    (quiz_home / "banks").mkdir(parents=True)
    (quiz_home / "banks" / "cli-class.yaml").write_text(BANK, encoding="utf-8")
    with ProgressStore.open(locations.database_path()) as store:
        for n, (player, response) in enumerate([("ann", "A"), ("bob", "B"), ("cem", "B")]):
            store.record_answer(answer(player, "what-eval-changes", response, response == "A", n))
            store.record_answer(answer(player, "backward-after-eval", "true", True, n + 10))
        store.record_answer(answer("ann", "what-eval-changes", "C", False, 30))  # a second try: not counted
    return quiz_home


def test_report_text(classroom: Path, capsys: pytest.CaptureFixture[str]):
    assert run_report([]) == 0
    out = capsys.readouterr().out
    assert "Class report: 3 students, counting each student's first answer to each question." in out
    assert "cli-class: The CLI's class bank" in out
    assert "what-eval-changes" in out and "A 1  B 2  C 0" in out
    assert "2 of 3 students still believe: model.eval() turns autograd off" in out


def test_report_json(classroom: Path, capsys: pytest.CaptureFixture[str]):
    assert run_report(["--json", "--attempts", "all"]) == 0
    data = json.loads(capsys.readouterr().out)
    (bank,) = data["banks"]
    assert (bank["id"], bank["bank_installed"]) == ("cli-class", True)
    first = bank["questions"][0]
    assert (first["id"], first["answered"], first["options"]) == ("what-eval-changes", 4, {"A": 1, "B": 2, "C": 1})
    assert data["misconceptions"] == [
        {"id": "eval-stops-autograd", "text": "model.eval() turns autograd off", "players": 2, "of": 3}
    ]


def test_report_csv_has_one_row_per_answer_counted(classroom: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    target = tmp_path / "grades.csv"
    assert run_report(["--csv", str(target), "--player", "ann", "bob"]) == 0
    assert f"wrote 4 answers to {target}" in capsys.readouterr().err
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [
        "player",
        "bank",
        "question",
        "response",
        "correct",
        "seconds",
        "answered_at",
        "device",
        "torch_version",
        "question_hash",
    ]
    when = "2026-09-01T09:00:00.000000+00:00"
    assert rows[1] == ["ann", "cli-class", "what-eval-changes", "A", "1", "20", when, "cpu", "", "abc123"]
    assert len(rows) == 5
    assert run_report(["--csv", "-", "--attempts", "all"]) == 0
    rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert len(rows) == 1 + 7 and rows[-1][:5] == ["ann", "cli-class", "what-eval-changes", "C", "0"]


def test_export_import_and_report_of_files(classroom: Path, tmp_path: Path, capsys, monkeypatch):
    exported = tmp_path / "class.jsonl"
    assert run_export([str(exported)]) == 0
    assert capsys.readouterr().out == f"exported 7 answers of all players to {exported}\n"
    assert run_export([str(tmp_path / "bob.jsonl"), "--player", "bob"]) == 0
    assert "exported 2 answers of bob" in capsys.readouterr().out

    monkeypatch.setenv(locations.HOME_ENV, str(tmp_path / "teacher"))
    assert run_import([str(exported), str(tmp_path / "bob.jsonl")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{exported}: 7 answers read, 7 new, 0 already here",
        f"{tmp_path / 'bob.jsonl'}: 2 answers read, 0 new, 2 already here",
    ]
    assert run_import([str(exported)]) == 0
    assert capsys.readouterr().out == f"{exported}: 7 answers read, 0 new, 7 already here\n"
    assert run_report(["--json", str(exported)]) == 0  # the database and the file: each answer once
    bank = json.loads(capsys.readouterr().out)["banks"][0]
    assert bank["bank_installed"] is False  # the bank is installed in the classroom's folder only
    assert [(p["player"], p["answered"]) for p in bank["players"]] == [("ann", 2), ("bob", 2), ("cem", 2)]


def test_import_skips_a_damaged_line_and_refuses_a_newer_file(classroom: Path, tmp_path: Path, capsys):
    exported = tmp_path / "class.jsonl"
    run_export([str(exported)])
    capsys.readouterr()
    text = exported.read_text(encoding="utf-8").splitlines()
    text[2] = text[2][:30]
    exported.write_text("\n".join(text) + "\n", encoding="utf-8")
    future = tmp_path / "future.jsonl"
    future.write_text(json.dumps({"format": "quiz-app-answers", "version": 9}) + "\n", encoding="utf-8")

    assert run_import([str(exported), str(future)]) == 1
    captured = capsys.readouterr()
    assert f"{exported}:3: not a JSON object" in captured.err and "(line skipped)" in captured.err
    assert f"{future}: written by a newer quiz-app (answers format version 9" in captured.err
    assert f"{exported}: 6 answers read, 0 new, 6 already here" in captured.out
    assert run_import([str(future)]) == 1  # nothing readable: nothing opened or imported
    assert run_report(["--json", str(future)]) == 1  # the report goes on without it
    assert json.loads(capsys.readouterr().out)["banks"][0]["id"] == "cli-class"


def test_report_usage_errors(classroom: Path, tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as stop:
        run_report(["--since", "someday"])
    assert stop.value.code == 2
    assert "--since: not a date: 'someday'" in capsys.readouterr().err
    (tmp_path / "ann.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(SystemExit):
        run_report(["--player", "ann", str(tmp_path / "ann.jsonl")])
    assert "looks like an answers file" in capsys.readouterr().err


def test_report_with_nothing_recorded(quiz_home: Path, capsys):
    assert run_report([]) == 0
    assert capsys.readouterr().out.startswith("No answers to report yet")
    assert not locations.database_path().exists()  # a read-only command creates nothing


def test_export_upgrades_a_database_older_than_answer_uids(quiz_home: Path, tmp_path: Path, capsys):
    import sqlite3

    from quiz_app.progress import schema

    quiz_home.mkdir()
    conn = sqlite3.connect(locations.database_path(), isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:3])
    conn.execute(
        "INSERT INTO answers (player, bank_id, question_id, question_hash, answer, correct, seconds, answered_at)"
        " VALUES ('ann', 'b', 'q', 'ab', 'B', 0, 3.5, '2026-09-01T09:00:00.000000+00:00')"
    )
    conn.close()
    target = tmp_path / "old.jsonl"
    assert run_export([str(target)]) == 0
    uid = json.loads(target.read_text(encoding="utf-8").splitlines()[1])["uid"]
    assert len(uid) == 32 and not uid.startswith("local-")
