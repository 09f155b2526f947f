"""A question as the learner meets it: prompt, code, and choices or a text field."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Collapsible, Static, TextArea

from quiz_app.bank import Question
from quiz_app.core.i18n import _
from quiz_app.ui.widgets.choices import ChoiceList
from quiz_app.ui.widgets.prose import Prose

CONTINUATION = "↩"


class WrappedCode:
    """Highlighted Python that never breaks a line silently: a line too long for the width is
    cut with a visible continuation mark (↩), and its rest is indented under the line's own
    indentation plus four spaces, so the reader sees one statement, not two."""

    def __init__(self, code: str) -> None:
        self.code = code.rstrip("\n")
        highlighted = Syntax(self.code, "python", theme="ansi_dark", line_numbers=False).highlight(self.code)
        highlighted.rstrip()
        self.lines = highlighted.split("\n", allow_blank=True)  # highlighted once; wrapped per width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width, 12)
        for line in self.lines:
            yield from wrap_code_line(line, width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((line.cell_len for line in self.lines), default=1)
        return Measurement(min(12, longest), longest)


def wrap_code_line(line: Text, width: int) -> list[Text]:
    """One line of code as one or more screen lines of at most ``width`` cells."""
    if line.cell_len <= width:
        return [line]
    indent = len(line.plain) - len(line.plain.lstrip(" "))
    hanging = Text(" " * min(indent + 4, width // 2))
    pieces: list[Text] = []
    prefix, rest = Text(""), line
    while True:
        room = width - len(prefix)
        if rest.cell_len <= room:
            pieces.append(prefix + rest)
            return pieces
        cut = _chars_within(rest.plain, room - 1)  # one cell for the mark; wide characters count two
        head, rest = rest[:cut], rest[cut:]
        piece = prefix + head
        piece.append(CONTINUATION, style="dim")
        pieces.append(piece)
        prefix = hanging


def _chars_within(text: str, cells: int) -> int:
    """How many characters of ``text`` fit in ``cells`` terminal cells (at least one)."""
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > cells:
            return max(index, 1)
    return len(text)


def code_block(code: str) -> WrappedCode:
    return WrappedCode(code)


def hint_for(question: Question) -> str:
    if question.type == "single":
        return _("Press A–{last} (or 1–{count}, or ↑↓) to choose, Enter to submit.").format(
            last=question.letters[-1], count=len(question.letters)
        )
    if question.type == "multiple":
        return _("Several may be right: A–{last} (or ↑↓ and Space) toggles each, Enter submits.").format(
            last=question.letters[-1]
        )
    if question.type == "true_false":
        return _("Press T for true or F for false (or ↑↓), Enter to submit.")
    return _("Type what it prints (Enter: new line). Ctrl+S submits. Spacing is ignored; an exception's name will do.")


class QuestionView(VerticalScroll):
    def __init__(self, question: Question, setup: str = "") -> None:
        super().__init__(id="question-body")
        self.question = question
        self.setup = setup

    def compose(self) -> ComposeResult:
        question = self.question
        yield Prose(question.prompt, id="prompt")
        if question.code:
            if self.setup.strip():
                with Collapsible(title=_("Setup: runs before the code"), collapsed=True, id="setup"):
                    yield Static(code_block(self.setup), classes="code")
            yield Static(code_block(question.code), id="code", classes="code")
        if question.type in ("single", "multiple"):
            texts = tuple(choice.text for choice in question.choices)
            yield ChoiceList(question.letters, texts, question.type == "multiple", id="choices")
        elif question.type == "true_false":
            yield ChoiceList("TF", (_("true"), _("false")), multiple=False, id="choices")
        else:
            yield TextArea(
                id="prediction",
                soft_wrap=True,
                tab_behavior="focus",
                placeholder=_("What does it print? Enter starts a new line; Ctrl+S submits."),
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

    def move(self, step: int) -> None:
        if self.question.type != "predict":
            self.query_one("#choices", ChoiceList).move(step)

    def toggle(self) -> None:
        if self.question.type != "predict":
            self.query_one("#choices", ChoiceList).toggle_cursor()

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
