"""Per-question statistics of a class: facility, discrimination, option counts, the most
chosen wrong option, the misconceptions revealed, and why a question looks dubious.

Pure functions over :class:`~quiz_app.classroom.answers.Tally` (one per student and
question). See docs/classroom.md for the definitions.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from quiz_app.bank import Question
from quiz_app.bank.grading import normalise_outcome
from quiz_app.classroom.answers import Tally
from quiz_app.core.i18n import _

Kind = Literal["letters", "true_false", "text"]

MIN_STUDENTS = 3  # discrimination needs at least this many students
PREDICTIONS_SHOWN = 5  # the most common wrong predictions listed per predict question
HARD, EASY = 0.2, 0.95  # facility outside these bounds is dubious ...
MIN_FOR_FACILITY_FLAG = 5  # ... once at least this many graded answers back it

_LETTERS = re.compile(r"[A-Za-z](\s*,\s*[A-Za-z])*")


@dataclass(frozen=True)
class Shape:
    """How a question's responses read: choice letters, true/false, or free text (predict).

    ``key``: the letters (or "true"/"false") that are right, from the bank when it is
    installed, else from the answers graded right; None when unknown. ``letters``: the
    bank's choice letters ("" without the bank).
    """

    kind: Kind
    letters: str = ""
    key: frozenset[str] | None = None


def split_letters(response: str) -> list[str]:
    """'A, C' -> ['A', 'C']; 'b' -> ['B']."""
    return [part.strip().upper() for part in response.split(",") if part.strip()]


def shape_of(question: Question | None, tallies: Sequence[Tally]) -> Shape:
    """From the installed bank's question; without it, from what the answers hold."""
    if question is not None:
        if question.type in ("single", "multiple"):
            return Shape("letters", question.letters, frozenset(split_letters(question.answer_text())))
        if question.type == "true_false":
            return Shape("true_false", "", frozenset([question.answer_text()]))
        return Shape("text")
    responses = {response for t in tallies for response, _ in t.responses}
    if responses and all(_LETTERS.fullmatch(r.strip()) for r in responses):
        kind: Kind = "letters"
    elif responses and responses <= {"true", "false"}:
        kind = "true_false"
    else:
        return Shape("text")
    right = Counter[str]()
    for t in tallies:
        for (response, correct), n in t.responses.items():
            if correct:
                right[response] += n
    if not right:
        return Shape(kind)
    best = max(right.items(), key=lambda item: (item[1], item[0]))[0]
    return Shape(kind, "", frozenset(split_letters(best) if kind == "letters" else [best]))


def facility(tallies: Iterable[Tally]) -> float | None:
    """The share of graded answers that are right (answers not graded are left out)."""
    graded = right = 0
    for t in tallies:
        graded += t.graded
        right += t.right
    return right / graded if graded else None


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """The correlation of two series; None with fewer than MIN_STUDENTS pairs or no variance.

    With xs of 0 and 1 it is the point-biserial correlation.
    """
    n = len(xs)
    if n < MIN_STUDENTS or n != len(ys):
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def discrimination(question_id: str, by_player: Mapping[str, Mapping[str, Tally]]) -> float | None:
    """Point-biserial correlation, over the students who answered ``question_id``, between
    being right on it and the share right on the rest of the bank (their other graded
    answers in it; a student with none is left out). With ``--attempts all`` "being right"
    is the share right of the student's answers to the question (Pearson's r)."""
    return pearson(*discrimination_series(question_id, by_player, bank_totals(by_player)))


def bank_totals(by_player: Mapping[str, Mapping[str, Tally]]) -> dict[str, tuple[int, int]]:
    """Per player: (graded, right) over all the bank's questions (computed once per bank)."""
    return {
        player: (sum(t.graded for t in questions.values()), sum(t.right for t in questions.values()))
        for player, questions in by_player.items()
    }


def discrimination_series(
    question_id: str, by_player: Mapping[str, Mapping[str, Tally]], totals: Mapping[str, tuple[int, int]]
) -> tuple[list[float], list[float]]:
    """(right on the question, share right on the rest of the bank), one pair per student."""
    xs: list[float] = []
    ys: list[float] = []
    for player, questions in by_player.items():
        this = questions.get(question_id)
        if this is None or not this.graded:
            continue
        graded, right = totals[player]
        graded -= this.graded
        right -= this.right
        if graded:
            xs.append(this.right / this.graded)
            ys.append(right / graded)
    return xs, ys


