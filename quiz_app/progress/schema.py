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
    # 3: the same indexes, made covering, so that every stats query reads an index only
    # (1M answers: bank_totals and question_rates read the player's index entries, never the
    # table). Each keeps its name and its leading columns; the old, narrower one goes.
    (
        "DROP INDEX answers_by_player_bank",
        "CREATE INDEX answers_by_player_bank ON answers (player, bank_id, question_id, correct, answered_at)",
        "DROP INDEX answers_by_attempt",
        "CREATE INDEX answers_by_attempt ON answers (attempt_id, correct, answered_at)",
        "DROP INDEX attempts_by_player_bank",
        "CREATE INDEX attempts_by_player_bank ON attempts (player, bank_id, retry, total_questions)",
    ),
    # 4: a stable id per answer (exports between machines merge on it), and the misconceptions
    # each answer was offered and revealed. Rows already there get a random id.
    (
        "ALTER TABLE answers ADD COLUMN uid TEXT",
        "UPDATE answers SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL",
        "CREATE UNIQUE INDEX answers_by_uid ON answers (uid)",
        """
        CREATE TABLE answer_misconceptions (
            answer_id INTEGER NOT NULL REFERENCES answers (id),
            misconception_id TEXT NOT NULL,
            text TEXT NOT NULL,
            revealed INTEGER NOT NULL CHECK (revealed IN (0, 1)),
            player TEXT NOT NULL,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (answer_id, misconception_id)
        ) WITHOUT ROWID
        """,
        # player and answered_at are the answer's own, kept here so that the per-player
        # query reads this index only.
        "CREATE INDEX answer_misconceptions_by_player"
        " ON answer_misconceptions (player, misconception_id, answered_at, answer_id, revealed)",
    ),
    # 5: spaced review. One FSRS card per player and question content hash (an edited question
    # starts a fresh card), as py-fsrs's JSON, with its due time and the counts of reviews made
    # when it was due and of those answered right (retention). Existing rows are untouched: the
    # cards fill as questions are answered. The index answers "what is due" from itself.
    (
        """
        CREATE TABLE review_cards (
            player TEXT NOT NULL,
            question_hash TEXT NOT NULL,
            bank_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            card_json TEXT NOT NULL,
            due TEXT NOT NULL,
            due_reviews INTEGER NOT NULL DEFAULT 0 CHECK (due_reviews >= 0),
            due_recalled INTEGER NOT NULL DEFAULT 0 CHECK (due_recalled BETWEEN 0 AND due_reviews),
            PRIMARY KEY (player, question_hash)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX review_cards_by_due ON review_cards (player, due, bank_id, question_id)",
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
    then finds nothing left to do. A database already up to date is only read (no write lock
    is taken). Returns the version the database had before.
    """
    target = len(migrations)
    found = user_version(conn)
    if found == target:
        return found  # up to date: no write lock taken, so opening never waits on a writer
    if found > target:
        raise NewerSchemaError(found)
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
