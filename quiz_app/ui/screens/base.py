"""What every screen of the quiz shares: typed access to the app's services."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from quiz_app.ui.app import QuizApp

ResultType = TypeVar("ResultType")


class AppScreen(Screen[ResultType]):
    """A screen of quiz-app: ``self.quiz_app`` is the app, typed, with its store, runner and player."""

    @property
    def quiz_app(self) -> QuizApp:
        return cast("QuizApp", self.app)
