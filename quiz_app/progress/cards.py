"""Review cards (schema version 5): the SQL, and the records it answers with.

One row per player and question content hash holds the question's FSRS card as py-fsrs's
``Card.to_dict()`` JSON, its due time (a fixed-width UTC stamp, so text order is time order)
and two counters for retention: reviews that came at or after the card was due, and how many
of those were right. The scheduling rules are in :mod:`quiz_app.play.review`; the store ties the
two together. Read-only opens of an older database read as having no cards.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from quiz_app.play.records import DueCard
from quiz_app.progress.records import parse_stamp, stamp

_HEX = re.compile(r"[0-9a-fA-F]+")


@dataclass(frozen=True)
class TagRetention:
    """Of the reviews of due cards of questions with this tag, how many were answered right."""

    tag: str
    reviews: int
    recalled: int

    @property
    def rate(self) -> float:
        return self.recalled / self.reviews if self.reviews else 0.0


@dataclass(frozen=True)
class StoredCard:
    card_json: str
    due_reviews: int
    due_recalled: int


def check_hash(question_hash: object) -> None:
    if not isinstance(question_hash, str) or not _HEX.fullmatch(question_hash):
        raise ValueError(f"question_hash must be a hex string, not {question_hash!r}")


def moment_stamp(moment: object) -> str:
    """The stamp of a timezone-aware datetime (a naive one would silently mean local time)."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"a review time must be a timezone-aware datetime, not {moment!r}")
    return stamp(moment)


def group_by_tag(counts: Iterable[tuple[str, int, int]], tags: Mapping[str, Iterable[str]]) -> list[TagRetention]:
    """Sum (hash, reviews, recalled) per tag of each hash, by tag name; a hash that ``tags``
    does not know (an edited or removed question) counts nowhere."""
    totals: dict[str, tuple[int, int]] = {}
    for digest, reviews, recalled in counts:
        for tag in dict.fromkeys(tags.get(digest, ())):
            seen, right = totals.get(tag, (0, 0))
            totals[tag] = (seen + reviews, right + recalled)
    return [TagRetention(tag, seen, right) for tag, (seen, right) in sorted(totals.items())]


def has_cards(conn: sqlite3.Connection) -> bool:
    """False for a database older than schema version 5, read as it is."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'review_cards'").fetchone() is not None


def read_card(conn: sqlite3.Connection, player: str, question_hash: str) -> StoredCard | None:
    row = conn.execute(
        "SELECT card_json, due_reviews, due_recalled FROM review_cards WHERE player = ? AND question_hash = ?",
        (player, question_hash),
    ).fetchone()
    return None if row is None else StoredCard(row[0], row[1], row[2])


def write_card(
    conn: sqlite3.Connection,
    player: str,
    question_hash: str,
    bank_id: str,
    question_id: str,
    card_json: str,
    due: str,
    due_reviews: int,
    due_recalled: int,
) -> None:
    conn.execute(
        "INSERT INTO review_cards (player, question_hash, bank_id, question_id, card_json, due,"
        " due_reviews, due_recalled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (player, question_hash) DO UPDATE SET bank_id = excluded.bank_id,"
        " question_id = excluded.question_id, card_json = excluded.card_json, due = excluded.due,"
        " due_reviews = excluded.due_reviews, due_recalled = excluded.due_recalled",
        (player, question_hash, bank_id, question_id, card_json, due, due_reviews, due_recalled),
    )


def due_cards(conn: sqlite3.Connection, player: str, now: str) -> list[DueCard]:
    """Cards due at ``now`` (a stamp), the most overdue first; read from the index alone."""
    if not has_cards(conn):
        return []
    rows = conn.execute(
        "SELECT bank_id, question_id, question_hash, due FROM review_cards"
        " WHERE player = ? AND due <= ? ORDER BY due, bank_id, question_id",
        (player, now),
    )
    return [DueCard(r[0], r[1], r[2], parse_stamp(r[3])) for r in rows]


def due_count(conn: sqlite3.Connection, player: str, now: str) -> int:
    if not has_cards(conn):
        return 0
    row = conn.execute("SELECT count(*) FROM review_cards WHERE player = ? AND due <= ?", (player, now)).fetchone()
    return int(row[0])


def retention_counts(conn: sqlite3.Connection, player: str) -> list[tuple[str, int, int]]:
    """(question hash, due reviews, of those right) for each card with at least one due review."""
    if not has_cards(conn):
        return []
    return [
        (r[0], r[1], r[2])
        for r in conn.execute(
            "SELECT question_hash, due_reviews, due_recalled FROM review_cards WHERE player = ? AND due_reviews > 0",
            (player,),
        )
    ]


def score_trend(conn: sqlite3.Connection, player: str, bank_id: str, limit: int) -> list[float]:
    """The score share (right answers / questions, at most 1) of the player's last ``limit``
    finished full attempts at a bank that recorded an answer, oldest first."""
    rows = conn.execute(
        "SELECT a.total_questions, COALESCE(SUM(s.correct), 0) FROM attempts AS a"
        " JOIN answers AS s ON s.attempt_id = a.id"
        " WHERE a.player = ? AND a.bank_id = ? AND a.retry = 0 AND a.finished_at IS NOT NULL"
        " GROUP BY a.id ORDER BY a.finished_at DESC, a.id DESC LIMIT ?",
        (player, bank_id, limit),
    ).fetchall()
    return [min(1.0, correct / total) for total, correct in reversed(rows)]
