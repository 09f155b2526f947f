"""The end of a quiz: score, time, results per tag, the questions missed."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from quiz_app.quiz import QuizRun


def duration_text(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


class SummaryScreen(Screen[None]):
    BINDINGS = [
        Binding("r", "retry", "Retry missed", id="retry", tooltip="Play again just the questions you missed"),
        Binding("escape", "leave", "Home", id="leave", tooltip="Back to the banks"),
    ]

    def __init__(self, run: QuizRun) -> None:
        super().__init__()
        self.quiz = run

    def compose(self) -> ComposeResult:
        run = self.quiz
        yield Header()
        with VerticalScroll(id="summary-body"):
            percent = round(100 * run.correct / run.total) if run.total else 0
            yield Static(
                f"Finished {run.bank.title}{' (retry)' if run.retry else ''}\n"
                f"Score: {run.correct} of {run.total} ({percent}%) · time taken: {duration_text(run.elapsed)}",
                id="score",
            )
            table: DataTable[str] = DataTable(id="tags", cursor_type="none", show_cursor=False)
            table.add_columns("Tag", "Right", "Of")
            for tag, (right, seen) in run.by_tag().items():
                table.add_row(tag, str(right), str(seen))
            yield table
            missed = run.missed()
            if missed:
                lines = ["Missed (press R to retry them):"]
                lines += [f"  ✘ {q.id}: {q.prompt.strip().splitlines()[0][:70]}" for q in missed]
            else:
                lines = ["Nothing missed. Well done."]
            yield Static(Text("\n".join(lines)), id="missed")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry" and not self.quiz.missed():
            return None  # shown greyed out: nothing to retry
        return True

    def action_retry(self) -> None:
        run = self.quiz.retry_missed()
        self.dismiss()
        self.app.play(run)

    def action_leave(self) -> None:
        self.dismiss()
