"""What a question's contrasts showed: the table a learner sees after answering, and whether the
key depends on the code it is about (``sensitive``), which ``quiz-app check`` proves.

A contrast (``Question.contrasts``) runs instead of the question's snippet, after the same setup,
in a fresh process of its own, with every ``holds`` of the question evaluated after it
(``quiz_app.runner.request.contrast_requests`` makes the requests). ``contrast_table`` turns the
run as written and the contrasts' outcomes into a table: one column for the snippet as written
and one per contrast, one row per option (a choice, a true/false statement, or a predict
question's printed output), each cell ✔, ✘, n/a (its ``holds`` raised, there is none, or the run
did not end: the cell says why) or running (no outcome yet). Pass the question as it was sent
to the runner (as shown, for a shuffled one), so that the truths line up with its rows.

**Sensitive**, per type: a contrast *refutes* the key when, after it,

- ``single``: the keyed choice's ``holds`` is False;
- ``multiple``: the ``holds`` of at least one keyed choice is False;
- ``true_false``: the statement's truth differs from ``answer``;
- ``predict``: the printed output (as a learner is graded) differs from the key (``answer``,
  or the output of the snippet as written when there is none).

The key is sensitive when at least one contrast refutes it. When none does, the key holds
whatever the code does, as far as the contrasts tell. A cell that is n/a refutes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from quiz_app.bank import Question
from quiz_app.bank.grading import normalise_outcome, predict_matches
from quiz_app.runner import Outcome

CellState = Literal["true", "false", "n/a", "running"]
MARKS: dict[str, str] = {"true": "✔", "false": "✘", "n/a": "n/a", "running": "…"}


@dataclass(frozen=True)
class Cell:
    """One option under one run: it holds (``true``), does not (``false``), cannot be told
    (``n/a``, with ``note`` saying why) or the run has not come back (``running``)."""

    state: CellState
    note: str = ""

    @property
    def mark(self) -> str:
        """✔, ✘, n/a or … (the UI words ``running`` in the interface's language)."""
        return MARKS[self.state]

    @property
    def truth(self) -> bool | None:
        return {"true": True, "false": False}.get(self.state)

    def as_json(self) -> bool | str | None:
        """True, False, ``"n/a: why"``, or None while running."""
        if self.state in ("true", "false"):
            return self.state == "true"
        return None if self.state == "running" else f"n/a: {self.note}" if self.note else "n/a"


RUNNING = Cell("running")


@dataclass(frozen=True)
class Column:
    """One run: the snippet as written (``label`` None) or a contrast, and its outcome (None
    until it is back)."""

    label: str | None
    snippet: str
    outcome: Outcome | None

    @property
    def running(self) -> bool:
        return self.outcome is None

    @property
    def failure(self) -> str | None:
        """Why the run did not reach its end (a timeout, a crash, memory), or None."""
        if self.outcome is None or self.outcome.ran:
            return None
        return self.outcome.detail or self.outcome.status

    @property
    def lines(self) -> tuple[str, ...]:
        """What it printed, then its exception if it raised, line by line (trailing spaces and
        blank lines at both ends dropped); () while running."""
        if self.outcome is None:
            return ()
        text = normalise_outcome(self.outcome.text)
        return tuple(text.split("\n")) if text else ()


@dataclass(frozen=True)
class Row:
    """One option: ``label`` is a choice letter, ``statement`` (true_false) or ``output``
    (predict); ``keyed`` says whether the key marks it right (for a statement: ``answer``)."""

    label: str
    text: str
    keyed: bool
    cells: tuple[Cell, ...]  # one per column, the snippet as written first


@dataclass(frozen=True)
class ContrastTable:
    question: Question
    columns: tuple[Column, ...]  # the snippet as written, then each contrast in order
    rows: tuple[Row, ...]
    key: tuple[Cell, ...]  # per column: the key holds there (✔), is refuted (✘), n/a or running

    @property
    def contrasts(self) -> tuple[Column, ...]:
        return self.columns[1:]

    @property
    def complete(self) -> bool:
        """Every run is back."""
        return not any(column.running for column in self.columns)

    @property
    def refuting(self) -> tuple[str, ...]:
        """The labels of the contrasts under which the key is refuted."""
        return tuple(str(c.label) for c, cell in zip(self.contrasts, self.key[1:], strict=True) if cell.truth is False)

    @property
    def undecided(self) -> tuple[tuple[str, str], ...]:
        """(label, why) for each contrast that could not decide the key."""
        return tuple(
            (str(column.label), cell.note)
            for column, cell in zip(self.contrasts, self.key[1:], strict=True)
            if cell.state == "n/a"
        )

    @property
    def sensitive(self) -> bool | None:
        """True when at least one contrast refutes the key; None while one still runs (and none
        has refuted it yet), or for a question without contrasts; False otherwise."""
        if not self.contrasts:
            return None
        if self.refuting:
            return True
        return None if not self.complete else False

    def as_json(self) -> list[dict[str, object]]:
        """Per contrast: its label, how it ended, what it printed, each option's truth, the key's."""
        found: list[dict[str, object]] = []
        for index, column in enumerate(self.contrasts, start=1):
            found.append(
                {
                    "label": column.label,
                    "status": column.outcome.status if column.outcome else "running",
                    "failure": column.failure,
                    "output": "\n".join(column.lines),
                    "options": {row.label: row.cells[index].as_json() for row in self.rows},
                    "key_holds": self.key[index].as_json(),
                }
            )
        return found


def _holds_cells(question: Question, outcome: Outcome | None) -> dict[str, Cell]:
    """Each option's cell after one run, by label."""
    cells: dict[str, Cell] = {}
    if outcome is None:
        return {label: RUNNING for label, _, _ in question.statements()}
    truths = iter(outcome.holds)
    for label, holds, _keyed in question.statements():
        if not holds:
            cells[label] = Cell("n/a", "no 'holds'")
            continue
        result = next(truths, None)
        if not outcome.ran:
            cells[label] = Cell("n/a", f"the run did not end: {outcome.detail or outcome.status}")
        elif result is None:
            cells[label] = Cell("n/a", "no result came back")
        elif result.value is None:
            cells[label] = Cell("n/a", result.error or "it raised")
        else:
            cells[label] = Cell("true" if result.value else "false")
    return cells


def _key_cell(question: Question, cells: dict[str, Cell]) -> Cell:
    """Whether the key holds after one run, from its options' cells."""
    if question.type == "true_false":
        cell = cells["statement"]
        if cell.truth is None:
            return cell
        return Cell("true" if cell.truth is bool(question.answer) else "false")
    keyed = [cells[letter] for letter in question.letters if question.keyed(letter)]
    for state in ("false", "running", "n/a"):
        for cell in keyed:
            if cell.state == state:
                return cell
    return Cell("true") if keyed else Cell("n/a", "no keyed choice")


def _output_cell(key: str | None, outcome: Outcome | None) -> Cell:
    """A predict question's printed output after one run, against the key."""
    if outcome is None:
        return RUNNING
    if not outcome.ran:
        return Cell("n/a", f"the run did not end: {outcome.detail or outcome.status}")
    if key is None:
        return Cell("n/a", "no key: the snippet as written did not run")
    return Cell("true" if predict_matches(key, outcome.text, outcome.exc_type) else "false")


def contrast_table(question: Question, written: Outcome | None, contrasts: Sequence[Outcome | None]) -> ContrastTable:
    """The table of one question: ``written`` is the outcome of its snippet as written,
    ``contrasts`` those of its contrasts in order (None, or missing at the end: still running)."""
    outcomes = [written, *contrasts, *[None] * (len(question.contrasts) - len(contrasts))]
    columns = (Column(None, question.snippet or "", written),) + tuple(
        Column(contrast.label, contrast.snippet, outcome)
        for contrast, outcome in zip(question.contrasts, outcomes[1:], strict=False)
    )
    if question.type == "predict":
        key: str | None = None
        if question.answer is not None:
            key = str(question.answer)
        elif written is not None and written.ran:
            key = written.text
        if key is None and written is None:  # the key is the output as written, not back yet
            cells = tuple(RUNNING for _ in columns)
        else:
            cells = tuple(_output_cell(key, column.outcome) for column in columns)
        row = Row("output", key if key is not None else "", True, cells)
        return ContrastTable(question, columns, (row,), cells)
    per_run = [_holds_cells(question, column.outcome) for column in columns]
    texts = {letter: choice.text for letter, choice in zip(question.letters, question.choices, strict=True)}
    rows = tuple(
        Row(label, texts.get(label, question.prompt), keyed, tuple(cells[label] for cells in per_run))
        for label, _holds, keyed in question.statements()
    )
    return ContrastTable(question, columns, rows, tuple(_key_cell(question, cells) for cells in per_run))
