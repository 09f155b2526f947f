"""Small helpers shared by the benchmark scripts."""

from __future__ import annotations

import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path


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


def timed(work: Callable[[], object], repeats: int) -> list[float]:
    """Seconds for each of ``repeats`` calls of ``work``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


MARKS_SQL = (
    "INSERT INTO answer_misconceptions (answer_id, misconception_id, text, revealed, player, answered_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


def bulk_load(db: Path, inserts: Iterable[tuple[str, Sequence[tuple[object, ...]]]]) -> None:
    """Rows into a database made by the store's own schema, as fast as SQLite takes them: one
    transaction, no journal, then WAL as quiz_app keeps it."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")  # written once, straight into the file
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MiB: the random uid index stays in memory
    conn.execute("BEGIN")
    for sql, rows in inserts:
        conn.executemany(sql, rows)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
