"""What an answer is, as a play-through gives it and the store keeps it: plain frozen dataclasses.

They live below the store (``progress`` keeps them, and re-exports them), so that a play-through
(``run``, ``review``) can build them without knowing anything of SQL.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime


def new_uid() -> str:
    """A fresh answer id: 32 hex digits, unique across machines."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class MisconceptionMark:
    """One misconception a question's wrong choices carry ("offered" by the question).

    ``revealed``: this answer picked a choice carrying it.
    """

    id: str
    text: str
    revealed: bool


@dataclass(frozen=True)
class AnswerRecord:
    player: str
    bank_id: str
    question_id: str
    question_hash: str
    answer: str
    correct: bool | None  # None: not graded
    seconds: float
    device: str | None
    attempt_id: int | None = None
    answered_at: datetime | None = None  # None: now; otherwise timezone-aware
    uid: str = field(default_factory=new_uid)  # the same uid stored twice counts once
    misconceptions: tuple[MisconceptionMark, ...] = ()


@dataclass(frozen=True)
class StoredAnswer:
    """One answer as kept: the response as stored (``B``, ``A, C``, ``true``, the text typed)."""

    question_id: str
    answer: str
    correct: bool | None
    seconds: float


@dataclass(frozen=True)
class UnfinishedAttempt:
    """A full attempt left before its last question: what was answered, to resume after it."""

    attempt_id: int
    total: int
    answers: tuple[StoredAnswer, ...]

    @property
    def answered(self) -> int:
        return len(self.answers)


@dataclass(frozen=True)
class DueCard:
    """A card due for review: the question it was last answered as, and since when it is due."""

    bank_id: str
    question_id: str
    question_hash: str
    due: datetime
