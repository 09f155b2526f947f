"""`quiz-app check` of 1,000 trivial snippets in 10 bank files, against `python -c "import torch"`.

Issue 8, Speed: at most 4x the unit, with isolation (every snippet in a fresh process).
Also: per-snippet throughput, the same with --jobs 1, and the floor that process-per-snippet
isolation sets: the CPU time of forking and ending a process that holds what the zygote holds.

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


FLOOR = """
import gc, os, resource, sys
import torch, torch._dynamo  # what the zygote holds
from quiz_app.runner.zygote import collapse_to_huge_pages
gc.collect(); gc.freeze()
def cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
def forks(count):
    before = cpu()
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    return (cpu() - before) / count
count = int(sys.argv[1])
plain = forks(count)
collapse_to_huge_pages()  # as the zygote does after its warm-up
print(plain, forks(count))
"""


def fork_floor(count: int = 200) -> tuple[float, float]:
    """CPU seconds of one fork and exit of a process holding what the zygote holds, the child
    doing nothing (what process-per-snippet isolation costs before a snippet runs): with 4 KiB
    pages, then with the memory collapsed into huge pages as the zygote does."""
    result = subprocess.run([sys.executable, "-c", FLOOR, str(count)], capture_output=True, text=True, check=True)
    plain, huge = (float(word) for word in result.stdout.split())
    return plain, huge


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for number in range(FILES):
            (folder / f"bank{number:02}.yaml").write_text(bank(number), encoding="utf-8")
        units, checks, singles, floors = [], [], [], []
        for _ in range(repeats):  # interleaved, so that drift hits all alike
            units.append(import_torch())
            checks.append(time_check(folder))
            singles.append(time_check(folder, "--jobs", "1"))
            floors.append(fork_floor())
    unit, default, single = median(units), median(checks), median(singles)
    cores = os.cpu_count() or 1
    plain = median([floor[0] for floor in floors])
    huge = median([floor[1] for floor in floors])
    print(f'python -c "import torch" (unit): median {unit:.3f} s ({repeats} runs)')
    print(
        f"check, {SNIPPETS} snippets in {FILES} files, --jobs {cores} (default): median {default:.3f} s "
        f"= {default / unit:.2f}x; {SNIPPETS / default:.0f} snippets/s, {default / SNIPPETS * 1000:.1f} ms each"
    )
    print(
        f"check, same, --jobs 1:                median {single:.3f} s "
        f"= {single / unit:.2f}x; {SNIPPETS / single:.0f} snippets/s, {single / SNIPPETS * 1000:.1f} ms each"
    )
    for name, each in (("4 KiB pages", plain), ("huge pages, as the zygote", huge)):
        total = each * SNIPPETS / cores  # every core forking, nothing else running
        print(
            f"floor, fork + exit of a process holding torch and torch._dynamo ({name}): {each * 1000:.1f} ms "
            f"of CPU; x {SNIPPETS} / {cores} cores = {total:.3f} s = {total / unit:.2f}x before any snippet runs"
        )
    print(f"target: default check / unit <= 4x: {default / unit:.2f}x: {verdict(default / unit <= 4)}")


if __name__ == "__main__":
    main()
