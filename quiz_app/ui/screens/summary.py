"""The end of a quiz: score, time, results per tag, the questions missed."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from quiz_app.quiz_run import QuizRun
from quiz_app.ui.screens.base import AppScreen
from quiz_app.ui.widgets.choices import inline_code


def duration_text(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


class SummaryScreen(AppScreen[None]):
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
                Text(
                    f"Finished {run.bank.title}{' (retry)' if run.retry else ''}\n"
                    f"Score: {run.correct} of {run.total} ({percent}%) · time taken: {duration_text(run.elapsed)}"
                ),
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
                lines += [f"  ✘ {q.short_title()}" for q in missed]
            else:
                lines = ["Nothing missed. Well done."]
            yield Static(inline_code("\n".join(lines)), id="missed")
            yield Static(id="beliefs")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#beliefs", Static).display = False
        if self.quiz.bank.misconceptions:
            self.show_beliefs()

    @work(exclusive=True, group="beliefs", exit_on_error=False, description="Read the misconceptions")
    async def show_beliefs(self) -> None:
        """The beliefs this bank tests that the player's answers revealed, held or cleared."""
        player, ids = self.quiz_app.player, set(self.quiz.bank.misconceptions)
        statuses = await self.quiz_app.read_store(lambda store: store.misconceptions(player))
        lines = []
        for status in statuses:
            if status.id not in ids or not status.picked:
                continue
            times = f"picked {status.picked} of {status.offered} time{'s' * (status.offered != 1)}"
            if status.cleared:
                lines.append(f"  ✔ Cleared: {status.text} (answered right since; {times})")
            else:
                lines.append(f"  ✘ You may still believe: {status.text} ({times})")
        if lines:
            widget = self.query_one("#beliefs", Static)
            widget.update(Text("\n".join(["What your answers revealed:", *lines])))
            widget.display = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry" and not self.quiz.missed():
            return None  # shown greyed out: nothing to retry
        return True

    def action_retry(self) -> None:
        run = self.quiz.retry_missed()
        self.dismiss()
        self.quiz_app.play(run)

    def action_leave(self) -> None:
        self.dismiss()
