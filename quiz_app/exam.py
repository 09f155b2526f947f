"""Exam mode, and shuffled practice: the order a player sees, and the way back to the bank's letters.

Domain code (no Textual). The order is a pure function of the bank's id, the player's name and
the question ids: each question, and each choice within a question, is ranked by a SHA-256 of
those, so a relaunch shows the same player the same order, another player another one, and a
question or choice added to a bank leaves the others' order as it was.

A shuffled question is shown with its choices relabelled A, B, C… in the shown order; what the
player picks is mapped back (``ShownQuestion.to_bank``) before it is graded for the store, so
answers are kept, and reported, with the bank's letters as written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from quiz_app.bank import Bank, Question, Verdict
from quiz_app.bank.model import LETTERS
from quiz_app.quiz_run import QuizRun, Result, response_text

Response: TypeAlias = "str | bool | frozenset[str]"
MINUTES_PER_QUESTION = 1.5  # the default length of an exam, per question


def _rank(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def question_order(questions: Iterable[Question], player: str, bank_id: str) -> tuple[Question, ...]:
    """The questions in this player's order for this bank."""
    return tuple(sorted(questions, key=lambda question: _rank(bank_id, player, "question", question.id)))


def choice_order(question: Question, player: str, bank_id: str) -> str:
    """The bank letters in the order shown: ``order[i]`` is the bank letter shown as ``LETTERS[i]``.
    Empty for true_false and predict questions, which have no choices to shuffle."""
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
    bank: Bank, questions: Sequence[Question], player: str
) -> tuple[tuple[Question, ...], dict[str, ShownQuestion]]:
    """The questions in the player's order, each with its choices in the player's order, and
    each shown question by id (what ``QuizRun.shuffled`` keeps to map answers back)."""
    items = [shown_question(question, player, bank.id) for question in question_order(questions, player, bank.id)]
    return tuple(item.shown for item in items), {item.shown.id: item for item in items}


def shuffle_run(run: QuizRun, player: str) -> QuizRun:
    """Practice in the player's order (``shuffle: true`` in the bank, or ``--shuffle``). A review
    session keeps its own order, and a run already shuffled (a retry of one) is left as it is."""
    if run.review or run.shuffled:
        return run
    questions, shown = shuffled(run.bank, run.questions, player)
    mixed = dataclasses.replace(run, questions=questions, shuffled=shown)
    if run.resumed_at is not None:  # a run going on: at its first unanswered question in this order
        mixed.go_on()
    return mixed


def default_minutes(bank: Bank) -> float:
    """1.5 minutes per question, rounded up to a whole minute."""
    return float(math.ceil(MINUTES_PER_QUESTION * len(bank.questions)))


@dataclass(frozen=True)
class ExamPlan:
    """What ``quiz-app exam`` asked for: the bank, the minutes, and the clock the countdown
    reads (seconds, monotonic; tests move it)."""

    bank: Bank
    minutes: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False, repr=False)

    def paper(self, player: str) -> ExamPaper:
        questions, shown = shuffled(self.bank, self.bank.questions, player)
        return ExamPaper(self, player, QuizRun(self.bank, questions, shuffled=shown))


@dataclass
class ExamPaper:
    """One player's exam: the questions in their order, those still to answer, and what was given.

    One answer per question: an answer is final the moment it is given (it is saved at once,
    graded, and counts as the first answer in ``quiz-app report``). A question may be skipped:
    it comes back after the others still to answer. ``run.results`` holds the verdicts, known
    at once except for a prediction without a key, graded when its snippet has run.
    """

    plan: ExamPlan
    player: str
    run: QuizRun
    pending: list[str] = field(default_factory=list)  # question ids still to answer, the current first
    responses: dict[str, tuple[Response, float]] = field(default_factory=dict)  # id -> (response, seconds)
    ended: str | None = None  # why it ended: "finished", "time" or "ended"
    passed_over: set[str] = field(default_factory=set)  # skipped once, not answered yet

    def __post_init__(self) -> None:
        if not self.pending and not self.responses:
            self.pending = [question.id for question in self.run.questions]

    @property
    def questions(self) -> Sequence[Question]:
        return self.run.questions

    @property
    def current(self) -> Question | None:
        if self.ended is not None or not self.pending:
            return None
        return self.question(self.pending[0])

    def question(self, question_id: str) -> Question:
        return next(question for question in self.run.questions if question.id == question_id)

    def position(self, question: Question) -> int:
        """1 for the first question of this player's order."""
        return [q.id for q in self.run.questions].index(question.id) + 1

    def give(self, response: Response, seconds: float) -> Question:
        """The answer to the current question; the next one still to answer becomes current."""
        question = self.current
        if question is None:
            raise ValueError("the exam has no question to answer now")
        self.responses[question.id] = (response, seconds)
        self.pending.pop(0)
        self.passed_over.discard(question.id)
        if not self.pending:
            self.ended = "finished"
        return question

    def skip(self) -> bool:
        """Put the current question after the others still to answer. False when it is the only one."""
        if self.current is None or len(self.pending) < 2:
            return False
        skipped = self.pending.pop(0)
        self.pending.append(skipped)
        self.passed_over.add(skipped)
        return True

    def end(self, why: str) -> None:
        if self.ended is None:
            self.ended = why

    def grade(self, question: Question, verdict: Verdict) -> bool:
        """Keep a verdict for an answer given; False if it was already graded."""
        if question.id in self.run.results or question.id not in self.responses:
            return False
        response, seconds = self.responses[question.id]
        self.run.record(Result(question, response_text(question, response), verdict, seconds))
        return True

    def verdict(self, question: Question) -> Verdict | None:
        result = self.run.results.get(question.id)
        return result.verdict if result is not None else None

    @property
    def answered(self) -> int:
        return len(self.responses)

    @property
    def correct(self) -> int:
        return self.run.correct

    @property
    def skipped(self) -> int:
        """Questions passed over and still to answer (the current one not counted)."""
        return len(self.passed_over.difference(self.pending[:1]))

    def bank_response(self, question: Question) -> Response | None:
        """The answer given, in the bank's letters (what the store keeps)."""
        given = self.responses.get(question.id)
        if given is None:
            return None
        shown = self.run.shuffled.get(question.id)
        return shown.to_bank(given[0]) if shown is not None else given[0]
