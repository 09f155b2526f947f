"""Snippet processes spawned as fresh interpreters (Windows, macOS; forced here with
QUIZ_APP_START_METHOD=spawn), against `python -c "import torch"` and against forking.

- the first outcome after launch;
- the next outcome when the learner answers at once, and after reading the answer 3 s and 8 s
  (the next process is started 0.3 s after a reply, and imports torch._dynamo too);
- `check` of 20 snippets, spawned and forked.

No target: the issue asks only that the fallback exist and that the docs say what it costs.

    python benchmarks/spawned_outcome.py [REPEATS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import import_torch, median, ms  # noqa: E402

from quiz_app.runner import SnippetRunner  # noqa: E402

HERE = Path(__file__).resolve().parent
TRIVIAL = "print(1 + 1)"
CHECKED = 20


def launch(method: str) -> float:
    env = dict(os.environ, QUIZ_APP_START_METHOD=method)
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(HERE / "_first_outcome.py")], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.wait(timeout=120)
    assert line.split()[:3] == ["outcome", "ok", "'2'"], line
    return elapsed


def next_outcomes(reading: float) -> float:
    """Seconds from submit to outcome for the answer after one read for ``reading`` seconds."""
    runner = SnippetRunner("cpu", prefork_delay=0.3, start_method="spawn")
    try:
        assert runner.run(TRIVIAL).status == "ok"
        time.sleep(reading)
        start = time.perf_counter()
        outcome = runner.run(TRIVIAL)
        elapsed = time.perf_counter() - start
        assert outcome.status == "ok", outcome
        return elapsed
    finally:
        runner.close()


def check(folder: Path, method: str) -> float:
    env = dict(os.environ, QUIZ_APP_START_METHOD=method)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "quiz_app", "check", str(folder), "--device", "cpu"],
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0 and f"{CHECKED} keys proven" in result.stdout, result.stdout + result.stderr
    return elapsed


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        lines = ["id: spawned-bench", "title: Twenty snippets", "questions:"]
        for index in range(CHECKED):
            lines += [
                f"  - id: q{index}",
                "    type: predict",
                "    prompt: What does it print?",
                f"    snippet: print({index} * 2)",
                f"    answer: '{index * 2}'",
                "    explanation: Arithmetic.",
            ]
        (folder / "bank.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        units, launches, forked_launches, at_once, after3, after8, checks, forked_checks = ([] for _ in range(8))
        for _ in range(repeats):  # interleaved, so that drift hits all alike
            units.append(import_torch())
            launches.append(launch("spawn"))
            forked_launches.append(launch("fork"))
            at_once.append(next_outcomes(0.0))
            after3.append(next_outcomes(3.0))
            after8.append(next_outcomes(8.0))
            checks.append(check(folder, "spawn"))
            forked_checks.append(check(folder, "fork"))
    unit = median(units)
    print(f'python -c "import torch" (unit): median {unit:.3f} s ({repeats} runs)')
    for label, values in (
        ("first outcome after launch, spawned", launches),
        ("first outcome after launch, forked ", forked_launches),
    ):
        print(f"{label}: median {median(values):.3f} s = {median(values) / unit:.2f}x")
    for label, values in (
        ("next outcome, answered at once         ", at_once),
        ("next outcome, after reading for 3 s    ", after3),
        ("next outcome, after reading for 8 s    ", after8),
    ):
        print(f"{label}: median {ms(median(values))} = {median(values) / unit:.3f}x")
    spawned, forked = median(checks), median(forked_checks)
    print(
        f"check of {CHECKED} snippets, --jobs {os.cpu_count()}: spawned {spawned:.3f} s = {spawned / unit:.2f}x, "
        f"forked {forked:.3f} s = {forked / unit:.2f}x; spawned / forked = {spawned / forked:.1f}x"
    )


if __name__ == "__main__":
    main()
