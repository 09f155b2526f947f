"""A question's contrasts as the domain gives them to check and to the UI: the requests, the truth
table (a row per option, a column per run, ✔/✘/n/a/running) and whether the key is sensitive.
Outcomes are built by hand here; tests/system/test_check.py runs real contrasts."""

from __future__ import annotations

import dataclasses

import pytest

from quiz_app.bank import Question, parse_bank
from quiz_app.check.contrasts import ContrastTable, contrast_table
from quiz_app.runner import Holds, Outcome
from quiz_app.runner.request import contrast_requests, question_request

BANK = """\
format: 2
id: table
title: Table
setup: "model = nn.Linear(2, 2)"
questions:
  - id: single
    type: single
    prompt: p
    snippet: "out = model(torch.ones(1, 2))"
    timeout: 3
    memory: 1
    contrasts:
      - label: under no_grad
        snippet: "with torch.no_grad(): out = model(torch.ones(1, 2))"
      - label: in eval mode
        snippet: "model.eval(); out = model(torch.ones(1, 2))"
    choices:
      - text: records
        holds: out.requires_grad
      - plain, no holds
      - text: does not record
        holds: not out.requires_grad
    answer: A
    explanation: e
  - id: multiple
    type: multiple
    prompt: p
    snippet: x = 1
    contrasts:
      - label: two
        snippet: x = 2
    choices:
      - text: positive
        holds: x > 0
      - text: odd
        holds: x % 2 == 1
      - text: big
        holds: x > 5
    answer: [A, B]
    explanation: e
  - id: statement
    type: true_false
    prompt: x is one
    snippet: x = 1
    holds: x == 1
    answer: false
    contrasts:
      - label: two
        snippet: x = 2
    explanation: e
  - id: predict
    type: predict
    prompt: p
    snippet: print(1)
    answer: "1"
    contrasts:
      - label: two
        snippet: print(2)
      - label: one again
        snippet: print( 1 )
    explanation: e
  - id: predict-live
    type: predict
    prompt: p
    snippet: print(1)
    contrasts:
      - label: two
        snippet: print(2)
    explanation: e
"""


def questions() -> dict[str, Question]:
    bank, problems = parse_bank(BANK, "table.yaml")
    assert bank is not None, problems
    return {question.id: question for question in bank.questions}


def ran(*truths: bool | str, stdout: str = "") -> Outcome:
    """An outcome that ran; a str among the truths is a holds that raised that error."""
    holds = tuple(Holds(None, t) if isinstance(t, str) else Holds(t) for t in truths)
    return Outcome(status="ok", stdout=stdout, holds=holds)


def marks(table: ContrastTable) -> dict[str, list[str]]:
    rows = {row.label: [cell.mark for cell in row.cells] for row in table.rows}
    rows["key"] = [cell.mark for cell in table.key]
    return rows


def test_each_contrast_is_a_request_like_the_questions_own_with_its_snippet() -> None:
    question = questions()["single"]
    written = question_request(question, "model = nn.Linear(2, 2)")
    requests = contrast_requests(question, "model = nn.Linear(2, 2)")
    assert [r.code for r in requests] == [c.snippet for c in question.contrasts]
    for request in requests:
        assert (request.setup, request.timeout, request.holds, request.memory_limit) == (
            "model = nn.Linear(2, 2)",
            3.0,
            ("out.requires_grad", "not out.requires_grad"),
            2**30,
        )
        assert request.holds == written.holds
    assert contrast_requests(questions()["predict-live"], "")[0].holds == ()


def test_a_row_per_option_a_column_per_run_and_the_key_refuted_under_one_contrast() -> None:
    question = questions()["single"]
    table = contrast_table(question, ran(True, False), [ran(False, True), ran(True, False)])
    assert [column.label for column in table.columns] == [None, "under no_grad", "in eval mode"]
    assert [column.snippet for column in table.columns] == [question.snippet, *(c.snippet for c in question.contrasts)]
    assert [(row.label, row.text, row.keyed) for row in table.rows] == [
        ("A", "records", True),
        ("B", "plain, no holds", False),
        ("C", "does not record", False),
    ]
    assert marks(table) == {
        "A": ["✔", "✘", "✔"],
        "B": ["n/a", "n/a", "n/a"],
        "C": ["✘", "✔", "✘"],
        "key": ["✔", "✘", "✔"],
    }
    assert table.rows[1].cells[0].note == "no 'holds'"
    assert table.sensitive is True and table.refuting == ("under no_grad",)
    assert table.as_json()[0] == {
        "label": "under no_grad",
        "status": "ok",
        "failure": None,
        "output": "",
        "options": {"A": False, "B": "n/a: no 'holds'", "C": True},
        "key_holds": False,
    }


def test_a_key_that_holds_under_every_contrast_is_not_sensitive() -> None:
    table = contrast_table(questions()["single"], ran(True, False), [ran(True, False), ran(True, True)])
    assert table.sensitive is False and table.refuting == () and table.undecided == ()


