"""Every problem of a bank file that did not load, at its line and column."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from quiz_app.bank import Problem
from quiz_app.core.i18n import N_, _, ngettext
from quiz_app.ui.screens.base import AppModal


class ProblemsScreen(AppModal[None]):
    BINDINGS = [Binding("escape,enter,q", "close", N_("Close"), id="close-problems", tooltip=N_("Back to the banks"))]

    def __init__(self, path: str, problems: list[Problem]) -> None:
        super().__init__()
        self.path = path
        self.problems = problems

    def compose(self) -> ComposeResult:
        count = len(self.problems)
        heading = ngettext("{path} did not load: {count} problem", "{path} did not load: {count} problems", count)
        lines = [heading.format(path=self.path, count=count), ""]
        lines += [
            "  " + _("line {line}, column {column}: {message}").format(line=p.line, column=p.col, message=p.message)
            for p in self.problems
        ]
        lines += [
            "",
            _("Fix the file, press F5 on the banks to load it again, or run: quiz-app check {path}").format(
                path=self.path
            ),
        ]
        lines += [_("Escape closes this.")]
        with VerticalScroll(id="problems-body"):
            yield Static(Text("\n".join(lines)), id="problems")

    def action_close(self) -> None:
        self.dismiss()
