"""quiz-app check proves answer keys against real PyTorch, and says clearly when one is false."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import DATA, ROOT

from quiz_app.bank import load_banks
from quiz_app.check import check
from quiz_app.check.cues import LONGEST_LIMIT
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
    assert [str(problem) for problem in report.problems] == []
    assert [str(warning) for warning in report.warnings] == []  # no cue, no insensitive key, no other doubt
    # What the content pass reached (issues 22, 23), held from now on.
    assert all((cues.longest.score or 0) <= LONGEST_LIMIT for cues in report.cues.values())
    assert (report.cues_total.longest.score or 0) <= 0.35
    assert report.questions >= 140
    with_contrasts = [proof for proof in report.proofs if proof.has_contrasts]
    assert len(with_contrasts) >= 0.6 * report.questions
    assert all(proof.sensitive is True for proof in with_contrasts)
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


# -- contrasts (issue 22) ---------------------------------------------------------------------
CONTRASTS = """\
format: 2
id: contrasts
title: Keys and the line they are about
shuffle: false
misconceptions:
  eval-stops-autograd: "model.eval() turns autograd off"
setup: |
  model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
questions:
  - id: single-sensitive
    type: single
    prompt: "What does `model.eval()` do to autograd?"
    snippet: |
      model.eval()
      out = model(torch.ones(1, 4)).sum()
    contrasts:
      - label: "with torch.no_grad() instead of model.eval()"
        snippet: |
          with torch.no_grad():
              out = model(torch.ones(1, 4)).sum()
    choices:
      - text: "Nothing: it keeps recording"
        holds: "out.requires_grad"
      - text: "It turns recording off, so no graph"
        holds: "not out.requires_grad"
        misconception: eval-stops-autograd
    answer: A
    explanation: x
  - id: single-whatever
    type: single
    prompt: "What does `model.eval()` do to autograd?"
    snippet: |
      model.eval()
      out = model(torch.ones(1, 4)).sum()
    contrasts:
      - label: "in training mode"
        snippet: |
          model.train()
          out = model(torch.ones(1, 4)).sum()
      - label: "without the forward pass"
        snippet: |
          model.eval()
    choices:
      - text: "It keeps recording"
        holds: "out.requires_grad"
      - text: "It stops recording the graph"
        holds: "not out.requires_grad"
    answer: A
    explanation: x
  - id: multiple-whatever
    type: multiple
    prompt: "Which hold after `model.eval()`?"
    snippet: model.eval()
    contrasts:
      - label: "model.train() instead"
        snippet: model.train()
    choices:
      - text: "the parameters still require grad"
        holds: "all(p.requires_grad for p in model.parameters())"
      - text: "the model is still in its training mode"
        holds: "model.training"
    answer: [A]
    explanation: x
  - id: true-false-sensitive
    type: true_false
    prompt: "After `model.eval()`, Dropout is off."
    snippet: model.eval()
    holds: "not model[1].training"
    answer: true
    contrasts:
      - label: "model.train() instead"
        snippet: model.train()
    explanation: x
  - id: predict-sensitive
    type: predict
    prompt: "What does this print?"
    snippet: |
      with torch.no_grad():
          print(model(torch.ones(1, 4)).requires_grad)
    answer: "False"
    contrasts:
      - label: "model.eval() instead of torch.no_grad()"
        snippet: |
          model.eval()
          print(model(torch.ones(1, 4)).requires_grad)
    explanation: x
  - id: predict-whatever
    type: predict
    prompt: "What does this print?"
    snippet: |
      model.eval()
      print(model[1].p)
    contrasts:
      - label: "with torch.no_grad() too"
        snippet: |
          model.eval()
          with torch.no_grad():
              print(model[1].p)
    explanation: x
