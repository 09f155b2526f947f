"""quiz-app check proves answer keys against real PyTorch, and says clearly when one is false."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers.paths import DATA, ROOT

from quiz_app.bank import load_banks
from quiz_app.check import check
from quiz_app.core import locations

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
    result = run_cli("check", str(DATA / "banks" / "none.yaml"), "--json", "--device", "cuda:9")
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


WRONG_KEYS_F2 = """\
format: 2
id: wrong-keys
title: Keys the run contradicts
misconceptions:
  eval-stops-autograd: "model.eval() turns autograd off, so no graph is recorded"
setup: |
  model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
questions:
  - id: single-wrong
    type: single
    prompt: p
    snippet: |
      model.eval()
      out = model(torch.ones(1, 2)).sum()
    choices:
      - text: training flags only
        holds: "not model.training and out.requires_grad"
      - text: autograd off
        holds: "not out.requires_grad"
        misconception: eval-stops-autograd
      - plain and unproven
    answer: C
    explanation: x
  - id: multiple-wrong
    type: multiple
    prompt: p
    snippet: d = nn.Dropout(0.5).eval()
    choices:
      - text: eval
        holds: "not d.training"
      - text: still training
        holds: "d.training"
    answer: [A, B]
    explanation: x
  - id: true-false-wrong
    type: true_false
    prompt: p
    snippet: model.eval()
    holds: "model.training"
    answer: true
    explanation: x
  - id: predict-wrong
    type: predict
    prompt: p
    snippet: print(model.training)
    answer: "False"
    explanation: x
  - id: holds-raises
    type: single
    prompt: p
    snippet: x = 1
    choices:
      - text: a
        holds: "x == 1"
      - text: b
        holds: "undefined_name > 0"
    answer: A
    explanation: x
  - id: proven
    type: single
    prompt: p
    snippet: out = model(torch.ones(1, 2)).sum()
    choices:
      - text: records
        holds: "out.requires_grad"
      - text: does not record
        holds: "not out.requires_grad"
        misconception: eval-stops-autograd
    answer: A
    explanation: x
  - id: keyed-without-holds
    type: single
    prompt: p
    snippet: x = 1
    choices:
      - plain key
      - text: proven wrong
        holds: "x == 2"
    answer: A
    explanation: x
"""


def test_format_2_ties_every_key_to_the_run_and_names_the_options(tmp_path: Path) -> None:
    bank = tmp_path / "wrong.yaml"
    bank.write_text(WRONG_KEYS_F2, encoding="utf-8")
    report = check([bank], device="cpu", jobs=2)
    messages = [str(problem) for problem in report.problems]
    assert messages[0] == (
        f"{bank}:9:5: question 'single-wrong': the run contradicts the key 'C': "
        "choice A: `not model.training and out.requires_grad` is True; "
        "choice B: `not out.requires_grad` is False (held: A; did not hold: B)"
    )
    assert messages[1].startswith(f"{bank}:24:5: question 'multiple-wrong': the run contradicts the key 'A, B': ")
    assert "choice B: `d.training` is False" in messages[1]
    assert messages[2] == (
        f"{bank}:35:5: question 'true-false-wrong': the run contradicts the key 'true': "
        "the statement: `model.training` is False"
    )
    assert messages[3].startswith(f"{bank}:42:5: question 'predict-wrong': the predict answer 'False' is not what")
    assert messages[4] == (
        f"{bank}:55:9: question 'holds-raises': choice B: `undefined_name > 0` raised "
        "NameError: name 'undefined_name' is not defined"
    )
    assert len(messages) == 5
    keys = {proof.question: proof.key for proof in report.proofs}
    assert keys == {
        "single-wrong": "refuted",
        "multiple-wrong": "refuted",
        "true-false-wrong": "refuted",
        "predict-wrong": "refuted",
        "holds-raises": "error",
        "proven": "proven",
        "keyed-without-holds": "unproven",
    }
    # Options: choices of single and multiple questions, and each true_false statement.
    assert report.options_total == 3 + 2 + 1 + 2 + 2 + 2
    assert report.options_proven == 1 + 1 + 0 + 1 + 2 + 1  # those whose truth agrees with the key


def test_strict_makes_an_unproven_key_an_error_and_json_counts_keys_and_options(tmp_path: Path) -> None:
    bank = tmp_path / "unproven.yaml"
    text = WRONG_KEYS_F2.split("  - id: single-wrong")[0] + "  - id: proven" + WRONG_KEYS_F2.split("  - id: proven")[1]
    bank.write_text(text, encoding="utf-8")
    plain = run_cli("check", str(bank), "--device", "cpu", "--json")
    assert plain.returncode == 0, plain.stdout
    report = json.loads(plain.stdout)
    assert (report["keys_proven"], report["keys_unproven"]) == (1, 1)
    assert (report["options_proven"], report["options_total"]) == (3, 4)
    assert {q["question"]: q["key"] for q in report["questions_proof"]} == {
        "proven": "proven",
        "keyed-without-holds": "unproven",
    }
    strict = run_cli("check", str(bank), "--device", "cpu", "--strict")
    assert strict.returncode == 1
    lines = strict.stdout.splitlines()
    assert lines[0].endswith("question 'keyed-without-holds': key not proven (keyed choice A without 'holds')")
    assert lines[-1].startswith("1 bank, 2 questions, 1 keys proven (1 unproven), 3 of 4 options proven, 1 error")


def test_two_banks_that_word_one_misconception_differently_get_a_warning(tmp_path: Path) -> None:
    first = WRONG_KEYS_F2.split("  - id: single-wrong")[0] + "  - id: proven" + WRONG_KEYS_F2.split("  - id: proven")[1]
    (tmp_path / "a.yaml").write_text(first.split("  - id: keyed-without-holds")[0], encoding="utf-8")
    second = first.replace("id: wrong-keys", "id: other").replace("so no graph is recorded", "and that is that")
    (tmp_path / "b.yaml").write_text(second.split("  - id: keyed-without-holds")[0], encoding="utf-8")
    report = check([tmp_path], device="cpu", jobs=1)
    assert report.ok
    assert [w.message.split(";")[0] for w in report.warnings] == [
        "warning: misconception 'eval-stops-autograd' reads 'model.eval() turns autograd off, and that is that' "
        "here but 'model.eval() turns autograd off, so no graph is recorded' in bank 'wrong-keys' "
        f"({tmp_path / 'a.yaml'})"
    ]


def test_the_documented_example_is_proven_with_strict(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "question-format.md").read_text(encoding="utf-8")
    bank = tmp_path / "example.yaml"
    bank.write_text(doc.split("```yaml\n", 1)[1].split("```", 1)[0], encoding="utf-8")
    report = check([bank], device="cpu", jobs=1, strict=True)
    assert report.ok, [str(p) for p in report.problems]
    assert report.options_proven == report.options_total > 0
