"""Playing a bank: one screen that asks a question, then shows its answer, then the next.

Asking and answering share the screen (its header, progress line and footer stay put), so
that only the answer itself is drawn when the learner submits and the live outcome shows at
once.
"""

from __future__ import annotations

import asyncio
import time

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from quiz_app.quiz import QuizRun
from quiz_app.ui.widgets.answer_view import AnswerView
from quiz_app.ui.widgets.progress_line import ProgressLine
from quiz_app.ui.widgets.question_view import QuestionView, hint_for

LETTER_KEYS = "abcdefgh"


def _choice_bindings() -> list[Binding]:
    return [
        Binding(
            f"{key},{index + 1}",
            f"pick('{key.upper()}')",
            f"Choose {key.upper()}",
            show=False,
            id=f"choose-{key}",
            tooltip=f"Choose (or, for several answers, toggle) choice {key.upper()}",
        )
        for index, key in enumerate(LETTER_KEYS)
    ]


class QuizScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "submit", "Submit", id="submit", tooltip="Submit your answer and see what PyTorch does"),
        Binding("enter,n", "next", "Next", id="next", tooltip="Go on to the next question"),
        Binding("escape", "leave", "Home", id="leave", tooltip="Back to the banks; answers given are saved"),
        Binding("t", "pick('T')", "True", show=False, id="choose-true", tooltip="Answer true"),
        Binding("f", "pick('F')", "False", show=False, id="choose-false", tooltip="Answer false"),
        *_choice_bindings(),
    ]

    def __init__(self, run: QuizRun) -> None:
        super().__init__()
        self.quiz = run
        self.answer: AnswerView | None = None
        self.shown_at = time.monotonic()

    def compose(self) -> ComposeResult:
        yield Header()
        yield ProgressLine(self.quiz)
        yield Container(id="stage")
        yield Static(id="hint")
        yield Footer()

    async def on_mount(self) -> None:
        await self.ask()

    @property
    def view(self) -> QuestionView:
        return self.query_one("#question-body", QuestionView)

    async def ask(self) -> None:
        """Show the current question."""
        stage = self.query_one("#stage")
        await stage.remove_children()
        self.answer = None
        question = self.quiz.current
        await stage.mount(QuestionView(question))
        self.query_one(ProgressLine).refresh_line()
        self.query_one("#hint", Static).update(hint_for(question))
        self.shown_at = time.monotonic()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        asking = self.answer is None
        if action == "submit":
            return asking
        if action == "pick":
            return asking and self.quiz.current.type != "predict"
        if action == "next":
            return not asking
        return True

    def action_pick(self, label: str) -> None:
        self.view.pick(label)

    @on(Input.Submitted, "#prediction")
    async def predicted(self) -> None:
        await self.action_submit()

    async def action_submit(self) -> None:
        if self.answer is not None:
            return
        question = self.quiz.current
        response = self.view.response()
        if response is None:
            self.notify("Type a prediction first." if question.type == "predict" else "Choose an answer first.")
            return
        seconds = time.monotonic() - self.shown_at
        live = None
        if question.snippet:
            # Sent to the worker now, so that it runs while the answer is drawn.
            live = asyncio.ensure_future(self.app.runner.arun(question.snippet, self.quiz.bank.setup, question.timeout))
        self.answer = AnswerView(self.quiz, question, response, seconds, live)
        asked = self.view
        asked.display = False  # removed once the answer is on screen: drawing comes first
        await self.query_one("#stage").mount(self.answer)
        self.call_after_refresh(asked.remove)
        self.query_one("#hint", Static).update("Enter or N: next question · Escape: back to the banks")
        self.refresh_bindings()

    async def action_next(self) -> None:
        self.finalise()
        if self.quiz.advance():
            await self.ask()
        else:
            from quiz_app.ui.screens.summary import SummaryScreen

            self.app.finish_attempt(self.quiz)
            self.app.switch_screen(SummaryScreen(self.quiz))

    def action_leave(self) -> None:
        self.finalise()
        self.app.finish_attempt(self.quiz)
        self.dismiss()

    def finalise(self) -> None:
        """Keep an answer whose verdict is still pending (leaving, quitting)."""
        if self.answer is not None:
            self.answer.finalise()
