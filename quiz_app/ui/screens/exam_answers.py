"""An exam's answers, kept unseen: saved the moment they are given, predictions graded by their run.

Used by the exam screen while it runs and by the review after it (neither imports the other).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from quiz_app.bank import Question, Verdict, grade
from quiz_app.play.exam import ExamPaper
from quiz_app.runner import Outcome

if TYPE_CHECKING:
    from quiz_app.ui.app import QuizApp


def save_answer(app: QuizApp, paper: ExamPaper, question: Question, verdict: Verdict, outcome: Outcome | None) -> None:
    """Keep the verdict of an answer given and save it (once; the store gets the bank's letters)."""
    if not paper.grade(question, verdict):
        return
    response, seconds = paper.responses[question.id]
    app.save_answer(paper.run, question, response, verdict, seconds, outcome)


def settle_prediction(app: QuizApp, paper: ExamPaper, question: Question, done: asyncio.Future[Outcome]) -> None:
    """A prediction without a key is graded by its run, in the background, unseen."""
    outcome = None if done.cancelled() or done.exception() is not None else done.result()
    response, _seconds = paper.responses[question.id]
    if outcome is None or not outcome.ran:
        verdict = Verdict.UNGRADED
    else:
        verdict = grade(question, response, outcome.text, outcome.exc_type)
    save_answer(app, paper, question, verdict, outcome)


def finalise_predictions(app: QuizApp, paper: ExamPaper) -> None:
    """Quitting while a prediction's run is out: it is kept, as not graded (as practice does)."""
    for question_id in list(paper.responses):
        save_answer(app, paper, paper.question(question_id), Verdict.UNGRADED, None)


def run_snippet(app: QuizApp, paper: ExamPaper, question: Question) -> asyncio.Future[Outcome]:
    """Hand the question's snippet to the runner, as practice does (``QuizApp.run_question``)."""
    return app.run_question(paper.run, question)
