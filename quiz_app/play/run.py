"""One play-through of a bank: which question is next, what was answered, the score so far.

Domain code: the UI drives it, tests drive it without a screen.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

from quiz_app.bank import Bank, Question, Verdict
from quiz_app.play.records import AnswerRecord, MisconceptionMark, UnfinishedAttempt
from quiz_app.play.shuffle import ShownQuestion, shuffled


def response_text(question: Question, response: str | bool | Iterable[str]) -> str:
    """A response as it is stored and shown: ``B``, ``A, C``, ``true``, or the text typed."""
    if question.type == "true_false":
        return "true" if response is True else "false"
    if question.type == "multiple" and not isinstance(response, str):
        return ", ".join(sorted(str(letter) for letter in response))  # type: ignore[union-attr]
    return str(response)


def misconception_marks(bank: Bank, question: Question, response: object) -> tuple[MisconceptionMark, ...]:
    """One mark per belief the question's wrong choices carry: revealed if the response picked it."""
    picked = set(question.picked_labels(response))
    revealed: dict[str, bool] = {}
    for letter, choice in zip(question.letters, question.choices, strict=True):
        if choice.misconception and choice.misconception in bank.misconceptions:
            revealed[choice.misconception] = revealed.get(choice.misconception, False) or letter in picked
    return tuple(MisconceptionMark(mid, bank.misconceptions[mid], hit) for mid, hit in revealed.items())


def answer_record(
    run: QuizRun,
    question: Question,
    response: object,
    verdict: Verdict,
    seconds: float,
    player: str,
    device: str | None,
) -> AnswerRecord:
    """The answer as the store keeps it, under its home bank and question id, with the
    misconceptions it revealed and the moment it was given. A question shown shuffled is kept
    as the bank has it: its content hash, and the response in the bank's letters."""
    bank, original = run.home(question)
    shown = run.shuffled.get(question.id)
    if shown is not None:
        question, response = shown.original, shown.to_bank(response)  # type: ignore[arg-type]
    return AnswerRecord(
        player=player,
        bank_id=bank.id,
        question_id=original.id,
        question_hash=question.content_hash,
        answer=response_text(question, response),  # type: ignore[arg-type]
        correct=None if verdict is Verdict.UNGRADED else verdict is Verdict.CORRECT,
        seconds=round(seconds, 3),
        device=device,
        attempt_id=run.attempt_id,
        answered_at=datetime.now(timezone.utc),
        misconceptions=misconception_marks(bank, question, response),
    )


@dataclass(frozen=True)
class Result:
    question: Question
    response: str
    verdict: Verdict
    seconds: float


