"""The command line: where, stats, and clear errors instead of tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from quiz_app.cli.main import main
from quiz_app.progress import AnswerRecord, ProgressStore


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QUIZ_APP_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "quiz_app", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_where_prints_every_location(quiz_home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["where"]) == 0
    out = capsys.readouterr().out
    assert f"data folder:   {quiz_home}" in out
    assert f"database:      {quiz_home / 'progress.sqlite3'}" in out
    assert f"banks folder:  {quiz_home / 'banks'}" in out


def test_where_says_how_snippet_processes_start(quiz_home: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("QUIZ_APP_START_METHOD", "spawn")
    assert main(["where"]) == 0
    assert "snippet processes: each a fresh Python that imports torch itself" in capsys.readouterr().out
    monkeypatch.setenv("QUIZ_APP_START_METHOD", "fork")
    assert main(["where"]) == 0
    assert "snippet processes: each forked from one that has imported torch" in capsys.readouterr().out


def test_stats_reads_what_the_app_wrote(quiz_home: Path) -> None:
    with ProgressStore.open() as store:
        attempt = store.start_attempt("ada", "grad-modes", 2)
        for question, correct in (("q1", True), ("q2", False)):
            store.record_answer(
                AnswerRecord("ada", "grad-modes", question, "ab12", "B", correct, 2.5, "cpu", attempt_id=attempt)
            )
    result = run_cli("stats", "--player", "ada", "--json", home=quiz_home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["player"] == "ada"
    bank = data["banks"][0]
    assert (bank["bank_id"], bank["answered"], bank["correct"]) == ("grad-modes", 2, 1)
    assert {q["question_id"]: q["rate"] for q in bank["questions"]} == {"q1": 1.0, "q2": 0.0}
    text = run_cli("stats", "--player", "ada", home=quiz_home).stdout
    assert "grad-modes" in text and "q1" in text and "q2" in text


def test_an_unusable_data_folder_is_a_clear_error_at_start(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("--player", "ada", home=blocker / "inside")
    assert result.returncode == 2
    assert result.stderr.startswith("quiz-app: error: ")
    assert str(blocker) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_corrupt_database_is_moved_aside_with_a_message(quiz_home: Path) -> None:
    quiz_home.mkdir(parents=True)
    (quiz_home / "progress.sqlite3").write_bytes(b"this is not a database" * 100)
    result = run_cli("stats", "--player", "ada", home=quiz_home)
    assert result.returncode == 0
    assert "moved" in result.stderr and "corrupt" in result.stderr
    assert len(list(quiz_home.glob("progress.sqlite3.corrupt-*"))) == 1


def test_version_and_unknown_options(quiz_home: Path) -> None:
    assert run_cli("--version", home=quiz_home).stdout.startswith("quiz-app ")
    bad = run_cli("check", "--no-such-option", home=quiz_home)
    assert bad.returncode == 2 and "unrecognized arguments" in bad.stderr
