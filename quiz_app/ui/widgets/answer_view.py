"""After an answer: the verdict, the snippet beside its live outcome, what the run proved of
each option, why a wrong choice is wrong, and the explanation.

A view only: the quiz screen grades and saves. It posts ``OutcomeArrived`` when the snippet's
outcome is on screen, so that the screen can grade a prediction that has no key.
"""

from __future__ import annotations

import asyncio

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Collapsible, Markdown, Static

from quiz_app.bank import Question, Verdict
from quiz_app.bank.grading import explain_difference
from quiz_app.quiz_run import response_text
from quiz_app.runner import Outcome
from quiz_app.ui.widgets.choices import inline_code
from quiz_app.ui.widgets.outcome import OutcomePanel
from quiz_app.ui.widgets.question_view import code_block


def _flat(text: str) -> str:
    return " ".join(text.split())


def proof_lines(question: Question, outcome: Outcome, expressions: bool) -> Group:
    """What the run showed of each option: ✔ holds, ✘ does not hold, or not tested. An option
    is one line, cut to the width; its expression, on demand, wraps below it."""
    lines: list[Text] = [Text("What the run showed:", style="bold")]
    truths = iter(outcome.holds)
    for label, holds, _keyed in question.statements():
        name = label if label != "statement" else "The statement"
        body = question.choices[question.letters.index(label)].text if label in question.letters else question.prompt
        if not holds:
            mark, style = "·  not tested      ", "dim"
        else:
            result = next(truths, None)
            if result is None or result.value is None:
                mark, style = "!  could not tell  ", "italic"
            elif result.value:
                mark, style = "✔  holds           ", "bold"
            else:
                mark, style = "✘  does not hold   ", ""
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f" {name:<3} {mark}", style=style)
        line.append_text(inline_code(_flat(body)))
        lines.append(line)
        if expressions and holds:
            lines.append(Text(f"       {_flat(holds)}", style="italic"))
    return Group(*lines)


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
        response: str | bool | frozenset[str],
        verdict: Verdict | None,
        live: asyncio.Future[Outcome] | None = None,
        setup: str = "",
    ) -> None:
        """``verdict`` is None for a prediction graded by the run; ``live`` is the snippet's
        outcome on its way (None for a question without a snippet)."""
        super().__init__(id="answer-body")
        self.question = question
        self.response = response
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
            with Collapsible(title="Setup: runs before the snippet", collapsed=True, id="setup"):
                yield Static(code_block(self.setup), classes="code")
        with Horizontal(id="live", classes="-stacked" if self.app.size.width < STACK_BELOW else ""):
            if question.snippet:
                snippet = Static(code_block(question.snippet), id="snippet", classes="code")
                snippet.border_title = "Snippet"
                yield snippet
            yield OutcomePanel(id="outcome")
        yield Static(id="proof")
        why = self.why_text()
        if why:
            yield Markdown(why, id="why")
        yield Markdown(question.explanation, id="explanation")

    def why_text(self) -> str:
        """Markdown for each wrong choice the learner picked that says why it is wrong."""
        question = self.question
        parts = []
        for label in question.picked_labels(self.response):
            if label in question.letters and not question.keyed(label):
                choice = question.choices[question.letters.index(label)]
                if choice.why:
                    parts.append(f"**Why not {label}?** {choice.why.strip()}")
        return "\n\n".join(parts)

    def on_resize(self) -> None:
        self.query_one("#live").set_class(self.app.size.width < STACK_BELOW, "-stacked")

    def on_mount(self) -> None:
        self.query_one("#proof", Static).display = False
        self.show_verdict(self.verdict)
        if self.live is not None:
            self.await_outcome()
        else:
            self.query_one(OutcomePanel).show_none("This question has no snippet to run.")

    @work(exclusive=True, group="snippet", exit_on_error=False, description="Run the snippet live")
    async def await_outcome(self) -> None:
        assert self.live is not None
        outcome = await self.live
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
        widget = self.query_one("#verdict", Static)
        widget.set_classes("")
        if verdict is None:
            widget.update(Text(f"… Your prediction: {given!r}. Waiting for PyTorch to say whether it is right."))
            return
        if verdict is Verdict.UNGRADED:
            widget.update(Text(f"– Not graded: the snippet could not run, so there is no key. You said {given!r}."))
            widget.add_class("-ungraded")
            return
        key = self.key_text()
        if verdict is Verdict.CORRECT:
            widget.update(inline_code(f"✔ Correct. {key}"))
            widget.add_class("-correct")
        else:
            shown = given if "\n" not in given.strip("\n") else given.strip("\n").replace("\n", " ⏎ ")
            text = f"✘ Wrong. You answered: {shown}\n{key}"
            hint = self.near_miss()
            if hint:
                text += f"\nWhere it differs: {hint}"
            widget.update(inline_code(text))
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
            return f"The answer is {question.answer}: {question.choices[index].text}"
        if question.type == "multiple":
            return f"The answer is {question.answer_text()}."
        if question.type == "true_false":
            return f"The statement is {question.answer_text()}."
        if question.answer is not None:
            key = str(question.answer).strip("\n")
            return f"It prints: {key}" if "\n" not in key else "It prints:\n" + key
        return "The key is what PyTorch printed, shown below."
