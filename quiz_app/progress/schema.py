"""The progress database's schema, as an ordered list of migrations.

``PRAGMA user_version`` holds how many migrations a database has had. Migrations are only
ever appended: never edit one that has shipped, add a new one that changes what it made.
"""

from __future__ import annotations

import sqlite3

# MIGRATIONS[n] takes a database from version n to version n + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: attempts and answers.
    (
        """
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY,
            player TEXT NOT NULL,
            bank_id TEXT NOT NULL,
            total_questions INTEGER NOT NULL CHECK (total_questions >= 1),
            retry INTEGER NOT NULL DEFAULT 0 CHECK (retry IN (0, 1)),
            started_at TEXT NOT NULL,
            finished_at TEXT
        )
        """,
        """
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            attempt_id INTEGER REFERENCES attempts (id),
            player TEXT NOT NULL,
            bank_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            question_hash TEXT NOT NULL,
            answer TEXT NOT NULL,
            correct INTEGER CHECK (correct IN (0, 1)),
            seconds REAL NOT NULL CHECK (seconds >= 0),
            device TEXT,
            answered_at TEXT NOT NULL
        )
        """,
    ),
    # 2: indexes for the questions the store asks (per player, per bank, per attempt).
    (
        "CREATE INDEX answers_by_player_bank ON answers (player, bank_id, question_id)",
        "CREATE INDEX answers_by_attempt ON answers (attempt_id)",
        "CREATE INDEX attempts_by_player_bank ON attempts (player, bank_id)",
    ),
)

LATEST_VERSION = len(MIGRATIONS)


class NewerSchemaError(Exception):
    """The database was written by a newer quiz_app than this one."""

    def __init__(self, found: int) -> None:
        super().__init__(found)
        self.found = found


class ForeignDatabaseError(Exception):
    """The file is a valid SQLite database, but not one quiz_app made."""


def user_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(
    conn: sqlite3.Connection,
    migrations: tuple[tuple[str, ...], ...] = MIGRATIONS,
) -> int:
    """Bring the database up to ``len(migrations)``, in one write transaction.

    The connection must be in autocommit mode (``isolation_level=None``). Two processes that
    open a new database at once are safe: the second waits for the first's transaction and
    then finds nothing left to do. Returns the version the database had before.
    """
    target = len(migrations)
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = user_version(conn)
        if found > target:
            raise NewerSchemaError(found)
        if found == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone()[0]
            if tables:
                raise ForeignDatabaseError()
        for version in range(found, target):
            for statement in migrations[version]:
                conn.execute(statement)
        if found != target:
            # PRAGMA takes no parameters; target is an int we computed.
            conn.execute(f"PRAGMA user_version = {int(target)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return found
