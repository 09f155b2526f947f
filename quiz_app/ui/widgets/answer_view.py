"""After an answer: the verdict, the snippet beside its live outcome, what the run proved of
each option, why a wrong choice is wrong, and the explanation.

A view only: the quiz screen grades and saves. It posts ``OutcomeArrived`` when the snippet's
outcome is on screen, so that the screen can grade a prediction that has no key.
"""

from __future__ import annotations

import asyncio

from rich.cells import cell_len
from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Collapsible, Static

from quiz_app.bank import Question, Verdict
from quiz_app.bank.grading import explain_difference
from quiz_app.core.i18n import _
from quiz_app.play.run import response_text
from quiz_app.runner import Outcome
from quiz_app.ui.widgets.choices import inline_code
from quiz_app.ui.widgets.outcome import OutcomePanel
from quiz_app.ui.widgets.prose import Prose
from quiz_app.ui.widgets.question_view import code_block


def _flat(text: str) -> str:
    return " ".join(text.split())


def proof_lines(question: Question, outcome: Outcome, expressions: bool) -> Group:
    """What the run showed of each option: ✔ holds, ✘ does not hold, or not tested. An option
    is one line, cut to the width; its expression, on demand, wraps below it."""
    lines: list[Text] = [Text(_("What the run showed:"), style="bold")]
    marks = {
        "untested": _("not tested"),
        "unknown": _("could not tell"),
        "holds": _("holds"),
        "fails": _("does not hold"),
    }
    # One column for the marks ("✔  holds" and its padding), wide enough for the widest in this language.
    column = max(19, *(cell_len(mark) + 4 for mark in marks.values()))
    truths = iter(outcome.holds)
    for label, holds, _keyed in question.statements():
        name = label if label != "statement" else _("The statement")
        body = question.choices[question.letters.index(label)].text if label in question.letters else question.prompt
        if not holds:
            sign, mark, style = "·", marks["untested"], "dim"
        else:
            result = next(truths, None)
            if result is None or result.value is None:
                sign, mark, style = "!", marks["unknown"], "italic"
            elif result.value:
                sign, mark, style = "✔", marks["holds"], "bold"
            else:
                sign, mark, style = "✘", marks["fails"], ""
        padded = f"{sign}  {mark}" + " " * (column - 3 - cell_len(mark))
        name = name + " " * (3 - cell_len(name))
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f" {name} {padded}", style=style)
        line.append_text(inline_code(_flat(body)))
        lines.append(line)
        if expressions and holds:
            lines.append(Text(f"       {_flat(holds)}", style="italic"))
    return Group(*lines)


def line_by_line(text: str) -> Text:
    """``inline_code`` of each line, the line breaks kept: a verdict's lines are separate lines
    in every language (``inline_code`` joins two lines that meet between Chinese characters)."""
    return Text("\n").join(inline_code(line) for line in text.split("\n"))


STACK_BELOW = 100  # columns: narrower, the snippet goes above its outcome, at full width


