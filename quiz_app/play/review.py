"""Spaced review: when each question comes back, and which questions a review session plays.

Domain code (no Textual, no torch). The store keeps one FSRS card (py-fsrs, ``fsrs``) per player
and question *content hash*, so an edited question starts a fresh card; this module holds the
rules that move a card and the helpers that turn due cards into a playable session.

The scheduler, and why:

- **Right is ``Rating.Good``, wrong is ``Rating.Again``**; an ungraded answer tells nothing
  about memory and never moves a card. Hard and Easy are not used: a quiz knows right or wrong,
  not how hard the recall felt.
- **Learning and relearning steps of one day** (py-fsrs's defaults are 1 and 10 minutes, made
  for flashcard decks drilled in one sitting). A course question answered wrong comes back
  tomorrow, not ten minutes later in the same session, where it would be answered from
  short-term memory and prove nothing; a question answered right on first sight graduates at
  once, and FSRS gives it about two days. So every review puts the card at least a day ahead:
  nothing is asked again the same day (``tests/unit/test_review.py`` proves it for any history).
- **Desired retention 0.9** (the FSRS default): a card comes back when the chance of recalling
  it has fallen to 90 %.
- **No fuzzing.** py-fsrs spreads review intervals at random so that a large deck learned in one
  day does not all come due on one day; a bank holds tens of questions, and without it a card
  is a pure function of the answers given and their times: tests can pin it, and the same
  history always shows the same "N due".
- **Intervals of a year at most**, so that a concept learned in a course resurfaces at least
  once a year.

``Card()`` without arguments reads the clock (and sleeps a millisecond for a unique id); this
module always passes the card id and the time, so that callers control the clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

# Named imports only: `from fsrs import *` would load fsrs.optimizer, which imports torch.
from fsrs import Card, Rating, Scheduler

from quiz_app.bank import Bank, Question
from quiz_app.play.records import DueCard

STEP = timedelta(days=1)
DESIRED_RETENTION = 0.9
MAXIMUM_INTERVAL_DAYS = 365

SCHEDULER = Scheduler(
    desired_retention=DESIRED_RETENTION,
    learning_steps=(STEP,),
    relearning_steps=(STEP,),
    maximum_interval=MAXIMUM_INTERVAL_DAYS,
    enable_fuzzing=False,
)

# The synthetic bank of a review session: never a loader's id (those are lower-case letters,
# digits and '-'), and a session question's id is "<bank id>/<question id>" ('/' is in neither).
REVIEW_BANK_ID = "@review"
REVIEW_TITLE = "Review"


# -- cards ---------------------------------------------------------------------------------------


def utc(moment: datetime) -> datetime:
    """A timezone-aware moment in UTC (py-fsrs refuses any other zone); naive is refused."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"a review time must be a timezone-aware datetime, not {moment!r}")
    return moment.astimezone(timezone.utc)


def new_card(question_hash: str, at: datetime) -> Card:
    """A card never reviewed, due at ``at``; its id is read from the hash (no clock read)."""
    return Card(card_id=int(question_hash[:15], 16), due=utc(at))


def card_to_json(card: Card) -> str:
    return json.dumps(card.to_dict(), sort_keys=True)


def card_from_json(text: str, question_hash: str, at: datetime) -> Card:
    """The stored card; one that does not read (edited by hand, another fsrs) starts afresh."""
    try:
        card = Card.from_dict(json.loads(text))
        utc(card.due)
        if card.last_review is not None:
            utc(card.last_review)
    except (ValueError, TypeError, KeyError, AttributeError):
        return new_card(question_hash, at)
    return card


@dataclass(frozen=True)
class Reviewed:
    """A card after one answer. ``was_due``: the card had been reviewed before and the answer
    came at or after its due time (a review that counts for retention; a first sight does not)."""

    card: Card
    was_due: bool


def review(card: Card, correct: bool, at: datetime) -> Reviewed:
    """Move a card by one graded answer at ``at``: right is Good, wrong is Again."""
    at = utc(at)
    was_due = card.last_review is not None and at >= card.due
    rating = Rating.Good if correct else Rating.Again
    moved, _log = SCHEDULER.review_card(card, rating, review_datetime=at)
    return Reviewed(moved, was_due)


# -- a review session ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewItem:
    """A due question found in a loaded bank, as the bank has it now."""

    bank: Bank
    question: Question
    due: datetime


SkipReason = Literal["changed", "missing"]


