"""``quiz-app import``: answers files merged into the local database.

Each file goes in as one transaction, answer by answer ``INSERT ... ON CONFLICT (uid) DO
NOTHING``: an answer already here (imported before, or played here) counts once. Imported
answers belong to no attempt (attempts stay on the machine that played them).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from quiz_app.classroom.answers import unique
from quiz_app.classroom.export import ExportFile, to_record
from quiz_app.progress import ProgressStore
from quiz_app.progress.records import check_record, stamp
from quiz_app.progress.writes import insert_answer


@dataclass(frozen=True)
class Imported:
    """What one file brought: ``read`` answers, of which ``added`` were new here."""

    path: Path
    read: int
    added: int

    @property
    def already_here(self) -> int:
        return self.read - self.added


def import_file(store: ProgressStore, export: ExportFile) -> Imported:
    """Merge one read file's answers into ``store`` (opened to write), in one transaction."""
    records = [to_record(answer) for answer in unique(export.answers)]
    for record in records:
        check_record(record)
    rows = [(record, stamp(record.answered_at)) for record in records if record.answered_at is not None]

    def work(conn: sqlite3.Connection) -> int:
        return sum(insert_answer(conn, record, answered_at) for record, answered_at in rows)

    added = store.with_connection(work, 0, action="import answers into") if rows else 0
    return Imported(export.path, len(export.answers), added)
