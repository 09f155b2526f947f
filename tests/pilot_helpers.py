"""What the tests that play the app with Pilot share: an app on the test banks, and waiting
for it to settle."""

from __future__ import annotations

from pathlib import Path

from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner
from quiz_app.ui.app import QuizApp

BANKS = Path(__file__).parent / "banks"


def make_app(store: ProgressStore, runner: SnippetRunner, paths: list[Path], player: str = "ada") -> QuizApp:
    """The app on ``paths`` as ``player``, with no bundled banks (only the tests' own show)."""
    return QuizApp(store=store, runner=runner, player=player, paths=paths, bundled=BANKS / "none")


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait for the app's workers, then for the screen to be idle."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
