"""Where the learner is: bank, question n of N, score so far. Always visible during a quiz."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from quiz_app.quiz_run import QuizRun


class ProgressLine(Static):
    def __init__(self, run: QuizRun) -> None:
        super().__init__(id="progress")
        self.quiz = run

    def on_mount(self) -> None:
        self.refresh_line()

    def refresh_line(self) -> None:
        run = self.quiz
        position = min(run.index + 1, run.total)
        retry = " (retry)" if run.retry else ""
        line = f"Question {position} of {run.total} · Score {run.correct}/{run.answered} · {run.bank.title}{retry}"
        self.update(Text(line))  # a bank's title is shown as written, never read as markup
