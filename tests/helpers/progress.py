"""What the progress store's tests share: a sample answer, raw SQL, and the fixed time."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from quiz_app.progress import AnswerRecord

WRITER = Path(__file__).with_name("progress_writer.py")
T0 = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)


def rec(**changes: object) -> AnswerRecord:
    """A right answer by ada to basics/q1, with ``changes``; ``answered_at`` None means now."""
    base = AnswerRecord(
        player="ada",
        bank_id="basics",
        question_id="q1",
        question_hash="0a1b2c3d",
        answer="B",
        correct=True,
        seconds=2.5,
        device="cpu",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def rec_at_t0(**changes: object) -> AnswerRecord:
    """``rec`` answered at ``T0`` unless ``changes`` say otherwise."""
    return rec(**{"answered_at": T0, **changes})


def raw_rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
