"""System tests: real snippet processes and their guards, ``quiz-app`` in subprocesses and on a
pseudo-terminal, ``serve`` and a browser. Every test here is marked ``slow``; hostile snippets are
also marked ``hostile``, the browser ``browser``. The quick lane (``pytest -m "not slow"``) leaves
them out; CI runs them all."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)
