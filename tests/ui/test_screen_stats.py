"""The player's stats screen (score trends as sparklines, retention per tag) and retention per
tag in `quiz-app stats`, text and JSON, on a real database. Snapshots at 80x24."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers.pilot import NoRunner, make_app
from rich.text import Text
from textual.widgets import Sparkline, Static

from quiz_app.bank import Bank, parse_bank
from quiz_app.cli.main import main
from quiz_app.play import review
from quiz_app.progress import AnswerRecord, ProgressStore
from quiz_app.progress.report import format_stats, stats_data
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.stats import StatsScreen, trend_figures

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)

TAGGED_YAML = """\
id: tagged
title: "Gradients, tagged"
questions:
  - id: q1
    type: true_false
    prompt: "eval() keeps autograd on."
    answer: true
    explanation: "Yes."
    tags: [eval]
  - id: q2
    type: true_false
    prompt: "no_grad() turns dropout off."
    answer: false
    explanation: "No."
    tags: [eval, grad]
"""

OTHER_YAML = """\
id: other
title: "另一个题库：一个很长很长的中文标题，用来检查截断是否正确"
language: zh
questions:
  - id: o1
    type: true_false
    prompt: "对吗？"
    answer: true
    explanation: "对。"
"""


def load(text: str) -> Bank:
    bank, problems = parse_bank(text, "bank.yaml")
    assert bank is not None, problems
    return bank


TAGGED, OTHER = load(TAGGED_YAML), load(OTHER_YAML)


@pytest.fixture
def banks_dir(quiz_home: Path) -> Path:
    """The player's banks folder (where `quiz-app stats` finds the tags too)."""
    folder = quiz_home / "banks"
    folder.mkdir(parents=True)
    (folder / "tagged.yaml").write_text(TAGGED_YAML, encoding="utf-8")
    (folder / "other.yaml").write_text(OTHER_YAML, encoding="utf-8")
    return folder


def quiz(store: ProgressStore, bank: Bank, results: list[bool], finish: bool = True, player: str = "ada") -> None:
    attempt = store.start_attempt(player, bank.id, len(bank.questions))
    for question, correct in zip(bank.questions, results, strict=False):
        store.record_answer(
            AnswerRecord(
                player, bank.id, question.id, question.content_hash, "true", correct, 1.0, None, attempt_id=attempt
            )
        )
    if finish:
        store.finish_attempt(attempt)


@pytest.fixture
def played(store: ProgressStore) -> ProgressStore:
    """ada finished the tagged bank three times (1/2, 2/2, 1/2), left the other one unfinished,
    and reviewed: q1 right when due (eval), q2 wrong when due (eval, grad)."""
    quiz(store, TAGGED, [True, False])
    quiz(store, TAGGED, [True, True])
    quiz(store, TAGGED, [False, True])
    quiz(store, OTHER, [True], finish=False)
    q1, q2 = TAGGED.questions
    store.review_answer("ada", "tagged", "q1", q1.content_hash, True, T0)
    store.review_answer("ada", "tagged", "q1", q1.content_hash, True, T0 + 5 * DAY)
    store.review_answer("ada", "tagged", "q2", q2.content_hash, False, T0)
    store.review_answer("ada", "tagged", "q2", q2.content_hash, False, T0 + DAY)
    quiz(store, TAGGED, [True, True], player="bob")
    return store


def stats_app(store: ProgressStore, banks_dir: Path, player: str = "ada") -> QuizApp:
    return make_app(store, NoRunner(), [banks_dir], player=player, bundled=banks_dir / "none")


async def open_stats(pilot) -> StatsScreen:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = StatsScreen()
    await pilot.app.push_screen(screen)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


def texts(screen: StatsScreen, selector: str) -> list[str]:
    found = []
    for static in screen.query(selector).results(Static):
        rendered = static.render()
        found.append(rendered.plain if isinstance(rendered, Text) else str(rendered))
    return found


# -- the screen -------------------------------------------------------------------------------------


