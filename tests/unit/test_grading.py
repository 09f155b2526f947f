"""Unit tests for quiz_app.bank.grading: every grading and matching rule, without YAML or torch.

Questions are built straight from the model's dataclasses so that these run in milliseconds.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import regex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import quiz_app.bank.grading as grading
from quiz_app.bank.grading import (
    ExpectTooSlow,
    Verdict,
    exception_type_of,
    expect_pattern,
    explain_difference,
    grade,
    matches_expect,
    normalise_outcome,
    predict_matches,
    without_whitespace,
)
from quiz_app.bank.model import Question

# The autouse ``quiz_home`` fixture in conftest.py is function-scoped; it is harmless here.
PROPERTY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


def single(answer: str = "B") -> Question:
    return Question("s", "single", "Which?", "Because.", choices=("a", "b", "c", "d"), answer=answer)


def multiple(*letters: str) -> Question:
    return Question("m", "multiple", "Which?", "Because.", choices=("a", "b", "c", "d"), answer=frozenset(letters))


def true_false(answer: bool) -> Question:
    return Question("t", "true_false", "True?", "Because.", answer=answer)


def predict(answer: str | None = None) -> Question:
    return Question("p", "predict", "What prints?", "Because.", snippet="print(1)", answer=answer)


# --- Verdict -------------------------------------------------------------------------------


def test_verdict_values_are_the_stored_words() -> None:
    assert Verdict.CORRECT.value == "correct"
    assert Verdict.WRONG.value == "wrong"
    assert Verdict.UNGRADED.value == "not graded"


# --- single --------------------------------------------------------------------------------


@pytest.mark.parametrize("response", ["B", "b", " B", "b  ", "\tb\n"])
def test_single_right_letter_any_case_and_spaces(response: str) -> None:
    assert grade(single("B"), response) is Verdict.CORRECT


@pytest.mark.parametrize("response", ["A", "a", "C", "D", " c ", "E", "", "BB", "B C", "AB"])
def test_single_any_other_letter_is_wrong(response: str) -> None:
    assert grade(single("B"), response) is Verdict.WRONG


def test_single_every_letter_but_the_key_is_wrong() -> None:
    for key in "ABCD":
        verdicts = {letter: grade(single(key), letter) for letter in "ABCD"}
        assert verdicts == {letter: Verdict.CORRECT if letter == key else Verdict.WRONG for letter in "ABCD"}


@pytest.mark.parametrize("response", [["B"], ("B",), {"B"}, True])
def test_single_response_must_be_a_str(response: object) -> None:
    assert grade(single("B"), response) is Verdict.WRONG  # type: ignore[arg-type]


def test_single_none_is_wrong() -> None:
    assert grade(single("B"), None) is Verdict.WRONG


# --- multiple ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "response",
    [["A", "C"], ["C", "A"], ("c", "a"), {"A", "C"}, frozenset({"a", "C"}), ["A", "C", "A"]],
)
def test_multiple_is_a_set_order_and_case_free(response: object) -> None:
    assert grade(multiple("A", "C"), response) is Verdict.CORRECT  # type: ignore[arg-type]


def test_multiple_accepts_any_iterable() -> None:
    assert grade(multiple("A", "C"), (letter for letter in "CA")) is Verdict.CORRECT


@pytest.mark.parametrize(
    "response", [["A"], ["C"], ["A", "B", "C"], ["A", "C", "D"], ["B", "D"], [], ["A", "B", "C", "D"]]
)
def test_multiple_subset_superset_or_other_set_is_wrong(response: list[str]) -> None:
    assert grade(multiple("A", "C"), response) is Verdict.WRONG


def test_multiple_str_response_is_one_letter() -> None:
    assert grade(multiple("B"), "B") is Verdict.CORRECT
    assert grade(multiple("B"), "b") is Verdict.CORRECT
    assert grade(multiple("B"), "A") is Verdict.WRONG
    # A str is one letter, not a sequence of letters.
    assert grade(multiple("A", "C"), "AC") is Verdict.WRONG
    assert grade(multiple("A", "C"), "A") is Verdict.WRONG


def test_multiple_none_is_wrong() -> None:
    assert grade(multiple("A"), None) is Verdict.WRONG


# --- true_false ----------------------------------------------------------------------------


@pytest.mark.parametrize("key", [True, False])
def test_true_false_right_and_wrong(key: bool) -> None:
    assert grade(true_false(key), key) is Verdict.CORRECT
    assert grade(true_false(key), not key) is Verdict.WRONG


@pytest.mark.parametrize("response", ["true", "True", "false", 1, 0, "", ["true"]])
def test_true_false_must_be_a_bool(response: object) -> None:
    assert grade(true_false(True), response) is Verdict.WRONG  # type: ignore[arg-type]
    assert grade(true_false(False), response) is Verdict.WRONG  # type: ignore[arg-type]


def test_true_false_none_is_wrong_even_for_false() -> None:
    assert grade(true_false(False), None) is Verdict.WRONG
    assert grade(true_false(True), None) is Verdict.WRONG


# --- predict -------------------------------------------------------------------------------


def test_predict_against_the_key() -> None:
    assert grade(predict("False"), "False") is Verdict.CORRECT
    assert grade(predict("False"), "True") is Verdict.WRONG


def test_predict_key_wins_over_live_outcome() -> None:
    question = predict("False")
    assert grade(question, "False", live_outcome="True") is Verdict.CORRECT
    assert grade(question, "True", live_outcome="True") is Verdict.WRONG


def test_predict_key_normalised_on_both_sides() -> None:
    assert grade(predict("a\nb\n"), "\na  \r\nb") is Verdict.CORRECT


def test_predict_key_must_be_equal_not_contained() -> None:
    question = predict("tensor([1., 2.])\nTrue")
    assert grade(question, "True") is Verdict.WRONG
    assert grade(question, "tensor([1., 2.])") is Verdict.WRONG
    assert grade(question, "1") is Verdict.WRONG
    assert grade(question, "") is Verdict.WRONG
    assert grade(predict("True"), "True\nTrue") is Verdict.WRONG


def test_predict_key_naming_an_exception_accepts_its_type() -> None:
    question = predict("RuntimeError: a leaf Variable that requires grad")
    assert grade(question, "RuntimeError") is Verdict.CORRECT
    assert grade(question, "ValueError") is Verdict.WRONG


def test_predict_without_key_against_live_outcome() -> None:
    question = predict(None)
    assert grade(question, "False", live_outcome="False\n") is Verdict.CORRECT
    assert grade(question, "True", live_outcome="False\n") is Verdict.WRONG
    assert grade(question, "Fal", live_outcome="False\n") is Verdict.WRONG


def test_predict_without_key_uses_live_exception_type() -> None:
    question = predict(None)
    outcome = "CUDA out of memory."  # an outcome whose exception line is not recognisable
    assert grade(question, "OutOfMemoryError", outcome, "torch.OutOfMemoryError") is Verdict.CORRECT
    assert grade(question, "torch.OutOfMemoryError", outcome, "torch.OutOfMemoryError") is Verdict.CORRECT
    assert grade(question, "RuntimeError", outcome, "torch.OutOfMemoryError") is Verdict.WRONG
    assert grade(question, "OutOfMemoryError", outcome) is Verdict.WRONG


def test_predict_without_key_or_outcome_is_not_graded() -> None:
    assert grade(predict(None), "anything") is Verdict.UNGRADED
    assert grade(predict(None), "", live_outcome=None, live_exc_type="RuntimeError") is Verdict.UNGRADED


def test_predict_empty_outcome_is_graded_not_skipped() -> None:
    # An empty outcome is an outcome (the snippet printed nothing), not a missing one.
    assert grade(predict(None), "", live_outcome="") is Verdict.CORRECT
    assert grade(predict(None), "x", live_outcome="") is Verdict.WRONG


def test_predict_none_response_is_wrong_not_ungraded() -> None:
    assert grade(predict("1"), None) is Verdict.WRONG
    assert grade(predict(None), None) is Verdict.WRONG
    assert grade(predict(None), None, live_outcome="None") is Verdict.WRONG


# --- normalise_outcome ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a  \nb\t\n", "a\nb"),
        ("\n\n  \na\nb", "a\nb"),
        ("a\nb\n\n \n", "a\nb"),
        ("a\r\nb\r\n", "a\nb"),
        ("a \r\nb", "a\nb"),
        ("", ""),
        ("\n \n\t\n", ""),
        ("x", "x"),
    ],
)
def test_normalise_ignores(text: str, expected: str) -> None:
    assert normalise_outcome(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\n\nb", "a\n\nb"),  # inner blank lines are kept
        ("a\n  \nb", "a\n\nb"),  # ...even if they held spaces
        ("  a\n b", "  a\n b"),  # leading spaces are kept
        ("a b", "a b"),  # a space inside a line is kept
        ("\n  a", "  a"),  # a leading blank line goes, the indent of the first line stays
    ],
)
def test_normalise_keeps(text: str, expected: str) -> None:
    assert normalise_outcome(text) == expected


def test_normalise_does_not_equate_what_it_keeps() -> None:
    assert normalise_outcome("a\n\nb") != normalise_outcome("a\nb")
    assert normalise_outcome(" a") != normalise_outcome("a")
    assert normalise_outcome("a b") != normalise_outcome("ab")


@PROPERTY
@given(st.text(alphabet=st.sampled_from("ab \t\r\n.:E"), max_size=40))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise_outcome(text)
    assert normalise_outcome(once) == once
    assert "\r\n" not in once
    assert once == once.strip("\n")
    assert all(line == line.rstrip() for line in once.split("\n"))


@PROPERTY
@given(st.text(max_size=60))
def test_normalise_is_idempotent_any_text(text: str) -> None:
    assert normalise_outcome(normalise_outcome(text)) == normalise_outcome(text)


# --- predict_matches -----------------------------------------------------------------------


@PROPERTY
@given(st.text(max_size=60), st.one_of(st.none(), st.text(max_size=20)))
def test_predict_matches_itself(text: str, exc_type: str | None) -> None:
    assert predict_matches(text, text, exc_type)
    assert predict_matches(normalise_outcome(text), text)
    assert predict_matches(text, normalise_outcome(text))


@PROPERTY
@given(st.text(alphabet="abc\n", min_size=1, max_size=20), st.text(alphabet="abc\n", min_size=1, max_size=20))
def test_predict_matches_only_equal_outcomes(left: str, right: str) -> None:
    # No exception in sight, so a match means equal once whitespace is set aside, never containment.
    assert predict_matches(left, right) == (without_whitespace(left) == without_whitespace(right))


def test_predict_matches_is_equality_not_containment() -> None:
    assert not predict_matches("True", "True\nFalse")
    assert not predict_matches("rue", "True")
    assert not predict_matches("", "True")
    assert not predict_matches("True\nFalse", "True")
    assert predict_matches("True  \n", "\nTrue")


@pytest.mark.parametrize(
    "response",
    ["RuntimeError", "RuntimeError  ", "\nRuntimeError\n", "hi\nRuntimeError: boom", "  RuntimeError"],
)
def test_predict_matches_exception_type_in_outcome(response: str) -> None:
    assert predict_matches(response, "hi\nRuntimeError: boom\n")


@pytest.mark.parametrize(
    "response",
    ["runtimeerror", "Runtime", "Error", "boom", "hi", "ValueError", "RuntimeError: boom"],
)
def test_predict_matches_exception_type_must_be_exact(response: str) -> None:
    assert not predict_matches(response, "hi\nRuntimeError: boom\n")


def test_predict_matches_dotted_exception_in_outcome() -> None:
    outcome = "torch.OutOfMemoryError: CUDA out of memory."
    assert predict_matches("torch.OutOfMemoryError", outcome)
    assert predict_matches("OutOfMemoryError", outcome)
    assert not predict_matches("torch", outcome)
    assert not predict_matches("MemoryError", outcome)
    deep = "torch.cuda.OutOfMemoryError: no"
    assert predict_matches("OutOfMemoryError", deep)
    assert predict_matches("torch.cuda.OutOfMemoryError", deep)
    assert not predict_matches("cuda.OutOfMemoryError", deep)
    assert not predict_matches("torch.cuda", deep)


def test_predict_matches_given_exception_type() -> None:
    assert predict_matches("OutOfMemoryError", "whatever", "torch.OutOfMemoryError")
    assert predict_matches("torch.OutOfMemoryError", "whatever", "torch.OutOfMemoryError")
    assert not predict_matches("torch", "whatever", "torch.OutOfMemoryError")
    assert predict_matches("KeyError", "whatever", "KeyError")


def test_predict_matches_given_exception_type_wins_over_the_outcome() -> None:
    outcome = "RuntimeError: boom"
    assert predict_matches("OutOfMemoryError", outcome, "torch.OutOfMemoryError")
    assert not predict_matches("RuntimeError", outcome, "torch.OutOfMemoryError")
    assert predict_matches("RuntimeError: boom", outcome, "torch.OutOfMemoryError")


def test_predict_matches_no_exception_no_type_name() -> None:
    # The outcome does not end in an exception: a type name is just wrong text.
    assert not predict_matches("RuntimeError", "RuntimeError: boom\nrecovered")
    assert not predict_matches("RuntimeError", "all fine")
    assert predict_matches("Error", "Error")  # equal text still matches
    assert not predict_matches("ValueError", "print('ValueError')")


# --- exception_type_of ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("RuntimeError: boom", "RuntimeError"),
        ("out\nValueError: bad\n\n", "ValueError"),
        ("torch.OutOfMemoryError: CUDA out of memory.", "torch.OutOfMemoryError"),
        ("torch.cuda.OutOfMemoryError: x", "torch.cuda.OutOfMemoryError"),
        ("MyException: custom", "MyException"),
        ("SystemExit: 3", "SystemExit"),
        ("KeyboardInterrupt: ", "KeyboardInterrupt"),
        ("_PrivateError: x", "_PrivateError"),
        ("Error2Error: x", "Error2Error"),
        ("a\r\nKeyError: 'k'  \r\n", "KeyError"),
    ],
)
def test_exception_type_of_last_line(outcome: str, expected: str) -> None:
    assert exception_type_of(outcome) == expected


def test_bare_exception_is_an_exception() -> None:
    assert exception_type_of("Exception: plain") == "Exception"
    assert grade(predict("Exception: plain"), "Exception") is Verdict.CORRECT


@pytest.mark.parametrize(
    "outcome",
    [
        "",
        "\n\n",
        "True",
        "RuntimeError: boom\nbut then it printed more",
        "RuntimeError",  # no colon: printed, not raised
        "Warning: careful",  # not an exception name
        "StopIteration: x",  # does not end in Error/Exception/Exit/Interrupt
        "  RuntimeError: indented",
        "see RuntimeError: boom",
        "1Error: digits first",
        "RuntimeError : space before colon",
    ],
)
def test_exception_type_of_none(outcome: str) -> None:
    assert exception_type_of(outcome) is None


# --- expect_pattern / matches_expect -------------------------------------------------------


@pytest.mark.parametrize(
    ("expect", "pattern"),
    [
        ("/ab+c/", "ab+c"),
        ("//", ""),
        ("/a/b/", "a/b"),
        ("/", None),
        ("", None),
        ("abc", None),
        ("/abc", None),
        ("abc/", None),
        (" /a/", None),
        ("/a/ ", None),
    ],
)
def test_expect_pattern(expect: str, pattern: str | None) -> None:
    assert expect_pattern(expect) == pattern


def test_matches_expect_regex_matches_and_not() -> None:
    assert matches_expect(r"/shape \[2, \d\]/", "torch.Size([2, 3])\nshape [2, 3]")
    assert not matches_expect(r"/shape \[2, \d\]/", "shape [3, 3]")
    assert matches_expect("/Error/", "RuntimeError: x")  # searched, not matched at the start


def test_matches_expect_regex_is_multiline() -> None:
    outcome = "first\nTrue\nlast"
    assert matches_expect("/^True$/", outcome)
    assert not matches_expect("/^False$/", outcome)
    assert not matches_expect("/^rue$/", outcome)


def test_matches_expect_regex_is_not_dotall_or_ignorecase() -> None:
    assert not matches_expect("/a.b/", "a\nb")
    assert not matches_expect("/true/", "True")


def test_matches_expect_regex_is_not_normalised_text() -> None:
    # "/" ... "/" makes a regex: the dot is a wildcard, not a literal.
    assert matches_expect("/1.0/", "1x0")
    # whereas plain text is literal.
    assert not matches_expect("1.0", "1x0")


def test_matches_expect_empty_regex_matches_anything() -> None:
    assert matches_expect("//", "whatever")
    assert matches_expect("//", "")


def test_matches_expect_regex_past_its_time_limit_is_too_slow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grading, "EXPECT_REGEX_SECONDS", 0.02)
    with pytest.raises(ExpectTooSlow, match=r"^the 'expect' regex ran for over 0\.02 s; simplify it$") as caught:
        matches_expect("/(a|aa)+c/", "a" * 5000)  # catastrophic backtracking
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value.__cause__, TimeoutError)


def test_matches_expect_too_slow_message_names_the_default_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def search(pattern: str, string: str, flags: int = 0, **kwargs: object) -> None:
        seen.update(pattern=pattern, string=string, flags=flags, **kwargs)
        raise TimeoutError("regex timed out")

    monkeypatch.setattr(grading, "regex", SimpleNamespace(search=search, MULTILINE=regex.MULTILINE))
    with pytest.raises(ExpectTooSlow, match=r"^the 'expect' regex ran for over 1 s; simplify it$"):
        matches_expect("/a+/", "aaa")
    assert seen == {"pattern": "a+", "string": "aaa", "flags": regex.MULTILINE, "timeout": 1.0}


def test_matches_expect_lone_slash_is_plain_text() -> None:
    assert matches_expect("/", "a/b")
    assert not matches_expect("/", "ab")


def test_matches_expect_plain_containment() -> None:
    outcome = "tensor(3.)\nTrue\nFalse\n"
    assert matches_expect("True", outcome)
    assert matches_expect("True\nFalse", outcome)
    assert matches_expect("rue\nFal", outcome)
    assert matches_expect(outcome, outcome)
    assert not matches_expect("False\nTrue", outcome)
    assert not matches_expect("true", outcome)
    assert not matches_expect("None", outcome)


def test_matches_expect_plain_normalised_both_sides() -> None:
    assert matches_expect("True  \n", "a\r\nTrue   \r\nb")
    assert matches_expect("\n\nTrue\nFalse\n\n", "True  \r\nFalse\r\n")
    assert matches_expect("a\nb", "a   \nb")  # trailing spaces in the outcome are ignored
    assert not matches_expect("a\nb", "a\n\nb")  # an inner blank line is not
    assert not matches_expect("a b", "ab")


@PROPERTY
@given(st.text(max_size=40))
def test_matches_expect_plain_text_contains_itself(text: str) -> None:
    if expect_pattern(text) is None:
        assert matches_expect(text, text)
        assert matches_expect(text, "before\n" + text + "\nafter")


@pytest.mark.parametrize(
    ("response", "reference"),
    [
        ("False\n[[1.0,1.0]]", "False\n[[1.0, 1.0]]\n"),  # one space short
        ("True False", "True\nFalse"),  # a line break for a space
        ("\ttensor([1.,  2.])", "tensor([1., 2.])"),
    ],
)
def test_a_prediction_that_differs_only_in_whitespace_is_right(response: str, reference: str) -> None:
    assert predict_matches(response, reference)
    assert explain_difference(response, reference) is None


def test_a_near_miss_is_explained_where_it_first_differs() -> None:
    assert explain_difference("False\n[1.0]", "False\n[2.0]") == "line 2: you wrote '[1.0]', it printed '[2.0]'"
    assert explain_difference("False", "False\nTrue") == "it printed 2 lines and you wrote 1; line 2 is 'True'"
    assert explain_difference("a\nb\nc", "a\nb") == "it printed 2 lines and you wrote 3"
    assert not predict_matches("False\n[1.0]", "False\n[2.0]")
