"""The end of an exam: the score, then every question with the answer given, the verdict, the
snippet's live outcome and the explanation, one page each.

Questions are shown as the player saw them (their letters, their order); the store keeps the
bank's letters. The snippets run now, one after another in a worker, the page in sight first.
"""

from __future__ import annotations

import asyncio

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.widgets import Header, Markdown, Static

from quiz_app.bank import Question, Verdict
from quiz_app.core.i18n import N_, _, ngettext
from quiz_app.play.exam import ExamPaper
from quiz_app.play.run import response_text
from quiz_app.play.shuffle import Response
from quiz_app.runner import Outcome
from quiz_app.ui.screens.base import AppScreen
from quiz_app.ui.screens.exam_answers import finalise_predictions, run_snippet, settle_prediction
from quiz_app.ui.widgets.answer_view import AnswerView
from quiz_app.ui.widgets.choices import inline_code
from quiz_app.ui.widgets.footer import QuietFooter
from quiz_app.ui.widgets.question_view import code_block

MARKS = {Verdict.CORRECT: "✔", Verdict.WRONG: "✘", Verdict.UNGRADED: "?"}


def ending_text(why: str | None) -> str:
    if why == "time":
        return _("Time is up.")
    if why == "ended":
        return _("You ended the exam.")
    return _("You answered every question.")


def choice_lines(question: Question, response: Response | None) -> Table:
    """The choices as shown, the ones picked marked (•) or [x], the right ones ✔; a long
    choice wraps under its own text."""
    texts: tuple[str, ...]
    if question.type == "true_false":
        labels, texts = "TF", (_("true"), _("false"))
        picked = {"T" if response is True else "F"} if isinstance(response, bool) else set()
        keyed = {"T" if question.answer else "F"}
    else:
        labels, texts = question.letters, tuple(choice.text for choice in question.choices)
        picked = set(question.picked_labels(response)) if response is not None else set()
        keyed = {letter for letter in labels if question.keyed(letter)}
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for label, text in zip(labels, texts, strict=True):
        if question.type == "multiple":
            marker = "[x]" if label in picked else "[ ]"
        else:
            marker = "(•)" if label in picked else "( )"
        style = "bold" if label in picked else ""
        key = "✔" if label in keyed else " "
        body = inline_code(text)
        body.stylize(style)
        grid.add_row(Text(f"{key} {marker} {label}", style=style), body)
    return grid


class ReviewAnswer(AnswerView):
    """The answer view of practice, which also says when a question was not answered."""

    def __init__(
        self, question: Question, response: Response | None, verdict: Verdict | None, **kwargs: object
    ) -> None:
        super().__init__(question, response if response is not None else "", verdict, **kwargs)  # type: ignore[arg-type]
        self.answered = response is not None
        self.styles.height = "auto"  # one page scrolls, not the answer inside it (inline: over quiz.tcss)
        self.styles.padding = 0

    def show_verdict(self, verdict: Verdict | None) -> None:
        if self.answered:
            super().show_verdict(verdict)
            return
        widget = self.query_one("#verdict", Static)
        widget.set_classes("-ungraded")
        widget.update(inline_code(_("– Not answered. {key}").format(key=self.key_text())))


