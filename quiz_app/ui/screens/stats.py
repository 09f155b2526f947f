"""The player's own progress: each bank's scores over the last finished quizzes (a sparkline),
and how much the reviews show was kept, per tag. ``quiz-app stats`` prints the same figures."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Header, Static

from quiz_app.bank import load_banks
from quiz_app.core.i18n import N_, _, ngettext
from quiz_app.play import review
from quiz_app.progress import ProgressStore
from quiz_app.progress.cards import TagRetention
from quiz_app.ui.screens.base import AppScreen
from quiz_app.ui.widgets.footer import QuietFooter
from quiz_app.ui.widgets.option_bars import share_bar
from quiz_app.ui.widgets.score_sparkline import ScoreSparkline

TREND_LENGTH = 20  # finished quizzes per sparkline, one cell each
BAR_WIDTH = 20


@dataclass(frozen=True)
class BankTrend:
    """One bank the player has answered in: its title and the score shares of its last
    finished full quizzes, oldest first (empty when none was finished)."""

    bank_id: str
    title: str
    scores: tuple[float, ...]


def trend_figures(scores: Sequence[float]) -> str:
    """'last 80% · best 100% · 7 quizzes', or why there is no trend yet."""
    if not scores:
        return _("no quiz finished yet")
    quizzes = ngettext("{count} quiz", "{count} quizzes", len(scores)).format(count=len(scores))
    return _("last {last} · best {best} · {quizzes}").format(
        last=f"{scores[-1]:.0%}", best=f"{max(scores):.0%}", quizzes=quizzes
    )


def retention_figures(tag: TagRetention) -> str:
    """'3 of 4 reviews right (75%)'."""
    return ngettext(
        "{right} of {count} review right ({rate})", "{right} of {count} reviews right ({rate})", tag.reviews
    ).format(right=tag.recalled, count=tag.reviews, rate=f"{tag.rate:.0%}")


class StatsScreen(AppScreen[None]):
    """The current player's score trends and retention per tag; Escape goes back."""

    DEFAULT_CSS = """
    StatsScreen #stats-player {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $boost;
        text-style: bold;
    }
    StatsScreen #stats-body {
        height: 1fr;
        padding: 0 1;
    }
    StatsScreen .stats-heading {
        height: auto;
        margin: 1 0 0 0;
        text-style: bold;
    }
    StatsScreen .stats-note {
        height: auto;
        color: $text-muted;
    }
    StatsScreen #stats-trends, StatsScreen #stats-retention {
        height: auto;
    }
    StatsScreen .stats-row {
        height: 1;
    }
    StatsScreen .stats-name {
        width: 1fr;
        min-width: 10;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    StatsScreen .stats-row Sparkline, StatsScreen .stats-bar {
        width: 20;
        margin: 0 1;
    }
    StatsScreen .stats-figures {
        width: 36;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS = [
        Binding("escape", "leave", N_("Back"), id="stats-back", tooltip=N_("Close your progress")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.trends: list[BankTrend] = []
        self.retention: list[TagRetention] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(_("Player: {player}").format(player=self.quiz_app.player)), id="stats-player")
        with VerticalScroll(id="stats-body"):
            yield Static(
                Text(_("Scores per bank: your last finished quizzes, oldest first")),
                classes="stats-heading",
                id="stats-trends-heading",
            )
            yield Vertical(id="stats-trends")
            yield Static(
                Text(_("Retention per tag: reviews of questions that were due, answered right")),
                classes="stats-heading",
                id="stats-retention-heading",
            )
            yield Vertical(id="stats-retention")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Your progress")
        self.query_one("#stats-body").loading = True
        self.load()

    @work(exclusive=True, group="stats", exit_on_error=False, description="Read your progress")
    async def load(self) -> None:
        app, player = self.quiz_app, self.quiz_app.player
        try:
            banks = app.banks.banks or (await asyncio.to_thread(load_banks, app.bank_sources())).banks
            titles = {bank.id: bank.title for bank in banks}
            tags = review.tags_by_hash(banks)

            def read(store: ProgressStore) -> tuple[list[BankTrend], list[TagRetention]]:
                trends = [
                    BankTrend(
                        t.bank_id,
                        titles.get(t.bank_id, t.bank_id),
                        tuple(store.score_trend(player, t.bank_id, TREND_LENGTH)),
                    )
                    for t in store.bank_totals(player)
                ]
                return trends, store.retention_by_tag(player, tags)

            self.trends, self.retention = await app.read_store(read)
        except Exception as error:  # noqa: BLE001 - said on screen, not lost in a worker
            self.query_one("#stats-body").loading = False
            message = _("Could not read your progress: {error}").format(error=error)
            self.query_one("#stats-player", Static).update(Text(message))
            return
        await self.show_stats()

    async def show_stats(self) -> None:
        trends = self.query_one("#stats-trends", Vertical)
        retention = self.query_one("#stats-retention", Vertical)
        await trends.remove_children()
        await retention.remove_children()
        await trends.mount_all(self.trend_rows())
        await retention.mount_all(self.retention_rows())
        self.query_one("#stats-body").loading = False

    def trend_rows(self) -> list[Widget]:
        if not self.trends:
            note = _("No answers yet: play a bank to the end, and your scores show here, one quiz after another.")
            return [Static(Text(note), classes="stats-note")]
        rows: list[Widget] = []
        for trend in self.trends:
            line: Widget = (
                ScoreSparkline(list(trend.scores), summary_function=max)
                if trend.scores
                else Static(Text("–", style="dim"), classes="stats-bar")
            )
            rows.append(
                Horizontal(
                    Static(Text(trend.title), classes="stats-name"),
                    line,
                    Static(Text(trend_figures(trend.scores)), classes="stats-figures"),
                    classes="stats-row",
                )
            )
        return rows

    def retention_rows(self) -> list[Widget]:
        if not self.retention:
            note = _(
                "No reviews yet. A question comes back days after you answer it; answer it when it is due "
                "(V on the home screen), and how much you kept shows here, per tag."
            )
            return [Static(Text(note), classes="stats-note")]
        return [
            Horizontal(
                Static(Text(tag.tag), classes="stats-name"),
                Static(share_bar(tag.rate, BAR_WIDTH, style="green"), classes="stats-bar"),
                Static(Text(retention_figures(tag)), classes="stats-figures"),
                classes="stats-row",
            )
            for tag in self.retention
        ]

    def action_leave(self) -> None:
        self.dismiss()
