"""Submit to live outcome shown, with a warm worker, against the worker's bare round trip."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import median, ms, p95  # noqa: E402

from quiz_app.progress import ProgressStore  # noqa: E402
from quiz_app.runner import Outcome, SnippetRunner  # noqa: E402
from quiz_app.ui.app import QuizApp  # noqa: E402
from quiz_app.ui.screens.quiz import QuizScreen  # noqa: E402
from quiz_app.ui.settings import Settings  # noqa: E402
from quiz_app.ui.widgets.outcome import OutcomePanel  # noqa: E402

RUNS = 30
SETUP = "model = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))"
SNIPPET = "print(model.eval() is model)"


def write_bank(folder: Path) -> Path:
    """RUNS + 1 trivial questions, played one after another as a learner would."""
    lines = ["id: bench-live", "title: Live outcome", "setup: |", f"  {SETUP}", "questions:"]
    for index in range(RUNS + 1):
        lines += [
            f"  - id: q{index}",
            "    type: single",
            "    prompt: What does `model.eval()` return?",
            "    choices: [None, The model itself]",
            "    answer: B",
            f"    snippet: {SNIPPET}",
            "    expect: 'True'",
            "    explanation: '`Module.eval()` returns `self`. See torch.nn.Module.eval.'",
        ]
    path = folder / "bench.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def measure(runner: SnippetRunner, store: ProgressStore, bank: Path) -> list[float]:
    """Time from the submit action to the first refresh after the outcome is on the panel.

    Pilot's own key handling waits for the screen to be idle, which would add its waiting to
    the number; hooks on the submit action and on the panel time the app itself instead.
    """
    submitted: list[float] = []
    shown: list[float] = []
    submit, show = QuizScreen.action_submit, OutcomePanel.show

    async def timed_submit(screen: QuizScreen) -> None:
        submitted.append(time.perf_counter())
        await submit(screen)

    def timed_show(panel: OutcomePanel, outcome: Outcome) -> None:
        show(panel, outcome)
        panel.call_after_refresh(lambda: shown.append(time.perf_counter()))

    QuizScreen.action_submit = timed_submit  # type: ignore[method-assign]
    OutcomePanel.show = timed_show  # type: ignore[method-assign]
    app = QuizApp(store=store, runner=runner, settings=Settings(player="bench", paths=[bank]))
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        for _ in range(RUNS):
            await pilot.press("b", "enter")
            while len(shown) < len(submitted):
                await asyncio.sleep(0.001)
            await app.workers.wait_for_complete()
            await pilot.press("n")
            await pilot.pause()
    return [after - before for before, after in zip(submitted, shown, strict=True)]


def main() -> None:
    with tempfile.TemporaryDirectory() as home, SnippetRunner.interactive("cpu") as runner:
        runner.wait_ready()
        bare = []
        for _ in range(RUNS):
            start = time.perf_counter()
            runner.run(SNIPPET, SETUP)
            bare.append(time.perf_counter() - start)
        with ProgressStore.open(Path(home) / "progress.sqlite3") as store:
            shown = asyncio.run(measure(runner, store, write_bank(Path(home))))
    print(f"worker round trip (baseline):   median {ms(median(bare))}, p95 {ms(p95(bare))}  ({RUNS} runs)")
    print(f"submit to live outcome shown:   median {ms(median(shown))}, p95 {ms(p95(shown))}  ({RUNS} runs)")
    print(f"target: within 50 ms: {'met' if median(shown) < 0.05 else 'MISSED'}")


if __name__ == "__main__":
    main()