def option_counts(shape: Shape, tallies: Iterable[Tally]) -> dict[str, int]:
    """Letters: answers that picked each letter (the bank's letters first, each shown even
    at 0); true_false: 'true' and 'false'; text: the most common wrong predictions."""
    counts: Counter[str] = Counter()
    if shape.kind == "letters":
        letters_of: dict[str, list[str]] = {}  # few responses, many tallies (--attempts all: 31,000 at 1M answers)
        for t in tallies:
            for (response, _), n in t.responses.items():
                letters = letters_of.get(response)
                if letters is None:
                    letters = letters_of[response] = split_letters(response)
                for letter in letters:
                    counts[letter] += n
        ordered = list(shape.letters) + sorted(set(counts) - set(shape.letters))
        return {letter: counts[letter] for letter in ordered}
    if shape.kind == "true_false":
        for t in tallies:
            for (response, _), n in t.responses.items():
                counts[response.strip().lower()] += n
        return {value: counts[value] for value in ("true", "false")} | {
            k: v for k, v in sorted(counts.items()) if k not in ("true", "false")
        }
    for t in tallies:
        for (response, correct), n in t.responses.items():
            if correct is False:
                counts[normalise_outcome(response)] += n
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return dict(ranked[:PREDICTIONS_SHOWN])


def top_wrong(shape: Shape, options: Mapping[str, int], tallies: Iterable[Tally]) -> str | None:
    """The wrong option chosen most: a letter (or value) outside the key; for predict, the
    most common wrong prediction. Without a key, the most common wrong response as stored."""
    if shape.kind == "text":
        return next(iter(options), None)
    if shape.key is not None:
        wrong = [(n, option) for option, n in options.items() if option not in shape.key and n > 0]
        return min(wrong, key=lambda item: (-item[0], item[1]))[1] if wrong else None
    responses: Counter[str] = Counter()
    for t in tallies:
        for (response, correct), n in t.responses.items():
            if correct is False:
                responses[response] += n
    return min(responses.items(), key=lambda item: (-item[1], item[0]))[0] if responses else None


def misconceptions_revealed(tallies: Iterable[Tally]) -> dict[str, int]:
    """Misconception id -> students whose counted answers revealed it (most first)."""
    shown: Counter[str] = Counter()
    for t in tallies:
        shown.update(mid for mid, mark in t.marks.items() if mark.revealed)
    return dict(sorted(shown.items(), key=lambda item: (-item[1], item[0])))


def dubious_reasons(
    shape: Shape, graded: int, facility_: float | None, discrimination_: float | None, options: Mapping[str, int]
) -> list[str]:
    """Why a question deserves a look (empty: it does not); docs/classroom.md explains each."""
    reasons: list[str] = []
    if discrimination_ is not None and discrimination_ < 0:
        reasons.append(_("negative discrimination ({value})").format(value=f"{discrimination_:.2f}"))
    if facility_ is not None and graded >= MIN_FOR_FACILITY_FLAG:
        if facility_ < HARD:
            reasons.append(
                _("facility {facility} is below {bound}: a wrong key, or taught wrong?").format(
                    facility=f"{facility_:.0%}", bound=f"{HARD:.0%}"
                )
            )
        elif facility_ > EASY:
            reasons.append(
                _("facility {facility} is above {bound}: it tells no one apart").format(
                    facility=f"{facility_:.0%}", bound=f"{EASY:.0%}"
                )
            )
    if shape.kind != "text" and shape.key:
        keyed = [(options.get(option, 0), option) for option in sorted(shape.key)]
        least, weakest = min(keyed)
        for option, n in options.items():
            if option not in shape.key and n > least:
                key = ", ".join(sorted(shape.key))
                if len(keyed) > 1:
                    # TRANSLATORS: {key} lists the right options ("A, C"); {weakest} is the one of them chosen least
                    reason = _("{option} ({count}) was chosen more often than the key {key}; {weakest} had {least}")
                else:
                    reason = _("{option} ({count}) was chosen more often than the key {key} ({least})")
                reasons.append(reason.format(option=option, count=n, key=key, weakest=weakest, least=least))
    return reasons
