"""The help screen, over the home screen, at a projector's 80x24 and a roomy 120x40.

The fixed runner of test_snapshots.py stands in for the worker, so that the home screen behind
the help shows the same device and torch version on every machine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.paths import BANKS
from helpers.pilot import SIZES, FixedRunner, make_app
from textual.widgets import DataTable

from quiz_app.progress import ProgressStore
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.help import HelpScreen
from quiz_app.ui.screens.home import HomeScreen


@pytest.fixture
def app(quiz_home: Path) -> Iterator[QuizApp]:
    store = ProgressStore.open(quiz_home / "progress.sqlite3")
    yield make_app(store, FixedRunner(), [BANKS])
    store.close()


async def open_help(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the banks behind the help (their load may start late), then press F1."""
    app = pilot.app
    deadline = time.monotonic() + 15
    while not (isinstance(app.screen, HomeScreen) and app.screen.query_one("#banks", DataTable).row_count):
        assert time.monotonic() < deadline, "the home screen never listed its banks"
        await app.workers.wait_for_complete()
        await pilot.pause(0.02)
    await pilot.press("f1")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, app: QuizApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=size, run_before=open_help)
