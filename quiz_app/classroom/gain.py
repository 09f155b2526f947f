"""Did the lesson work? Pre- and post-test figures, with Hake's normalised gain.

A student's score in a phase is the fraction of the bank's questions they answered right (first
answers; a question left unanswered counts as not right). The class figures are over the
*matched* students, those who took both phases: the class's pre and post scores are their
averages, and the class gain is Hake's average normalised gain on those averages,
``g = (post - pre) / (1 - pre)``, undefined (``None``) where ``pre`` is 1. A student's own gain
is the same formula on their own scores. Per question: the fraction right of the matched students
who answered it in that phase (``None`` where none did). Per misconception of the bank's
catalogue: the share of matched students who chose an option carrying it in that phase.

Pure data in, JSON-ready data out (the shape is fixed in docs/classroom.md); no SQL, no screen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from quiz_app.bank import Bank

Phase = Literal["pre", "post"]
PHASES: tuple[Phase, ...] = ("pre", "post")
PLACES = 3  # fractions are rounded to 3 places


@dataclass(frozen=True)
class PhaseAnswer:
    """One first answer of a student, in one phase of one bank."""

    player: str
    bank_id: str
    question_id: str
    phase: Phase
    correct: bool | None  # None: not graded (counts as not right)
    revealed: tuple[str, ...] = ()  # misconceptions the chosen option carries


def hake_gain(pre: float | None, post: float | None) -> float | None:
    """``(post - pre) / (1 - pre)``; None where either is missing or ``pre`` is 1 (nothing to gain)."""
    if pre is None or post is None or pre >= 1.0:
        return None
    return (post - pre) / (1.0 - pre)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, PLACES)


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def gain_data(answers: Iterable[PhaseAnswer], banks: Mapping[str, Bank]) -> dict[str, Any]:
    """The gain report of ``answers``: one entry per bank that has answers in either phase.
    ``banks``: the installed banks by id (for the number of questions, their order and the
    misconception catalogue); a bank not installed is reported from what its answers hold."""
    by_bank: dict[str, list[PhaseAnswer]] = defaultdict(list)
    for answer in answers:
        by_bank[answer.bank_id].append(answer)
    return {"gain": [_bank_gain(bank_id, banks.get(bank_id), by_bank[bank_id]) for bank_id in sorted(by_bank)]}


def _bank_gain(bank_id: str, bank: Bank | None, answers: list[PhaseAnswer]) -> dict[str, Any]:
    seen_questions = list(dict.fromkeys(answer.question_id for answer in answers))
    questions = [question.id for question in bank.questions] if bank is not None else seen_questions
    questions += [qid for qid in seen_questions if qid not in questions]  # answers to a question since removed
    total = len(questions) or 1
    # (player, phase) -> question -> the answer
    given: dict[tuple[str, Phase], dict[str, PhaseAnswer]] = defaultdict(dict)
    for answer in answers:
        given[(answer.player, answer.phase)].setdefault(answer.question_id, answer)
    took = {phase: {player for player, p in given if p == phase} for phase in PHASES}
    matched = sorted(took["pre"] & took["post"])

    def score(player: str, phase: Phase) -> float | None:
        if player not in took[phase]:
            return None
        return sum(1 for answer in given[(player, phase)].values() if answer.correct) / total

    players = []
    for player in sorted(took["pre"] | took["post"]):
        pre, post = score(player, "pre"), score(player, "post")
        players.append(
            {"player": player, "pre": _round(pre), "post": _round(post), "gain": _round(hake_gain(pre, post))}
        )
    pre = _mean([s for s in (score(player, "pre") for player in matched) if s is not None])
    post = _mean([s for s in (score(player, "post") for player in matched) if s is not None])
    summary = {
        "students": len(matched),
        "only_pre": len(took["pre"] - took["post"]),
        "only_post": len(took["post"] - took["pre"]),
        "pre": _round(pre),
        "post": _round(post),
        "gain": _round(hake_gain(pre, post)),
    }

    def fraction_right(question_id: str, phase: Phase) -> float | None:
        answered = [given[(player, phase)][question_id] for player in matched if question_id in given[(player, phase)]]
        return sum(1 for answer in answered if answer.correct) / len(answered) if answered else None

    per_question = [
        {"id": qid, "pre": _round(fraction_right(qid, "pre")), "post": _round(fraction_right(qid, "post"))}
        for qid in questions
    ]

    def share(misconception: str, phase: Phase) -> float | None:
        if not matched:
            return None
        held = sum(1 for p in matched if any(misconception in a.revealed for a in given[(p, phase)].values()))
        return held / len(matched)

    catalogue = list(bank.misconceptions) if bank is not None else []
    catalogue += sorted({m for answer in answers for m in answer.revealed} - set(catalogue))
    shares = [(mid, _round(share(mid, "pre")), _round(share(mid, "post"))) for mid in catalogue]
    shares.sort(key=lambda row: (-(row[2] or 0.0), -(row[1] or 0.0), row[0]))  # what remained first
    misconceptions = [{"id": mid, "pre": pre_share, "post": post_share} for mid, pre_share, post_share in shares]
    return {
        "bank": bank_id,
        "title": bank.title if bank is not None else None,
        "class": summary,
        "players": players,
        "questions": per_question,
        "misconceptions": misconceptions,
    }


def reading(entry: Mapping[str, Any]) -> dict[str, Any]:
    """What a teacher reads first, as parts to put into words: the class gain, the misconception
    that fell most, and the one held most after the lesson (each None where there is none)."""
    rows = [row for row in entry["misconceptions"] if row["pre"] is not None and row["post"] is not None]
    fell = max(rows, key=lambda row: row["pre"] - row["post"], default=None)
    if fell is not None and fell["pre"] - fell["post"] <= 0:
        fell = None
    stayed = next((row for row in rows if row["post"] > 0 and row is not fell), None)
    return {"gain": entry["class"]["gain"], "fell": fell, "stayed": stayed}
