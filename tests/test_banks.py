"""The bundled banks: enough of them, every type, every question proven and tagged."""

from __future__ import annotations

from collections import Counter

import pytest

from quiz_app import locations
from quiz_app.bank import Bank, load_banks

LEVELS = {"basic", "intermediate", "advanced"}


@pytest.fixture(scope="module")
def banks() -> list[Bank]:
    result = load_banks([locations.bundled_banks_dir()])
    assert [str(problem) for problem in result.problems] == []
    return result.banks


def test_enough_banks_and_questions(banks: list[Bank]) -> None:
    questions = [q for bank in banks for q in bank.questions]
    assert len(banks) >= 4
    assert len(questions) >= 60
    types = Counter(q.type for q in questions)
    assert set(types) == {"single", "multiple", "true_false", "predict"}
    assert types["predict"] >= len(questions) / 4


def test_every_question_has_a_short_snippet_a_proof_and_tags(banks: list[Bank]) -> None:
    for bank in banks:
        for q in bank.questions:
            where = f"{bank.path.name}:{q.line} {q.id}"
            assert q.snippet, where
            assert len(q.snippet.strip().splitlines()) < 15, where
            assert q.expect is not None or (q.type == "predict" and q.answer is not None), where
            levels = LEVELS.intersection(q.tags)
            assert len(levels) == 1, f"{where}: one level tag of {sorted(LEVELS)}"
            assert len(set(q.tags) - LEVELS) >= 1, f"{where}: a topic tag"
            assert "docs.pytorch.org" in q.explanation or "pytorch.org/docs" in q.explanation, where


def test_the_seed_article_has_a_chinese_bank(banks: list[Bank]) -> None:
    zh = [bank for bank in banks if bank.language == "zh"]
    assert zh, "the seed article's claims are answered in its own language"
    assert len(zh[0].questions) >= 12


def test_the_starter_bank_covers_the_core(banks: list[Bank]) -> None:
    core = next(bank for bank in banks if bank.id == "eval-vs-no-grad")
    assert len(core.questions) >= 12
