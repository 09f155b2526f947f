"""Pre- and post-test figures (classroom/gain.py): scores, Hake's gain, questions, misconceptions."""

from __future__ import annotations

import pytest

from quiz_app.bank import parse_bank
from quiz_app.classroom.gain import PhaseAnswer, gain_data, hake_gain, reading

BANK = """\
format: 2
id: g
title: Gain
misconceptions:
  m-a: "belief a"
  m-b: "belief b"
  m-c: "belief c"
questions:
"""
for number in range(1, 5):
    BANK += f"""\
  - id: q{number}
    type: single
    prompt: "p{number}"
    choices:
      - text: "right"
      - text: "wrong a"
        misconception: m-a
      - text: "wrong b"
        misconception: m-b
    answer: A
    explanation: e
"""


@pytest.fixture(scope="module")
def banks():  # type: ignore[no-untyped-def]
    bank, problems = parse_bank(BANK)
    assert problems == [] and bank is not None
    return {"g": bank}


def answers(player: str, phase: str, right: set[int], revealed: dict[int, tuple[str, ...]] | None = None):  # type: ignore[no-untyped-def]
    """``player``'s answers to q1..q4 in ``phase``: right where the number is in ``right``."""
    revealed = revealed or {}
    return [
        PhaseAnswer(player, "g", f"q{n}", phase, n in right, revealed.get(n, ()))  # type: ignore[arg-type]
        for n in range(1, 5)
    ]


def test_hake_gain_is_the_fraction_of_what_could_be_gained() -> None:
    assert hake_gain(0.4, 0.85) == pytest.approx(0.75)
    assert hake_gain(0.5, 0.25) == pytest.approx(-0.5)  # a class can lose ground
    assert hake_gain(1.0, 1.0) is None  # nothing left to gain: undefined, not 0
    assert hake_gain(None, 0.5) is None and hake_gain(0.5, None) is None


def test_class_figures_are_over_the_students_who_took_both_phases(banks) -> None:  # type: ignore[no-untyped-def]
    data = [
        *answers("ana", "pre", {1}),  # 0.25 -> 1.0
        *answers("ana", "post", {1, 2, 3, 4}),
        *answers("bo", "pre", {1, 2}),  # 0.5 -> 0.75
        *answers("bo", "post", {1, 2, 3}),
        *answers("cy", "pre", {1, 2, 3, 4}),  # took only the pre-test
        *answers("di", "post", set()),  # took only the post-test
    ]
    entry = gain_data(data, banks)["gain"][0]
    assert entry["bank"] == "g"
    assert entry["class"] == {"students": 2, "only_pre": 1, "only_post": 1, "pre": 0.375, "post": 0.875, "gain": 0.8}
    players = {row["player"]: row for row in entry["players"]}
    assert players["ana"] == {"player": "ana", "pre": 0.25, "post": 1.0, "gain": 1.0}
    assert players["bo"] == {"player": "bo", "pre": 0.5, "post": 0.75, "gain": 0.5}
    assert players["cy"] == {"player": "cy", "pre": 1.0, "post": None, "gain": None}
    assert players["di"] == {"player": "di", "pre": None, "post": 0.0, "gain": None}


def test_a_student_with_a_perfect_pre_test_has_no_gain_of_their_own(banks) -> None:  # type: ignore[no-untyped-def]
    data = [*answers("ana", "pre", {1, 2, 3, 4}), *answers("ana", "post", {1, 2, 3, 4})]
    entry = gain_data(data, banks)["gain"][0]
    assert entry["players"] == [{"player": "ana", "pre": 1.0, "post": 1.0, "gain": None}]
    assert entry["class"]["gain"] is None


def test_an_unanswered_question_counts_as_not_right_and_a_question_nobody_answered_is_none(banks) -> None:  # type: ignore[no-untyped-def]
    pre = [a for a in answers("ana", "pre", {1, 2}) if a.question_id != "q4"]  # q4 left unanswered
    post = [a for a in answers("ana", "post", {1, 2, 3}) if a.question_id != "q4"]
    entry = gain_data([*pre, *post], banks)["gain"][0]
    assert entry["class"]["pre"] == 0.5 and entry["class"]["post"] == 0.75  # of 4 questions, not 3
    questions = {row["id"]: row for row in entry["questions"]}
    assert questions["q3"] == {"id": "q3", "pre": 0.0, "post": 1.0}
    assert questions["q4"] == {"id": "q4", "pre": None, "post": None}
    assert [row["id"] for row in entry["questions"]] == ["q1", "q2", "q3", "q4"]  # the bank's order


def test_misconceptions_are_shares_of_students_sorted_by_what_remained(banks) -> None:  # type: ignore[no-untyped-def]
    data = [
        *answers("ana", "pre", set(), {1: ("m-a",), 2: ("m-b",)}),
        *answers("ana", "post", {1, 2, 3, 4}),
        *answers("bo", "pre", set(), {1: ("m-a",)}),
        *answers("bo", "post", {1}, {2: ("m-b",), 3: ("m-b",)}),  # twice in one phase: one student
    ]
    entry = gain_data(data, banks)["gain"][0]
    assert entry["misconceptions"] == [
        {"id": "m-b", "pre": 0.5, "post": 0.5},
        {"id": "m-a", "pre": 1.0, "post": 0.0},
        {"id": "m-c", "pre": 0.0, "post": 0.0},  # in the catalogue, chosen by nobody
    ]
    said = reading(entry)
    assert said["fell"]["id"] == "m-a" and said["stayed"]["id"] == "m-b"


def test_a_bank_not_installed_is_reported_from_its_answers() -> None:
    data = [
        PhaseAnswer("ana", "elsewhere", "x", "pre", False, ("m-z",)),
        PhaseAnswer("ana", "elsewhere", "x", "post", True),
    ]
    entry = gain_data(data, {})["gain"][0]
    assert entry["title"] is None and entry["questions"] == [{"id": "x", "pre": 0.0, "post": 1.0}]
    assert entry["class"]["gain"] == 1.0
    assert entry["misconceptions"] == [{"id": "m-z", "pre": 1.0, "post": 0.0}]


def test_nobody_took_both_phases(banks) -> None:  # type: ignore[no-untyped-def]
    entry = gain_data(answers("ana", "pre", {1}), banks)["gain"][0]
    assert entry["class"] == {"students": 0, "only_pre": 1, "only_post": 0, "pre": None, "post": None, "gain": None}
    assert all(row["pre"] is None for row in entry["misconceptions"])
    assert reading(entry) == {"gain": None, "fell": None, "stayed": None}