class AnswerView(VerticalScroll):
    """Shows one answer; awaits the snippet the quiz screen sent when the learner submitted."""

    class OutcomeArrived(Message):
        def __init__(self, view: AnswerView, outcome: Outcome) -> None:
            super().__init__()
            self.view = view
            self.outcome = outcome

    def __init__(
        self,
        question: Question,
        response: str | bool | frozenset[str] | None = None,
        verdict: Verdict | None = None,
        live: asyncio.Future[Outcome] | None = None,
        setup: str = "",
    ) -> None:
        """``verdict`` is None for a prediction graded by the run; ``live`` is the snippet's
        outcome on its way (None for a question without a snippet).

        Without a ``response`` the view is prepared ahead, while the question is asked (the
        snippet highlighted, the explanation laid out), and ``begin()`` fills in the answer:
        submitting then only reveals what is already built."""
        super().__init__(id="answer-body")
        self.question = question
        self.response: str | bool | frozenset[str] = response if response is not None else ""
        self.begun = response is not None
        self.verdict = verdict
        self.live = live
        self.setup = setup
        self.outcome: Outcome | None = None
        self.show_expressions = False
        self.proof_text = ""  # what the proof panel shows, as plain text

    def compose(self) -> ComposeResult:
        question = self.question
        yield Static(id="verdict")
        if self.setup.strip() and question.snippet:
            with Collapsible(title=_("Setup: runs before the snippet"), collapsed=True, id="setup"):
                yield Static(code_block(self.setup), classes="code")
        with Horizontal(id="live", classes="-stacked" if self.app.size.width < STACK_BELOW else ""):
            if question.snippet:
                snippet = Static(code_block(question.snippet), id="snippet", classes="code")
                snippet.border_title = _("Snippet")
                yield snippet
            yield OutcomePanel(id="outcome")
        yield Static(id="proof")
        why = self.why_text() if self.begun else ""
        if why:
            yield Prose(why, id="why")
        yield Prose(question.explanation, id="explanation")

    def begin(
        self,
        response: str | bool | frozenset[str],
        verdict: Verdict | None,
        live: asyncio.Future[Outcome] | None,
    ) -> None:
        """The learner answered: show the verdict and wait for the live outcome. Why a wrong
        choice is wrong is mounted after the next frame, so that it does not delay the outcome."""
        if self.begun:
            return
        self.response, self.verdict, self.live, self.begun = response, verdict, live, True
        self.start()
        why = self.why_text()
        if why:
            self.call_after_refresh(self.mount, Prose(why, id="why"), before="#explanation")

    def why_text(self) -> str:
        """Markdown for each wrong choice the learner picked that says why it is wrong."""
        question = self.question
        parts = []
        for label in question.picked_labels(self.response):
            if label in question.letters and not question.keyed(label):
                choice = question.choices[question.letters.index(label)]
                if choice.why:
                    parts.append(_("**Why not {label}?**").format(label=label) + " " + choice.why.strip())
        return "\n\n".join(parts)

    def on_resize(self) -> None:
        self.query_one("#live").set_class(self.app.size.width < STACK_BELOW, "-stacked")

    def on_mount(self) -> None:
        self.query_one("#proof", Static).display = False
        if self.begun:
            self.start()

    def start(self) -> None:
        self.show_verdict(self.verdict)
        live = self.live
        if live is None:
            self.query_one(OutcomePanel).show_none(_("This question has no snippet to run."))
        elif live.done() and not live.cancelled() and live.exception() is None:
            self.arrived(live.result())  # already here: drawn in the same frame as the answer
        else:
            self.query_one(OutcomePanel).waiting()
            self.await_outcome()

    @work(exclusive=True, group="snippet", exit_on_error=False, description="Run the snippet live")
    async def await_outcome(self) -> None:
        assert self.live is not None
        self.arrived(await self.live)

    def arrived(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.query_one(OutcomePanel).show(outcome)
        self.show_proof()
        self.post_message(self.OutcomeArrived(self, outcome))

    def show_proof(self) -> None:
        proof = self.query_one("#proof", Static)
        if self.outcome is None or not self.outcome.ran or not self.question.holds_expressions():
            proof.display = False
            return
        lines = proof_lines(self.question, self.outcome, self.show_expressions)
        self.proof_text = "\n".join(line.plain for line in lines.renderables if isinstance(line, Text))
        proof.update(lines)
        proof.display = True

    def toggle_expressions(self) -> None:
        self.show_expressions = not self.show_expressions
        self.show_proof()

    def show_verdict(self, verdict: Verdict | None) -> None:
        self.verdict = verdict
        question = self.question
        given = response_text(question, self.response)
        if question.type == "true_false":  # stored as true/false; shown in the interface's language
            given = _("true") if given == "true" else _("false")
        widget = self.query_one("#verdict", Static)
        widget.set_classes("")
        if verdict is None:
            widget.update(
                Text(
                    _("… Your prediction: {answer}. Waiting for PyTorch to say whether it is right.").format(
                        answer=repr(given)
                    )
                )
            )
            return
        if verdict is Verdict.UNGRADED:
            widget.update(
                Text(
                    _("– Not graded: the snippet could not run, so there is no key. You said {answer}.").format(
                        answer=repr(given)
                    )
                )
            )
            widget.add_class("-ungraded")
            return
        key = self.key_text()
        if verdict is Verdict.CORRECT:
            widget.update(line_by_line(_("✔ Correct. {key}").format(key=key)))
            widget.add_class("-correct")
        else:
            shown = given.strip("\n").replace("\n", " ⏎ ")  # one line, without the Enter typed last
            text = _("✘ Wrong. You answered: {answer}").format(answer=shown) + "\n" + key
            hint = self.near_miss()
            if hint:
                text += "\n" + _("Where it differs: {hint}").format(hint=hint)
            widget.update(line_by_line(text))
            widget.add_class("-wrong")

    def near_miss(self) -> str | None:
        """For a wrong prediction, where it first parts from what was printed."""
        question = self.question
        if question.type != "predict" or not isinstance(self.response, str):
            return None
        reference = question.answer if question.answer is not None else (self.outcome.text if self.outcome else None)
        return explain_difference(self.response, str(reference)) if reference is not None else None

    def key_text(self) -> str:
        question = self.question
        if question.type == "single":
            index = question.letters.index(str(question.answer))
            return _("The answer is {label}: {text}").format(label=question.answer, text=question.choices[index].text)
        if question.type == "multiple":
            return _("The answer is {labels}.").format(labels=question.answer_text())
        if question.type == "true_false":
            truth = _("true") if question.answer is True else _("false")
            return _("The statement is {truth}.").format(truth=truth)
        if question.answer is not None:
            key = str(question.answer).strip("\n")
            return _("It prints: {output}").format(output=key) if "\n" not in key else _("It prints:") + "\n" + key
        return _("The key is what PyTorch printed, shown below.")
