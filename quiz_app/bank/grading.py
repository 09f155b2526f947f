"""Grading a learner's answer, and matching a snippet's outcome against a bank's ``expect``."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable

import regex

from quiz_app.bank.model import Question
from quiz_app.core.i18n import _, ngettext

_EXCEPTION_LINE = re.compile(r"((?:[A-Za-z_][\w.]*)?(?:Error|Exception|Exit|Interrupt)):")


class Verdict(enum.Enum):
    CORRECT = "correct"
    WRONG = "wrong"
    UNGRADED = "not graded"


def normalise_outcome(text: str) -> str:
    """Ignore trailing spaces on each line and blank lines at the start and the end."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def expect_pattern(expect: str) -> str | None:
    """The regular expression of an ``expect`` written as ``/regex/``, else None (plain text)."""
    if len(expect) >= 2 and expect.startswith("/") and expect.endswith("/"):
        return expect[1:-1]
    return None


EXPECT_REGEX_SECONDS = 1.0


class ExpectTooSlow(ValueError):
    """A ``/regex/`` expect ran past its time limit (catastrophic backtracking, say)."""


def matches_expect(expect: str, outcome: str) -> bool:
    """``expect`` is text the outcome must contain, or ``/regex/`` searched in it.

    A regex runs under a time limit of ``EXPECT_REGEX_SECONDS``; past it, ``ExpectTooSlow``.
    """
    pattern = expect_pattern(expect)
    if pattern is not None:
        try:
            return regex.search(pattern, outcome, regex.MULTILINE, timeout=EXPECT_REGEX_SECONDS) is not None
        except TimeoutError as error:
            raise ExpectTooSlow(f"the 'expect' regex ran for over {EXPECT_REGEX_SECONDS:g} s; simplify it") from error
    return normalise_outcome(expect) in normalise_outcome(outcome)


def exception_type_of(outcome: str) -> str | None:
    """The exception type named by an outcome's last line, if it ends in one."""
    lines = normalise_outcome(outcome).split("\n")
    match = _EXCEPTION_LINE.match(lines[-1]) if lines else None
    return match.group(1) if match else None


_WHITESPACE = re.compile(r"\s+")


def without_whitespace(text: str) -> str:
    return _WHITESPACE.sub("", text)


def predict_matches(response: str, reference: str, exc_type: str | None = None) -> bool:
    """A predict answer is right if it differs from the reference outcome only in whitespace
    (spaces, tabs, line breaks, anywhere): `[[1.0,1.0]]` matches `[[1.0, 1.0]]`.

    Where the outcome ends in an exception, the exception's type name alone is accepted.
    """
    given = without_whitespace(response)
    if given == without_whitespace(reference):
        return True
    exc_type = exc_type or exception_type_of(reference)
    return exc_type is not None and given in (exc_type, exc_type.rsplit(".", 1)[-1])


def explain_difference(response: str, reference: str) -> str | None:
    """Where a prediction first parts from the outcome, in words, ignoring whitespace as the
    grading does; None when they match. E.g. "line 2: you wrote '[1.0]', it printed '[2.0]'"."""
    given, wanted = normalise_outcome(response).split("\n"), normalise_outcome(reference).split("\n")
    if without_whitespace(response) == without_whitespace(reference):
        return None
    for number, (mine, theirs) in enumerate(zip(given, wanted, strict=False), start=1):
        if without_whitespace(mine) != without_whitespace(theirs):
            return _("line {number}: you wrote {given}, it printed {printed}").format(
                number=number, given=repr(_clip(mine)), printed=repr(_clip(theirs))
            )
    if len(given) < len(wanted):
        missing = _clip(wanted[len(given)])
        return _("it printed {printed} lines and you wrote {given}; line {number} is {missing}").format(
            printed=len(wanted), given=len(given), number=len(given) + 1, missing=repr(missing)
        )
    return ngettext(
        "it printed {printed} line and you wrote {given}",
        "it printed {printed} lines and you wrote {given}",
        len(wanted),
    ).format(printed=len(wanted), given=len(given))


def _clip(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def grade(
    question: Question,
    response: str | bool | Iterable[str] | None,
    live_outcome: str | None = None,
    live_exc_type: str | None = None,
) -> Verdict:
    """Grade a response: a letter, letters, a bool, or the text a learner predicts.

    A predict question without an answer key is graded against the live outcome; when there
    is none (the snippet could not run), it is not graded rather than counted wrong.
    """
    if response is None:
        return Verdict.WRONG
    if question.type == "single":
        ok = isinstance(response, str) and response.strip().upper() == question.answer
    elif question.type == "multiple":
        letters = {response} if isinstance(response, str) else set(response)  # type: ignore[arg-type]
        ok = {str(letter).upper() for letter in letters} == question.answer
    elif question.type == "true_false":
        ok = response is question.answer
    else:
        if question.answer is not None:
            ok = predict_matches(str(response), str(question.answer))
        elif live_outcome is None:
            return Verdict.UNGRADED
        else:
            ok = predict_matches(str(response), live_outcome, live_exc_type)
    return Verdict.CORRECT if ok else Verdict.WRONG