def test_a_holds_that_raises_is_na_there_and_refutes_nothing() -> None:
    error = "NameError: name 'out' is not defined"
    table = contrast_table(questions()["single"], ran(True, False), [ran(error, error), ran(True, False)])
    assert marks(table)["A"] == ["✔", "n/a", "✔"]
    assert table.rows[0].cells[1].note == error
    assert table.rows[0].cells[1].as_json() == f"n/a: {error}"
    assert table.sensitive is False
    assert table.undecided == (("under no_grad", error),)


def test_a_contrast_that_did_not_end_says_why_in_its_cells() -> None:
    stopped = Outcome(status="timeout", detail="it ran past 3 s")
    table = contrast_table(questions()["single"], ran(True, False), [stopped, ran(False, True)])
    column = table.columns[1]
    assert column.failure == "it ran past 3 s"
    assert [row.cells[1].note for row in table.rows] == [
        "the run did not end: it ran past 3 s",
        "no 'holds'",
        "the run did not end: it ran past 3 s",
    ]
    assert table.key[1].state == "n/a" and table.sensitive is True  # the other contrast refutes it


def test_cells_wait_for_runs_that_have_not_come_back() -> None:
    question = questions()["single"]
    table = contrast_table(question, ran(True, False), [ran(True, False)])  # the second is still running
    assert marks(table)["A"] == ["✔", "✔", "…"]
    assert table.columns[2].running and not table.complete
    assert table.sensitive is None  # not refuted yet, not finished either
    assert contrast_table(question, ran(True, False), [None, ran(False, True)]).sensitive is True
    assert contrast_table(question, None, []).key[0].state == "running"


def test_multiple_is_refuted_when_a_keyed_choice_fails() -> None:
    question = questions()["multiple"]
    # x = 2: positive still holds, odd does not.
    table = contrast_table(question, ran(True, True, False), [ran(True, False, False)])
    assert marks(table) == {"A": ["✔", "✔"], "B": ["✔", "✘"], "C": ["✘", "✘"], "key": ["✔", "✘"]}
    assert table.sensitive is True
    # Only an unkeyed choice changing does not make the key depend on the code.
    table = contrast_table(question, ran(True, True, False), [ran(True, True, True)])
    assert table.sensitive is False


def test_true_false_is_refuted_when_the_statement_no_longer_matches_the_answer() -> None:
    question = questions()["statement"]  # answer: false
    table = contrast_table(question, ran(False), [ran(True)])
    assert marks(table) == {"statement": ["✘", "✔"], "key": ["✔", "✘"]}
    assert table.rows[0].keyed is False and table.sensitive is True
    assert contrast_table(question, ran(False), [ran(False)]).sensitive is False


def test_predict_compares_each_contrasts_printed_lines_with_the_key() -> None:
    question = questions()["predict"]
    table = contrast_table(question, ran(stdout="1\n"), [ran(stdout="2\n"), ran(stdout="1 \n\n")])
    assert [column.lines for column in table.columns] == [("1",), ("2",), ("1",)]
    assert [(row.label, row.text) for row in table.rows] == [("output", "1")]
    assert marks(table) == {"output": ["✔", "✘", "✔"], "key": ["✔", "✘", "✔"]}
    assert table.sensitive is True and table.refuting == ("two",)
    assert table.as_json()[0]["output"] == "2" and table.as_json()[0]["options"] == {"output": False}
    same = contrast_table(question, ran(stdout="1\n"), [ran(stdout="1\n"), ran(stdout="1\n")])
    assert same.sensitive is False


def test_predict_without_an_answer_compares_with_the_output_as_written() -> None:
    question = questions()["predict-live"]
    assert contrast_table(question, ran(stdout="1\n"), [ran(stdout="2\n")]).sensitive is True
    assert contrast_table(question, ran(stdout="1\n"), [ran(stdout="1\n")]).sensitive is False
    waiting = contrast_table(question, None, [ran(stdout="2\n")])
    assert [cell.state for cell in waiting.key] == ["running", "running"]


def test_a_predict_contrast_that_raises_is_compared_with_its_exception_line() -> None:
    question = questions()["predict"]
    raised = Outcome(status="error", exc_type="RuntimeError", exc_message="boom")
    table = contrast_table(question, ran(stdout="1\n"), [raised, ran(stdout="1\n")])
    assert table.columns[1].lines == ("RuntimeError: boom",)
    assert table.key[1].state == "false"


@pytest.mark.parametrize("qid", ["single", "multiple", "statement", "predict"])
def test_a_question_without_contrasts_has_one_column_and_no_sensitivity(qid: str) -> None:
    question = dataclasses.replace(questions()[qid], contrasts=())
    table = contrast_table(question, ran(True, True, True, stdout="1\n"), [])
    assert len(table.columns) == 1 and table.sensitive is None
