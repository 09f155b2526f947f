"""The end of a quiz: score, time, results per tag, the questions missed."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static

from quiz_app.core.i18n import N_, _, ngettext
from quiz_app.play.run import QuizRun
from quiz_app.ui.screens.base import AppScreen
from quiz_app.ui.widgets.choices import inline_code
from quiz_app.ui.widgets.footer import QuietFooter


def duration_text(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes:
        return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=f"{secs:02d}")
    return _("{seconds} s").format(seconds=secs)


class SummaryScreen(AppScreen[None]):
    BINDINGS = [
        Binding("r", "retry", N_("Retry missed"), id="retry", tooltip=N_("Play again just the questions you missed")),
        Binding("escape", "leave", N_("Home"), id="leave", tooltip=N_("Back to the banks")),
    ]

    def __init__(self, run: QuizRun) -> None:
        super().__init__()
        self.quiz = run

    def compose(self) -> ComposeResult:
        run = self.quiz
        yield Header()
        with VerticalScroll(id="summary-body"):
            percent = round(100 * run.correct / run.total) if run.total else 0
            title = _("{title} (retry)").format(title=run.bank.title) if run.retry else run.bank.title
            score = _("Score: {correct} of {total} ({percent}%) · time taken: {time}").format(
                correct=run.correct, total=run.total, percent=percent, time=duration_text(run.elapsed)
            )
            yield Static(Text(_("Finished {title}").format(title=title) + "\n" + score), id="score")
            table: DataTable[str] = DataTable(id="tags", cursor_type="none", show_cursor=False)
            table.add_columns(_("Tag"), _("Right"), _("Of"))
            for tag, (right, seen) in run.by_tag().items():
                table.add_row(tag, str(right), str(seen))
            yield table
            missed = run.missed()
            if missed:
                lines = [_("Missed (press R to retry them):")]
                lines += [f"  ✘ {q.short_title()}" for q in missed]
            else:
                lines = [_("Nothing missed. Well done.")]
            yield Static(Text("\n").join(inline_code(line) for line in lines), id="missed")
            yield Static(id="beliefs")
        yield QuietFooter()

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
            times = ngettext(
                "picked {picked} of {offered} time", "picked {picked} of {offered} times", status.offered
            ).format(picked=status.picked, offered=status.offered)
            if status.cleared:
                lines.append(
                    "  "
                    + _("✔ Cleared: {belief} (answered right since; {times})").format(belief=status.text, times=times)
                )
            else:
                lines.append(
                    "  " + _("✘ You may still believe: {belief} ({times})").format(belief=status.text, times=times)
                )
        if lines:
            widget = self.query_one("#beliefs", Static)
            widget.update(Text("\n".join([_("What your answers revealed:"), *lines])))
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
