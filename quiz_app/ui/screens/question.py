"""One question: prompt, code, choices (or a text field), and keys to answer."""

from __future__ import annotations

import asyncio
import time

from rich.syntax import Syntax
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Markdown, Static

from quiz_app.bank import Question
from quiz_app.quiz import QuizRun
from quiz_app.ui.widgets.choices import ChoiceList
from quiz_app.ui.widgets.progress_line import ProgressLine

LETTER_KEYS = "abcdefgh"


def _choice_bindings() -> list[Binding]:
    bindings = []
    for index, key in enumerate(LETTER_KEYS):
        letter = key.upper()
        bindings.append(
            Binding(
                f"{key},{index + 1}",
                f"pick('{letter}')",
                f"Choose {letter}",
                show=False,
                id=f"choose-{key}",
                tooltip=f"Choose (or, for several answers, toggle) choice {letter}",
            )
        )
    return bindings


def code_block(code: str) -> Syntax:
    return Syntax(code.rstrip("\n"), "python", theme="ansi_dark", line_numbers=False, word_wrap=True)


def predict_response(text: str) -> str:
    r"""What a learner typed in the one-line field: ``\n`` stands for a line break."""
    return text.replace("\\n", "\n")


class QuestionScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "submit", "Submit", id="submit", tooltip="Submit your answer and see what PyTorch does"),
        Binding("escape", "leave", "Home", id="leave", tooltip="Back to the banks; answers given are saved"),
        Binding("t", "pick('T')", "True", show=False, id="choose-true", tooltip="Answer true"),
        Binding("f", "pick('F')", "False", show=False, id="choose-false", tooltip="Answer false"),
        *_choice_bindings(),
    ]

    def __init__(self, run: QuizRun) -> None:
        super().__init__()
        self.quiz = run
        self.question: Question = run.current
        self.shown_at = time.monotonic()

    def compose(self) -> ComposeResult:
        question = self.question
        yield Header()
        yield ProgressLine(self.quiz)
        with VerticalScroll(id="question-body"):
            yield Markdown(question.prompt, id="prompt")
            if question.code:
                yield Static(code_block(question.code), id="code", classes="code")
            if question.type in ("single", "multiple"):
                yield ChoiceList(question.letters, question.choices, question.type == "multiple", id="choices")
            elif question.type == "true_false":
                yield ChoiceList("TF", ("true", "false"), multiple=False, id="choices")
            else:
                yield Input(placeholder=r"What does it print? (\n for a new line)", id="prediction")
        yield Static(self.hint(), id="hint")
        yield Footer()

    def hint(self) -> str:
        question = self.question
        if question.type == "single":
            last = question.letters[-1]
            return f"Press A–{last} (or 1–{len(question.letters)}) to choose, Enter to submit."
        if question.type == "multiple":
            last = question.letters[-1]
            return f"Several may be right: A–{last} toggles each, Enter submits."
        if question.type == "true_false":
            return "Press T for true or F for false, Enter to submit."
        return "Type what it prints; Enter submits. An exception's name alone will do."

    def on_mount(self) -> None:
        self.shown_at = time.monotonic()
        if self.question.type == "predict":
            self.query_one("#prediction", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick" and self.question.type == "predict":
            return False  # letters are typed into the field instead
        return True

    def action_pick(self, label: str) -> None:
        if self.question.type == "true_false" and label not in "TF":
            return
        if self.question.type != "true_false" and label in "TF" and label not in self.question.letters:
            return
        self.query_one("#choices", ChoiceList).pick(label)

    @on(Input.Submitted, "#prediction")
    def predicted(self) -> None:
        self.action_submit()

    def response(self) -> str | bool | frozenset[str] | None:
        question = self.question
        if question.type == "predict":
            text = self.query_one("#prediction", Input).value
            return predict_response(text) if text.strip() else None
        picked = self.query_one("#choices", ChoiceList).selected
        if not picked:
            return None
        if question.type == "true_false":
            return picked[0] == "T"
        if question.type == "single":
            return picked[0]
        return frozenset(picked)

    def action_submit(self) -> None:
        response = self.response()
        if response is None:
            self.notify("Choose an answer first." if self.question.type != "predict" else "Type a prediction first.")
            return
        from quiz_app.ui.screens.answer import AnswerScreen

        seconds = time.monotonic() - self.shown_at
        question = self.question
        live = None
        if question.snippet:
            # Sent to the worker now, so that it runs while the answer screen is drawn.
            live = asyncio.ensure_future(self.app.runner.arun(question.snippet, self.quiz.bank.setup, question.timeout))
        self.app.switch_screen(AnswerScreen(self.quiz, question, response, seconds, live))

    def action_leave(self) -> None:
        self.app.finish_attempt(self.quiz)
        self.dismiss()
