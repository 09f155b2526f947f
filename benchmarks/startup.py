"""Launch to the first question rendered, against `python -c "import torch"`, in one run."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import median  # noqa: E402

HERE = Path(__file__).resolve().parent
BANK = HERE.parent / "tests" / "data" / "banks" / "play.yaml"
REPEATS = 5


def first_question(home: str) -> float:
    env = {**os.environ, "QUIZ_APP_HOME": home}
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(HERE / "_first_question.py"), str(BANK)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.wait(timeout=60)
    assert line.strip() == "first-question", line
    return elapsed


def import_torch() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        apps, torches = [], []
        for _ in range(REPEATS):  # interleaved, so that drift hits both alike
            torches.append(import_torch())
            apps.append(first_question(home))
    ratio = median(apps) / median(torches)
    print(f'python -c "import torch":      median {median(torches):.3f} s ({REPEATS} runs)')
    print(f"launch to first question shown: median {median(apps):.3f} s ({REPEATS} runs)")
    print(f"ratio: {ratio:.2f}x (target < 0.5x: {'met' if ratio < 0.5 else 'MISSED'})")


if __name__ == "__main__":
    main()
