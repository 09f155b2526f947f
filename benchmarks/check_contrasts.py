"""What contrasts cost `quiz-app check` (issue 22): the bundled banks as shipped (A) against the
same banks with one contrast on every question that has a snippet (B), alternating, in one run.

The bundled banks carry no contrasts yet, so B gives each question a contrast whose snippet is
its own: a contrast is the snippet with one line changed, so it costs about what the snippet
does, and its holds are evaluated after it as they are after the snippet. Each pass is a whole
``check()`` (runners started, banks loaded, every snippet run, keys proven, cues scored), in
this process, with the default ``--jobs``. Reported: the median of each, their ratio, and the
cost per added snippet. No target: the issue asks for the figure.

    python benchmarks/check_contrasts.py [PASSES]   # default 3 of each: about 2 minutes here
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import import_torch, median  # noqa: E402

from quiz_app.bank import Contrast, LoadResult, load_banks  # noqa: E402
from quiz_app.check import prove  # noqa: E402
from quiz_app.core import locations  # noqa: E402


def with_contrasts(loaded: LoadResult) -> LoadResult:
    """Every question with a snippet gets one contrast: its own snippet."""
    banks = []
    for bank in loaded.banks:
        questions = tuple(
            dataclasses.replace(q, contrasts=(Contrast("the same code", q.snippet),)) if q.snippet else q
            for q in bank.questions
        )
        banks.append(dataclasses.replace(bank, questions=questions))
    return LoadResult(banks, list(loaded.problems))


def timed_check(contrasts: bool) -> tuple[float, int, int]:
    """Seconds for one check of the bundled banks, and its keys with contrasts and problems."""
    original = prove.load_banks
    if contrasts:
        prove.load_banks = lambda paths: with_contrasts(original(paths))  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        report = prove.check([locations.bundled_banks_dir()], device="cpu")
        elapsed = time.perf_counter() - start
    finally:
        prove.load_banks = original
    assert report.fatal is None and report.count("proven") == report.questions, report.problems
    return elapsed, report.keys_with_contrasts, len(report.problems)


def main() -> None:
    passes = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    loaded = load_banks([locations.bundled_banks_dir()])
    snippets = sum(1 for bank in loaded.banks for q in bank.questions if q.snippet)
    timed_check(False)  # warm the page cache and torch's files
    plain: list[float] = []
    contrasted: list[float] = []
    added = 0
    for index in range(passes):
        for contrasts in (False, True) if index % 2 == 0 else (True, False):
            elapsed, keys, _ = timed_check(contrasts)
            (contrasted if contrasts else plain).append(elapsed)
            added = max(added, keys)
    unit = median([import_torch() for _ in range(3)])
    a, b = median(plain), median(contrasted)
    print(f"bundled banks: {len(loaded.banks)} banks, {snippets} snippets; B adds {added} contrasts")
    print(f"A, as shipped:           median {a:.2f} s  ({', '.join(f'{t:.2f}' for t in plain)})")
    print(f"B, a contrast on each:   median {b:.2f} s  ({', '.join(f'{t:.2f}' for t in contrasted)})")
    print(f"B / A: {b / a:.2f}x; per added snippet: {(b - a) / max(1, added) * 1000:.1f} ms")
    print(f'python -c "import torch" (unit): median {unit:.2f} s; A = {a / unit:.2f}x, B = {b / unit:.2f}x')


if __name__ == "__main__":
    main()
