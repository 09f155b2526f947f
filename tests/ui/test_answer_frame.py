"""The answer to a question is built while the question is asked, and a fast outcome is drawn
in the same frame as the answer (issue 8: Enter to the outcome on screen)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from helpers.paths import BANKS
from helpers.pilot import make_app, settle
from textual.screen import Screen
from textual.widgets import LoadingIndicator, Static

from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner
from quiz_app.ui.screens import quiz
from quiz_app.ui.screens.quiz import QuizScreen
from quiz_app.ui.widgets import outcome as outcome_module
from quiz_app.ui.widgets.answer_view import AnswerView
from quiz_app.ui.widgets.question_view import QuestionView

PLAY = BANKS / "play.yaml"

SLOW = """\
id: slow
title: Slow
questions:
  - id: sleeps
    type: single
    prompt: What does it print?
    choices: ["done", "nothing"]
    answer: A
    snippet: |
      import time
      time.sleep(1.5)
      print("done")
    expect: done
    explanation: It sleeps, then prints.
"""


def status(screen: Screen[object]) -> str:
    return str(screen.query_one("#outcome-status", Static).render())


async def until(condition, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        await asyncio.sleep(0.02)


async def test_the_answer_is_built_while_the_question_is_asked_and_revealed_on_submit(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    app = make_app(store, runner, [PLAY])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        prepared = screen.prepared
        assert prepared is not None and prepared.question is screen.quiz.current
        assert prepared.is_mounted and not prepared.display and screen.answer is None
        assert screen.query_one(QuestionView).display
        await pilot.press("b", "enter")
        await settle(pilot)
        assert screen.answer is prepared and prepared.display  # the same view, now shown
        assert not screen.query(QuestionView)  # the question is gone once the answer is drawn
        assert "It printed:" in status(screen)
        await pilot.press("n")
        await settle(pilot)
        assert [view.question.id for view in screen.query(AnswerView)] == ["multiple"]  # one, hidden
        assert screen.prepared is not None and not screen.prepared.display


async def test_a_fast_outcome_is_in_the_first_frame_that_shows_the_answer(
    store: ProgressStore, runner: SnippetRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # However slow the machine: the outcome is waited for, so that both come in one frame.
    monkeypatch.setattr(quiz, "OUTCOME_WAIT", 10.0)
    frames: list[str | None] = []  # per frame: the outcome's status line, once the answer shows
    refresh = Screen._compositor_refresh

    def recorded(screen: Screen[object]) -> None:
        if isinstance(screen, QuizScreen) and screen.answer is not None and screen.answer.display:
            frames.append(status(screen))
        refresh(screen)

    monkeypatch.setattr(Screen, "_compositor_refresh", recorded)
    app = make_app(store, runner, [PLAY])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await until(runner.is_ready)
        await pilot.press("b", "enter")
        await settle(pilot)
        assert frames, "no frame showed the answer"
        assert frames[0] == "It printed:"  # never "Running…" first
        assert not app.screen.query(LoadingIndicator)


async def test_a_slow_outcome_shows_running_then_a_spinner_then_the_outcome(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quiz, "OUTCOME_WAIT", 0.05)
    monkeypatch.setattr(outcome_module, "SPIN_AFTER", 0.2)
    bank = tmp_path / "slow.yaml"
    bank.write_text(SLOW, encoding="utf-8")
    app = make_app(store, runner, [bank])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a", "enter")
        screen = app.screen
        await until(lambda: screen.answer is not None and screen.answer.display)
        assert status(screen) == "Running on the local device…"
        await until(lambda: bool(screen.query(LoadingIndicator)), 1.0)  # the run takes 1.5 s
        await until(lambda: status(screen) == "It printed:")
        await until(lambda: not screen.query(LoadingIndicator), 2.0)  # removed with the outcome
        assert "done" in str(screen.query_one("#outcome-text", Static).render())


async def test_a_learner_quicker_than_the_first_frame_still_gets_the_answer(
    store: ProgressStore, runner: SnippetRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Submitting before the answer was prepared: the submit prepares it, and a preparation
    scheduled for an earlier question does nothing."""
    schedule = QuizScreen.call_after_refresh

    def no_preparation(screen: QuizScreen, callback, *args, **kwargs):  # type: ignore[no-untyped-def]
        if getattr(callback, "__name__", "") == "prepare_answer":
            return True  # as if the learner submitted before the first frame
        return schedule(screen, callback, *args, **kwargs)

    monkeypatch.setattr(QuizScreen, "call_after_refresh", no_preparation)
    app = make_app(store, runner, [PLAY])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuizScreen) and screen.prepared is None
        await pilot.press("b", "enter")
        await settle(pilot)
        assert screen.answer is not None and screen.answer.verdict is not None
        assert screen.answer.verdict.value == "correct" and "It printed:" in status(screen)
        await pilot.press("n")
        await settle(pilot)
        assert screen.prepare_answer(screen.asked - 1) is None  # stale: a later question is asked
        assert not screen.query(AnswerView)


async def test_a_wrong_prediction_ending_in_enter_is_quoted_on_one_line(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    app = make_app(store, runner, [PLAY])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("b", "enter", "n", "a", "enter", "n", "t", "enter", "n"):  # to the prediction
            await pilot.press(key)
            await settle(pilot)
        await pilot.press("3", "enter", "ctrl+s")  # "3" and a new line, then submit
        await settle(pilot)
        verdict = str(app.screen.query_one("#verdict", Static).render())
        assert verdict.splitlines()[:2] == ["✘ Wrong. You answered: 3", "The key is what PyTorch printed, shown below."]
