"""Exam mode: the plan (a bank and its minutes) and one player's paper.

An exam shows each player the questions, and each question's choices, in an order of their own
(see ``shuffle``); answers are kept with the bank's letters.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from quiz_app.bank import Bank, Question, Verdict
from quiz_app.play.run import QuizRun, Result, response_text
from quiz_app.play.shuffle import Response, shuffled

MINUTES_PER_QUESTION = 1.5  # the default length of an exam, per question


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
