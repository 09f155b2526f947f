"""Small helpers shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def verdict(ok: bool) -> str:
    """What a target line says."""
    return "met" if ok else "MISSED"


def import_torch() -> float:
    """Seconds for a fresh `python -c "import torch"`: the unit the issues measure against."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    return time.perf_counter() - start
