"""The classroom's statistics as pure functions: facility, discrimination, options, top wrong, dubious."""

from __future__ import annotations

import pytest

from quiz_app.bank import Choice, Question
from quiz_app.classroom.answers import Tally
from quiz_app.classroom.stats import (
    Shape,
    discrimination,
    dubious_reasons,
    facility,
    option_counts,
    pearson,
    shape_of,
    split_letters,
    top_wrong,
)

SINGLE = Question("s", "single", "p", "e", choices=(Choice("a"), Choice("b"), Choice("c"), Choice("d")), answer="B")
MULTIPLE = Question(
    "m", "multiple", "p", "e", choices=(Choice("a"), Choice("b"), Choice("c"), Choice("d")), answer=frozenset("AC")
)
TRUE_FALSE = Question("t", "true_false", "p", "e", answer=False)
PREDICT = Question("p", "predict", "p", "e", code="print(1)", snippet="print(1)", answer="1")


def tally(question: str, *responses: tuple[str, bool | None], player: str = "ann") -> Tally:
    counted = Tally(player, "bank", question)
    for response, correct in responses:
        counted.count(response, correct, 1, 2.0)
    return counted


def test_facility_is_the_share_right_of_graded_answers():
    counted = [tally("s", ("B", True)), tally("s", ("C", False)), tally("s", ("B", True)), tally("s", ("x", None))]
    assert facility(counted) == pytest.approx(2 / 3)
    assert facility([tally("s", ("x", None))]) is None


def test_pearson_needs_three_pairs_and_variance():
    assert pearson([1, 0], [0.9, 0.1]) is None
    assert pearson([1, 1, 1], [0.2, 0.5, 0.9]) is None  # everyone right: no variance
    assert pearson([1, 0, 1], [0.5, 0.5, 0.5]) is None
    assert pearson([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]) == pytest.approx(0.9899, abs=1e-4)
    assert pearson([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]) == pytest.approx(-0.9899, abs=1e-4)


def class_of(results: dict[str, dict[str, bool]]) -> dict[str, dict[str, Tally]]:
    return {
        player: {q: tally(q, ("B" if right else "C", right), player=player) for q, right in answers.items()}
        for player, answers in results.items()
    }


def test_discrimination_is_positive_when_strong_students_are_right_and_negative_when_wrong():
    strong = {"f1": True, "f2": True, "f3": True}
    weak = {"f1": False, "f2": False, "f3": True}
    by_player = class_of(
        {
            "s1": {**strong, "good": True, "bad": False},
            "s2": {**strong, "good": True, "bad": False},
            "s3": {**strong, "good": True, "bad": True},
            "w1": {**weak, "good": False, "bad": True},
            "w2": {**weak, "good": False, "bad": True},
            "w3": {**weak, "good": True, "bad": True},
        }
    )
    good = discrimination("good", by_player)
    bad = discrimination("bad", by_player)
    assert good is not None and good > 0.5
    assert bad is not None and bad < -0.5
    assert discrimination("f3", by_player) is None  # everyone right
    assert discrimination("nobody-answered", by_player) is None


def test_discrimination_leaves_out_a_student_with_no_other_answer():
    by_player = class_of(
        {"a": {"q": True, "r": True}, "b": {"q": False, "r": False}, "c": {"q": True, "r": False}, "d": {"q": True}}
    )
    # d answered only q: three students remain, so there is an index; with d alone out of b, c: none.
    assert discrimination("q", by_player) is not None
    del by_player["a"]
    assert discrimination("q", by_player) is None


def test_option_counts_count_each_letter_of_a_multiple_answer_and_show_unpicked_letters():
    counted = [tally("m", ("A, C", True)), tally("m", ("A, B", False)), tally("m", ("C", False))]
    shape = shape_of(MULTIPLE, counted)
    assert option_counts(shape, counted) == {"A": 2, "B": 1, "C": 2, "D": 0}
    assert top_wrong(shape, option_counts(shape, counted), counted) == "B"


def test_single_counts_letters_as_stored_and_top_wrong_is_the_most_chosen_wrong_letter():
    counted = [tally("s", (r, r == "B")) for r in ("B", "C", "C", "A", "C", "B")]
    shape = shape_of(SINGLE, counted)
    options = option_counts(shape, counted)
    assert options == {"A": 1, "B": 2, "C": 3, "D": 0}
    assert top_wrong(shape, options, counted) == "C"
    assert dubious_reasons(shape, 6, 2 / 6, None, options) == ["C (3) was chosen more often than the key B (2)"]


def test_true_false_and_predict_options():
    counted = [tally("t", ("false", True)), tally("t", ("true", False)), tally("t", ("true", False))]
    shape = shape_of(TRUE_FALSE, counted)
    assert option_counts(shape, counted) == {"true": 2, "false": 1}
    assert top_wrong(shape, option_counts(shape, counted), counted) == "true"
    wrong = ["2", "2", "0", "0", "0", "a", "b", "c", "d"]
    counted = [tally("p", ("1", True))] + [tally("p", (w, False)) for w in wrong] + [tally("p", ("2  \n", False))]
    shape = shape_of(PREDICT, counted)
    options = option_counts(shape, counted)
    assert options == {"0": 3, "2": 3, "a": 1, "b": 1, "c": 1}  # the five most common wrong ones
    assert top_wrong(shape, options, counted) == "0"


def test_without_the_bank_the_shape_and_key_come_from_the_answers():
    letters = [tally("s", ("B", True)), tally("s", ("C", False)), tally("s", ("A, C", False))]
    assert shape_of(None, letters) == Shape("letters", "", frozenset({"B"}))
    assert option_counts(shape_of(None, letters), letters) == {"A": 1, "B": 1, "C": 2}
    assert shape_of(None, [tally("t", ("true", False))]) == Shape("true_false", "", None)
    assert top_wrong(Shape("true_false"), {"true": 1, "false": 0}, [tally("t", ("true", False))]) == "true"
    assert shape_of(None, [tally("p", ("tensor(1.)", False))]).kind == "text"
    assert split_letters("a, c") == ["A", "C"]


def test_dubious_reasons():
    letters = Shape("letters", "ABCD", frozenset({"A"}))
    assert dubious_reasons(letters, 10, 0.5, -0.3, {"A": 5}) == ["negative discrimination (-0.30)"]
    assert dubious_reasons(letters, 10, 0.5, 0.3, {"A": 5}) == []
    assert "below 20%" in dubious_reasons(letters, 5, 0.1, None, {"A": 0})[0]
    assert dubious_reasons(letters, 4, 0.0, None, {"A": 0}) == []  # too few answers to judge
    assert "above 95%" in dubious_reasons(letters, 20, 1.0, None, {"A": 20})[0]
    multiple = Shape("letters", "ABCD", frozenset({"A", "C"}))
    assert dubious_reasons(multiple, 9, 0.5, None, {"A": 5, "B": 4, "C": 3}) == [
        "B (4) was chosen more often than the key A, C; C had 3"
    ]
    assert dubious_reasons(Shape("text"), 9, 0.5, None, {"x": 9}) == []
