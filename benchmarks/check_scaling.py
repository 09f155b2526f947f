"""quiz-app check on a bank of 50 trivial snippets against the same on a bank of 1."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import median  # noqa: E402

REPEATS = 5


def bank(count: int) -> str:
    lines = [f"id: bench-{count}", f"title: {count} trivial snippets", "questions:"]
    for index in range(count):
        lines += [
            f"  - id: q{index}",
            "    type: predict",
            "    prompt: What does it print?",
            f"    snippet: print(torch.ones(1).item() + {index})",
            f"    answer: '{1.0 + index}'",
            "    explanation: Arithmetic.",
        ]
    return "\n".join(lines) + "\n"


def time_check(path: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "quiz_app", "check", str(path), "--device", "cpu"], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        one, fifty = Path(folder) / "one.yaml", Path(folder) / "fifty.yaml"
        one.write_text(bank(1), encoding="utf-8")
        fifty.write_text(bank(50), encoding="utf-8")
        ones, fifties = [], []
        for _ in range(REPEATS):  # interleaved, so that drift hits both alike
            ones.append(time_check(one))
            fifties.append(time_check(fifty))
    print(f"check, 1 snippet:   median {median(ones):.3f} s ({REPEATS} runs)")
    print(f"check, 50 snippets: median {median(fifties):.3f} s ({REPEATS} runs)")
    ratio = median(fifties) / median(ones)
    print(f"50 / 1: {ratio:.2f}x (target < 2x: {'met' if ratio < 2 else 'MISSED'})")


if __name__ == "__main__":
    main()
