"""`quiz-app stats`: a player's progress as JSON-ready data and as a terminal table."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from quiz_app.progress import AnswerRecord, MisconceptionMark, ProgressStore
from quiz_app.progress.report import format_stats, stats_data

T0 = datetime(2026, 11, 27, 10, 15, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path: Path):
    with ProgressStore.open(tmp_path / "progress.sqlite3") as opened:
        yield opened


def answer(
    store: ProgressStore,
    bank: str,
    question: str,
    correct: bool | None,
    at: datetime = T0,
    player: str = "ada",
) -> None:
    store.record_answer(
        AnswerRecord(
            player=player,
            bank_id=bank,
            question_id=question,
            question_hash="beef",
            answer="A",
            correct=correct,
            seconds=1.0,
            device=None,
            answered_at=at,
        )
    )


@pytest.fixture
def played(store: ProgressStore) -> ProgressStore:
    answer(store, "eval_vs_no_grad", "dropout", True)
    answer(store, "eval_vs_no_grad", "dropout", False, T0 + timedelta(days=1))
    answer(store, "eval_vs_no_grad", "dropout", True, T0 + timedelta(days=2))
    answer(store, "eval_vs_no_grad", "batchnorm", None, T0 + timedelta(days=2, hours=1))
    answer(store, "basics", "grad", False)
    answer(store, "basics", "grad", True, player="bob")
    return store


def test_stats_data_has_banks_then_questions(played):
    assert stats_data(played, "ada") == {
        "player": "ada",
        "banks": [
            {
                "bank_id": "basics",
                "answered": 1,
                "correct": 0,
                "last_played": "2026-11-27T10:15:00+00:00",
                "questions": [
                    {"question_id": "grad", "answered": 1, "correct": 0, "rate": 0.0},
                ],
            },
            {
                "bank_id": "eval_vs_no_grad",
                "answered": 4,
                "correct": 2,
                "last_played": "2026-11-29T11:15:00+00:00",
                "questions": [
                    # batchnorm was answered but never graded: it has no rate.
                    {"question_id": "dropout", "answered": 3, "correct": 2, "rate": 2 / 3},
                ],
            },
        ],
        "misconceptions": [],  # no question of these offered one
        "retention": [],  # no review of a due question yet
    }


def test_stats_data_is_json_ready(played):
    data = stats_data(played, "ada")
    assert json.loads(json.dumps(data)) == data
    for bank in data["banks"]:
        assert datetime.fromisoformat(bank["last_played"]).utcoffset() == timedelta(0)


def test_stats_data_for_a_player_without_answers(played):
    assert stats_data(played, "nobody") == {"player": "nobody", "banks": [], "misconceptions": [], "retention": []}


def test_format_stats_shows_bank_totals_then_question_rates(played):
    text = format_stats(played, "ada")
    lines = text.splitlines()
    assert lines[0] == "Progress for ada"
    assert lines[2:5] == [
        "Bank             Answered  Correct  Last played (UTC)",
        "basics                  1        0   2026-11-27 10:15",
        "eval_vs_no_grad         4        2   2026-11-29 11:15",
    ]
    basics = lines.index("basics: success rate per question")
    assert lines[basics + 1 : basics + 3] == [
        "  Question  Answered  Correct  Rate",
        "  grad             1        0    0%",
    ]
    evals = lines.index("eval_vs_no_grad: success rate per question")
    assert lines[evals + 1 : evals + 4] == [
        "  Question  Answered  Correct  Rate",
        "  dropout          3        2   67%",
        "  1 answer(s) not graded are left out",
    ]
    assert "bob" not in text
    assert text.endswith("\n")


def test_format_stats_for_a_bank_with_no_graded_answer(store):
    answer(store, "predict", "shapes", None)
    lines = format_stats(store, "ada").splitlines()
    at = lines.index("predict: success rate per question")
    assert lines[at + 1 : at + 3] == [
        "  (no graded answers yet)",
        "  1 answer(s) not graded are left out",
    ]


def test_format_stats_is_friendly_when_there_is_nothing_yet(store):
    assert format_stats(store, "ada") == (
        "No answers recorded for ada yet: play a bank, and your progress shows here.\n"
    )


def test_format_stats_names_the_players_who_do_have_progress(played):
    text = format_stats(played, "adda")
    assert text.startswith("No answers recorded for adda yet")
    assert "Players with progress: ada, bob" in text


def mark(store: ProgressStore, at: datetime, offers: dict[str, str], picked: str | None, correct: bool | None) -> None:
    """One answer to a question whose wrong choices carry ``offers`` (id -> text)."""
    store.record_answer(
        AnswerRecord(
            player="ada",
            bank_id="eval_vs_no_grad",
            question_id="q",
            question_hash="beef",
            answer="B",
            correct=correct,
            seconds=1.0,
            device=None,
            answered_at=at,
            misconceptions=tuple(MisconceptionMark(mid, text, mid == picked) for mid, text in offers.items()),
        )
    )


EVAL = {"eval-stops-autograd": "model.eval() turns autograd off"}
NO_GRAD = {"no-grad-stops-dropout": "torch.no_grad() turns dropout off"}


@pytest.fixture
def misled(store: ProgressStore) -> ProgressStore:
    hour = timedelta(hours=1)
    mark(store, T0, EVAL | NO_GRAD, "eval-stops-autograd", False)
    mark(store, T0 + hour, EVAL | NO_GRAD, "eval-stops-autograd", False)
    mark(store, T0 + 2 * hour, EVAL | NO_GRAD, "no-grad-stops-dropout", False)
    mark(store, T0 + 3 * hour, NO_GRAD | {"grad-is-global": "requires_grad is global"}, None, True)
    mark(store, T0 + 4 * hour, {"eval-stops-autograd": "eval() disables gradients"}, None, None)  # not graded
    return store


def test_stats_data_lists_misconceptions_still_believed_first(misled):
    still, cleared, never = stats_data(misled, "ada")["misconceptions"]
    # Its latest offer was not graded: not cleared. The text is the latest one seen.
    assert still == {
        "id": "eval-stops-autograd",
        "text": "eval() disables gradients",
        "picked": 2,
        "offered": 4,
        "cleared": False,
    }
    # The latest answer that offered it was correct and did not pick it.
    assert cleared == {
        "id": "no-grad-stops-dropout",
        "text": "torch.no_grad() turns dropout off",
        "picked": 1,
        "offered": 4,
        "cleared": True,
    }
    assert never == {
        "id": "grad-is-global",
        "text": "requires_grad is global",
        "picked": 0,
        "offered": 1,
        "cleared": True,
    }
    assert stats_data(misled, "bob")["misconceptions"] == []


def test_format_stats_names_misconceptions_picked(misled):
    lines = format_stats(misled, "ada").splitlines()
    at = lines.index("Misconceptions")
    assert lines[at + 1 :] == [
        "  You may still believe: eval() disables gradients (picked 2 of 4 times)",
        "  Cleared: torch.no_grad() turns dropout off (picked 1 of 4 times)",
        # grad-is-global was never picked: nothing to say about it.
    ]


def test_format_stats_words_one_time(store):
    mark(store, T0, EVAL, "eval-stops-autograd", False)
    assert format_stats(store, "ada").splitlines()[-1] == (
        "  You may still believe: model.eval() turns autograd off (picked 1 of 1 time)"
    )


def test_format_stats_has_no_misconception_section_without_one(played):
    assert "Misconceptions" not in format_stats(played, "ada")
