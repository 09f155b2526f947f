"""quiz-app check proves answer keys against real PyTorch, and says clearly when one is false."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from quiz_app import locations
from quiz_app.bank import load_banks
from quiz_app.check import check

BROKEN_KEYS = """\
id: broken-keys
title: Keys that PyTorch refutes
questions:
  - id: wrong-expect
    type: true_false
    prompt: "eval() turns off autograd"
    answer: true
    snippet: |
      m = nn.Linear(2, 1).eval()
      m(torch.ones(1, 2)).sum().backward()
      print(m.weight.grad is None)
    expect: "True"
    explanation: The article says so.
  - id: wrong-prediction
    type: predict
    prompt: What does it print?
    snippet: print(torch.ones(2, requires_grad=True).sum().requires_grad)
    answer: "False"
    explanation: x
  - id: unexpected-raise
    type: single
    prompt: p
    choices: [a, b]
    answer: A
    snippet: torch.ones(2, requires_grad=True).add_(1)
    explanation: x
  - id: expected-raise
    type: predict
    prompt: p
    snippet: torch.ones(2, requires_grad=True).add_(1)
    answer: RuntimeError
    explanation: x
  - id: no-snippet
    type: true_false
    prompt: p
    answer: true
    explanation: x
"""


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "quiz_app", *args], capture_output=True, text=True, timeout=600)


def test_check_refutes_false_keys_with_locations(tmp_path: Path) -> None:
    bank = tmp_path / "broken.yaml"
    bank.write_text(BROKEN_KEYS, encoding="utf-8")
    report = check([bank], device="cpu", jobs=1)
    messages = [str(problem) for problem in report.problems]
    assert messages[0].startswith(
        f"{bank}:4:5: question 'wrong-expect': the outcome does not contain the expected 'True'"
    )
    assert messages[1] == (
        f"{bank}:14:5: question 'wrong-prediction': "
        "the predict answer 'False' is not what the snippet prints: 'True\\n'"
    )
    assert messages[2].startswith(f"{bank}:20:5: question 'unexpected-raise': the snippet raised RuntimeError: ")
    assert len(messages) == 3  # the expected exception and the question without a snippet pass
    assert (report.banks, report.questions, report.errors) == (1, 5, 3)
    # The refuted prediction ran to its end; the other two snippets did not (or not as declared).
    assert report.snippets_ok == 2
    assert (report.count("proven"), report.count("refuted"), report.count("error"), report.count("unproven")) == (
        1,
        1,
        2,
        1,
    )


def test_cli_check_prints_problems_and_a_summary_and_fails(tmp_path: Path) -> None:
    bank = tmp_path / "broken.yaml"
    bank.write_text(BROKEN_KEYS.replace("title: Keys", "titel: Keys"), encoding="utf-8")
    result = run_cli("check", str(bank), "--device", "cpu")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{bank}:1:1: the bank is missing the required key 'title'")
    assert lines[1] == f"{bank}:2:1: unknown key 'titel' in the bank (did you mean 'title'?)"
    assert lines[-1] == "0 banks, 0 questions, 0 keys proven (0 unproven), 0 of 0 options proven, 2 errors"
    assert "Traceback" not in result.stdout + result.stderr


def test_cli_check_json_and_a_missing_device() -> None:
    result = run_cli("check", str(Path(__file__).parent / "banks" / "none.yaml"), "--json", "--device", "cuda:9")
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert report["problems"][0]["message"] == "no such file or folder"
    assert report["errors"] == 1  # nothing to run, so the missing device is never reached


def test_every_bundled_bank_is_proven_by_real_pytorch() -> None:
    report = check([locations.bundled_banks_dir()], device="cpu", strict=True)
    assert [str(problem) for problem in report.problems + report.warnings] == []
    assert report.fatal is None
    assert report.count("unproven") == 0 and report.count("proven") == report.questions
    assert report.options_proven >= 0.9 * report.options_total
    assert report.snippets_ok == sum(
        1 for bank in load_banks([locations.bundled_banks_dir()]).banks for q in bank.questions if q.snippet
    )
    assert report.banks >= 4


def test_the_bundled_banks_ship_with_the_package() -> None:
    folder = locations.bundled_banks_dir()
    assert folder.is_dir(), folder
    assert len(list(folder.glob("*.yaml"))) >= 4
