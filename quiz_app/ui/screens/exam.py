"""Exam mode: one question after another, against a visible countdown, with nothing revealed.

Each answer is final when given: it is graded and saved at once (``QuizApp.record``, with the
bank's letters), but neither the verdict nor the snippet's outcome is shown until the end. A
question may be skipped; it comes back after the others. When the countdown reaches zero the
exam ends by itself: what was not submitted stays unanswered. Then the review
(``exam_review.py``) shows everything.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.timer import Timer
from textual.widgets import Header, Static

from quiz_app.bank import grade
from quiz_app.core.i18n import N_, _, ngettext
from quiz_app.play.exam import ExamPaper, ExamPlan
from quiz_app.play.shuffle import Response
from quiz_app.runner import Outcome
from quiz_app.ui.screens.base import AppScreen
from quiz_app.ui.screens.choice_keys import CHOICE_BINDINGS
from quiz_app.ui.screens.exam_answers import finalise_predictions, run_snippet, save_answer, settle_prediction
from quiz_app.ui.screens.exam_end import ConfirmEndScreen
from quiz_app.ui.widgets.footer import QuietFooter
from quiz_app.ui.widgets.question_view import QuestionView, hint_for

if TYPE_CHECKING:
    from quiz_app.ui.app import QuizApp

URGENT_S = 60.0  # the countdown is marked when less is left


def open_exam(app: QuizApp, plan: ExamPlan) -> None:
    """Start the exam once its bank may run its snippets here (asked as ``QuizApp.play`` asks);
    a bank that may not run is not opened, and the app ends saying why."""
    bank = plan.bank

    def start() -> None:
        app.use_language(bank)
        app.push_screen(ExamScreen(plan.paper(app.player)))

    app.when_trusted(bank, start, lambda why: app.exit(return_code=1, message=Text(why)))


def clock_text(seconds: float) -> str:
    """Time left, rounded up: ``12:05``, or ``1:02:03`` past an hour."""
    whole = max(0, math.ceil(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class ExamScreen(AppScreen[None]):
    DEFAULT_CSS = """
    #exam-status {
        height: 1;
        padding: 0 1;
        background: $boost;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    #exam-status.-urgent {
        background: $warning 40%;
    }
    """
    BINDINGS = [
        Binding(
            "enter",
            "submit",
            N_("Submit"),
            show=False,  # the footer shows Ctrl+S, which submits every type; the hint line names Enter
            id="exam-submit",
            tooltip=N_("Give this answer; it is final and saved"),
        ),
        Binding(
            "ctrl+s",
            "submit_anywhere",
            N_("Submit"),
            id="exam-submit-anywhere",
            priority=True,  # also from inside the prediction box, where Enter starts a new line
            tooltip=N_("Give this answer, also from the prediction box; it is final and saved"),
        ),
        Binding(
            "ctrl+n",
            "skip",
            N_("Skip"),
            id="exam-skip",
            priority=True,
            tooltip=N_("Leave this question for later: it comes back after the others"),
        ),
        Binding("escape", "end_early", N_("End exam"), id="exam-end", tooltip=N_("End the exam now (asks first)")),
        Binding(
            "q", "end_early", N_("End exam"), show=False, id="exam-quit", tooltip=N_("End the exam now (asks first)")
        ),
        *CHOICE_BINDINGS,
    ]

    def __init__(self, paper: ExamPaper) -> None:
        super().__init__()
        self.paper = paper
        self.clock = paper.plan.clock
        self.deadline = 0.0
        self.shown_at = 0.0
        self.timer: Timer | None = None
        self.runs: dict[str, asyncio.Future[Outcome]] = {}  # predictions without a key, graded by their run
        self.saved_note = ""
        self.ending = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="exam-status")
        yield Container(id="stage")
        yield Static(id="hint")
        yield QuietFooter()

    async def on_mount(self) -> None:
        self.sub_title = _("Exam: {title}").format(title=self.paper.run.bank.title)
        self.deadline = self.clock() + self.paper.plan.minutes * 60
        self.quiz_app.start_attempt(self.paper.run)
        self.timer = self.set_interval(0.5, self.tick)
        await self.ask()

    @property
    def view(self) -> QuestionView:
        return self.query_one("#question-body", QuestionView)

    @property
    def left(self) -> float:
        return self.deadline - self.clock()

    async def ask(self) -> None:
        question = self.paper.current
        if question is None:
            self.end(self.paper.ended or "finished")
            return
        stage = self.query_one("#stage")
        await stage.remove_children()
        self.app.clear_notifications()
        await stage.mount(QuestionView(question, self.paper.run.bank.setup))
        hint = f"{self.saved_note} {hint_for(question)}".strip()
        self.query_one("#hint", Static).update(Text(hint))
        self.shown_at = self.clock()
        self.show_status()
        self.refresh_bindings()

    def show_status(self) -> None:
        paper, question = self.paper, self.paper.current
        line = _("Time left {left} · Question {position} of {total} · {answered} answered").format(
            left=clock_text(self.left),
            position=paper.position(question) if question is not None else paper.answered,
            total=len(paper.questions),
            answered=paper.answered,
        )
        if paper.skipped:
            line += " · " + ngettext("{count} skipped", "{count} skipped", paper.skipped).format(count=paper.skipped)
        status = self.query_one("#exam-status", Static)
        status.update(Text(line))
        status.set_class(self.left < URGENT_S, "-urgent")

    async def tick(self) -> None:
        """The countdown (every half second, from set_interval): at zero the exam ends by itself."""
        if self.paper.ended is not None:
            return
        if self.left <= 0:
            self.end("time")
        else:
            self.show_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        question = self.paper.current
        if question is None:
            return action not in ("submit", "submit_anywhere", "skip", "end_early", "pick", "move", "toggle_choice")
        if action == "skip":
            return len(self.paper.pending) > 1
        if action in ("pick", "move", "toggle_choice", "submit"):  # Enter: a new line in the prediction box
            return question.type != "predict"
        return True

    def action_pick(self, label: str) -> None:
        self.view.pick(label)

    def action_move(self, step: int) -> None:
        self.view.move(step)

    def action_toggle_choice(self) -> None:
        self.view.toggle()

    async def action_submit_anywhere(self) -> None:
        await self.action_submit()

    async def action_submit(self) -> None:
        paper = self.paper
        question = paper.current
        if question is None:
            return
        response: Response | None = self.view.response()
        if response is None:
            self.notify(_("Type a prediction first.") if question.type == "predict" else _("Choose an answer first."))
            return
        paper.give(response, self.clock() - self.shown_at)
        app = self.quiz_app
        if question.type == "predict" and question.answer is None:
            run = run_snippet(app, paper, question)
            self.runs[question.id] = run
            run.add_done_callback(lambda done: settle_prediction(app, paper, question, done))
        else:
            save_answer(app, paper, question, grade(question, response), None)
        self.saved_note = _("Your answer to question {position} is saved.").format(position=paper.position(question))
        await self.ask()

    async def action_skip(self) -> None:
        if self.paper.skip():
            self.saved_note = ""
            await self.ask()

    def action_end_early(self) -> None:
        unanswered = len(self.paper.questions) - self.paper.answered

        def answered(yes: bool | None) -> None:
            if yes:
                self.end("ended")

        self.app.push_screen(ConfirmEndScreen(unanswered), answered)

    def end(self, why: str) -> None:
        """The end (time, every question answered, or ended early): the review takes the screen."""
        from quiz_app.ui.screens.exam_review import ExamReviewScreen

        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        self.paper.end(why)
        if self.ending or not self.is_attached:
            return
        self.ending = True
        self.quiz_app.finish_attempt(self.paper.run)
        # Not awaited: the stack changes at once, and the exam screen is not left waiting on its own removal.
        while self.app.screen is not self and len(self.app.screen_stack) > 1:  # a dialog over the exam
            self.app.pop_screen()
        self.app.switch_screen(ExamReviewScreen(self.paper, self.runs))

    def finalise(self) -> None:
        """Quitting (Ctrl+Q, a closed terminal): answers still waiting for their run are kept, and
        the exam is over (a relaunch starts a new one), so it is not left as an unfinished run
        that practice would go on with."""
        if self.timer is not None:
            self.timer.stop()
        finalise_predictions(self.quiz_app, self.paper)
        if not self.ending:
            self.quiz_app.finish_attempt(self.paper.run)
        if self.runs:
            self.quiz_app.runner.cancel()
