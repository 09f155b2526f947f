"""The choices of a question, labelled A, B, C… (or T and F), selectable by key or click."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, Vertical
from textual.message import Message
from textual.widgets import Static

from quiz_app.ui.patches.cjk import join_lines


def inline_code(text: str) -> Text:
    """Plain text in which `backticked` spans are shown as code (bold, without the backticks)."""
    result = Text()
    text = join_lines(text)  # a line break between two Chinese characters adds no space
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: show the text exactly as written
        return Text(text)
    for index, part in enumerate(parts):
        result.append(part, style="bold" if index % 2 else "")
    return result


class ChoiceRow(HorizontalGroup):
    """One choice: its marker and label, then its text, which wraps under itself (not under
    the marker). Selection shows as a marker as well as a colour."""

    def __init__(self, label: str, text: str, multiple: bool) -> None:
        super().__init__(classes="choice")
        self.label = label
        self.text = text
        self.multiple = multiple
        self.selected = False
        self.cursor = False  # the row the arrow keys are on
        self._mark = Static(classes="choice-mark")
        self._body = Static(inline_code(text), classes="choice-text")  # a Text: brackets stay as written
        self.refresh_text()

    def compose(self) -> ComposeResult:
        yield self._mark
        yield self._body

    def refresh_text(self) -> None:
        if self.multiple:
            marker = "[x]" if self.selected else "[ ]"
        else:
            marker = "(•)" if self.selected else "( )"
        pointer = "›" if self.cursor else " "
        self._mark.update(Text(f"{pointer}{marker} {self.label}  "))  # a Text: never read as markup
        self.set_class(self.selected, "-selected")
        self.set_class(self.cursor, "-cursor")

    @property
    def shown(self) -> str:
        """The row as drawn, marker and text on one line."""
        return str(self._mark.render()) + str(self._body.render())

    def on_click(self) -> None:
        self.post_message(ChoiceList.Picked(self.label))


class ChoiceList(Vertical):
    """Single choice (one at a time) or multiple (each toggles)."""

    class Picked(Message):
        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label

    def __init__(self, labels: str, choices: tuple[str, ...], multiple: bool, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.labels = labels
        self.choices = choices
        self.multiple = multiple

    def compose(self) -> ComposeResult:
        for label, text in zip(self.labels, self.choices, strict=True):
            yield ChoiceRow(label, text, self.multiple)

    @property
    def selected(self) -> list[str]:
        return [row.label for row in self.query(ChoiceRow) if row.selected]

    def move(self, step: int) -> None:
        """The arrow keys: move the pointer; in a single choice the pointer is the choice."""
        rows = list(self.query(ChoiceRow))
        if not rows:
            return
        current = next((i for i, row in enumerate(rows) if row.cursor), None)
        if current is None:
            current = next((i for i, row in enumerate(rows) if row.selected), -1 if step > 0 else len(rows))
        target = max(0, min(len(rows) - 1, current + step))
        for index, row in enumerate(rows):
            row.cursor = index == target
            row.refresh_text()
        if not self.multiple:
            self.pick(rows[target].label)

    def toggle_cursor(self) -> None:
        """Space: choose (or, for several answers, toggle) the row under the pointer."""
        row = next((row for row in self.query(ChoiceRow) if row.cursor), None)
        if row is None:
            self.move(1)
            row = next((row for row in self.query(ChoiceRow) if row.cursor), None)
            if row is None or not self.multiple:
                return
        self.pick(row.label)

    def pick(self, label: str) -> bool:
        """Select (single) or toggle (multiple) a label. False if no such choice."""
        if label not in self.labels:
            return False
        for row in self.query(ChoiceRow):
            if row.label == label:
                row.selected = not row.selected if self.multiple else True
            elif not self.multiple:
                row.selected = False
            row.refresh_text()
        return True

    def on_choice_list_picked(self, message: Picked) -> None:
        self.pick(message.label)