"""


def test_each_contrast_runs_and_a_key_that_holds_whatever_the_code_does_is_named(tmp_path: Path) -> None:
    bank = tmp_path / "contrasts.yaml"
    bank.write_text(CONTRASTS, encoding="utf-8")
    report = check([bank], device="cpu", jobs=2)
    assert report.problems == [], [str(p) for p in report.problems]
    whatever = "the key holds whatever the code does: it may not test what the question asks"
    assert [str(w) for w in report.warnings] == [
        f"{bank}:29:5: warning: question 'single-whatever': {whatever} (it held under 'in training mode'; "
        "'without the forward pass' could not decide it (NameError: name 'out' is not defined))",
        f"{bank}:50:5: warning: question 'multiple-whatever': {whatever} (it held under 'model.train() instead')",
        f"{bank}:87:5: warning: question 'predict-whatever': {whatever} (it held under 'with torch.no_grad() too')",
    ]
    sensitive = {proof.question: proof.sensitive for proof in report.proofs}
    assert sensitive == {
        "single-sensitive": True,
        "single-whatever": False,
        "multiple-whatever": False,
        "true-false-sensitive": True,
        "predict-sensitive": True,
        "predict-whatever": False,
    }
    assert (report.keys_with_contrasts, report.keys_sensitive) == (6, 3)
    assert report.summary().endswith("0 errors; 3 of 6 keys with contrasts sensitive")
    tables = {proof.question: proof.contrasts for proof in report.proofs}
    assert tables["single-sensitive"] == [
        {
            "label": "with torch.no_grad() instead of model.eval()",
            "status": "ok",
            "failure": None,
            "output": "",
            "options": {"A": False, "B": True},
            "key_holds": False,
        }
    ]
    # n/a where a holds raised: the contrast that never binds `out`.
    assert tables["single-whatever"][1]["options"] == {
        "A": "n/a: NameError: name 'out' is not defined",
        "B": "n/a: NameError: name 'out' is not defined",
    }
    assert tables["multiple-whatever"][0]["options"] == {"A": True, "B": True}
    assert tables["true-false-sensitive"][0]["options"] == {"statement": False}
    assert tables["predict-sensitive"][0]["output"] == "True" and tables["predict-sensitive"][0]["key_holds"] is False
    assert tables["predict-whatever"][0]["output"] == "0.5" and tables["predict-whatever"][0]["key_holds"] is True


def test_strict_makes_an_insensitive_key_an_error_and_json_counts_them(tmp_path: Path) -> None:
    bank = tmp_path / "contrasts.yaml"
    bank.write_text(CONTRASTS, encoding="utf-8")
    strict = run_cli("check", str(bank), "--device", "cpu", "--strict", "--json")
    assert strict.returncode == 1
    report = json.loads(strict.stdout)
    assert (report["keys_with_contrasts"], report["keys_sensitive"], report["errors"]) == (6, 3, 3)
    assert [(p["line"], p["message"].split(":")[0]) for p in report["problems"]] == [
        (29, "question 'single-whatever'"),
        (50, "question 'multiple-whatever'"),
        (87, "question 'predict-whatever'"),
    ]
    proofs = {q["question"]: q for q in report["questions_proof"]}
    assert proofs["predict-sensitive"]["sensitive"] is True
    assert proofs["predict-sensitive"]["contrasts"][0]["label"] == "model.eval() instead of torch.no_grad()"
    # Only the sensitive questions left: --strict passes.
    kept = (
        CONTRASTS.split("  - id: single-whatever")[0]
        + "  - id: true-false-sensitive"
        + CONTRASTS.split("  - id: true-false-sensitive")[1].split("  - id: predict-whatever")[0]
    )
    bank.write_text(kept, encoding="utf-8")
    passed = run_cli("check", str(bank), "--device", "cpu", "--strict")
    assert passed.returncode == 0, passed.stdout
    assert passed.stdout.splitlines()[-1].startswith(
        "1 bank, 3 questions, 3 keys proven (0 unproven), 3 of 3 options proven, 0 errors; "
        "3 of 3 keys with contrasts sensitive on cpu"
    )


def test_a_contrast_that_does_not_end_is_an_error_at_its_line(tmp_path: Path) -> None:
    bank = tmp_path / "slow.yaml"
    text = CONTRASTS.split("  - id: single-whatever")[0].replace(
        "        snippet: |\n          with torch.no_grad():\n              out = model(torch.ones(1, 4)).sum()\n",
        "        snippet: |\n          import time\n          time.sleep(30)\n",
    )
    bank.write_text(text.replace("    answer: A\n", "    answer: A\n    timeout: 2\n"), encoding="utf-8")
    report = check([bank], device="cpu", jobs=1)
    (problem,) = report.problems
    assert str(problem).startswith(
        f"{bank}:17:9: question 'single-sensitive': contrast 1 ('with torch.no_grad() instead of model.eval()') "
        "did not run to an end: "
    )
    assert report.proofs[0].key == "proven" and report.proofs[0].sensitive is None


def test_the_documented_contrasts_are_proven_sensitive_with_strict(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "question-format.md").read_text(encoding="utf-8")
    bank = tmp_path / "example.yaml"
    bank.write_text(doc.split("```yaml\n", 1)[1].split("```", 1)[0], encoding="utf-8")
    report = check([bank], device="cpu", jobs=1, strict=True)
    assert report.ok, [str(p) for p in report.problems]
    assert report.keys_with_contrasts >= 3 and report.keys_sensitive == report.keys_with_contrasts
    assert {proof.type for proof in report.proofs if proof.has_contrasts} == {"single", "true_false", "predict"}


# -- test-wise cues (issue 23) ----------------------------------------------------------------
CUED = """\
format: 2
id: cued
title: A bank a test-wise learner beats
questions:
  - id: longest-one
    type: single
    prompt: p
    snippet: x = 1
    choices:
      - text: "x is one, as the snippet binds it, and nothing else"
        holds: "x == 1"
      - text: "x is two"
        holds: "x == 2"
    answer: A
    explanation: e
  - id: longest-two
    type: single
    prompt: p
    snippet: x = 1
    choices:
      - text: "x is two"
        holds: "x == 2"
      - text: "x is one, as the snippet binds it, and nothing else"
        holds: "x == 1 or 1 == 1"
      - text: "Both A and C"
      - text: "x is three"
        holds: "3 == 3 and x == 3"
    answer: B
    explanation: e
