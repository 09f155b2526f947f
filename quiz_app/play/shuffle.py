"""Each player's order, and the way back to the bank's letters (exams and shuffled practice).

The order is a pure function of the bank's id, the player's name and the question ids: each
question, and each choice within a question, is ranked by a SHA-256 of those, so a relaunch
shows the same player the same order, another player another one, and a question or choice
added to a bank leaves the others' order as it was.

A shuffled question is shown with its choices relabelled A, B, C… in the shown order; what the
player picks is mapped back (``ShownQuestion.to_bank``) before it is graded for the store, so
answers are kept, and reported, with the bank's letters as written.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from quiz_app.bank import Bank, Question
from quiz_app.bank.model import LETTERS

Response: TypeAlias = "str | bool | frozenset[str]"


def _rank(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def question_order(questions: Iterable[Question], player: str, bank_id: str) -> tuple[Question, ...]:
    """The questions in this player's order for this bank."""
    return tuple(sorted(questions, key=lambda question: _rank(bank_id, player, "question", question.id)))


def choice_order(question: Question, player: str, bank_id: str) -> str:
    """The bank letters in the order shown: ``order[i]`` is the bank letter shown as ``LETTERS[i]``.
    As written for a question that says ``fixed_order: true``; empty for true_false and predict
    questions, which have no choices to shuffle."""
    if question.fixed_order:
        return question.letters
    return "".join(sorted(question.letters, key=lambda letter: _rank(bank_id, player, question.id, letter)))


@dataclass(frozen=True)
class ShownQuestion:
    """A question as one player is shown it: ``shown`` has the choices in the shown order,
    labelled from A, and its key in those labels; ``original`` is the question of the bank."""

    original: Question
    shown: Question
    order: str  # order[i]: the bank letter of the choice shown as LETTERS[i]

    def to_bank(self, response: Response) -> Response:
        """A response in shown letters, in the bank's letters (other responses as they are)."""
        return _relabel(response, LETTERS[: len(self.order)], self.order)

    def to_shown(self, response: Response) -> Response:
        """A response in the bank's letters, in the letters shown."""
        return _relabel(response, self.order, LETTERS[: len(self.order)])


def _relabel(response: Response, source: str, target: str) -> Response:
    if not source or isinstance(response, bool):
        return response
    if isinstance(response, str):
        letter = response.strip().upper()
        return target[source.index(letter)] if len(letter) == 1 and letter in source else response
    return frozenset(target[source.index(letter)] if letter in source else letter for letter in response)


def shown_question(question: Question, player: str, bank_id: str) -> ShownQuestion:
    order = choice_order(question, player, bank_id)
    if not order:
        return ShownQuestion(question, question, "")
    choices = tuple(question.choices[LETTERS.index(letter)] for letter in order)
    answer = question.answer
    if isinstance(answer, (str, frozenset)) and question.type in ("single", "multiple"):
        answer = _relabel(answer, order, LETTERS[: len(order)])  # type: ignore[assignment]
    shown = dataclasses.replace(question, choices=choices, answer=answer)
    return ShownQuestion(question, shown, order)


def shuffled(
    bank: Bank, questions: Sequence[Question], player: str, *, order_questions: bool = True
) -> tuple[tuple[Question, ...], dict[str, ShownQuestion]]:
    """The questions in the player's order (as given, with ``order_questions=False``), each with
    its choices in the player's order, and each shown question by id (what ``QuizRun.shuffled``
    keeps to map answers back)."""
    ordered = question_order(questions, player, bank.id) if order_questions else tuple(questions)
    items = [shown_question(question, player, bank.id) for question in ordered]
    return tuple(item.shown for item in items), {item.shown.id: item for item in items}