async def test_stats_show_each_banks_trend_and_retention_per_tag(played: ProgressStore, banks_dir: Path) -> None:
    app = stats_app(played, banks_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_stats(pilot)
        assert texts(screen, "#stats-player") == ["Player: ada"]
        assert screen.sub_title == "Your progress"
        names = texts(screen, "#stats-trends .stats-name")
        assert names == ["另一个题库：一个很长很长的中文标题，用来检查截断是否正确", "Gradients, tagged"]
        (sparkline,) = screen.query("#stats-trends Sparkline").results(Sparkline)
        assert list(sparkline.data or []) == [0.5, 1.0, 0.5]  # oldest first; bob's quiz is not ada's
        assert texts(screen, "#stats-trends .stats-figures") == [
            "no quiz finished yet",
            "last 50% · best 100% · 3 quizzes",
        ]
        assert texts(screen, "#stats-retention .stats-name") == ["eval", "grad"]
        assert texts(screen, "#stats-retention .stats-figures") == [
            "1 of 2 reviews right (50%)",
            "0 of 1 review right (0%)",
        ]
        bars = texts(screen, "#stats-retention .stats-bar")
        assert bars[0].count("█") == 10 and bars[1].count("█") == 0
        await pilot.press("escape")
        assert not isinstance(app.screen, StatsScreen)


async def test_stats_for_a_new_player_say_how_to_get_some(store: ProgressStore, banks_dir: Path) -> None:
    app = stats_app(store, banks_dir, player="newcomer")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_stats(pilot)
        (trends,) = texts(screen, "#stats-trends .stats-note")
        assert trends.startswith("No answers yet: play a bank to the end")
        (retention,) = texts(screen, "#stats-retention .stats-note")
        assert retention.startswith("No reviews yet.")
        assert not screen.query(Sparkline)


def test_trend_figures_in_words() -> None:
    assert trend_figures([]) == "no quiz finished yet"
    assert trend_figures([1.0]) == "last 100% · best 100% · 1 quiz"


def test_snapshot_stats(snap_compare, played: ProgressStore, banks_dir: Path) -> None:  # type: ignore[no-untyped-def]
    async def show(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_stats(pilot)

    assert snap_compare(stats_app(played, banks_dir), terminal_size=(80, 24), run_before=show)


def test_snapshot_stats_empty(snap_compare, store: ProgressStore, banks_dir: Path) -> None:  # type: ignore[no-untyped-def]
    async def show(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_stats(pilot)

    assert snap_compare(stats_app(store, banks_dir, player="newcomer"), terminal_size=(80, 24), run_before=show)


# -- quiz-app stats: retention per tag ------------------------------------------------------------------


def test_stats_data_has_retention_per_tag(played: ProgressStore) -> None:
    tags = review.tags_by_hash([TAGGED, OTHER])
    assert stats_data(played, "ada", tags)["retention"] == [
        {"tag": "eval", "reviews": 2, "recalled": 1, "rate": 0.5},
        {"tag": "grad", "reviews": 1, "recalled": 0, "rate": 0.0},
    ]
    assert stats_data(played, "bob", tags)["retention"] == []
    assert stats_data(played, "ada", {})["retention"] == []  # questions no bank holds count nowhere


def test_format_stats_shows_retention_before_the_misconceptions(played: ProgressStore) -> None:
    lines = format_stats(played, "ada", review.tags_by_hash([TAGGED])).splitlines()
    at = lines.index("Retention per tag (reviews of questions when due, answered right)")
    assert lines[at + 1 : at + 4] == [
        "  Tag   Reviews  Right  Rate",
        "  eval        2      1   50%",
        "  grad        1      0    0%",
    ]


def test_the_command_line_finds_the_tags_in_the_installed_banks(
    played: ProgressStore,
    banks_dir: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    played.close()
    assert main(["stats", "--player", "ada", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(t["tag"], t["reviews"], t["recalled"]) for t in data["retention"]] == [("eval", 2, 1), ("grad", 1, 0)]
    assert main(["stats", "--player", "ada"]) == 0
    assert "  eval        2      1   50%" in capsys.readouterr().out