"""


def test_strict_fails_a_bank_whose_longest_choice_wins_or_whose_holds_is_constant(tmp_path: Path) -> None:
    bank = tmp_path / "cued.yaml"
    bank.write_text(CUED.replace('holds: "x == 1 or 1 == 1"', 'holds: "1 == 1"'), encoding="utf-8")
    plain = check([bank], device="cpu", jobs=1)
    assert plain.problems == []
    assert [w.message.split(":")[0] for w in plain.warnings] == [
        "warning",  # the bank's longest-choice score
        "warning",  # the constant holds
        "warning",  # the choice naming others
    ]
    strict = check([bank], device="cpu", jobs=1, strict=True)
    messages = [str(p) for p in strict.problems]
    assert messages == [
        f"{bank}:1:1: bank 'cued': always picking the longest choice scores 100% of its 2 single and multiple "
        "questions (chance 38%; at most 40%); the longest choice is keyed in 'longest-one' (line 5, 6.4x), "
        "'longest-two' (line 16, 4.2x)",
        f"{bank}:23:9: question 'longest-two': choice B's holds `1 == 1` is constant: it reads no name of the run, "
        "so its truth cannot depend on the snippet",
    ]
    assert [str(w) for w in strict.warnings] == [
        f"{bank}:25:9: warning: question 'longest-two': choice C names another choice by its letter: it is usually "
        "the key, and a learner learns that; shuffled practice relabels the choices (say 'fixed_order: true')"
    ]
    cues = strict.as_json()["cues"]
    assert cues["thresholds"] == {"longest": 0.4}
    assert cues["banks"]["cued"]["longest"] == {"questions": 2, "right": 2.0, "score": 1.0, "chance": 0.375}
    assert cues["banks"]["cued"]["names_letter"] == {"questions": 1, "right": 0.0, "score": 0.0, "chance": 0.25}
    assert cues["banks"]["cued"]["holds"] == {"total": 5, "constant": 1, "unrelated": 0}
    assert [w["question"] for w in cues["total"]["worst_longest"]] == ["longest-one", "longest-two"]


def test_the_text_output_gives_each_banks_cues_and_names_the_worst_questions(tmp_path: Path) -> None:
    bank = tmp_path / "cued.yaml"
    bank.write_text(CUED, encoding="utf-8")
    (tmp_path / "other.yaml").write_text(
        CUED.replace("id: cued", "id: other").replace("title: A bank", "shuffle: false\ntitle: A bank"),
        encoding="utf-8",
    )
    result = run_cli("check", str(tmp_path), "--device", "cpu")
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    start = lines.index("Test-wise cues: what a learner who knows nothing scores by strategy (chance in brackets)")
    assert lines[start + 1 : start + 8] == [
        "  cued: longest choice 100% (38%) of 2; key letters: shuffled; a choice naming another 0% (25%) of 1",
        "  other: longest choice 100% (38%) of 2; always A 50% (38%) of 2; a choice naming another 0% (25%) of 1",
        "  all banks: longest choice 100% (38%) of 4; always A 50% (38%) of 2; a choice naming another 0% (25%) of 2",
        "Where the longest choice is keyed, by how much it is longer than the next:",
        f"  {bank}:5: cued/longest-one, 6.4x the next longest",
        f"  {tmp_path / 'other.yaml'}:6: other/longest-one, 6.4x the next longest",
        f"  {bank}:16: cued/longest-two, 4.2x the next longest",
    ]
    assert lines[-1].startswith("2 banks, 4 questions")


def test_the_bundled_banks_are_held_to_the_cue_rules_like_any_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled banks were revised (issue 23): a cued bank fails --strict even where it is bundled."""
    bank = tmp_path / "cued.yaml"
    bank.write_text(CUED, encoding="utf-8")
    monkeypatch.setattr(locations, "bundled_banks_dir", lambda: tmp_path)
    report = check([bank], device="cpu", jobs=1, strict=True)
    assert [p.message.split(":")[0] for p in report.problems] == ["bank 'cued'"]
    assert "longest choice" in report.problems[0].message
    assert not any("until the bundled banks are revised" in w.message for w in report.warnings)
