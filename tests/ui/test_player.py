"""Who is playing: the name prompt at start, last time's name in one key, and a shared folder asking every time."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from helpers.pilot import make_app
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input, Static

from quiz_app.play import players
from quiz_app.progress import AnswerRecord, ProgressStore
from quiz_app.runner import SnippetRunner
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.home import HomeScreen
from quiz_app.ui.screens.player import PlayerScreen


def unnamed_app(store: ProgressStore, runner: SnippetRunner, shared: bool = False) -> QuizApp:
    return make_app(store, runner, player=None, shared=shared)


async def until(pilot, condition) -> None:  # type: ignore[no-untyped-def]
    for _ in range(100):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"the screen never got there: {pilot.app.screen_stack} {pilot.app.player!r}")


def asked(app: QuizApp) -> bool:
    """The name prompt is up, its field drawn."""
    return isinstance(app.screen, PlayerScreen) and bool(app.screen.query("#player-name"))


def answer_by(store: ProgressStore, player: str) -> None:
    store.record_answer(
        AnswerRecord(
            player=player,
            bank_id="play",
            question_id="q1",
            question_hash="ab" * 32,
            answer="A",
            correct=True,
            seconds=1.0,
            device="cpu",
            answered_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
        )
    )


@pytest.mark.parametrize("typed", ["", "   ", "bad\x1bname", "x" * 65])
def test_names_that_are_empty_too_long_or_hold_control_characters_are_refused(typed: str) -> None:
    assert players.valid_player(typed) is None


@given(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=20))
def test_names_are_trimmed_and_otherwise_kept_as_written(name: str) -> None:
    assert players.valid_player(f"  {name}\t") == name


async def test_first_start_asks_a_name_and_the_next_start_offers_it_in_one_key(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    app = unnamed_app(store, runner)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: asked(app))
        assert app.screen.query_one("#player-name", Input).value == ""
        await pilot.press("enter")  # nothing typed: refused, and said why
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen)
        assert "name is needed" in str(app.screen.query_one("#player-error", Static).render())
        for key in " lin":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.player == "lin"
        assert "Player: lin" in str(app.screen.query_one("#player", Static).render())
    assert players.last_player() == "lin"

    again = unnamed_app(store, runner)
    async with again.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: asked(again))
        assert again.screen.query_one("#player-name", Input).value == "lin"
        await pilot.press("enter")  # one key confirms last time's name
        await until(pilot, lambda: isinstance(again.screen, HomeScreen))
        assert again.player == "lin"


async def test_a_shared_data_folder_never_offers_the_last_name(store: ProgressStore, runner: SnippetRunner) -> None:
    players.remember("lin")
    answer_by(store, "lin")
    answer_by(store, "mei")  # two players' answers: a classroom's folder
    app = unnamed_app(store, runner)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: asked(app))
        assert app.screen.query_one("#player-name", Input).value == ""
        assert "several players" in str(app.screen.query_one("#player-about", Static).render())


async def test_shared_flag_asks_even_on_a_fresh_folder(store: ProgressStore, runner: SnippetRunner) -> None:
    players.remember("lin")
    app = unnamed_app(store, runner, shared=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: asked(app))
        assert app.screen.query_one("#player-name", Input).value == ""
        await pilot.press(*"mei", "enter")
        await until(pilot, lambda: isinstance(app.screen, HomeScreen))
        assert app.player == "mei"
    assert players.last_player() == "lin"  # a shared seat remembers nobody for the next student


async def test_escape_at_the_first_prompt_quits_without_playing(store: ProgressStore, runner: SnippetRunner) -> None:
    app = unnamed_app(store, runner)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: asked(app))
        await pilot.press("escape")  # Cancel is not offered at start: escape does nothing...
        await pilot.pause()
        assert isinstance(app.screen, PlayerScreen)
        await pilot.press("ctrl+q")  # ...and quitting still works
        await pilot.pause()
    assert app.return_code == 0
    assert store.players() == []
