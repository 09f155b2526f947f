"""What the tests that play the app with Pilot share: an app on the test banks, waiting for it
to settle, and two stand-in runners (a fixed outcome, or none at all)."""

from __future__ import annotations

from pathlib import Path

from helpers.paths import NO_BUNDLED
from quiz_app.progress import ProgressStore
from quiz_app.runner import Holds, Outcome, SnippetRequest, WorkerInfo
from quiz_app.ui.app import QuizApp, Runner
from quiz_app.ui.settings import Settings

SIZES = [(80, 24), (120, 40)]  # every screen's snapshots: the smallest terminal, and a roomy one
GUARDS = ("environment", "files", "network", "signals", "limits", "memory")


def make_app(
    store: ProgressStore,
    runner: Runner,
    paths: list[Path] | tuple[Path, ...] = (),
    player: str | None = "ada",
    bundled: Path = NO_BUNDLED,
    **settings: object,
) -> QuizApp:
    """The app on ``paths`` as ``player`` (None: asked at start), with no bundled banks (only the
    tests' own show) unless ``bundled`` says where; ``settings``: the rest of ``Settings``."""
    chosen = Settings(player=player, paths=tuple(paths), **settings)  # type: ignore[arg-type]
    return QuizApp(store=store, runner=runner, settings=chosen, bundled=bundled)


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


class FixedRunner:
    """Answers every snippet at once with the same outcome: it printed ``True``, and the first
    option holds while the others do not (what a proof looks like on screen)."""

    info = WorkerInfo(device="cpu", device_name="cpu", torch_version="2.13.0+cpu", pid=1, guards=GUARDS)
    failure = None
    restarts = 0

    def start(self) -> None:
        pass

    def wait_ready(self, timeout: float = 0) -> WorkerInfo:
        return self.info

    def cancel(self) -> None:
        pass

    async def arun_request(self, request: SnippetRequest) -> Outcome:
        truths = tuple(Holds(index == 0) for index in range(len(request.holds)))
        return Outcome(
            status="ok",
            stdout="True\n",
            duration=0.0012,
            device="cpu",
            torch_version="2.13.0+cpu",
            holds=truths,
            guards=GUARDS,
        )
