"""The SQL that writes: each function runs inside a transaction the caller opened."""

from __future__ import annotations

import sqlite3

from quiz_app.progress.records import AnswerRecord


def insert_attempt(
    conn: sqlite3.Connection, player: str, bank_id: str, total_questions: int, retry: bool, started_at: str
) -> int:
    cursor = conn.execute(
        "INSERT INTO attempts (player, bank_id, total_questions, retry, started_at) VALUES (?, ?, ?, ?, ?)",
        (player, bank_id, int(total_questions), int(retry), started_at),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def finish_attempt(conn: sqlite3.Connection, attempt_id: int, finished_at: str) -> None:
    cursor = conn.execute(
        "UPDATE attempts SET finished_at = COALESCE(finished_at, ?) WHERE id = ?", (finished_at, attempt_id)
    )
    if cursor.rowcount == 0:
        raise ValueError(f"no attempt with id {attempt_id}")


def attempt_mismatch(conn: sqlite3.Connection, record: AnswerRecord) -> str | None:
    """Why the record cannot belong to its attempt (None: it can, or it names none)."""
    if record.attempt_id is None:
        return None
    row = conn.execute("SELECT player, bank_id FROM attempts WHERE id = ?", (record.attempt_id,)).fetchone()
    if row is None:
        return f"no attempt with id {record.attempt_id}"
    if tuple(row) != (record.player, record.bank_id):
        return (
            f"attempt {record.attempt_id} is {row[0]!r} playing {row[1]!r}, "
            f"not {record.player!r} playing {record.bank_id!r}"
        )
    return None


def insert_answer(conn: sqlite3.Connection, record: AnswerRecord, answered_at: str) -> bool:
    """Insert a checked record and its misconception marks; False if its uid was already there."""
    cursor = conn.execute(
        "INSERT INTO answers (uid, attempt_id, player, bank_id, question_id, question_hash,"
        " answer, correct, seconds, device, answered_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uid) DO NOTHING",
        (
            record.uid,
            record.attempt_id,
            record.player,
            record.bank_id,
            record.question_id,
            record.question_hash,
            record.answer,
            None if record.correct is None else int(record.correct),
            float(record.seconds),
            record.device,
            answered_at,
        ),
    )
    if cursor.rowcount != 1:
        return False
    answer_id = cursor.lastrowid
    conn.executemany(
        "INSERT INTO answer_misconceptions (answer_id, misconception_id, text, revealed, player, answered_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(answer_id, m.id, m.text, int(m.revealed), record.player, answered_at) for m in record.misconceptions],
    )
    return True
