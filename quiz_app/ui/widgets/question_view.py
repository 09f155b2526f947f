"""A question as the learner meets it: prompt, code, and choices or a text field."""

from __future__ import annotations

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static, TextArea

from quiz_app.bank import Question
from quiz_app.ui.widgets.choices import ChoiceList


def code_block(code: str) -> Syntax:
    return Syntax(code.rstrip("\n"), "python", theme="ansi_dark", line_numbers=False, word_wrap=True)


def hint_for(question: Question) -> str:
    if question.type == "single":
        return f"Press A–{question.letters[-1]} (or 1–{len(question.letters)}) to choose, Enter to submit."
    if question.type == "multiple":
        return f"Several may be right: A–{question.letters[-1]} toggles each, Enter submits."
    if question.type == "true_false":
        return "Press T for true or F for false, Enter to submit."
    return "Type what it prints (Enter: new line). Ctrl+S submits. Spacing is ignored; an exception's name will do."


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
            yield TextArea(
                id="prediction",
                soft_wrap=True,
                tab_behavior="focus",
                placeholder="What does it print? Enter starts a new line; Ctrl+S submits.",
            )

    def on_mount(self) -> None:
        if self.question.type == "predict":
            self.query_one("#prediction", TextArea).focus()

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
            text = self.query_one("#prediction", TextArea).text
            return text if text.strip() else None
        picked = self.query_one("#choices", ChoiceList).selected
        if not picked:
            return None
        if question.type == "true_false":
            return picked[0] == "T"
        if question.type == "single":
            return picked[0]
        return frozenset(picked)
