"""A bank is a program: where a guard is missing, a bank from elsewhere runs only with consent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers.pilot import make_app

from quiz_app.bank import load_bank
from quiz_app.check.trust import REQUIRED, TrustBook, decide
from quiz_app.core import locations
from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner, sandbox
from quiz_app.ui.screens.consent import ConsentScreen
from quiz_app.ui.screens.quiz import QuizScreen

BANK = """\
id: foreign
title: A bank from a stranger
questions:
  - id: q
    type: predict
    prompt: p
    snippet: print(6 * 7)
    answer: "42"
    explanation: x
"""
ALL = REQUIRED
NO_FILES = tuple(guard for guard in REQUIRED if guard != "files")


def foreign(tmp_path: Path, text: str = BANK) -> Path:
    path = tmp_path / "foreign.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_rules(tmp_path: Path) -> None:
    bank, _ = load_bank(foreign(tmp_path))
    assert bank is not None
    book = TrustBook(tmp_path / "trusted.json")
    bundled = locations.bundled_banks_dir()
    assert not decide(bank, ALL, bundled, book).needed  # every guard in force: no question
    asked = decide(bank, NO_FILES, bundled, book)
    assert asked.needed and asked.missing == ("files",) and not asked.refused_before
    book.remember(bank, asked.digest, True)
    assert not decide(bank, NO_FILES, bundled, book).needed  # remembered, by content
    edited = foreign(tmp_path, BANK.replace("6 * 7", "7 * 6"))
    bank, _ = load_bank(edited)
    assert bank is not None
    again = decide(bank, NO_FILES, bundled, book)
    assert again.needed  # an edited bank is a new bank
    book.remember(bank, again.digest, False)
    assert decide(bank, NO_FILES, bundled, book).refused_before
    shipped, _ = load_bank(next(bundled.glob("*.yaml")))
    assert shipped is not None and not decide(shipped, (), bundled, book).needed  # bundled: trusted


def run_check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quiz_app", "check", *args, "--device", "cpu"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def test_check_without_a_terminal_refuses_an_unguarded_foreign_bank_unless_trusted(tmp_path: Path) -> None:
    path = foreign(tmp_path)
    refused = run_check(str(path), "--no-sandbox")
    assert refused.returncode == 1
    assert refused.stdout.splitlines()[0] == (
        f"{path}:1:1: not run: this bank would run Python here without the guards files, network, box, syscalls, "
        "limits; answer yes when asked on a terminal, or pass --trust to run it anyway"
    )
    trusted = run_check(str(path), "--no-sandbox", "--trust")
    assert trusted.returncode == 0, trusted.stdout
    guarded = run_check(str(path))
    _, missing = sandbox.available()
    if set(missing) & set(REQUIRED):  # a system without Landlock: the same question, the same refusal
        assert guarded.returncode == 1 and "not run: " in guarded.stdout
    else:  # every guard in force here: no question at all
        assert guarded.returncode == 0, guarded.stdout


async def test_the_app_asks_once_and_remembers(tmp_path: Path, quiz_home: Path, runner: SnippetRunner) -> None:
    path = foreign(tmp_path)
    with ProgressStore.open(quiz_home / "progress.sqlite3") as store:
        app = make_app(store, runner, [path], sandboxed=False, bundled=tmp_path / "none")
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, ConsentScreen)  # the bank named on the command line asks first
            assert "runs Python on this machine" in str(app.screen.question)
            await pilot.press("n")
            await pilot.pause()
            assert not isinstance(app.screen, QuizScreen)
            await pilot.press("enter")  # open it again from the list: refused, without asking
            await pilot.pause()
            assert not isinstance(app.screen, (ConsentScreen, QuizScreen))
    assert TrustBook(locations.trust_path()).answer(decide_digest(path)) is False


def decide_digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
