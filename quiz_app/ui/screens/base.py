"""What every screen of the quiz shares: typed access to the app's services, and keys in the
interface's language."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, TypeVar, cast

from textual.binding import ActiveBinding
from textual.screen import ModalScreen, Screen
from textual.widgets import Button

from quiz_app.core.i18n import N_, _

if TYPE_CHECKING:
    from quiz_app.ui.app import QuizApp

ResultType = TypeVar("ResultType")

# Textual's own key labels that our footers show (the command palette's), in the catalog so that
# ``translated`` finds them like ours.
TEXTUAL_LABELS = (N_("palette"), N_("Open the command palette"))


def translated(active: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """The footer's labels and tooltips in the active language (bindings hold the English, marked N_)."""
    shown: dict[str, ActiveBinding] = {}
    for key, (node, binding, enabled, tooltip) in active.items():
        binding = dataclasses.replace(
            binding,
            description=_(binding.description) if binding.description else "",
            tooltip=_(binding.tooltip) if binding.tooltip else "",
        )
        shown[key] = ActiveBinding(node, binding, enabled, _(tooltip) if tooltip else tooltip)
    return shown


class AppScreen(Screen[ResultType]):
    """A screen of quiz-app: ``self.quiz_app`` is the app, typed, with its store, runner and player."""

    @property
    def quiz_app(self) -> QuizApp:
        return cast("QuizApp", self.app)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated(super().active_bindings)


class AppModal(ModalScreen[ResultType]):
    """A dialog of quiz-app, its keys in the interface's language."""

    @property
    def quiz_app(self) -> QuizApp:
        return cast("QuizApp", self.app)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return translated(super().active_bindings)


class YesNoModal(AppModal[bool]):
    """A question answered yes (True) or no (False). A subclass composes a ``#yes`` and a
    ``#no`` button and binds its keys to ``answer(True)`` and ``answer(False)``; the safe
    answer, no, has the focus."""

    def on_mount(self) -> None:
        self.query_one("#no").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
