"""System tests: real snippet processes and their guards, ``quiz-app`` in subprocesses and on a
pseudo-terminal, ``serve`` and a browser. Every test here is marked ``slow``; hostile snippets are
also marked ``hostile``, the browser ``browser``. The quick lane (``pytest -m "not slow"``) leaves
them out; CI runs them all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.hostile import CANARY, SECRET, needs_every_guard

from quiz_app.runner import SnippetRunner

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def victim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SnippetRunner, Path]]:
    """A runner started by an app whose HOME holds a private key and whose environment a token,
    with a library folder on PYTHONPATH (``home / "lib"`` links to it: a read root of the snippets,
    shown to them read-only)."""
    needs_every_guard()
    home = tmp_path_factory.mktemp("home")
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa").write_text(CANARY, encoding="utf-8")
    (home / ".bashrc").write_text("# untouched\n", encoding="utf-8")
    library = tmp_path_factory.mktemp("lib")
    (library / "shared.txt").write_text("a file a snippet may read\n", encoding="utf-8")
    (home / "lib").symlink_to(library)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("API_TOKEN", SECRET)
        patch.setenv("PYTHONPATH", str(library))
        with SnippetRunner("cpu") as runner:
            runner.wait_ready()
            yield runner, home


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.slow)
