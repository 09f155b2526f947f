from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz_app.runner import SnippetRunner


@pytest.fixture(autouse=True)
def quiz_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder; none touches the real one."""
    home = tmp_path / "quiz-home"
    monkeypatch.setenv("QUIZ_APP_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def runner() -> Iterator[SnippetRunner]:
    """One warm worker shared by the tests that only run well-behaved snippets."""
    with SnippetRunner("cpu") as shared:
        yield shared


@pytest.fixture
def fresh_runner() -> Iterator[SnippetRunner]:
    """A worker of its own, for tests that time out, crash or restart it."""
    with SnippetRunner("cpu") as own:
        yield own
