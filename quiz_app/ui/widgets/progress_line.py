"""Where the learner is: bank, question n of N, score so far. Always visible during a quiz."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from quiz_app.core.i18n import _
from quiz_app.play.run import QuizRun


class ProgressLine(Static):
    def __init__(self, run: QuizRun) -> None:
        super().__init__(id="progress")
        self.quiz = run

    def on_mount(self) -> None:
        self.refresh_line()

    def refresh_line(self) -> None:
        run = self.quiz
        position = min(run.index + 1, run.total)
        title = _("{title} (retry)").format(title=run.bank.title) if run.retry else run.bank.title
        line = _("Question {position} of {total} · Score {correct}/{answered} · {title}").format(
            position=position, total=run.total, correct=run.correct, answered=run.answered, title=title
        )
        self.update(Text(line))  # a bank's title is shown as written, never read as markup
