"""A trivial snippet run back to back through a started runner, against the floor (in-process
exec) and a fresh process. Since every snippet has a fresh process, each run here also waits
for its process to be forked; the round trip from a ready process is first_outcome.py (c)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _stats import median, ms, p95  # noqa: E402

from quiz_app.runner import SnippetRunner  # noqa: E402

SNIPPET = "x = torch.ones(2) * 2\nprint(x.sum().item())"
RUNS = 200
FRESH_RUNS = 5


def in_process_floor() -> list[float]:
    import contextlib
    import io

    import torch

    code = compile(SNIPPET, "<snippet>", "exec")
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        namespace = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "device": torch.device("cpu")}
        with contextlib.redirect_stdout(io.StringIO()):
            torch.manual_seed(0)
            exec(code, namespace)
        times.append(time.perf_counter() - start)
    return times


def warm_worker() -> list[float]:
    with SnippetRunner("cpu") as runner:
        runner.wait_ready()
        for _ in range(10):
            runner.run(SNIPPET)
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            outcome = runner.run(SNIPPET)
            times.append(time.perf_counter() - start)
            assert outcome.text == "4.0\n", outcome
    return times


def fresh_process() -> list[float]:
    code = "import torch\n" + SNIPPET
    times = []
    for _ in range(FRESH_RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    floor, warm, fresh = in_process_floor(), warm_worker(), fresh_process()
    print(f"in-process exec (floor): median {ms(median(floor))}, p95 {ms(p95(floor))}  ({RUNS} runs)")
    print(f"back-to-back run():      median {ms(median(warm))}, p95 {ms(p95(warm))}  ({RUNS} runs)")
    print(f"fresh python -c:         median {ms(median(fresh))}  ({FRESH_RUNS} runs)")
    print(f"warm / floor (median):   {median(warm) / median(floor):.1f}x")
    print(f"fresh / warm (median):   {median(fresh) / median(warm):.0f}x")
    print("no target here: the 2 ms one is for a ready process (benchmarks/first_outcome.py, c)")


if __name__ == "__main__":
    main()
