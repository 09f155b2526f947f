"""UI tests: the app played with Pilot (``App.run_test``) and its screens as snapshots
(pytest-textual-snapshot; the pictures are in __snapshots__/). Apps are built with
``helpers.pilot.make_app`` on the tests' own banks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz_app.progress import ProgressStore


@pytest.fixture
def store(quiz_home: Path) -> Iterator[ProgressStore]:
    """The store the app under test writes to (in the test's own data folder)."""
    with ProgressStore.open(quiz_home / "progress.sqlite3") as opened:
        yield opened