@dataclass(frozen=True)
class SkippedCard:
    """A due card that cannot be played: its question was edited since (``changed``: the bank
    still has that id, with other content), or its bank or question is gone (``missing``)."""

    card: DueCard
    reason: SkipReason


@dataclass(frozen=True)
class DueQuestions:
    items: tuple[ReviewItem, ...]
    skipped: tuple[SkippedCard, ...]


def due_questions(due: Iterable[DueCard], banks: Iterable[Bank], limit: int | None = None) -> DueQuestions:
    """The due cards that match a loaded question by bank id, question id *and* content hash,
    in the order given (the store's: most overdue first), at most ``limit`` of them; the others
    are skipped with a reason. A card is matched in the first bank loaded with its id."""
    by_id: dict[str, Bank] = {}
    for loaded in banks:
        by_id.setdefault(loaded.id, loaded)
    items: list[ReviewItem] = []
    skipped: list[SkippedCard] = []
    for card in due:
        bank = by_id.get(card.bank_id)
        question = next((q for q in bank.questions if q.id == card.question_id), None) if bank else None
        if bank is None or question is None:
            skipped.append(SkippedCard(card, "missing"))
        elif question.content_hash != card.question_hash:
            skipped.append(SkippedCard(card, "changed"))
        elif limit is None or len(items) < limit:
            items.append(ReviewItem(bank, question, card.due))
    return DueQuestions(tuple(items), tuple(skipped))


def session_id(bank: Bank, question: Question) -> str:
    return f"{bank.id}/{question.id}"


@dataclass(frozen=True)
class ReviewSession:
    """A review session as one synthetic bank, playable by ``QuizRun``.

    ``bank`` (id :data:`REVIEW_BANK_ID`, title "Review") holds the due questions, each renamed
    ``"<bank id>/<question id>"`` so that ids stay unique across banks (a renamed question keeps
    its content hash). Its ``setup`` is empty and its ``misconceptions`` are the home banks'
    merged (the store keys misconceptions by id alone, across banks, already). ``homes`` maps
    each session id to the question's own bank and the question as that bank has it: its
    ``setup`` runs before the snippet, and its id is the one answers and cards are stored
    under. ``banks``: the home banks, in order of first question (trust is decided per bank).
    """

    bank: Bank
    homes: Mapping[str, tuple[Bank, Question]]

    @property
    def banks(self) -> tuple[Bank, ...]:
        seen: dict[str, Bank] = {}
        for bank, _question in self.homes.values():
            seen.setdefault(bank.id, bank)
        return tuple(seen.values())

    def home(self, question: Question) -> tuple[Bank, Question]:
        """The question's own bank and the question as it is there (itself, if not a session id)."""
        return self.homes.get(question.id, (self.bank, question))


def review_session(items: Sequence[ReviewItem], title: str = REVIEW_TITLE) -> ReviewSession | None:
    """The session that plays ``items`` in order; None when there is nothing to review.

    The language is the first home bank's (the interface follows a bank's language).
    """
    if not items:
        return None
    questions: list[Question] = []
    homes: dict[str, tuple[Bank, Question]] = {}
    misconceptions: dict[str, str] = {}
    for item in items:
        sid = session_id(item.bank, item.question)
        if sid in homes:
            continue
        questions.append(replace(item.question, id=sid))
        homes[sid] = (item.bank, item.question)
        for mid, text in item.bank.misconceptions.items():
            misconceptions.setdefault(mid, text)
    first = items[0].bank
    bank = Bank(
        id=REVIEW_BANK_ID,
        title=title,
        questions=tuple(questions),
        path=Path(REVIEW_BANK_ID),  # not a file: trust is decided on the home banks
        description="Questions from every bank that are due for review.",
        language=first.language,
        setup="",
        format=max(b.format for b, _q in homes.values()),
        misconceptions=misconceptions,
    )
    return ReviewSession(bank, homes)


# -- stats ---------------------------------------------------------------------------------------


def tags_by_hash(banks: Iterable[Bank]) -> dict[str, tuple[str, ...]]:
    """Each loaded question's content hash and its tags (for ``ProgressStore.retention_by_tag``);
    a question found in two banks gets the tags of both."""
    found: dict[str, dict[str, None]] = {}
    for bank in banks:
        for question in bank.questions:
            tags = found.setdefault(question.content_hash, {})
            tags.update(dict.fromkeys(question.tags))
    return {digest: tuple(tags) for digest, tags in found.items()}
