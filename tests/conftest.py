from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz_app.core import i18n
from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests read the English interface whatever the machine's locale, and a test that played a
    bank in Chinese (the language is module state) leaves English behind."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    i18n.activate("en")
    yield
    i18n.activate("en")


@pytest.fixture(autouse=True)
def quiz_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder; none touches the real one."""
    home = tmp_path / "quiz-home"
    monkeypatch.setenv("QUIZ_APP_HOME", str(home))
    return home


# The device the shared runners use: the CPU, or what benchmarks/gpu_check.sh asks for (cuda).
DEVICE = os.environ.get("QUIZ_APP_TEST_DEVICE", "cpu")


@pytest.fixture(scope="session")
def runner() -> Iterator[SnippetRunner]:
    """One runner (a zygote) shared by the tests; every snippet still gets a process of its own."""
    with SnippetRunner(DEVICE) as shared:
        yield shared


@pytest.fixture
def fresh_runner() -> Iterator[SnippetRunner]:
    """A runner of its own, for tests that time out, crash, cancel or count its restarts."""
    with SnippetRunner(DEVICE) as own:
        yield own


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where a store test keeps its database."""
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def store(db: Path) -> Iterator[ProgressStore]:
    """A store opened on ``db`` (test files that play the app define their own)."""
    with ProgressStore.open(db) as opened:
        yield opened
