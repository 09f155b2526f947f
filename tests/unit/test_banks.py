"""The bundled banks: format 2, every option proven one by one, misconceptions from one
catalogue, no lesson twice, the topics real code meets, and the seed article answered."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from helpers.paths import ROOT

from quiz_app.bank import Bank, load_banks
from quiz_app.core import locations

LEVELS = {"basic", "intermediate", "advanced"}
TOPICS = ("inplace", "transformer", "compile", "checkpoint", "export", "func", "autocast", "inference-tensor")
CATALOGUE = ROOT / "docs" / "misconceptions.md"
COUNTS = {
    "eval-vs-no-grad": 24,
    "grad-modes": 23,
    "layers": 19,
    "subtleties": 14,
    "pitfalls": 19,
    "seed-article-zh": 19,
    "in-practice": 15,
    "compiled-and-functional": 14,
}


@pytest.fixture(scope="module")
def banks() -> list[Bank]:
    result = load_banks([locations.bundled_banks_dir()])
    assert [str(problem) for problem in result.problems] == []
    return result.banks


def catalogue() -> dict[str, tuple[str, str]]:
    """id -> (English, Chinese), from the table in docs/misconceptions.md."""
    rows = {}
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| ([a-z0-9-]+)(?: †)? \| (.+?) \| (.+?) \|", line)
        if match:
            rows[match.group(1)] = (match.group(2), match.group(3))
    return rows


def test_the_banks_and_their_counts(banks: list[Bank]) -> None:
    assert {bank.id: len(bank.questions) for bank in banks} == COUNTS
    assert sum(COUNTS.values()) >= 130
    assert {bank.format for bank in banks} == {2}
    types = Counter(q.type for bank in banks for q in bank.questions)
    assert set(types) == {"single", "multiple", "true_false", "predict"}


def test_question_ids_are_unique_across_the_bundled_banks(banks: list[Bank]) -> None:
    ids = Counter(q.id for bank in banks for q in bank.questions)
    assert [qid for qid, count in ids.items() if count > 1] == []


def test_at_least_90_percent_of_options_carry_a_holds(banks: list[Bank]) -> None:
    statements = [holds for bank in banks for q in bank.questions for _, holds, _ in q.statements()]
    assert len(statements) > 300
    assert sum(holds is not None for holds in statements) >= 0.9 * len(statements)


def test_at_least_80_percent_of_wrong_choices_name_a_misconception(banks: list[Bank]) -> None:
    wrong = [
        choice
        for bank in banks
        for q in bank.questions
        for letter, choice in zip(q.letters, q.choices, strict=True)
        if not q.keyed(letter)
    ]
    assert sum(choice.misconception is not None for choice in wrong) >= 0.8 * len(wrong)
    assert all(choice.why for choice in wrong), "every wrong choice says why it is wrong"


def test_misconceptions_are_worded_as_the_catalogue_words_them(banks: list[Bank]) -> None:
    rows = catalogue()
    for bank in banks:
        column = 1 if bank.language.startswith("zh") else 0
        for mid, text in bank.misconceptions.items():
            assert mid in rows, f"{bank.id}: '{mid}' is not in docs/misconceptions.md"
            assert text == rows[mid][column], f"{bank.id}: '{mid}'"


def test_the_seed_articles_false_claims_are_in_the_catalogue_in_both_languages(banks: list[Bank]) -> None:
    lines = CATALOGUE.read_text(encoding="utf-8").splitlines()
    claims = [line.split("|")[1].split()[0] for line in lines if " † |" in line]
    assert {"eval-stops-backprop", "eval-whole-model-only", "eval-only-after-training"} <= set(claims)
    zh = next(bank for bank in banks if bank.id == "seed-article-zh")
    used = {c.misconception for q in zh.questions for c in q.choices if c.misconception}
    assert set(claims) <= used, "the zh bank refutes every false claim of the article"


def test_every_question_is_titled_tagged_and_names_its_doc_page(banks: list[Bank]) -> None:
    for bank in banks:
        for q in bank.questions:
            where = f"{bank.path.name}:{q.line} {q.id}"
            assert q.snippet, where
            assert q.title and len(q.title) <= 60, where
            assert len(LEVELS.intersection(q.tags)) == 1, f"{where}: one level tag of {sorted(LEVELS)}"
            assert len(set(q.tags) - LEVELS) >= 1, f"{where}: a topic tag"
            assert "docs.pytorch.org" in q.explanation, where
            if q.type != "predict":
                assert q.holds_expressions(), f"{where}: the key is tied to the run"


def test_the_topics_real_code_meets_have_two_questions_each(banks: list[Bank]) -> None:
    tags = Counter(tag for bank in banks for q in bank.questions for tag in q.tags)
    assert {topic: tags[topic] for topic in TOPICS if tags[topic] < 2} == {}


def test_the_seed_article_has_a_chinese_bank_with_one_question_per_claim(banks: list[Bank]) -> None:
    zh = next(bank for bank in banks if bank.id == "seed-article-zh")
    assert zh.language == "zh"
    assert len(zh.questions) == 19
    assert all(re.search(r"[\u4e00-\u9fff]", q.prompt) for q in zh.questions)
