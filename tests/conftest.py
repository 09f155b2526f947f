"""What every test gets: English, a data folder of its own, and the snippet runners.

Tests are grouped by kind, each folder with its own conftest.py: ``unit/`` (the domain, no
screen, no snippet process), ``ui/`` (Pilot and snapshots), ``system/`` (real snippet processes,
the command line in subprocesses, the sandbox, the browser). Helpers shared by all of them are in
``helpers/``. ``slow`` marks every system test and every test that starts real PyTorch processes
(a ``runner`` fixture); ``pytest -m "not slow"`` is the quick lane.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz_app.core import i18n
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


RUNNERS = {"runner", "fresh_runner"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that starts real PyTorch processes is ``slow``, wherever it is (system/ marks its own)."""
    for item in items:
        if RUNNERS.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
