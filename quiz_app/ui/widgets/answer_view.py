"""After an answer: the verdict at once, the snippet beside its live outcome, the explanation."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Markdown, Static

from quiz_app.bank import Question, Verdict, grade
from quiz_app.progress import AnswerRecord
from quiz_app.quiz import QuizRun, Result, response_text
from quiz_app.runner import Outcome
from quiz_app.ui.widgets.outcome import OutcomePanel
from quiz_app.ui.widgets.progress_line import ProgressLine
from quiz_app.ui.widgets.question_view import code_block


class AnswerView(VerticalScroll):
    """Grades, records and shows one answer; runs (or awaits) its snippet."""

    def __init__(
        self,
        run: QuizRun,
        question: Question,
        response: str | bool | frozenset[str],
        seconds: float,
        live: asyncio.Future[Outcome] | None = None,
    ) -> None:
        """``live`` is the snippet's outcome on its way (None for a question without a snippet)."""
        super().__init__(id="answer-body")
        self.live = live
        self.quiz = run
        self.question = question
        self.response = response
        self.seconds = seconds
        self.verdict: Verdict | None = None
        self.outcome: Outcome | None = None
        self.recorded = False

    @property
    def graded_by_outcome(self) -> bool:
        """A predict question with no key is graded against what PyTorch prints."""
        return self.question.type == "predict" and self.question.answer is None

    def compose(self) -> ComposeResult:
        question = self.question
        yield Static(id="verdict")
        with Horizontal(id="live"):
            if question.snippet:
                snippet = Static(code_block(question.snippet), id="snippet", classes="code")
                snippet.border_title = "Snippet"
                yield snippet
            yield OutcomePanel(id="outcome")
        yield Markdown(question.explanation, id="explanation")

    def on_mount(self) -> None:
        if not self.graded_by_outcome:
            self.settle(grade(self.question, self.response))
        else:
            self.show_verdict()
        if self.live is not None:
            self.run_snippet()
        else:
            self.query_one(OutcomePanel).show_none("This question has no snippet to run.")

    @work(exclusive=True, group="snippet", exit_on_error=False, description="Run the snippet live")
    async def run_snippet(self) -> None:
        """Await the snippet the quiz screen sent to the worker when the learner submitted."""
        assert self.live is not None
        question = self.question
        outcome = await self.live
        self.outcome = outcome
        self.query_one(OutcomePanel).show(outcome)
        if self.graded_by_outcome and self.verdict is None:
            if outcome.ran:
                self.settle(grade(question, self.response, outcome.text, outcome.exc_type))
            else:
                self.settle(Verdict.UNGRADED)

    def settle(self, verdict: Verdict) -> None:
        """The verdict is known: show it, count it, and commit the answer at once."""
        self.verdict = verdict
        self.show_verdict()
        if self.recorded:
            return
        self.recorded = True
        answer = response_text(self.question, self.response)
        self.quiz.record(Result(self.question, answer, verdict, self.seconds))
        info = self.app.runner.info
        device = self.outcome.device if self.outcome and self.outcome.device else (info.device if info else None)
        record = AnswerRecord(
            player=self.app.player,
            bank_id=self.quiz.bank.id,
            question_id=self.question.id,
            question_hash=self.question.content_hash,
            answer=answer,
            correct=None if verdict is Verdict.UNGRADED else verdict is Verdict.CORRECT,
            seconds=round(self.seconds, 3),
            device=device,
        )
        self.app.record(record, self.quiz)
        self.screen.query_one(ProgressLine).refresh_line()

    def finalise(self) -> None:
        """Leaving before the outcome came: the answer is kept, as not graded, and the
        snippet is stopped so that the next one need not wait for it."""
        if not self.recorded:
            self.settle(Verdict.UNGRADED)
        if self.outcome is None and self.live is not None:
            self.app.runner.cancel()

    def show_verdict(self) -> None:
        question = self.question
        given = response_text(question, self.response)
        verdict = self.verdict
        widget = self.query_one("#verdict", Static)
        widget.set_classes("")
        if verdict is None:
            widget.update(Text(f"… Your prediction: {given!r}. Waiting for PyTorch to say whether it is right."))
            return
        if verdict is Verdict.UNGRADED:
            widget.update(Text(f"– Not graded: the snippet could not run, so there is no key. You said {given!r}."))
            widget.add_class("-ungraded")
            return
        key = self.key_text()
        if verdict is Verdict.CORRECT:
            widget.update(Text(f"✔ Correct. {key}"))
            widget.add_class("-correct")
        else:
            shown = given if "\n" not in given.strip("\n") else given.strip("\n").replace("\n", " ⏎ ")
            widget.update(Text(f"✘ Wrong. You answered: {shown}\n{key}"))
            widget.add_class("-wrong")

    def key_text(self) -> str:
        question = self.question
        if question.type == "single":
            index = question.letters.index(str(question.answer))
            return f"The answer is {question.answer}: {question.choices[index].text}"
        if question.type == "multiple":
            return f"The answer is {question.answer_text()}."
        if question.type == "true_false":
            return f"The statement is {question.answer_text()}."
        if question.answer is not None:
            key = str(question.answer).strip("\n")
            return f"It prints: {key}" if "\n" not in key else "It prints:\n" + key
        return "The key is what PyTorch printed, shown below."
