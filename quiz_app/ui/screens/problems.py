"""Every problem of a bank file that did not load, at its line and column."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from quiz_app.bank import Problem


class ProblemsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="close-problems", tooltip="Back to the banks")]

    def __init__(self, path: str, problems: list[Problem]) -> None:
        super().__init__()
        self.path = path
        self.problems = problems

    def compose(self) -> ComposeResult:
        count = len(self.problems)
        lines = [f"{self.path} did not load: {count} problem{'s' * (count != 1)}", ""]
        lines += [f"  line {p.line}, column {p.col}: {p.message}" for p in self.problems]
        lines += ["", "Fix the file, press F5 on the banks to load it again, or run: quiz-app check " + self.path]
        lines += ["Escape closes this."]
        with VerticalScroll(id="problems-body"):
            yield Static(Text("\n".join(lines)), id="problems")

    def action_close(self) -> None:
        self.dismiss()
