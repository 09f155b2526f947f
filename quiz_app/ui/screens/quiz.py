"""Playing a bank: one screen that asks a question, then shows its answer, then the next.

Asking and answering share the screen (its header, progress line and footer stay put), so
that only the answer itself is drawn when the learner submits and the live outcome shows at
once.
"""

from __future__ import annotations

import asyncio
import time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.widget import AwaitMount
from textual.widgets import Header, Static

from quiz_app.bank import Verdict, grade
from quiz_app.core.i18n import N_, _
from quiz_app.play.run import QuizRun, Result, response_text
from quiz_app.runner import Outcome
from quiz_app.ui.screens.base import AppScreen
from quiz_app.ui.screens.choice_keys import CHOICE_BINDINGS
from quiz_app.ui.widgets.answer_view import AnswerView
from quiz_app.ui.widgets.footer import QuietFooter
from quiz_app.ui.widgets.progress_line import ProgressLine
from quiz_app.ui.widgets.question_view import QuestionView, hint_for

OUTCOME_WAIT = 0.05  # seconds the answer waits for its live outcome, to be drawn with it


class QuizScreen(AppScreen[None]):
    BINDINGS = [
        Binding(
            "enter",
            "submit",
            N_("Submit"),
            show=False,  # the footer shows Ctrl+S, which submits every type; the hint line names Enter
            id="submit",
            tooltip=N_("Submit your answer and see what PyTorch does"),
        ),
        Binding(
            "ctrl+s",
            "submit_anywhere",
            N_("Submit"),
            id="submit-anywhere",
            priority=True,  # also from inside the prediction box, where Enter starts a new line
            tooltip=N_("Submit your answer, from any question, also from the prediction box"),
        ),
        Binding("enter,n", "next", N_("Next"), id="next", tooltip=N_("Go on to the next question")),
        Binding("escape", "leave", N_("Home"), id="leave", tooltip=N_("Back to the banks; answers given are saved")),
        Binding(
            "x",
            "expressions",
            N_("Proofs"),
            id="expressions",
            tooltip=N_("Show or hide the expression that proves each option"),
        ),
        *CHOICE_BINDINGS,
    ]

    def __init__(self, run: QuizRun) -> None:
        super().__init__()
        self.quiz = run
        self.answer: AnswerView | None = None  # the answer shown, once the learner submitted
        self.prepared: AnswerView | None = None  # the current question's answer, built while it is asked
        self.preparing: AwaitMount | None = None  # its mount
        self.prepared_in = ""  # the language it was built in
        self.asked = 0  # questions asked on this screen, so that a late preparation knows it is stale
        self.shown_at = time.monotonic()
        self.committed = False  # the current answer is saved
        self.response: str | bool | frozenset[str] = ""
        self.seconds = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        yield ProgressLine(self.quiz)
        yield Container(id="stage")
        yield Static(id="hint")
        yield QuietFooter()

    async def on_mount(self) -> None:
        await self.ask()
        if self.quiz.resumed_at is not None:
            self.notify(
                _(
                    "Going on at question {number} of {total}: {answered} answered before. "
                    "To start over, leave (Escape) and press S."
                ).format(number=self.quiz.resumed_at + 1, total=self.quiz.total, answered=self.quiz.answered),
                timeout=8,
            )

    @property
    def view(self) -> QuestionView:
        return self.query_one("#question-body", QuestionView)

    async def ask(self) -> None:
        """Show the current question."""
        stage = self.query_one("#stage")
        self.answer = self.prepared = self.preparing = None
        self.asked += 1
        await stage.remove_children()
        question = self.quiz.current
        self.app.clear_notifications()  # a notice about the last question does not linger over this one
        await stage.mount(QuestionView(question, self.quiz.home(question)[0].setup))
        self.query_one(ProgressLine).refresh_line()
        self.query_one("#hint", Static).update(Text(hint_for(question)))
        self.shown_at = time.monotonic()
        self.refresh_bindings()
        self.call_after_refresh(self.prepare_answer, self.asked)  # once the question is on screen

    def prepare_answer(self, asked: int) -> AwaitMount | None:
        """Build the answer to the question asked ``asked``-th, hidden, while the learner reads
        it: on submit only the verdict and the outcome are left to draw. Returns the mount to
        await (the same one if it was already started)."""
        if asked != self.asked or self.quiz.finished:
            return None  # a later question is asked now
        if self.preparing is None:
            question = self.quiz.current
            self.prepared = AnswerView(question, setup=self.quiz.home(question)[0].setup)
            self.prepared_in = self.quiz_app.language
            self.prepared.display = False
            self.preparing = self.query_one("#stage").mount(self.prepared)
        return self.preparing

    async def answer_view(self) -> AnswerView:
        """The current question's answer, as prepared: built now if the learner was quicker
        than the first frame, and built again if the language was switched (palette) since."""
        if self.prepared is not None and self.prepared_in != self.quiz_app.language:
            if self.preparing is not None:
                await self.preparing
            await self.prepared.remove()
            self.prepared = self.preparing = None
        mounting = self.prepare_answer(self.asked)
        if mounting is not None:
            await mounting
        assert self.prepared is not None
        return self.prepared

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.quiz.finished:  # past the last question, on the way to the summary
            return action not in ("submit", "submit_anywhere", "pick", "move", "toggle_choice", "next", "expressions")
        asking = self.answer is None
        if action == "submit":  # Enter: in the prediction box it starts a new line instead
            return asking and self.quiz.current.type != "predict"
        if action == "submit_anywhere":
            return asking
        if action in ("pick", "move", "toggle_choice"):
            return asking and self.quiz.current.type != "predict"
        if action == "next":
            return not asking
        if action == "expressions":
            return not asking and bool(self.quiz.current.holds_expressions())
        return True

    def action_expressions(self) -> None:
        if self.answer is not None:
            self.answer.toggle_expressions()

    def action_pick(self, label: str) -> None:
        self.view.pick(label)

    def action_move(self, step: int) -> None:
        self.view.move(step)

    def action_toggle_choice(self) -> None:
        self.view.toggle()

    async def action_submit_anywhere(self) -> None:
        await self.action_submit()

    async def action_submit(self) -> None:
        if self.answer is not None:
            return
        # No frame while the answer is put together: the next one shows it whole, with its
        # outcome when that came within OUTCOME_WAIT.
        with self.app.batch_update():
            await self.submit()

    async def submit(self) -> None:
        question = self.quiz.current
        response = self.view.response()
        if response is None:
            self.notify(_("Type a prediction first.") if question.type == "predict" else _("Choose an answer first."))
            return
        seconds = time.monotonic() - self.shown_at
        live = None
        if question.snippet:
            live = self.quiz_app.run_question(self.quiz, question)  # runs while the answer is drawn
        by_run = question.type == "predict" and question.answer is None
        verdict = None if by_run else grade(question, response)
        self.response, self.seconds, self.committed = response, seconds, False
        answer = await self.answer_view()
        if live is not None:
            # A ready snippet process replies within a few milliseconds: waiting that long draws
            # the answer and its outcome in one frame, rather than "Running…" first and the
            # outcome a frame or two later. A slower run shows "Running…" after OUTCOME_WAIT.
            await asyncio.wait({live}, timeout=OUTCOME_WAIT)
        assert answer.question is question
        self.answer = answer
        answer.begin(response, verdict, live)
        self.app.clear_notifications()
        asked = self.view
        asked.display = False  # removed once the answer is on screen: drawing comes first
        answer.display = True
        self.call_after_refresh(asked.remove)
        self.show_answer_hint()
        self.refresh_bindings()
        if verdict is not None:
            self.commit(verdict)

    def show_answer_hint(self) -> None:
        """Say that the answer scrolls, once it is drawn and when it grows."""

        def update() -> None:
            scrolls = self.answer is not None and self.answer.max_scroll_y > 0
            parts = [_("Enter or N: next question")]
            if scrolls:
                parts.append(_("↓ or PgDn: more below"))
            parts.append(_("Escape: back to the banks"))
            self.query_one("#hint", Static).update(Text(" · ".join(parts)))

        self.call_after_refresh(update)

    @on(AnswerView.OutcomeArrived)
    def outcome_arrived(self, message: AnswerView.OutcomeArrived) -> None:
        """A prediction without a key is graded against what PyTorch printed."""
        self.show_answer_hint()
        if message.view is not self.answer or self.committed:
            return
        outcome = message.outcome
        question = self.quiz.current
        verdict = grade(question, self.response, outcome.text, outcome.exc_type) if outcome.ran else Verdict.UNGRADED
        message.view.show_verdict(verdict)
        self.commit(verdict, outcome)

    def commit(self, verdict: Verdict, outcome: Outcome | None = None) -> None:
        """The verdict is known: count it and save the answer at once."""
        if self.committed or self.answer is None:
            return
        self.committed = True
        question = self.quiz.current
        self.quiz.record(Result(question, response_text(question, self.response), verdict, self.seconds))
        self.quiz_app.save_answer(self.quiz, question, self.response, verdict, self.seconds, outcome)
        if self.quiz.answered >= self.quiz.total:  # every question answered: the run is finished
            self.quiz_app.finish_attempt(self.quiz)
        self.query_one(ProgressLine).refresh_line()

    async def action_next(self) -> None:
        self.finalise()
        if self.quiz.advance():
            await self.ask()
        else:
            from quiz_app.ui.screens.summary import SummaryScreen

            self.app.switch_screen(SummaryScreen(self.quiz))

    def action_leave(self) -> None:
        """Back to the banks. A run left before its end stays unfinished: it is not scored, and
        opening the bank again goes on at its first unanswered question."""
        self.finalise()
        self.dismiss()

    def finalise(self) -> None:
        """Leaving before the outcome came (leaving, quitting): the answer is kept, as not
        graded, and the snippet is stopped so that the next one need not wait for it."""
        if self.answer is None:
            return
        if not self.committed:
            self.commit(Verdict.UNGRADED)
        if self.answer.outcome is None and self.answer.live is not None:
            self.quiz_app.runner.cancel()
