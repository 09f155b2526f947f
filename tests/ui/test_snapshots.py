"""What each screen looks like, at a projector's 80x24 and a roomy 120x40.

A fixed runner stands in for the worker here so that timings and versions do not change the
pictures; test_app.py plays the same screens through the real worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.paths import BANKS, DATA
from helpers.pilot import make_app, settle

from quiz_app.bank import Verdict, load_bank
from quiz_app.play.run import QuizRun, Result
from quiz_app.progress import ProgressStore
from quiz_app.runner import Holds, Outcome, SnippetRequest, WorkerInfo
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.summary import SummaryScreen

SIZES = [(80, 24), (120, 40)]


class FixedRunner:
    """Answers every snippet at once with the same outcome."""

    info = WorkerInfo(
        device="cpu",
        device_name="cpu",
        torch_version="2.13.0+cpu",
        pid=1,
        guards=("environment", "files", "network", "signals", "limits", "memory"),
    )
    failure = None
    restarts = 0

    def start(self) -> None:
        pass

    def wait_ready(self, timeout: float = 0) -> WorkerInfo:
        return self.info

    def cancel(self) -> None:
        pass

    async def arun_request(self, request: SnippetRequest) -> Outcome:
        # The first option holds, the others do not: what a proof looks like on screen.
        truths = tuple(Holds(index == 0) for index in range(len(request.holds)))
        return Outcome(
            status="ok",
            stdout="True\n",
            duration=0.0012,
            device="cpu",
            torch_version="2.13.0+cpu",
            holds=truths,
            guards=("environment", "files", "network", "signals", "limits", "memory"),
        )


@pytest.fixture
def app(quiz_home: Path) -> Iterator[QuizApp]:
    store = ProgressStore.open(quiz_home / "progress.sqlite3")
    yield make_app(store, FixedRunner(), [BANKS])
    store.close()


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare, app: QuizApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_question(snap_compare, app: QuizApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def open_first(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("enter")
        await pilot.press("b")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_first)


@pytest.mark.parametrize("size", SIZES)
def test_answer(snap_compare, app: QuizApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def answer_wrong(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("enter", "c", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=answer_wrong)


@pytest.mark.parametrize("size", SIZES)
def test_summary(snap_compare, app: QuizApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    bank, _ = load_bank(BANKS / "play.yaml")
    assert bank is not None
    run = QuizRun(bank, started=100.0)
    verdicts = [Verdict.CORRECT, Verdict.WRONG, Verdict.CORRECT, Verdict.CORRECT, Verdict.UNGRADED]
    for question, verdict in zip(bank.questions, verdicts, strict=True):
        run.record(Result(question, "x", verdict, 3.0))
    run.index, run.ended = run.total, 195.0

    async def show(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.app.push_screen(SummaryScreen(run))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=show)


def snap_one_bank(snap_compare, quiz_home: Path, size: tuple[int, int], bank: Path, *keys: str) -> bool:  # type: ignore[no-untyped-def]
    """The app on one bank named on the command line (it opens at its first question), after
    ``keys``."""
    store = ProgressStore.open(quiz_home / "progress.sqlite3")
    app = make_app(store, FixedRunner(), [bank])

    async def press(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    try:
        return bool(snap_compare(app, terminal_size=size, run_before=press))
    finally:
        store.close()


@pytest.mark.parametrize("size", SIZES)
def test_wide_text_question(snap_compare, quiz_home: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """A bank in Chinese: double-width characters stay aligned in choices and borders."""
    assert snap_one_bank(snap_compare, quiz_home, size, DATA / "banks_zh" / "zh.yaml", "b")


@pytest.mark.parametrize("size", SIZES)
def test_answer_with_proofs(snap_compare, quiz_home: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """Format 2: each option marked by what the run showed, and why the chosen one is wrong."""
    assert snap_one_bank(snap_compare, quiz_home, size, DATA / "banks_f2" / "proof.yaml", "b", "enter")


@pytest.mark.parametrize("size", SIZES)
def test_long_choices_wrap_under_their_text(snap_compare, quiz_home: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """A choice longer than the line goes on under its own text, not under the marker
    (English and Chinese)."""
    assert snap_one_bank(snap_compare, quiz_home, size, DATA / "banks_wrap" / "wrap.yaml", "a")
