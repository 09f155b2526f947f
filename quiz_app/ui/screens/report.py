"""The classroom report in the TUI: the figures of ``quiz-app report`` for this machine's
database (every player, each one's first answer to each question).

Per bank (tabs, or B to switch), a table of its questions, sortable by facility or
discrimination (F, D, or a click on a column's header); under it, how the highlighted
question's options were chosen, one bar each; then the class's misconceptions, the most shown
first. The report is computed in the store's thread (``QuizApp.read_store``); the table shows
``loading`` meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Header, Static, Tab, Tabs

from quiz_app.bank import Bank, Question, load_banks
from quiz_app.classroom import Selection, report_data
from quiz_app.classroom.render import clean, unshown_line
from quiz_app.core.i18n import N_, _, ngettext
from quiz_app.ui.screens.base import AppScreen
from quiz_app.ui.widgets.footer import QuietFooter
from quiz_app.ui.widgets.option_bars import OptionBars, OptionRow, fit

Data = Mapping[str, Any]

# How each sort reads first: the hardest (lowest facility) and the weakest (lowest
# discrimination) questions at the top, where a teacher looks first; the most answered first.
FIRST_DESCENDING = {"facility": False, "discrimination": False, "answered": True}
SORTABLE = ("order", *FIRST_DESCENDING)
TITLE_WIDTH = 64  # cells of a question's title at most, on a wide screen
TAB_WIDTH = 24  # cells of a bank's title on its tab
FIXED_COLUMNS = 50  # what the columns other than the title take, cell padding and scroll bar included


def sorted_questions(questions: Sequence[Data], sort: str, descending: bool) -> list[Data]:
    """The questions in bank order, or by ``sort`` (a figure of each question); the questions
    without that figure (too few answers) always last, in bank order."""
    if sort == "order":
        return list(questions)
    known = sorted((q for q in questions if q[sort] is not None), key=lambda q: q[sort], reverse=descending)
    return known + [q for q in questions if q[sort] is None]


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}"


def option_rows(figures: Data, question: Question | None) -> tuple[list[OptionRow], str]:
    """The bars of one question of the report: one per option, with the choice text and the key
    when the bank is installed. Returns (rows, heading): for a predict question the options are
    its most common wrong predictions, and the heading says so."""
    options: Mapping[str, int] = figures["options"]
    answered = figures["answered"]
    if question is not None and question.type in ("single", "multiple"):
        texts = dict(zip(question.letters, (choice.text for choice in question.choices), strict=True))
        return [OptionRow(name, n, question.keyed(name), texts.get(name, "")) for name, n in options.items()], ""
    if question is not None and question.type == "true_false":
        return [OptionRow(name, n, name == question.answer_text()) for name, n in options.items()], ""
    names = list(options)
    if question is None and (names[:2] == ["true", "false"] or all(len(n) == 1 and n.isalpha() for n in names)):
        return [OptionRow(name, n) for name, n in options.items()], ""  # no bank here: no key, no texts
    heading = ngettext(
        "The most common wrong predictions, of {count} answer:",
        "The most common wrong predictions, of {count} answers:",
        answered,
    ).format(count=answered)
    return [OptionRow("", n, False, clean(name)) for name, n in options.items()], heading


def misconception_lines(misconceptions: Sequence[Data]) -> Text:
    """'7 of 12 students still believe: …' per misconception shown, the most shown first."""
    if not misconceptions:
        return Text(
            _("No answer counted was offered a misconception (questions of bank format 2 carry them)."), style="dim"
        )
    lines = [Text(_("Misconceptions, all banks (students who showed one, of those offered it)"), style="bold")]
    shown = [m for m in misconceptions if m["players"]]
    for m in shown:
        who = ngettext(
            "{shown} of {of} student still believes:", "{shown} of {of} students still believe:", m["of"]
        ).format(shown=m["players"], of=m["of"])
        lines.append(Text.assemble("  ", (who, "bold"), " ", clean(m["text"])))
    rest = len(misconceptions) - len(shown)
    if rest:
        lines.append(Text("  " + unshown_line(rest), style="dim"))
    return Text("\n").join(lines)


class ReportScreen(AppScreen[None]):
    """The class report of the local database; Escape goes back."""

    DEFAULT_CSS = """
    ReportScreen #report-summary {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $boost;
    }
    ReportScreen #report-empty {
        height: auto;
        padding: 1 2;
    }
    ReportScreen #report-questions {
        height: 1fr;
        min-height: 4;
    }
    ReportScreen #report-options {
        max-height: 10;
        border-top: hkey $primary 40%;
    }
    ReportScreen #report-misconceptions {
        height: auto;
        max-height: 5;
        padding: 0 1;
        background: $boost;
    }
    """

    BINDINGS = [
        Binding("escape", "leave", N_("Back"), id="report-back", tooltip=N_("Close the report")),
        Binding(
            "f",
            "sort('facility')",
            N_("By facility"),
            id="report-sort-facility",
            tooltip=N_("Sort the questions by facility, the hardest first; again to reverse"),
        ),
        Binding(
            "d",
            "sort('discrimination')",
            N_("By discr."),
            id="report-sort-discrimination",
            tooltip=N_("Sort the questions by discrimination, the weakest first; again to reverse"),
        ),
        Binding(
            "o",
            "sort('order')",
            N_("Bank order"),
            show=False,
            id="report-sort-order",
            tooltip=N_("The questions in the bank's order"),
        ),
        Binding("b", "bank(1)", N_("Next bank"), id="report-next-bank", tooltip=N_("Show the next bank's questions")),
        Binding(
            "B,shift+b",
            "bank(-1)",
            N_("Previous bank"),
            show=False,
            id="report-previous-bank",
            tooltip=N_("Show the previous bank's questions"),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: Data | None = None
        self.installed: dict[str, Bank] = {}
        self.bank_index = 0
        self.sort = "order"
        self.descending = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(_("Computing the class report…")), id="report-summary")
        yield Static(id="report-empty")
        tabs = Tabs(id="report-banks")
        tabs.can_focus = False  # the table keeps the keys; a click or B switches banks
        yield tabs
        yield DataTable(id="report-questions", cursor_type="row", zebra_stripes=True)
        yield OptionBars(id="report-options")
        with VerticalScroll(id="report-misconceptions"):
            yield Static(id="report-misconception-lines")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.sub_title = _("Class report")
        self.query_one("#report-empty").display = False
        self.query_one("#report-banks", Tabs).display = False
        self.query_one("#report-questions", DataTable).loading = True
        self.load()

    @work(exclusive=True, group="report", exit_on_error=False, description="Compute the class report")
    async def load(self) -> None:
        app = self.quiz_app
        try:
            banks = app.banks.banks or (await asyncio.to_thread(load_banks, app.bank_sources())).banks
            installed = {bank.id: bank for bank in banks}
            data = await app.read_store(lambda store: report_data(store, Selection(), installed))
        except Exception as error:  # noqa: BLE001 - said on screen, not lost in a worker
            self.query_one("#report-questions", DataTable).loading = False
            message = _("Could not compute the report: {error}").format(error=error)
            self.query_one("#report-summary", Static).update(Text(message))
            return
        self.installed = installed
        await self.show_report(data)

    # -- drawing ----------------------------------------------------------------------------
    def bank(self) -> Data | None:
        if self.data is None or not self.data["banks"]:
            return None
        return self.data["banks"][self.bank_index]

    async def show_report(self, data: Data) -> None:
        self.data = data
        table = self.query_one("#report-questions", DataTable)
        table.loading = False
        if not data["banks"]:
            self.show_empty()
            return
        self.query_one("#report-misconception-lines", Static).update(misconception_lines(data["misconceptions"]))
        tabs = self.query_one("#report-banks", Tabs)
        await tabs.clear()
        for index, bank in enumerate(data["banks"]):
            await tabs.add_tab(Tab(fit(clean(bank["title"]), TAB_WIDTH), id=f"report-bank-{index}"))
        tabs.display = len(data["banks"]) > 1
        self.bank_index = 0
        self.fill()
        table.focus()
        self.refresh_bindings()

    def show_empty(self) -> None:
        self.query_one("#report-summary").display = False
        empty = self.query_one("#report-empty", Static)
        empty.update(
            Text(
                _(
                    "No answers yet. The report counts every answer given on this machine, by every player: "
                    "play a bank (Enter on the home screen), or bring in your students' answers with "
                    "`quiz-app import FILE` (each student runs `quiz-app export FILE`)."
                )
            )
        )
        empty.display = True
        for selector in ("#report-questions", "#report-options", "#report-misconceptions"):
            self.query_one(selector).display = False
        self.refresh_bindings()

    def summary(self, bank: Data) -> Text:
        students = len(bank["players"])
        title = clean(bank["title"]) if bank["bank_installed"] else clean(bank["id"])
        counted = ngettext(
            "{count} student, counting each one's first answer",
            "{count} students, counting each one's first answer",
            students,
        ).format(count=students)
        line = Text.assemble((title, "bold"), " · ", counted)
        if not bank["bank_installed"]:
            line.append(" · " + _("bank not installed here: its questions by id"))
        return line

    def column_label(self, name: str, key: str) -> Text:
        if self.sort != key or key == "order":
            return Text(name)
        return Text(f"{name}{'▼' if self.descending else '▲'}", style="bold")

    def fill(self) -> None:
        """The current bank's questions, in the current sort; the highlighted one stays highlighted."""
        bank = self.bank()
        if bank is None:
            return
        self.query_one("#report-summary", Static).update(self.summary(bank))
        table = self.query_one("#report-questions", DataTable)
        keep = self.current_id()
        table.clear(columns=True)
        title_width = max(16, min(TITLE_WIDTH, self.size.width - FIXED_COLUMNS))
        table.add_column(self.column_label(_("Question"), "order"), key="order", width=title_width)
        table.add_column(self.column_label(_("Answered"), "answered"), key="answered", width=8)
        table.add_column(self.column_label(_("Facility"), "facility"), key="facility", width=9)
        table.add_column(self.column_label(_("Discr."), "discrimination"), key="discrimination", width=7)
        table.add_column(_("Top wrong"), key="top-wrong", width=9)
        table.add_column("(?)", key="dubious", width=3)
        questions = self.questions(bank)
        for figures in sorted_questions(bank["questions"], self.sort, self.descending):
            question = questions.get(figures["id"])
            title = fit(question.short_title() if question is not None else clean(figures["id"]), title_width)
            top = figures["top_wrong"]
            table.add_row(
                title,
                Text(str(figures["answered"]), justify="right"),
                Text(percent(figures["facility"]), justify="right"),
                Text(signed(figures["discrimination"]), justify="right"),
                fit(clean(top), 9) if top is not None else Text("–"),
                Text("(?)", style="bold") if figures["dubious"] else Text(""),
                key=figures["id"],
            )
        row = table.get_row_index(keep) if keep is not None and keep in table.rows else 0
        table.move_cursor(row=row)
        self.show_options()

    def questions(self, bank: Data) -> dict[str, Question]:
        installed = self.installed.get(bank["id"]) if bank["bank_installed"] else None
        return {q.id: q for q in installed.questions} if installed is not None else {}

    def current_id(self) -> str | None:
        table = self.query_one("#report-questions", DataTable)
        if not table.row_count:
            return None
        row_key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    @on(DataTable.RowHighlighted, "#report-questions")
    def show_options(self) -> None:
        bars = self.query_one("#report-options", OptionBars)
        bank, qid = self.bank(), self.current_id()
        figures = next((q for q in bank["questions"] if q["id"] == qid), None) if bank is not None else None
        if bank is None or figures is None:
            bars.clear()
            return
        question = self.questions(bank).get(figures["id"])
        rows, heading = option_rows(figures, question)
        title = Text.assemble((clean(figures["id"]), "bold"))
        if question is not None:
            title.append(": ")
            title.append(question.short_title())
        if not heading:
            answers = ngettext("{count} answer", "{count} answers", figures["answered"])
            title.append(" · " + answers.format(count=figures["answered"]), style="dim")
        note = None
        if figures["dubious"]:
            note = Text.assemble(("(?) ", "bold"), _("Worth a look: "), "; ".join(figures["dubious"]))
        bars.show(title, rows, figures["answered"], heading, note)

    def on_resize(self, event: events.Resize) -> None:
        self.fill()  # the title column takes what the others leave

    # -- actions ----------------------------------------------------------------------------
    @on(Tabs.TabActivated, "#report-banks")
    def bank_chosen(self, event: Tabs.TabActivated) -> None:
        index = int(event.tab.id.rsplit("-", 1)[1]) if event.tab.id else 0
        if index != self.bank_index:
            self.bank_index = index
            self.fill()

    @on(DataTable.HeaderSelected, "#report-questions")
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        key = event.column_key.value
        if key is not None and key in SORTABLE:
            self.action_sort(key)

    def action_sort(self, key: str) -> None:
        if key == "order":
            self.sort, self.descending = key, False
        elif key == self.sort:
            self.descending = not self.descending
        else:
            self.sort, self.descending = key, FIRST_DESCENDING.get(key, False)
        self.fill()

    def action_bank(self, step: int) -> None:
        if self.data is None or len(self.data["banks"]) < 2:
            return
        self.bank_index = (self.bank_index + step) % len(self.data["banks"])
        self.query_one("#report-banks", Tabs).active = f"report-bank-{self.bank_index}"
        self.fill()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        banks = self.data["banks"] if self.data is not None else []
        if action == "bank":
            return len(banks) > 1  # hidden with a single bank
        if action == "sort":
            return bool(banks)
        return True

    def action_leave(self) -> None:
        self.dismiss()