class ExamReviewScreen(AppScreen[None]):
    DEFAULT_CSS = """
    #review-status {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #review-page {
        height: 1fr;
        padding: 0 1;
    }
    #review-choices {
        margin: 0 0 1 0;
    }
    #review-score {
        text-style: bold;
        margin: 1 0;
    }
    """
    BINDINGS = [
        # Priority: the page in focus scrolls with ↑↓, and would take ← → for sideways scrolling.
        Binding(
            "right,n", "page(1)", N_("Next"), id="exam-review-next", priority=True, tooltip=N_("The next question")
        ),
        Binding(
            "left,p",
            "page(-1)",
            N_("Previous"),
            id="exam-review-previous",
            priority=True,
            tooltip=N_("The question before"),
        ),
        Binding("escape", "overview", N_("Overview"), id="exam-review-overview", tooltip=N_("Back to the score")),
        Binding(
            "x",
            "expressions",
            N_("Proofs"),
            id="exam-review-expressions",
            tooltip=N_("Show or hide the expression that proves each option"),
        ),
    ]

    def __init__(self, paper: ExamPaper, runs: dict[str, asyncio.Future[Outcome]] | None = None) -> None:
        super().__init__()
        self.paper = paper
        self.runs: dict[str, asyncio.Future[Outcome]] = dict(runs or {})
        self.todo: set[str] = set()  # snippets still to hand to the runner
        self.page = 0  # 0: the score; n: the n-th question of the player's order

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="review-status")
        yield Container(id="stage")
        yield Static(id="hint")
        yield QuietFooter()

    async def on_mount(self) -> None:
        self.sub_title = _("Exam review: {title}").format(title=self.paper.run.bank.title)
        loop = asyncio.get_running_loop()
        for question in self.paper.questions:
            if question.snippet and question.id not in self.runs:
                self.runs[question.id] = loop.create_future()
                self.todo.add(question.id)
            elif question.id in self.runs:  # a prediction graded by its run: the score changes when it is back
                self.runs[question.id].add_done_callback(lambda _done: self.call_later(self.prediction_graded))
        await self.show_page(0)
        self.run_snippets()

    # -- the snippets -------------------------------------------------------------------------
    @work(exclusive=True, group="exam-review-runs", exit_on_error=False, description="Run the exam's snippets")
    async def run_snippets(self) -> None:
        app, paper = self.quiz_app, self.paper
        while self.todo:
            shown = self.page_question()
            waiting = [question for question in paper.questions if question.id in self.todo]
            question = shown if shown is not None and shown.id in self.todo else waiting[0]
            self.todo.discard(question.id)
            try:
                outcome = await run_snippet(app, paper, question)
            except Exception as error:  # noqa: BLE001 - shown as the outcome, never swallowed
                outcome = Outcome(status="unavailable", detail=str(error))
            future = self.runs[question.id]
            if not future.done():
                future.set_result(outcome)

    async def prediction_graded(self) -> None:
        if self.is_attached:
            self.show_status()
            if self.page == 0:
                await self.show_page(0)

    @on(AnswerView.OutcomeArrived)
    def outcome_arrived(self, message: AnswerView.OutcomeArrived) -> None:
        """A prediction without a key shows the verdict its run gave (saved then, if not yet)."""
        question = message.view.question
        if question.id in self.paper.responses and self.paper.verdict(question) is None:
            future = self.runs[question.id]
            if future.done():
                settle_prediction(self.quiz_app, self.paper, question, future)
        if message.view.verdict is None and isinstance(message.view, ReviewAnswer) and message.view.answered:
            message.view.show_verdict(self.paper.verdict(question))
        self.show_status()

    # -- pages --------------------------------------------------------------------------------
    def page_question(self) -> Question | None:
        return self.paper.questions[self.page - 1] if self.page > 0 else None

    def show_status(self) -> None:
        paper = self.paper
        total = len(paper.questions)
        percent = round(100 * paper.correct / total) if total else 0
        line = _("Score {correct} of {total} ({percent}%)").format(correct=paper.correct, total=total, percent=percent)
        waiting = paper.answered - len(paper.run.results)
        if waiting:
            line += " · " + ngettext("{count} being graded", "{count} being graded", waiting).format(count=waiting)
        question = self.page_question()
        if question is not None:
            line = _("Question {position} of {total}").format(position=self.page, total=total) + " · " + line
        self.query_one("#review-status", Static).update(Text(line))

    async def show_page(self, page: int) -> None:
        self.page = max(0, min(len(self.paper.questions), page))
        stage = self.query_one("#stage")
        await stage.remove_children()
        body = VerticalScroll(id="review-page")
        await stage.mount(body)
        question = self.page_question()
        if question is None:
            await body.mount_all(self.overview())
            hint = _("→ or N: each question, its outcome and why · Q: quit")
        else:
            await body.mount_all(self.question_page(question))
            hint = _("→ N: next · ← P: previous · Escape: the score · Q: quit")
        self.query_one("#hint", Static).update(Text(hint))
        body.focus()  # ↑↓ and PgUp/PgDn scroll the page
        self.show_status()
        self.refresh_bindings()

        def more_below() -> None:
            if body.is_attached and body.max_scroll_y > 0:
                self.query_one("#hint", Static).update(Text(hint + _(" · ↓ PgDn: more below")))

        self.call_after_refresh(more_below)

    def overview(self) -> list[Static]:
        paper = self.paper
        total = len(paper.questions)
        unanswered = total - paper.answered
        score = [ending_text(paper.ended)]
        score.append(
            _("Score: {correct} of {total}").format(correct=paper.correct, total=total)
            + " · "
            + ngettext("{count} not answered", "{count} not answered", unanswered).format(count=unanswered)
        )
        lines = Text()
        for position, question in enumerate(paper.questions, start=1):
            verdict = paper.verdict(question)
            given = paper.responses.get(question.id)
            mark = "–" if given is None else MARKS[verdict] if verdict is not None else "…"
            line = Text(f"{mark} {position:>2}. ", no_wrap=True, overflow="ellipsis")
            line.append_text(inline_code(question.short_title()))
            answer = _("not answered") if given is None else self.answer_words(question, given[0])
            line.append(f" · {answer}", style="dim")
            line.truncate(max(20, self.size.width - 4), overflow="ellipsis")
            lines.append_text(line)
            lines.append("\n")
        lines.rstrip()
        legend = _("✔ right · ✘ wrong · ? not graded · – not answered · … being graded")
        return [
            Static(Text("\n".join(score)), id="review-score"),
            Static(lines, id="review-list"),
            Static(Text(legend, style="dim"), id="review-legend"),
        ]

    @staticmethod
    def answer_words(question: Question, response: Response) -> str:
        text = response_text(question, response).strip().replace("\n", " ⏎ ")
        return _("you: {answer}").format(answer=text if len(text) <= 30 else text[:29] + "…")

    def question_page(self, question: Question) -> list[Static | Markdown | AnswerView]:
        paper = self.paper
        given = paper.responses.get(question.id)
        response = given[0] if given is not None else None
        widgets: list[Static | Markdown | AnswerView] = [Markdown(question.prompt, id="review-prompt")]
        if question.code:
            widgets.append(Static(code_block(question.code), id="review-code", classes="code"))
        if question.type != "predict":
            widgets.append(Static(choice_lines(question, response), id="review-choices"))
        future = self.runs.get(question.id)
        live = asyncio.shield(future) if future is not None else None  # leaving the page must not cancel the run
        verdict = paper.verdict(question)
        if verdict is None and given is None:
            verdict = Verdict.UNGRADED
        widgets.append(ReviewAnswer(question, response, verdict, live=live, setup=paper.run.bank.setup))
        return widgets

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        total = len(self.paper.questions)
        if action == "page":
            step = parameters[0] if parameters else 1
            target = self.page + (step if isinstance(step, int) else 1)
            return None if not 0 <= target <= total else True  # greyed out at either end
        if action == "overview":
            return self.page > 0
        if action == "expressions":
            question = self.page_question()
            return question is not None and bool(question.holds_expressions())
        return True

    async def action_page(self, step: int) -> None:
        if 0 <= self.page + step <= len(self.paper.questions):
            await self.show_page(self.page + step)

    async def action_overview(self) -> None:
        await self.show_page(0)

    def action_expressions(self) -> None:
        for view in self.query(AnswerView):
            view.toggle_expressions()

    def finalise(self) -> None:
        """Quitting while a prediction's run is out: it is kept, as not graded."""
        finalise_predictions(self.quiz_app, self.paper)
