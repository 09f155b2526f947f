"""What the tests that play the app with Pilot share: an app on the test banks, and waiting
for it to settle."""

from __future__ import annotations

from pathlib import Path

from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner, WorkerInfo
from quiz_app.ui.app import QuizApp
from quiz_app.ui.settings import Settings

BANKS = Path(__file__).parent / "banks"


def make_app(store: ProgressStore, runner: SnippetRunner, paths: list[Path], player: str = "ada") -> QuizApp:
    """The app on ``paths`` as ``player``, with no bundled banks (only the tests' own show)."""
    return QuizApp(store=store, runner=runner, settings=Settings(player=player, paths=paths), bundled=BANKS / "none")


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the app's workers, then for the screen to be idle."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


class NoRunner:
    """A stand-in runner for screens that run no snippet (the class report, the stats): any
    snippet it is asked to run fails the test."""

    info: WorkerInfo | None = None
    failure = "not needed by these tests"
    restarts = 0

    def start(self) -> None:
        pass

    def wait_ready(self, timeout: float = 0) -> None:
        return None

    def cancel(self) -> None:
        pass

    async def arun_request(self, request):  # type: ignore[no-untyped-def]
        raise AssertionError("this screen runs no snippet")
