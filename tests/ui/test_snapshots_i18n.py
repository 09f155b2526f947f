"""The home screen and a question in English and in Chinese, at a projector's 80x24: labels
that fit, a footer that keeps its keys, Chinese lines that wrap by character.

The fixed runner of test_snapshots.py stands in for the worker, so that versions and timings
do not change the pictures.
"""

from __future__ import annotations

import pytest
from helpers.paths import BANKS
from helpers.pilot import FixedRunner, make_app, settle
from textual.widgets import DataTable

from quiz_app.progress import ProgressStore
from quiz_app.ui.screens.home import HomeScreen

SIZE = (80, 24)
LANGUAGES = ["en", "zh"]


async def listed(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the home screen lists its banks (their load may start late)."""
    app = pilot.app
    for _ in range(200):
        await settle(pilot)
        if isinstance(app.screen, HomeScreen) and app.screen.query_one("#banks", DataTable).row_count:
            return
    raise AssertionError("the home screen never listed its banks")


@pytest.mark.parametrize("language", LANGUAGES)
def test_home(snap_compare, store: ProgressStore, language: str) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(
        make_app(store, FixedRunner(), [BANKS], language=language), terminal_size=SIZE, run_before=listed
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_question(snap_compare, store: ProgressStore, language: str) -> None:  # type: ignore[no-untyped-def]
    async def open_first(pilot) -> None:  # type: ignore[no-untyped-def]
        await listed(pilot)
        await pilot.press("enter")
        await pilot.press("b")
        await settle(pilot)

    assert snap_compare(
        make_app(store, FixedRunner(), [BANKS], language=language), terminal_size=SIZE, run_before=open_first
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_who_is_playing(snap_compare, store: ProgressStore, language: str) -> None:  # type: ignore[no-untyped-def]
    from quiz_app.play import players
    from quiz_app.ui.screens.player import PlayerScreen

    players.remember("ada")
    app = make_app(store, FixedRunner(), [BANKS], player=None, language=language)

    async def asked(pilot) -> None:  # type: ignore[no-untyped-def]
        for _ in range(200):
            await pilot.pause(0.01)
            if isinstance(pilot.app.screen, PlayerScreen) and pilot.app.screen.query("#player-name"):
                return
        raise AssertionError("the name prompt never showed")

    assert snap_compare(app, terminal_size=SIZE, run_before=asked)
