"""Unit tests: the domain (banks, grading, a play-through, the store, the classroom report, the
command line's parsing) with no screen and no snippet process. The quick lane's core."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz_app.progress import ProgressStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where a store test keeps its database."""
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def store(db: Path) -> Iterator[ProgressStore]:
    """A store opened on ``db``."""
    with ProgressStore.open(db) as opened:
        yield opened
