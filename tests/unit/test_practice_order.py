"""Practice shuffles each question's choices by default (issue 23): seeded per player and question,
answers kept in the bank's letters; `shuffle: true` (or --shuffle) orders the questions too,
`shuffle: false` keeps the bank as written, `fixed_order: true` keeps one question's choices."""

from __future__ import annotations

import dataclasses

from helpers.paths import DATA

from quiz_app.bank import Bank, Verdict, grade, load_bank
from quiz_app.bank.model import LETTERS
from quiz_app.play import shuffle
from quiz_app.play.exam import ExamPlan
from quiz_app.play.run import QuizRun, Result, answer_record, practice_order

EXAM_BANK = DATA / "banks_exam" / "exam.yaml"  # gives no 'shuffle'


def bank(**changes: object) -> Bank:
    loaded, problems = load_bank(EXAM_BANK)
    assert loaded is not None, problems
    return dataclasses.replace(loaded, **changes)  # type: ignore[arg-type]


def ids(run: QuizRun) -> list[str]:
    return [question.id for question in run.questions]


def texts(run: QuizRun, question_id: str) -> list[str]:
    return [choice.text for choice in next(q for q in run.questions if q.id == question_id).choices]


def test_by_default_the_choices_are_shuffled_and_the_questions_kept_in_order() -> None:
    written = bank()
    assert written.shuffle is None
    run = practice_order(QuizRun(written), "ada")
    assert ids(run) == [q.id for q in written.questions]
    single = written.questions[0]
    assert texts(run, "single") != [c.text for c in single.choices]
    assert sorted(texts(run, "single")) == sorted(c.text for c in single.choices)
    # Seeded per player and question: the same at every launch, another for another player.
    assert texts(practice_order(QuizRun(written), "ada"), "single") == texts(run, "single")
    orders = {tuple(texts(practice_order(QuizRun(written), player), "single")) for player in ("ada", "grace", "alan")}
    assert len(orders) > 1
    # The shown order is the one exams use for this player and question.
    assert texts(run, "single") == texts(ExamPlan(written, 5).paper("ada").run, "single")


def test_a_default_shuffled_answer_is_kept_in_the_banks_letters() -> None:
    written = bank()
    run = practice_order(QuizRun(written), "bob")
    shown = run.shuffled["single"]
    picked = shown.to_shown("B")  # the bank's B ("The model itself"), whatever it is shown as
    assert picked != "B"
    question = run.questions[0]
    assert question.choices[LETTERS.index(str(picked))].text == "The model itself"
    verdict = grade(question, picked)
    assert verdict is Verdict.CORRECT
    record = answer_record(run, question, picked, verdict, 2.0, "bob", "cpu")
    assert (record.question_id, record.answer, record.correct) == ("single", "B", True)
    assert record.question_hash == written.questions[0].content_hash
    multiple = next(q for q in run.questions if q.id == "multiple")
    picked = run.shuffled["multiple"].to_shown(frozenset({"B"}))
    assert picked != frozenset({"B"})
    record = answer_record(run, multiple, picked, grade(multiple, picked), 2.0, "bob", "cpu")
    assert record.answer == "B" and {m.id: m.revealed for m in record.misconceptions} == {"eval-stops-autograd": True}


def test_shuffle_true_or_asked_puts_the_questions_in_the_players_order_too() -> None:
    expected = [q.id for q in shuffle.question_order(bank().questions, "ada", "exam-test")]
    assert expected != [q.id for q in bank().questions]
    assert ids(practice_order(QuizRun(bank(shuffle=True)), "ada")) == expected
    assert ids(practice_order(QuizRun(bank()), "ada", asked=True)) == expected
    assert ids(practice_order(QuizRun(bank(shuffle=False)), "ada", asked=True)) == expected


def test_shuffle_false_keeps_the_bank_as_written() -> None:
    run = QuizRun(bank(shuffle=False))
    assert practice_order(run, "ada") is run


def test_fixed_order_keeps_a_questions_choices_as_written_in_practice_and_exams() -> None:
    written = bank()
    fixed = dataclasses.replace(written.questions[0], fixed_order=True)
    with_fixed = dataclasses.replace(written, questions=(fixed, *written.questions[1:]))
    as_written = [c.text for c in fixed.choices]
    assert texts(practice_order(QuizRun(with_fixed), "ada"), "single") == as_written
    assert texts(practice_order(QuizRun(with_fixed), "ada", asked=True), "single") == as_written
    assert texts(ExamPlan(with_fixed, 5).paper("ada").run, "single") == as_written
    # The other questions are shuffled as before.
    assert texts(practice_order(QuizRun(with_fixed), "ada"), "multiple") == texts(
        practice_order(QuizRun(written), "ada"), "multiple"
    )


def test_a_review_keeps_its_own_order_and_a_resumed_run_goes_on_where_it_was() -> None:
    written = bank()
    review = QuizRun(written, homes={q.id: (written, q) for q in written.questions})
    assert practice_order(review, "ada") is review
    resumed = QuizRun(written, resumed_at=2, index=2)
    resumed.results = {q.id: Result(q, "A", Verdict.CORRECT, 1.0) for q in written.questions[:2]}
    going_on = practice_order(resumed, "ada")
    assert going_on.current.id == written.questions[2].id and going_on.shuffled
