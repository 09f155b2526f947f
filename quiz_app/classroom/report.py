"""``quiz-app report`` as data: per bank, its questions and its students; then the class's
misconceptions. The shape is fixed (scripts rely on it; see docs/classroom.md)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from quiz_app.bank import Bank, Question
from quiz_app.classroom import stats
from quiz_app.classroom.answers import Selection, Tally, tallies
from quiz_app.progress import ProgressStore
from quiz_app.progress.class_queries import ClassAnswer


def report_data(
    store: ProgressStore,
    selection: Selection,
    banks: Mapping[str, Bank],
    extra: Sequence[ClassAnswer] = (),
) -> dict[str, Any]:
    """The report of the answers ``selection`` counts, from the database and ``extra``
    (answers read from export files; a uid already seen counts once). ``banks``: the
    installed banks by id, for titles, letters, keys and misconception texts; answers about
    any other bank are reported by its id, from what they hold. JSON-ready."""
    counted = tallies(store, selection, extra)
    by_bank: dict[str, list[Tally]] = defaultdict(list)
    for tally in counted:
        by_bank[tally.bank_id].append(tally)
    return {
        "banks": [_bank(bank_id, banks.get(bank_id), by_bank[bank_id]) for bank_id in sorted(by_bank)],
        "misconceptions": class_misconceptions(counted, banks),
    }


def _bank(bank_id: str, bank: Bank | None, counted: list[Tally]) -> dict[str, Any]:
    by_question: dict[str, list[Tally]] = defaultdict(list)
    by_player: dict[str, dict[str, Tally]] = defaultdict(dict)
    for tally in counted:
        by_question[tally.question_id].append(tally)
        by_player[tally.player][tally.question_id] = tally
    questions = {q.id: q for q in bank.questions} if bank else {}
    totals = stats.bank_totals(by_player)
    order = [qid for qid in questions if qid in by_question] + sorted(set(by_question) - set(questions))
    return {
        "id": bank_id,
        "title": bank.title if bank else bank_id,
        "bank_installed": bank is not None,
        "questions": [_question(qid, questions.get(qid), by_question[qid], by_player, totals) for qid in order],
        "players": [_player(name, by_player[name].values()) for name in sorted(by_player)],
    }


def _question(
    question_id: str,
    question: Question | None,
    counted: list[Tally],
    by_player: Mapping[str, Mapping[str, Tally]],
    totals: Mapping[str, tuple[int, int]],
) -> dict[str, Any]:
    shape = stats.shape_of(question, counted)
    facility = stats.facility(counted)
    discrimination = stats.pearson(*stats.discrimination_series(question_id, by_player, totals))
    options = stats.option_counts(shape, counted)
    graded = sum(t.graded for t in counted)
    return {
        "id": question_id,
        "answered": sum(t.answered for t in counted),
        "facility": None if facility is None else round(facility, 3),
        "discrimination": None if discrimination is None else round(discrimination, 3),
        "options": options,
        "top_wrong": stats.top_wrong(shape, options, counted),
        "misconceptions": stats.misconceptions_revealed(counted),
        "dubious": stats.dubious_reasons(shape, graded, facility, discrimination, options),
    }


def _player(name: str, counted: Iterable[Tally]) -> dict[str, Any]:
    answered = correct = 0
    seconds = 0.0
    shown: set[str] = set()
    for tally in counted:
        answered += tally.answered
        correct += tally.right
        seconds += tally.seconds
        shown.update(mid for mid, mark in tally.marks.items() if mark.revealed)
    return {
        "player": name,
        "answered": answered,
        "correct": correct,
        "seconds": round(seconds, 1),
        "misconceptions": sorted(shown),
    }


def class_misconceptions(counted: Iterable[Tally], banks: Mapping[str, Bank]) -> list[dict[str, Any]]:
    """Each misconception the counted answers were offered: ``players`` who showed it, ``of``
    the students offered it; the most shown first. The text is the one of the installed bank
    that offered it most (banks in other languages word an id in theirs), else the one
    stored with the answers."""
    offered: dict[str, set[str]] = defaultdict(set)
    shown: dict[str, set[str]] = defaultdict(set)
    where: dict[str, Counter[str]] = defaultdict(Counter)
    stored: dict[str, str] = {}
    for tally in counted:
        for mid, mark in tally.marks.items():
            offered[mid].add(tally.player)
            where[mid][tally.bank_id] += 1
            stored.setdefault(mid, mark.text)
            if mark.revealed:
                shown[mid].add(tally.player)

    def text(mid: str) -> str:
        ranked = sorted(where[mid].items(), key=lambda item: (-item[1], item[0]))
        for bank_id, _ in ranked:
            bank = banks.get(bank_id)
            if bank is not None and mid in bank.misconceptions:
                return bank.misconceptions[mid]
        return stored[mid]

    ranked = sorted(offered, key=lambda mid: (-len(shown[mid]), -len(shown[mid]) / len(offered[mid]), mid))
    return [{"id": mid, "text": text(mid), "players": len(shown[mid]), "of": len(offered[mid])} for mid in ranked]
