"""A question as the learner meets it: prompt, code, and choices or a text field."""

from __future__ import annotations

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Input, Markdown, Static

from quiz_app.bank import Question
from quiz_app.ui.widgets.choices import ChoiceList


def code_block(code: str) -> Syntax:
    return Syntax(code.rstrip("\n"), "python", theme="ansi_dark", line_numbers=False, word_wrap=True)


def predict_response(text: str) -> str:
    r"""What a learner typed in the one-line field: ``\n`` stands for a line break."""
    return text.replace("\\n", "\n")


def hint_for(question: Question) -> str:
    if question.type == "single":
        return f"Press A–{question.letters[-1]} (or 1–{len(question.letters)}) to choose, Enter to submit."
    if question.type == "multiple":
        return f"Several may be right: A–{question.letters[-1]} toggles each, Enter submits."
    if question.type == "true_false":
        return "Press T for true or F for false, Enter to submit."
    return "Type what it prints; Enter submits. An exception's name alone will do."


class QuestionView(VerticalScroll):
    def __init__(self, question: Question) -> None:
        super().__init__(id="question-body")
        self.question = question

    def compose(self) -> ComposeResult:
        question = self.question
        yield Markdown(question.prompt, id="prompt")
        if question.code:
            yield Static(code_block(question.code), id="code", classes="code")
        if question.type in ("single", "multiple"):
            texts = tuple(choice.text for choice in question.choices)
            yield ChoiceList(question.letters, texts, question.type == "multiple", id="choices")
        elif question.type == "true_false":
            yield ChoiceList("TF", ("true", "false"), multiple=False, id="choices")
        else:
            yield Input(placeholder=r"What does it print? (\n for a new line)", id="prediction")

    def on_mount(self) -> None:
        if self.question.type == "predict":
            self.query_one("#prediction", Input).focus()

    def pick(self, label: str) -> None:
        question = self.question
        if question.type == "predict":
            return
        if question.type == "true_false" and label not in "TF":
            return
        if question.type != "true_false" and label not in question.letters:
            return
        self.query_one("#choices", ChoiceList).pick(label)

    def response(self) -> str | bool | frozenset[str] | None:
        """What the learner gave, or None if nothing yet."""
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
