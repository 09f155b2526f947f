"""Exam mode's domain: the per-player order, the way back to the bank's letters, the paper, the
`shuffle` key, and `quiz-app exam`'s arguments (everything before a screen opens)."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.paths import DATA, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz_app import cli
from quiz_app.bank import Bank, Choice, Question, Verdict, grade, load_bank, parse_bank
from quiz_app.bank.model import LETTERS
from quiz_app.cli.exam import find_bank
from quiz_app.core import locations
from quiz_app.play import exam, shuffle
from quiz_app.play.exam import ExamPlan
from quiz_app.play.run import QuizRun, answer_record, shuffle_run
from quiz_app.play.shuffle import ShownQuestion, shown_question
from quiz_app.ui.settings import Settings

BUNDLED = ROOT / "questions"
EXAM_BANK = DATA / "banks_exam" / "exam.yaml"


def bundled_bank() -> Bank:
    bank, problems = load_bank(BUNDLED / "eval_vs_no_grad.yaml")
    assert bank is not None, problems
    return bank


def exam_bank() -> Bank:
    bank, problems = load_bank(EXAM_BANK)
    assert bank is not None, problems
    return bank


def responses(question: Question) -> list[object]:
    """Every response a player could give to a question with choices."""
    if question.type == "single":
        return list(question.letters)
    if question.type == "multiple":
        letters = question.letters
        return [frozenset(c) for n in range(1, len(letters) + 1) for c in itertools.combinations(letters, n)]
    if question.type == "true_false":
        return [True, False]
    return ["2.0", "nope"]


def test_the_exam_domain_imports_nothing_from_textual_or_torch() -> None:
    code = (
        "import sys, quiz_app.play.exam, quiz_app.cli.exam\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'torch', 'rich')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- the order ---------------------------------------------------------------------------------
def test_the_same_player_gets_the_same_order_and_another_player_another() -> None:
    bank = bundled_bank()
    first = [q.id for q in shuffle.question_order(bank.questions, "ada", bank.id)]
    again = [q.id for q in shuffle.question_order(bank.questions, "ada", bank.id)]
    other = [q.id for q in shuffle.question_order(bank.questions, "grace", bank.id)]
    assert first == again
    assert first != other
    assert sorted(first) == sorted(q.id for q in bank.questions)
    assert first != [q.id for q in bank.questions]  # shuffled, not the bank's order


def test_the_order_depends_on_the_bank_too() -> None:
    bank = bundled_bank()
    renamed = dataclasses.replace(bank, id="another-bank")
    assert [q.id for q in shuffle.question_order(bank.questions, "ada", bank.id)] != [
        q.id for q in shuffle.question_order(renamed.questions, "ada", renamed.id)
    ]


def test_adding_a_question_keeps_the_others_in_their_order() -> None:
    bank = bundled_bank()
    fewer = bank.questions[:-1]
    full = [q.id for q in shuffle.question_order(bank.questions, "ada", bank.id)]
    less = [q.id for q in shuffle.question_order(fewer, "ada", bank.id)]
    assert [qid for qid in full if qid != bank.questions[-1].id] == less


def test_a_shown_question_maps_back_to_the_banks_letters() -> None:
    bank = exam_bank()
    single = next(q for q in bank.questions if q.id == "single")
    shown = shown_question(single, "ada", bank.id)
    assert sorted(shown.order) == list(single.letters) and shown.order != single.letters
    right = shown.to_shown("B")
    assert shown.shown.answer == right
    assert shown.shown.choices[LETTERS.index(str(right))].text == "The model itself"
    assert shown.to_bank(right) == "B"
    assert grade(shown.shown, right) is Verdict.CORRECT


def test_true_false_and_predict_questions_are_shown_as_written() -> None:
    bank = exam_bank()
    for question in bank.questions:
        if question.type in ("true_false", "predict"):
            shown = shown_question(question, "ada", bank.id)
            assert shown.shown is question and shown.order == ""
            assert shown.to_bank(True) is True and shown.to_bank("2.0") == "2.0"


def test_every_answer_is_recorded_with_the_banks_letters_and_hash() -> None:
    bank = exam_bank()
    paper = ExamPlan(bank, 10).paper("ada")
    multiple = paper.question("multiple")
    item = paper.run.shuffled["multiple"]
    picked = item.to_shown(frozenset({"A", "B"}))  # the bank's A and B, whatever they are shown as
    record = answer_record(paper.run, multiple, picked, grade(multiple, picked), 3.0, "ada", "cpu")
    assert record.answer == "A, B"
    assert record.correct is False
    assert record.question_id == "multiple"
    assert record.question_hash == item.original.content_hash != multiple.content_hash
    marks = {mark.id: mark.revealed for mark in record.misconceptions}
    assert marks == {"eval-stops-autograd": True}  # bank choice B carries it


# -- the property ----------------------------------------------------------------------------
_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=8).filter(
    lambda text: text[0].isalnum()
)


@st.composite
def banks(draw: st.DrawFn) -> Bank:
    ids = draw(st.lists(_ids, min_size=1, max_size=12, unique=True))
    questions = []
    for qid in ids:
        qtype = draw(st.sampled_from(["single", "multiple", "true_false", "predict"]))
        count = draw(st.integers(2, 8))
        choices = tuple(Choice(f"{qid} choice {n}") for n in range(count)) if qtype in ("single", "multiple") else ()
        letters = LETTERS[:count]
        answer: object
        if qtype == "single":
            answer = draw(st.sampled_from(letters))
        elif qtype == "multiple":
            answer = frozenset(draw(st.lists(st.sampled_from(letters), min_size=1, unique=True)))
        elif qtype == "true_false":
            answer = draw(st.booleans())
        else:
            answer = draw(st.one_of(st.none(), st.just("2.0")))
        questions.append(
            Question(id=qid, type=qtype, prompt=f"{qid}?", explanation=".", choices=choices, answer=answer)  # type: ignore[arg-type]
        )
    return Bank(
        id=draw(_ids.map(str.lower).filter(lambda t: t[0].isalnum())),
        title="t",
        questions=tuple(questions),
        path=Path("x"),
    )


@settings(max_examples=150, deadline=None)
@given(bank=banks(), player=st.text(min_size=1, max_size=20))
def test_shuffling_is_a_per_player_bijection_that_maps_back(bank: Bank, player: str) -> None:
    questions, shown = shuffle.shuffled(bank, bank.questions, player)
    again, shown_again = shuffle.shuffled(bank, bank.questions, player)
    # The same player and bank: the same order, questions and choices.
    assert [q.id for q in questions] == [q.id for q in again]
    assert [[c.text for c in q.choices] for q in questions] == [[c.text for c in q.choices] for q in again]
    # Every question appears exactly once, and every choice of each exactly once.
    assert sorted(q.id for q in questions) == sorted(q.id for q in bank.questions)
    originals = {q.id: q for q in bank.questions}
    for question in questions:
        item: ShownQuestion = shown[question.id]
        original = originals[question.id]
        assert item.original is original and item.shown is question
        assert sorted(c.text for c in question.choices) == sorted(c.text for c in original.choices)
        assert len(question.choices) == len(original.choices)
        # Mapping back gives the bank's letters: each shown letter names the same choice there.
        for index, letter in enumerate(question.letters):
            bank_letter = item.to_bank(letter)
            assert original.choices[LETTERS.index(str(bank_letter))] == question.choices[index]
            assert item.to_shown(bank_letter) == letter
        # The key is the same key, and every response is graded as the bank would grade it.
        assert item.to_bank(question.answer) == original.answer  # type: ignore[arg-type]
        if question.type != "predict":
            for response in responses(question):
                assert grade(question, response) is grade(original, item.to_bank(response))  # type: ignore[arg-type]


# -- the paper -------------------------------------------------------------------------------
def test_a_paper_takes_one_answer_per_question_and_brings_skipped_ones_back() -> None:
    paper = ExamPlan(exam_bank(), 10).paper("ada")
    order = [q.id for q in paper.questions]
    assert paper.current is not None and paper.current.id == order[0]
    assert paper.skip()
    assert paper.current.id == order[1] and paper.skipped == 1
    paper.give("x" if paper.current.type == "predict" else _any_answer(paper.current), 4.0)
    assert paper.answered == 1 and paper.skipped == 1
    while paper.current is not None and paper.current.id != order[0]:
        paper.give(_any_answer(paper.current), 1.0)
    assert paper.current is not None and paper.current.id == order[0]  # the skipped one, last
    assert paper.skipped == 0  # it is the current one now
    assert not paper.skip()  # the only one left: nothing to skip to
    paper.give(_any_answer(paper.current), 1.0)
    assert paper.ended == "finished" and paper.current is None
    with pytest.raises(ValueError):
        paper.give("A", 1.0)


def test_ending_leaves_the_rest_unanswered_and_grading_happens_once() -> None:
    paper = ExamPlan(exam_bank(), 10).paper("ada")
    first = paper.give(_any_answer(paper.current), 2.0)  # type: ignore[arg-type]
    paper.end("time")
    assert paper.ended == "time" and paper.current is None and paper.answered == 1
    assert paper.grade(first, Verdict.WRONG)
    assert not paper.grade(first, Verdict.CORRECT)  # an answer is graded once
    assert paper.verdict(first) is Verdict.WRONG
    unanswered = next(q for q in paper.questions if q.id != first.id)
    assert not paper.grade(unanswered, Verdict.CORRECT) and paper.verdict(unanswered) is None
    assert paper.bank_response(unanswered) is None


def _any_answer(question: Question | None) -> object:
    assert question is not None
    return {"single": "A", "multiple": frozenset("A"), "true_false": True}.get(question.type, "2.0")


def test_the_default_length_is_a_minute_and_a_half_per_question() -> None:
    bank = exam_bank()
    assert exam.default_minutes(bank) == 6.0  # 4 questions
    assert exam.default_minutes(dataclasses.replace(bank, questions=bank.questions[:3])) == 5.0  # 4.5 up


# -- shuffled practice ------------------------------------------------------------------------
def test_shuffle_run_leaves_reviews_and_shuffled_runs_alone() -> None:
    bank = exam_bank()
    run = shuffle_run(QuizRun(bank), "ada")
    assert run.shuffled and [q.id for q in run.questions] == [q.id for q in ExamPlan(bank, 1).paper("ada").questions]
    assert shuffle_run(run, "ada") is run
    retry = run.retry_missed()
    assert retry.shuffled is run.shuffled and shuffle_run(retry, "ada") is retry
    review = QuizRun(bank, homes={q.id: (bank, q) for q in bank.questions})
    assert shuffle_run(review, "ada") is review


def test_the_shuffle_key_loads_and_is_checked() -> None:
    text = EXAM_BANK.read_text(encoding="utf-8")
    assert exam_bank().shuffle is None  # not given: practice's default order (play.run.practice_order)
    bank, problems = parse_bank(text.replace("title: A small exam", "title: A small exam\nshuffle: true"))
    assert problems == [] and bank is not None and bank.shuffle is True
    bank, problems = parse_bank(text.replace("title: A small exam", "title: A small exam\nshuffle: often"))
    assert bank is None and [p.message for p in problems] == ["'shuffle' must be true or false"]


# -- the command line -------------------------------------------------------------------------
def test_a_bank_is_found_by_file_or_by_installed_id() -> None:
    bank, why = find_bank(str(EXAM_BANK))
    assert bank is not None and bank.id == "exam-test" and why == []
    bank, why = find_bank("eval-vs-no-grad")
    # The installed bank: in the wheel (quiz_app/questions) or, in a checkout, questions/.
    assert bank is not None and bank.path.resolve().parent == locations.bundled_banks_dir().resolve()
    bank, why = find_bank("no-such-bank")
    assert bank is None and "no installed bank has the id 'no-such-bank'" in why[-1]
    assert "eval-vs-no-grad" in why[-1]


def test_an_unknown_id_or_a_broken_bank_exits_before_any_screen(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["exam", "no-such-bank"]) == 2
    assert "quiz-app exam: error: no installed bank has the id 'no-such-bank'" in capsys.readouterr().err
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ntitle: Broken\nquestions: []\n", encoding="utf-8")
    assert cli.main(["exam", str(broken)]) == 2
    err = capsys.readouterr().err
    assert f"{broken}:3:" in err and "quiz-app exam: error: 1 problem in" in err
    assert cli.main(["exam", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert cli.main(["exam", str(tmp_path / "missing.yaml")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


@pytest.mark.parametrize("minutes", ["0", "-3", "nan", "inf", "soon", "100000"])
def test_minutes_must_be_positive(minutes: str, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_:
        cli.main(["exam", str(EXAM_BANK), "--minutes", minutes])
    assert exit_.value.code == 2
    assert "--minutes" in capsys.readouterr().err


def test_help_names_the_default_length(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit):
        cli.main(["exam", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "1.5 minutes per question" in out and "--player" in out and "--shared" in out and "--lang" in out


def test_the_exam_plan_reaches_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Settings] = []
    monkeypatch.setattr("quiz_app.ui.launch.launch", lambda settings: seen.append(settings) or 0)
    assert cli.main(["exam", str(EXAM_BANK), "--player", " ada ", "--minutes", "2.5", "--lang", "en"]) == 0
    plan = seen[-1].exam
    assert isinstance(plan, ExamPlan) and plan.bank.id == "exam-test" and plan.minutes == 2.5
    assert seen[-1].player == "ada" and seen[-1].language == "en" and seen[-1].paths == ()
    assert cli.main(["exam", str(EXAM_BANK)]) == 0
    assert seen[-1].player is None and seen[-1].exam is not None and seen[-1].exam.minutes == 6.0
