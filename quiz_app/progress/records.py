"""What the store keeps and answers: plain frozen dataclasses, their checks, and time stamps."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from quiz_app.core.i18n import _

# The records a play-through builds live one layer down (quiz_app.play.records); the store keeps them.
from quiz_app.play.records import (  # noqa: F401 - re-exported
    AnswerRecord,
    MisconceptionMark,
    StoredAnswer,
    UnfinishedAttempt,
    new_uid,
)

_HEX = re.compile(r"[0-9a-fA-F]+")


@dataclass(frozen=True)
class BankHistory:
    """A player's full (non-retry) attempts at one bank that recorded at least one answer."""

    attempts: int
    last_correct: int
    last_total: int
    last_played: datetime
    best_correct: int
    best_total: int


@dataclass(frozen=True)
class BankTotals:
    """Every answer a player gave in one bank: ``answered`` counts ungraded answers too."""

    bank_id: str
    answered: int
    correct: int
    last_played: datetime


@dataclass(frozen=True)
class QuestionRate:
    """Graded answers to one question; ungraded answers count in neither number."""

    bank_id: str
    question_id: str
    answered: int
    correct: int

    @property
    def rate(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class MisconceptionStatus:
    """Where a player stands with one misconception.

    ``offered``: answers to questions whose wrong choices carried it; ``picked``: those that
    chose such a choice. ``cleared``: the most recent of the offered answers did not pick it
    and was correct. ``text`` is the wording of the most recent answer that offered it.
    """

    id: str
    text: str
    picked: int
    offered: int
    cleared: bool


# -- checks ------------------------------------------------------------------------------------


def require_text(**fields: object) -> None:
    for name, value in fields.items():
        if not isinstance(value, str) or not value:
            # TRANSLATORS: {name} is a field's name as the code and answers files spell it (player, bank_id, uid)
            raise ValueError(_("{name} must be a non-empty string, not {value}").format(name=name, value=repr(value)))


def check_record(record: AnswerRecord) -> None:
    """Refuse a record the database must never hold (raises ValueError, its message translated:
    an import shows it as the reason a line was skipped)."""
    require_text(player=record.player, bank_id=record.bank_id, question_id=record.question_id, uid=record.uid)
    if not isinstance(record.question_hash, str) or not _HEX.fullmatch(record.question_hash):
        raise ValueError(_("question_hash must be a hex string, not {value}").format(value=repr(record.question_hash)))
    if not isinstance(record.answer, str):
        raise ValueError(_("answer must be a string, not {value}").format(value=repr(record.answer)))
    if record.correct not in (True, False, None):
        raise ValueError(_("correct must be True, False or None, not {value}").format(value=repr(record.correct)))
    if isinstance(record.seconds, bool) or not isinstance(record.seconds, (int, float)):
        raise ValueError(_("seconds must be a number, not {value}").format(value=repr(record.seconds)))
    if not math.isfinite(record.seconds) or record.seconds < 0:
        raise ValueError(_("seconds must be a finite number >= 0, not {value}").format(value=repr(record.seconds)))
    if record.device is not None and not isinstance(record.device, str):
        raise ValueError(_("device must be a string or None, not {value}").format(value=repr(record.device)))
    if record.attempt_id is not None and (
        isinstance(record.attempt_id, bool) or not isinstance(record.attempt_id, int)
    ):
        raise ValueError(_("attempt_id must be an int or None, not {value}").format(value=repr(record.attempt_id)))
    when = record.answered_at
    if when is not None and (not isinstance(when, datetime) or when.utcoffset() is None):
        raise ValueError(_("answered_at must be a timezone-aware datetime"))
    seen: set[str] = set()
    for mark in record.misconceptions:
        if not isinstance(mark, MisconceptionMark):
            raise ValueError(
                _("misconceptions must hold MisconceptionMark items, not {value}").format(value=repr(mark))
            )
        require_text(misconception_id=mark.id)
        if not isinstance(mark.text, str) or not isinstance(mark.revealed, bool):
            raise ValueError(_("a misconception needs a text and a revealed flag: {value}").format(value=repr(mark)))
        if mark.id in seen:
            raise ValueError(_("misconception {id} is marked twice").format(id=repr(mark.id)))
        seen.add(mark.id)


# -- time stamps -------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    """UTC ISO-8601 with a fixed width, so that text order is time order."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def parse_stamp(text: object) -> datetime:
    return datetime.fromisoformat(str(text))
