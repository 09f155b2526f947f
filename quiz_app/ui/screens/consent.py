"""Ask before a bank from elsewhere runs its snippets on a machine where a guard is missing."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from quiz_app.core.i18n import N_, _
from quiz_app.ui.screens.base import YesNoModal


class ConsentScreen(YesNoModal):
    """Dismissed with True (run its snippets) or False. The app remembers the answer."""

    BINDINGS = [
        Binding("y", "answer(True)", N_("Run it"), id="consent-yes", tooltip=N_("Run this bank's snippets here")),
        Binding("n,escape", "answer(False)", N_("Do not run"), id="consent-no", tooltip=N_("Do not open this bank")),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="consent-body"):
            yield Static(Text(_("A bank is a program"), style="bold"), id="consent-title")
            yield Static(Text(self.question), id="consent-question")
            with Horizontal(id="consent-buttons"):
                yield Button(Text(_("Run it (y)")), id="yes", variant="warning")
                yield Button(Text(_("Do not run (n)")), id="no", variant="primary")
