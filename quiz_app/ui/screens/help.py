"""Help, rendered from the Markdown file shipped beside the UI."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Markdown

from quiz_app.core import i18n
from quiz_app.core.i18n import N_
from quiz_app.ui.screens.base import AppModal

HELP_FILE = Path(__file__).resolve().parents[1] / "help.md"


def help_file(language: str) -> Path:
    """The help in ``language`` (``help.zh.md`` beside ``help.md``), else the English one."""
    translated = HELP_FILE.with_name(f"help.{language}.md")
    return translated if language != i18n.DEFAULT and translated.is_file() else HELP_FILE


class HelpScreen(AppModal[None]):
    BINDINGS = [
        Binding("escape,question_mark,f1", "close", N_("Close help"), id="close-help", tooltip=N_("Back to the quiz")),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(help_file(i18n.active()).read_text(encoding="utf-8"), id="help")

    def action_close(self) -> None:
        self.dismiss()