@dataclass
class QuizRun:
    """The questions of one attempt, in order, and their results."""

    bank: Bank
    questions: Sequence[Question] = ()
    retry: bool = False
    attempt_id: int | None = None
    index: int = 0
    results: dict[str, Result] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None
    # A review session's questions come from several banks: session id -> (home bank, question).
    homes: Mapping[str, tuple[Bank, Question]] = field(default_factory=dict)
    # Questions shown with their choices shuffled (quiz_app.play.shuffle): id -> the way back to the bank's letters.
    shuffled: Mapping[str, ShownQuestion] = field(default_factory=dict)
    # Set when the run was left unfinished before and goes on here: the question it went on at.
    resumed_at: int | None = None

    def __post_init__(self) -> None:
        if not self.questions:
            self.questions = tuple(self.bank.questions)

    def home(self, question: Question) -> tuple[Bank, Question]:
        """The question's own bank (its setup, its id in the store) and the question as it is there."""
        return self.homes.get(question.id, (self.bank, question))

    def setup_for(self, question: Question) -> str:
        """The setup the question's snippet runs after: its own bank's (in a review too)."""
        return self.home(question)[0].setup

    @property
    def review(self) -> bool:
        """A review session, across banks (it has no attempt of its own)."""
        return bool(self.homes)

    @property
    def current(self) -> Question:
        return self.questions[self.index]

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def correct(self) -> int:
        return sum(result.verdict is Verdict.CORRECT for result in self.results.values())

    @property
    def answered(self) -> int:
        return len(self.results)

    @property
    def finished(self) -> bool:
        return self.index >= self.total

    def go_on(self) -> None:
        """Go on at the first question not answered yet, in this run's order (resuming)."""
        self.index = next(
            (i for i, question in enumerate(self.questions) if question.id not in self.results), self.total
        )
        self.resumed_at = self.index

    def record(self, result: Result) -> None:
        self.results[result.question.id] = result

    def advance(self) -> bool:
        """Move to the next question. False when there is none."""
        self.index += 1
        if self.finished and self.ended is None:
            self.ended = time.monotonic()
        return not self.finished

    @property
    def elapsed(self) -> float:
        return (self.ended or time.monotonic()) - self.started

    def missed(self) -> list[Question]:
        """Questions answered wrong, or not answered at all (never those not graded)."""
        return [
            question
            for question in self.questions
            if question.id not in self.results or self.results[question.id].verdict is Verdict.WRONG
        ]

    def by_tag(self) -> dict[str, tuple[int, int]]:
        """Per tag: (correct, graded answers), in the order tags first appear."""
        tally: dict[str, tuple[int, int]] = {}
        for question in self.questions:
            result = self.results.get(question.id)
            for tag in question.tags:
                right, seen = tally.get(tag, (0, 0))
                if result is not None and result.verdict is not Verdict.UNGRADED:
                    right += result.verdict is Verdict.CORRECT
                    seen += 1
                tally[tag] = (right, seen)
        return tally

    def retry_missed(self) -> QuizRun:
        return QuizRun(self.bank, tuple(self.missed()), retry=True, homes=self.homes, shuffled=self.shuffled)


def resumed(bank: Bank, unfinished: UnfinishedAttempt) -> QuizRun | None:
    """The run left unfinished, going on at its first unanswered question, with its answers
    counted. None where it cannot go on: the bank's questions changed in number since, or every
    question of it is answered."""
    if unfinished.total != len(bank.questions):
        return None
    by_id = {question.id: question for question in bank.questions}
    run = QuizRun(bank, attempt_id=unfinished.attempt_id)
    for stored in unfinished.answers:
        question = by_id.get(stored.question_id)
        if question is None:
            continue
        verdict = Verdict.UNGRADED if stored.correct is None else Verdict.CORRECT if stored.correct else Verdict.WRONG
        run.record(Result(question, stored.answer, verdict, stored.seconds))
    run.go_on()
    return None if run.finished else run


def shuffle_run(run: QuizRun, player: str, *, order_questions: bool = True) -> QuizRun:
    """The run in the player's order: each question's choices (``quiz_app.play.shuffle``), and
    the questions too unless ``order_questions`` is False. A review session keeps its own order,
    and a run already shuffled (a retry of one) is left as it is."""
    if run.review or run.shuffled:
        return run
    questions, shown = shuffled(run.bank, run.questions, player, order_questions=order_questions)
    mixed = dataclasses.replace(run, questions=questions, shuffled=shown)
    if run.resumed_at is not None:  # a run going on: at its first unanswered question in this order
        mixed.go_on()
    return mixed


def practice_order(run: QuizRun, player: str, asked: bool = False) -> QuizRun:
    """The order practice shows a run in. By default each question's choices come in the
    player's order (seeded by bank, player and question: the same at every launch), the
    questions as the bank has them; a bank's ``shuffle: true``, or ``asked`` (``quiz-app
    --shuffle``), puts the questions in the player's order too; a bank's ``shuffle: false``
    keeps everything as written (unless asked). A question with ``fixed_order: true`` keeps its
    choices as written in every case. Answers are kept in the bank's letters (``answer_record``)."""
    if asked or run.bank.shuffle is True:
        return shuffle_run(run, player)
    if run.bank.shuffle is False:
        return run
    return shuffle_run(run, player, order_questions=False)
