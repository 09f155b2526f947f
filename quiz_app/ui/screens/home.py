"""The home screen: every bank with this player's history, and the banks that failed to load."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import DataTable, Header, Static

from quiz_app.bank import Bank, Problem
from quiz_app.core.i18n import N_, _, ngettext
from quiz_app.play import review
from quiz_app.play.review import DueQuestions
from quiz_app.play.run import QuizRun, resumed
from quiz_app.progress import BankHistory, ProgressStore, UnfinishedAttempt
from quiz_app.ui.screens.base import AppScreen
from quiz_app.ui.screens.problems import ProblemsScreen
from quiz_app.ui.widgets.footer import QuietFooter
from quiz_app.ui.widgets.outcome import guard_text
from quiz_app.ui.widgets.prose import Prose

REVIEW_SIZE = 20  # questions in one review session, the most overdue first


def history_cells(history: BankHistory | None) -> tuple[str, str, str]:
    if history is None:
        return "–", "–", _("never")
    last = f"{history.last_correct}/{history.last_total}"
    best = f"{history.best_correct}/{history.best_total}"
    return last, best, history.last_played.astimezone().strftime("%Y-%m-%d")


class HomeScreen(AppScreen[None]):
    BINDINGS = [
        Binding("enter", "play", N_("Play"), id="play", tooltip=N_("Play the highlighted bank")),
        Binding(
            "f5",
            "reload",
            N_("Reload"),
            show=False,
            id="reload",
            tooltip=N_("Load the banks again (after editing a file)"),
        ),
        Binding(
            "t", "stats", N_("Stats"), id="stats", tooltip=N_("Your scores over time and what you remember, per tag")
        ),
        Binding(
            "r",
            "report",
            N_("Report"),
            id="report",
            tooltip=N_("The class report: every player's answers, per question"),
        ),
        Binding(
            "v", "review", N_("Review"), id="review", tooltip=N_("Play the questions due for review, across all banks")
        ),
        Binding(
            "s",
            "start_over",
            N_("Start over"),
            id="start-over",
            tooltip=N_("Play the highlighted bank from its first question (its unfinished run stays unscored)"),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._opened_direct = False
        self.due: DueQuestions | None = None
        self.unfinished: dict[str, UnfinishedAttempt] = {}

    @property
    def banks(self) -> list[Bank]:
        """The banks the app loaded last (none before the first load)."""
        return self.quiz_app.banks.banks

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="player")
        yield Static(id="review")
        yield DataTable(id="banks", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="home-details"):
            yield Prose(id="bank-description")
            yield Static(id="load-problems")
        yield Static(id="worker-status")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.show_player()
        self.query_one("#banks", DataTable).loading = True
        self.show_worker()
        self.load()

    def show_player(self) -> None:
        player = Text(_("Player: {name}   ·   choose a bank, then Enter").format(name=self.quiz_app.player))
        self.query_one("#player", Static).update(player)

    async def retranslate(self) -> None:
        """Draw the screen again in the language now active (the palette's Language command)."""
        await self.recompose()
        self.show_player()
        self.show_worker()
        self.show_review()
        self.load(reload=False)

    def player_changed(self) -> None:
        """Another player took the seat: their name, their history, their reviews."""
        self.show_player()
        self.load(reload=False)

    def on_screen_resume(self) -> None:
        # Back from a bank played in its own language: the banks are shown in the app's again.
        if self.quiz_app.language != self.quiz_app.language_for(None):
            self.quiz_app.use_language(None)
            self.refresh_bindings()
            self.show_player()
        self.show_worker()  # the count of stopped snippet processes may have changed
        if self.banks:
            self.load(reload=False)

    @work(exclusive=True, group="home-load", exit_on_error=False, description="Load banks and history")
    async def load(self, reload: bool = True) -> None:
        app = self.quiz_app
        if reload or not self.banks:
            await asyncio.to_thread(app.load_all_banks)
        player = app.player
        banks = list(self.banks)

        def read(store: ProgressStore) -> tuple[dict[str, BankHistory | None], dict[str, UnfinishedAttempt]]:
            histories = {bank.id: store.bank_history(player, bank.id) for bank in banks}
            left = {bank.id: store.unfinished_attempt(player, bank.id) for bank in banks}
            return histories, {bank_id: run for bank_id, run in left.items() if run is not None}

        histories, self.unfinished = await app.read_store(read)
        self.fill(histories)
        now = app.clock()
        cards = await app.read_store(lambda store: store.due_cards(player, now))
        self.due = review.due_questions(cards, banks, limit=REVIEW_SIZE)
        self.show_review()
        direct = app.direct_bank()
        if direct is not None and not self._opened_direct:
            self._opened_direct = True
            app.play(QuizRun(direct))

    def fill(self, histories: dict[str, BankHistory | None]) -> None:
        table = self.query_one("#banks", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        # The title takes what the other columns leave, so that every column fits at 80 columns.
        # A heading in another language may be wider than the English one: its column grows, the title's shrinks.
        count_width = max(3, cell_len(_("Qs")))
        title_width = max(16, self.size.width - 41 - count_width)
        table.add_column(_("Bank"), key="title", width=title_width)
        table.add_column(_("Qs"), key="count", width=count_width)
        table.add_column(_("Last"), key="last", width=7)
        table.add_column(_("Best"), key="best", width=7)
        table.add_column(_("Played"), key="played", width=10)
        for bank in self.banks:
            last, best, played = history_cells(histories.get(bank.id))
            title = Text(bank.title)
            left = self.unfinished.get(bank.id)
            if left is not None:
                done = " · " + _("{answered} of {total} done").format(answered=left.answered, total=left.total)
                title.truncate(max(4, title_width - cell_len(done)), overflow="ellipsis")
                title.append(done, style="italic")
            title.truncate(title_width, overflow="ellipsis")  # cell-aware: CJK titles stay aligned
            table.add_row(title, str(len(bank.questions)), last, best, played, key=bank.id)
        for path, problems in self.broken():
            first = problems[0]
            title = Text(f"⚠ {Path(path).name}:{first.line}: {first.message}", style="bold")
            title.truncate(title_width, overflow="ellipsis")
            table.add_row(title, "–", _("broken"), _("Enter:"), _("details"), key=f"broken:{path}")
        table.loading = False
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        broken = len(self.broken())
        widget = self.query_one("#load-problems", Static)
        if broken:
            files = ngettext(
                "{count} bank file did not load: see the ⚠ rows; Enter on one lists its problems.",
                "{count} bank files did not load: see the ⚠ rows; Enter on one lists its problems.",
                broken,
            )
            widget.update(Text(files.format(count=broken)))
            widget.add_class("-problems")
        else:
            widget.update("")
        self.describe_current()

    def show_worker(self) -> None:
        runner = self.quiz_app.runner
        widget = self.query_one("#worker-status", Static)
        if runner.info is not None:
            info = runner.info
            stopped = runner.restarts
            extra = ""
            if stopped:
                extra = " · " + ngettext(
                    "{count} snippet process stopped (timeouts, crashes)",
                    "{count} snippet processes stopped (timeouts, crashes)",
                    stopped,
                ).format(count=stopped)
            ready = _("PyTorch ready: {device} · torch {version} · {guards}").format(
                device=info.device, version=info.torch_version, guards=guard_text(info.guards)
            )
            widget.update(Text(ready + extra))
        elif runner.failure is not None:
            widget.update(
                Text(
                    _("PyTorch unavailable: {reason}. Quizzes work; live outcomes will not.").format(
                        reason=runner.failure
                    )
                )
            )
        else:
            widget.update(Text(_("PyTorch warming up in the background…")))

    @on(DataTable.RowHighlighted, "#banks")
    def describe_current(self) -> None:
        bank = self.current_bank()
        text = ""
        if bank is not None:
            count = len(bank.questions)
            about = (bank.description or "").strip() or ngettext(
                "{count} question.", "{count} questions.", count
            ).format(count=count)
            text = f"**{bank.title}** (`{bank.id}`, {bank.language})\n\n{about}"
            left = self.unfinished.get(bank.id)
            if left is not None:
                text += "\n\n" + _(
                    "*Unfinished: {answered} of {total} done.* Enter goes on at the first unanswered question; "
                    "S starts over."
                ).format(answered=left.answered, total=left.total)
        self.query_one("#bank-description", Prose).update(text)
        self.refresh_bindings()  # Start over is offered only for a bank left unfinished

    def broken(self) -> list[tuple[str, list[Problem]]]:
        """Bank files that did not load, each with its problems in line order."""
        by_path: dict[str, list[Problem]] = {}
        for problem in self.quiz_app.banks.problems:
            by_path.setdefault(problem.path, []).append(problem)
        return list(by_path.items())

    def current_bank(self) -> Bank | None:
        try:
            table = self.query_one("#banks", DataTable)
        except NoMatches:  # between a recompose's removing and mounting (a change of language)
            return None
        if not self.banks or table.row_count == 0 or table.cursor_row >= len(self.banks):
            return None
        return self.banks[table.cursor_row]

    @on(DataTable.RowSelected, "#banks")
    def action_play(self) -> None:
        table = self.query_one("#banks", DataTable)
        bank = self.current_bank()
        if bank is not None:
            self.open(bank)
        elif table.row_count and table.cursor_row >= len(self.banks):
            path, problems = self.broken()[table.cursor_row - len(self.banks)]
            self.app.push_screen(ProblemsScreen(path, problems))

    def show_review(self) -> None:
        due = self.due.items if self.due is not None else ()
        widget = self.query_one("#review", Static)
        if due:
            widget.update(
                Text(_("Review: {count} due across your banks · press V to review them").format(count=len(due)))
            )
        else:
            widget.update(Text(_("Review: nothing due. Questions come back here, days later, to keep them fresh.")))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":
            return bool(self.due and self.due.items)  # hidden when nothing is due
        if action == "report":  # not in a student's seat of `quiz-app serve`
            return not self.quiz_app.served
        if action == "start_over":  # shown only where there is something to start over
            bank = self.current_bank()
            return bank is not None and bank.id in self.unfinished
        return True

    def action_review(self) -> None:
        if self.due is None:
            return
        session = review.review_session(self.due.items, title=_("Review"))
        if session is None:
            self.notify(_("Nothing is due for review."))
            return
        self.quiz_app.play(QuizRun(session.bank, homes=session.homes))

    def open(self, bank: Bank) -> None:
        """Play the bank: its unfinished run goes on where it was left, else a new run starts."""
        left = self.unfinished.get(bank.id)
        run = resumed(bank, left) if left is not None else None
        self.quiz_app.play(run or QuizRun(bank))

    def action_start_over(self) -> None:
        bank = self.current_bank()
        if bank is not None:
            self.quiz_app.play(QuizRun(bank))

    def action_stats(self) -> None:
        self.quiz_app.open_stats()

    def action_report(self) -> None:
        self.quiz_app.open_report()

    def action_reload(self) -> None:
        self.load(reload=True)
