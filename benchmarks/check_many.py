"""`quiz-app check` of 1,000 trivial snippets in 10 bank files, against `python -c "import torch"`.

Issue 8, Speed: at most 4x the unit, with isolation (every snippet in a fresh process).
Also: per-snippet throughput, and the same with --jobs 1.

    python benchmarks/check_many.py [REPEATS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import import_torch, median, verdict  # noqa: E402

FILES, PER_FILE = 10, 100
SNIPPETS = FILES * PER_FILE


def bank(number: int) -> str:
    lines = [f"id: many-{number}", f"title: {PER_FILE} trivial snippets ({number})", "questions:"]
    for index in range(PER_FILE):
        value = number * PER_FILE + index
        lines += [
            f"  - id: q{index}",
            "    type: predict",
            "    prompt: What does it print?",
            f"    snippet: print({value} * 2)",
            f"    answer: '{value * 2}'",
            "    explanation: Arithmetic.",
        ]
    return "\n".join(lines) + "\n"


def time_check(folder: Path, *extra: str) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "quiz_app", "check", str(folder), "--device", "cpu", *extra],
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{SNIPPETS} keys proven" in result.stdout, result.stdout
    return elapsed


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for number in range(FILES):
            (folder / f"bank{number:02}.yaml").write_text(bank(number), encoding="utf-8")
        units, checks, singles = [], [], []
        for _ in range(repeats):  # interleaved, so that drift hits all alike
            units.append(import_torch())
            checks.append(time_check(folder))
            singles.append(time_check(folder, "--jobs", "1"))
    unit, default, single = median(units), median(checks), median(singles)
    cores = os.cpu_count() or 1
    print(f'python -c "import torch" (unit): median {unit:.3f} s ({repeats} runs)')
    print(
        f"check, {SNIPPETS} snippets in {FILES} files, --jobs {cores} (default): median {default:.3f} s "
        f"= {default / unit:.2f}x; {SNIPPETS / default:.0f} snippets/s, {default / SNIPPETS * 1000:.1f} ms each"
    )
    print(
        f"check, same, --jobs 1:                median {single:.3f} s "
        f"= {single / unit:.2f}x; {SNIPPETS / single:.0f} snippets/s, {single / SNIPPETS * 1000:.1f} ms each"
    )
    print(f"target: default check / unit <= 4x: {default / unit:.2f}x: {verdict(default / unit <= 4)}")


if __name__ == "__main__":
    main()
