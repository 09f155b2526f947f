"""Unit tests for quiz_app.play.run: QuizRun's bookkeeping and response_text, without a screen."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import quiz_app.play.run as quiz_module
from quiz_app.bank.grading import Verdict
from quiz_app.bank.model import Bank, Question
from quiz_app.play.run import QuizRun, Result, response_text


def q(qid: str, *tags: str, qtype: str = "single") -> Question:
    return Question(qid, qtype, f"Prompt {qid}", "Because.", choices=("x", "y"), answer="A", tags=tags)  # type: ignore[arg-type]


Q1 = q("q1", "eval", "basic")
Q2 = q("q2", "dropout", "basic")
Q3 = q("q3", "eval", "intermediate")
Q4 = q("q4", "no_grad")
Q5 = q("q5")


def make_bank(*questions: Question) -> Bank:
    return Bank("bank", "A bank", questions or (Q1, Q2, Q3, Q4, Q5), Path("bank.yaml"))


def res(question: Question, verdict: Verdict, response: str = "A", seconds: float = 1.0) -> Result:
    return Result(question, response, verdict, seconds)


CORRECT, WRONG, UNGRADED = Verdict.CORRECT, Verdict.WRONG, Verdict.UNGRADED


# --- construction, current, total ----------------------------------------------------------


def test_new_run_takes_the_bank_questions_in_order() -> None:
    run = QuizRun(make_bank())
    assert tuple(run.questions) == (Q1, Q2, Q3, Q4, Q5)
    assert run.total == 5
    assert run.index == 0
    assert run.current is Q1
    assert run.answered == 0
    assert run.correct == 0
    assert not run.finished
    assert run.ended is None
    assert run.retry is False
    assert run.attempt_id is None
    assert run.results == {}


def test_given_questions_are_kept() -> None:
    run = QuizRun(make_bank(), (Q3, Q1))
    assert run.total == 2
    assert run.current is Q3
    run.advance()
    assert run.current is Q1


def test_results_are_not_shared_between_runs() -> None:
    first, second = QuizRun(make_bank()), QuizRun(make_bank())
    first.record(res(Q1, CORRECT))
    assert second.results == {}


def test_a_result_is_immutable() -> None:
    result = res(Q1, WRONG)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.verdict = CORRECT  # type: ignore[misc]


# --- record, answered, correct -------------------------------------------------------------


def test_record_counts_answered_and_correct() -> None:
    run = QuizRun(make_bank())
    run.record(res(Q1, CORRECT))
    run.record(res(Q2, WRONG))
    run.record(res(Q3, UNGRADED))
    run.record(res(Q4, CORRECT))
    assert run.answered == 4
    assert run.correct == 2
    assert run.results["q2"].verdict is WRONG


def test_record_again_replaces_the_result() -> None:
    run = QuizRun(make_bank())
    run.record(res(Q1, WRONG, "B"))
    run.record(res(Q1, CORRECT, "A"))
    assert run.answered == 1
    assert run.correct == 1
    assert run.results["q1"].response == "A"


def test_ungraded_and_wrong_are_not_correct() -> None:
    run = QuizRun(make_bank())
    run.record(res(Q1, UNGRADED))
    run.record(res(Q2, WRONG))
    assert run.correct == 0
    assert run.answered == 2


# --- advance, finished, ended, elapsed -----------------------------------------------------


def test_advance_walks_to_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [10.0]
    monkeypatch.setattr(quiz_module.time, "monotonic", lambda: now[0])
    run = QuizRun(make_bank(Q1, Q2, Q3), started=0.0)
    assert run.advance() is True
    assert run.current is Q2
    assert not run.finished and run.ended is None
    assert run.advance() is True
    assert run.current is Q3
    assert not run.finished and run.ended is None
    now[0] = 12.5
    assert run.advance() is False
    assert run.finished
    assert run.index == 3
    assert run.ended == 12.5  # the clock is read when the last question is left
    assert run.elapsed == 12.5
    with pytest.raises(IndexError):
        run.current  # noqa: B018


def test_advance_past_the_end_keeps_the_first_end_time(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [5.0]
    monkeypatch.setattr(quiz_module.time, "monotonic", lambda: now[0])
    run = QuizRun(make_bank(Q1), started=1.0)
    assert run.advance() is False
    assert run.ended == 5.0
    now[0] = 50.0
    assert run.advance() is False
    assert run.finished
    assert run.ended == 5.0
    assert run.elapsed == 4.0


def test_single_question_run() -> None:
    run = QuizRun(make_bank(Q1))
    assert run.total == 1 and not run.finished
    assert run.advance() is False
    assert run.finished


def test_elapsed_runs_on_until_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(quiz_module.time, "monotonic", lambda: now[0])
    run = QuizRun(make_bank(Q1, Q2), started=90.0)
    assert run.elapsed == 10.0
    now[0] = 125.0
    assert run.elapsed == 35.0
    run.advance()
    assert run.ended is None
    run.advance()
    assert run.ended == 125.0
    now[0] = 1000.0
    assert run.elapsed == 35.0  # frozen once ended


def test_elapsed_with_ended_set() -> None:
    run = QuizRun(make_bank(), started=10.0, ended=17.5)
    assert run.elapsed == 7.5


def test_started_defaults_to_now() -> None:
    before = quiz_module.time.monotonic()
    run = QuizRun(make_bank())
    after = quiz_module.time.monotonic()
    assert before <= run.started <= after
    assert 0.0 <= run.elapsed < 60.0


# --- missed --------------------------------------------------------------------------------


def test_missed_has_wrong_and_unanswered_not_ungraded_in_order() -> None:
    run = QuizRun(make_bank())
    run.record(res(Q1, CORRECT))
    run.record(res(Q2, WRONG))
    run.record(res(Q3, UNGRADED))
    # Q4 and Q5 were never answered.
    run.record(res(Q5, WRONG))
    assert run.missed() == [Q2, Q4, Q5]


def test_missed_everything_when_nothing_answered() -> None:
    run = QuizRun(make_bank())
    assert run.missed() == [Q1, Q2, Q3, Q4, Q5]


def test_missed_nothing_when_all_right_or_ungraded() -> None:
    run = QuizRun(make_bank(Q1, Q2, Q3))
    run.record(res(Q1, CORRECT))
    run.record(res(Q2, UNGRADED))
    run.record(res(Q3, CORRECT))
    assert run.missed() == []


def test_missed_only_counts_the_run_questions() -> None:
    run = QuizRun(make_bank(), (Q2, Q4))
    run.record(res(Q2, CORRECT))
    assert run.missed() == [Q4]


# --- retry_missed --------------------------------------------------------------------------


def test_retry_missed_is_a_fresh_retry_run_of_the_missed_questions() -> None:
    run = QuizRun(make_bank(), attempt_id=7)
    run.record(res(Q1, WRONG))
    run.record(res(Q2, CORRECT))
    run.record(res(Q3, UNGRADED))
    run.record(res(Q4, WRONG))
    for _ in range(5):
        run.advance()
    retry = run.retry_missed()
    assert retry is not run
    assert retry.bank is run.bank
    assert tuple(retry.questions) == (Q1, Q4, Q5)
    assert retry.retry is True
    assert retry.total == 3
    assert retry.current is Q1
    assert retry.index == 0
    assert retry.results == {}
    assert retry.answered == 0
    assert retry.ended is None
    assert not retry.finished
    assert retry.attempt_id is None
    # The first run is untouched.
    assert run.answered == 4 and run.finished and run.retry is False


def test_retry_of_a_retry() -> None:
    run = QuizRun(make_bank())
    for question in (Q1, Q2, Q3):
        run.record(res(question, CORRECT))
    retry = run.retry_missed()
    assert tuple(retry.questions) == (Q4, Q5)
    retry.record(res(Q4, CORRECT))
    again = retry.retry_missed()
    assert tuple(again.questions) == (Q5,)
    assert again.retry is True


# --- by_tag --------------------------------------------------------------------------------


def test_by_tag_counts_graded_answers_in_first_seen_order() -> None:
    run = QuizRun(make_bank())
    run.record(res(Q1, CORRECT))  # eval, basic
    run.record(res(Q2, WRONG))  # dropout, basic
    run.record(res(Q3, CORRECT))  # eval, intermediate
    run.record(res(Q4, WRONG))  # no_grad
    tally = run.by_tag()
    assert list(tally) == ["eval", "basic", "dropout", "intermediate", "no_grad"]
    assert tally == {
        "eval": (2, 2),
        "basic": (1, 2),
        "dropout": (0, 1),
        "intermediate": (1, 1),
        "no_grad": (0, 1),
    }


def test_by_tag_leaves_out_ungraded_answers() -> None:
    run = QuizRun(make_bank())
    run.record(res(Q1, UNGRADED))  # eval, basic
    run.record(res(Q2, CORRECT))  # dropout, basic
    run.record(res(Q3, UNGRADED))  # eval, intermediate
    assert run.by_tag() == {
        "eval": (0, 0),
        "basic": (1, 1),
        "dropout": (1, 1),
        "intermediate": (0, 0),
        "no_grad": (0, 0),
    }


def test_by_tag_lists_unanswered_tags_with_zero() -> None:
    run = QuizRun(make_bank())
    assert run.by_tag() == {
        "eval": (0, 0),
        "basic": (0, 0),
        "dropout": (0, 0),
        "intermediate": (0, 0),
        "no_grad": (0, 0),
    }
    assert list(run.by_tag()) == ["eval", "basic", "dropout", "intermediate", "no_grad"]


def test_by_tag_untagged_questions_count_nowhere() -> None:
    run = QuizRun(make_bank(Q5))
    run.record(res(Q5, CORRECT))
    assert run.by_tag() == {}


def test_by_tag_order_follows_the_run_not_the_bank() -> None:
    run = QuizRun(make_bank(), (Q4, Q3, Q1))
    run.record(res(Q3, WRONG))
    run.record(res(Q1, CORRECT))
    tally = run.by_tag()
    assert list(tally) == ["no_grad", "eval", "intermediate", "basic"]
    assert tally == {"no_grad": (0, 0), "eval": (1, 2), "intermediate": (0, 1), "basic": (1, 1)}


def test_by_tag_ignores_results_of_questions_outside_the_run() -> None:
    run = QuizRun(make_bank(), (Q1,))
    run.record(res(Q2, CORRECT))
    assert run.by_tag() == {"eval": (0, 0), "basic": (0, 0)}


def test_by_tag_counts_correct_as_one() -> None:
    run = QuizRun(make_bank(Q1, Q3))
    run.record(res(Q1, CORRECT))
    run.record(res(Q3, CORRECT))
    right, seen = run.by_tag()["eval"]
    assert (right, seen) == (2, 2)
    assert type(right) is int and type(seen) is int


# --- response_text -------------------------------------------------------------------------


def test_response_text_single_and_predict_are_the_text() -> None:
    assert response_text(q("s"), "B") == "B"
    assert response_text(q("p", qtype="predict"), "False\nTrue") == "False\nTrue"
    assert response_text(q("p", qtype="predict"), "") == ""


def test_response_text_true_false() -> None:
    tf = q("t", qtype="true_false")
    assert response_text(tf, True) == "true"
    assert response_text(tf, False) == "false"
    assert response_text(tf, "true") == "false"  # only the bool True reads as true


def test_response_text_multiple_sorted_letters() -> None:
    mq = q("m", qtype="multiple")
    assert response_text(mq, ["C", "A"]) == "A, C"
    assert response_text(mq, ("B",)) == "B"
    assert response_text(mq, frozenset({"D", "B", "A"})) == "A, B, D"
    assert response_text(mq, []) == ""
    assert response_text(mq, "B") == "B"  # a str is one letter, not letters to sort
    assert response_text(mq, "CA") == "CA"


def test_response_text_single_sequence_is_str_of_it() -> None:
    # Only a multiple question's letters are joined; other types show the value as is.
    assert response_text(q("s"), ["A", "B"]) == "['A', 'B']"  # type: ignore[arg-type]
