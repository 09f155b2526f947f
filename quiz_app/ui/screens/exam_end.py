"""Before an exam ends early: are you sure? (Time running out needs no question.)"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from quiz_app.core.i18n import N_, _, ngettext
from quiz_app.ui.screens.base import YesNoModal


class ConfirmEndScreen(YesNoModal):
    """End the exam before the time is up? Dismissed with True to end it."""

    DEFAULT_CSS = """
    ConfirmEndScreen {
        align: center middle;
    }
    #exam-end-body {
        width: 60;
        max-width: 95%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 1 2;
    }
    #exam-end-about {
        margin: 1 0;
    }
    #exam-end-buttons {
        height: auto;
        align-horizontal: right;
    }
    #exam-end-buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS = [
        Binding(
            "y", "answer(True)", N_("End it"), id="exam-end-yes", tooltip=N_("End the exam now and see the review")
        ),
        Binding(
            "n,escape", "answer(False)", N_("Go on"), id="exam-end-no", tooltip=N_("Back to the exam; the clock runs")
        ),
    ]

    def __init__(self, unanswered: int) -> None:
        super().__init__()
        self.unanswered = unanswered

    def compose(self) -> ComposeResult:
        with Vertical(id="exam-end-body"):
            yield Static(Text(_("End the exam now?"), style="bold"))
            about = ngettext(
                "{count} question is not answered: it stays unanswered. Your answers are saved.",
                "{count} questions are not answered: they stay unanswered. Your answers are saved.",
                self.unanswered,
            ).format(count=self.unanswered)
            yield Static(Text(about), id="exam-end-about")
            with Horizontal(id="exam-end-buttons"):
                yield Button(_("End it (y)"), id="yes", variant="warning")
                yield Button(_("Go on (n)"), id="no", variant="primary")
