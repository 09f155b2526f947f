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
    # 6: `quiz-app report --attempts all` without reading every answer. Two small tables, kept
    # by triggers as answers and marks are inserted (they are never updated nor deleted: a
    # change that does either must keep these in step), and filled here from the rows already
    # there. answer_tallies: per player, question, verdict (-1: not graded, as a key cannot be
    # NULL) and response, how many answers and their seconds, and the earliest of them (time,
    # then id). revealed_marks: each misconception a player's answers to a question revealed.
    # At 1M answers they hold about 31,000 and 6,000 rows: the report reads those instead of
    # grouping a million (all banks: 3.3 s before, 0.3 s after; benchmarks/report_scale.py).
    (
        """
        CREATE TABLE answer_tallies (
            player TEXT NOT NULL,
            bank_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            verdict INTEGER NOT NULL CHECK (verdict IN (-1, 0, 1)),
            answer TEXT NOT NULL,
            answers INTEGER NOT NULL CHECK (answers >= 1),
            seconds REAL NOT NULL,
            first_at TEXT NOT NULL,
            first_id INTEGER NOT NULL,
            PRIMARY KEY (player, bank_id, question_id, verdict, answer)
        ) WITHOUT ROWID
        """,
        """
        INSERT INTO answer_tallies
            (player, bank_id, question_id, verdict, answer, answers, seconds, first_at, first_id)
        SELECT player, bank_id, question_id, coalesce(correct, -1), answer, count(*), total(seconds),
            min(answered_at), 0
        FROM answers GROUP BY player, bank_id, question_id, coalesce(correct, -1), answer
        """,
        # The first stored of the earliest (one index seek per tally).
        """
        UPDATE answer_tallies SET first_id = (
            SELECT min(a.id) FROM answers AS a
            WHERE a.player = answer_tallies.player AND a.bank_id = answer_tallies.bank_id
            AND a.question_id = answer_tallies.question_id AND a.correct IS nullif(answer_tallies.verdict, -1)
            AND a.answered_at = answer_tallies.first_at AND a.answer = answer_tallies.answer
        )
        """,
        """
        CREATE TRIGGER answer_tallies_count AFTER INSERT ON answers BEGIN
            INSERT INTO answer_tallies
                (player, bank_id, question_id, verdict, answer, answers, seconds, first_at, first_id)
            VALUES (NEW.player, NEW.bank_id, NEW.question_id, coalesce(NEW.correct, -1), NEW.answer, 1, NEW.seconds,
                    NEW.answered_at, NEW.id)
            ON CONFLICT DO UPDATE SET
                answers = answers + 1,
                seconds = seconds + excluded.seconds,
                first_id = CASE WHEN (excluded.first_at, excluded.first_id) < (first_at, first_id)
                    THEN excluded.first_id ELSE first_id END,
                first_at = min(first_at, excluded.first_at);
        END
        """,
        """
        CREATE TABLE revealed_marks (
            player TEXT NOT NULL,
            bank_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            misconception_id TEXT NOT NULL,
            PRIMARY KEY (player, bank_id, question_id, misconception_id)
        ) WITHOUT ROWID
        """,
        """
        INSERT INTO revealed_marks (player, bank_id, question_id, misconception_id)
        SELECT DISTINCT a.player, a.bank_id, a.question_id, m.misconception_id
        FROM answer_misconceptions AS m CROSS JOIN answers AS a ON a.id = m.answer_id WHERE m.revealed = 1
        """,
        """
        CREATE TRIGGER revealed_marks_add AFTER INSERT ON answer_misconceptions WHEN NEW.revealed = 1 BEGIN
            INSERT INTO revealed_marks (player, bank_id, question_id, misconception_id)
            SELECT a.player, a.bank_id, a.question_id, NEW.misconception_id FROM answers AS a WHERE a.id = NEW.answer_id
            ON CONFLICT DO NOTHING;
        END
        """,
    ),
    # 7: unfinished runs. An attempt is finished when its last question is answered (or its exam
    # ends), and only finished attempts are scored. Before, leaving a bank also stamped it: an
    # attempt whose answers cover fewer questions than it had is unfinished again (resumable,
    # not scored), and one fully answered but never stamped is finished at its last answer.
    # The covering index gains finished_at, so that bank_history still reads the index only.
    (
        """
        UPDATE attempts SET finished_at = NULL WHERE finished_at IS NOT NULL
        AND total_questions > (SELECT count(DISTINCT question_id) FROM answers WHERE attempt_id = attempts.id)
        """,
        """
        UPDATE attempts SET finished_at = (SELECT max(answered_at) FROM answers WHERE attempt_id = attempts.id)
        WHERE finished_at IS NULL
        AND total_questions <= (SELECT count(DISTINCT question_id) FROM answers WHERE attempt_id = attempts.id)
        """,
        "DROP INDEX attempts_by_player_bank",
        "CREATE INDEX attempts_by_player_bank ON attempts (player, bank_id, retry, total_questions, finished_at)",
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
