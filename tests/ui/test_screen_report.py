"""The class report screen, on a real database a class filled: the figures of `quiz-app report`,
the sorts, the bars of the highlighted question, the misconceptions, the banks, and the empty
database. Snapshots at the projector's 80x24."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers.pilot import NoRunner, make_app
from rich.text import Text
from textual.widgets import DataTable, Static, Tabs

from quiz_app.bank import Bank, Question, grade, parse_bank
from quiz_app.bank.grading import Verdict
from quiz_app.play.run import misconception_marks, response_text
from quiz_app.progress import AnswerRecord, ProgressStore
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.report import ReportScreen, option_rows, sorted_questions
from quiz_app.ui.widgets.option_bars import OptionBars

T0 = datetime(2026, 9, 1, 9, 0, tzinfo=timezone.utc)

CLASS_YAML = """\
format: 2
id: class-test
title: "Eval mode in class"
misconceptions:
  eval-stops-autograd: "model.eval() turns autograd off [for good]"
  eval-freezes-params: "model.eval() sets requires_grad=False on the parameters"
questions:
  - id: what-eval-changes
    type: single
    title: "What eval() changes"
    prompt: "What does `model.eval()` change?"
    choices:
      - text: "The training flags"
      - text: "Autograd stops"
        misconception: eval-stops-autograd
      - text: "Parameters freeze"
        misconception: eval-freezes-params
    answer: A
    explanation: "Only the flags."
  - id: which-are-true
    type: multiple
    title: "Which are true"
    prompt: "Which are true?"
    choices:
      - text: "one"
      - text: "two"
        misconception: eval-stops-autograd
      - text: "three"
    answer: [A, C]
    explanation: "A and C."
  - id: backward-after-eval
    type: true_false
    title: "backward() after eval()"
    prompt: "After eval(), backward() still fills .grad."
    answer: true
    explanation: "Yes."
  - id: print-training
    type: predict
    title: "Print training"
    prompt: "What does this print?"
    code: "print(model.eval().training)"
    snippet: "print(nn.Linear(1, 1).eval().training)"
    answer: "False"
    explanation: "eval() returns the model."
"""

ZH_YAML = """\
id: zh-class
title: "中文题库：梯度与评估模式"
language: zh
questions:
  - id: zh-grad
    type: single
    title: "调用 eval() 之后还会计算梯度吗？这是一个很长的中文标题"
    prompt: "调用 `model.eval()` 之后还会计算梯度吗？"
    choices:
      - "会"
      - "不会"
    answer: A
    explanation: "会。"
"""

STUDENTS = [f"s{n:02}" for n in range(1, 13)]
# What each of the twelve students answered: 7 believe eval() stops autograd (B, and "A, B").
CHOICES = {
    "what-eval-changes": ["A"] * 5 + ["B"] * 7,
    "which-are-true": [["A", "C"]] * 9 + [["A", "B"]] * 3,
    "backward-after-eval": [True] * 11 + [False],
    "print-training": ["False"] * 4 + ["True"] * 8,
}


def load(text: str, name: str) -> Bank:
    bank, problems = parse_bank(text, name)
    assert bank is not None, problems
    return bank


def play(store: ProgressStore, bank: Bank, player: str, question: Question, response: object, minutes: int) -> None:
    """Record an answer as the app would: its text, verdict and misconception marks."""
    verdict = grade(question, response)  # type: ignore[arg-type]
    store.record_answer(
        AnswerRecord(
            player=player,
            bank_id=bank.id,
            question_id=question.id,
            question_hash=question.content_hash,
            answer=response_text(question, response),  # type: ignore[arg-type]
            correct=None if verdict is Verdict.UNGRADED else verdict is Verdict.CORRECT,
            seconds=10.0,
            device="cpu",
            answered_at=T0 + timedelta(minutes=minutes),
            misconceptions=misconception_marks(bank, question, response),
        )
    )


@pytest.fixture
def banks_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "class.yaml").write_text(CLASS_YAML, encoding="utf-8")
    (folder / "zh.yaml").write_text(ZH_YAML, encoding="utf-8")
    return folder


@pytest.fixture
def taught(store: ProgressStore, banks_dir: Path) -> ProgressStore:
    """Twelve students answered the class bank, then played it again all right (not counted:
    the report counts first answers); three answered the Chinese bank."""
    bank = load(CLASS_YAML, str(banks_dir / "class.yaml"))
    questions = {q.id: q for q in bank.questions}
    for qid, responses in CHOICES.items():
        for player, response in zip(STUDENTS, responses, strict=True):
            play(store, bank, player, questions[qid], response, minutes=0)
            play(store, bank, player, questions[qid], CHOICES[qid][0], minutes=60)
    zh = load(ZH_YAML, str(banks_dir / "zh.yaml"))
    for player, response in zip(STUDENTS[:3], ["A", "A", "B"], strict=True):
        play(store, zh, player, zh.questions[0], response, minutes=5)
    return store


def report_app(store: ProgressStore, banks_dir: Path, player: str = "teacher") -> QuizApp:
    return make_app(store, NoRunner(), [banks_dir], player=player, bundled=banks_dir / "none")


async def open_report(pilot) -> ReportScreen:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = ReportScreen()
    await pilot.app.push_screen(screen)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    return screen


def titles(screen: ReportScreen) -> list[str]:
    table = screen.query_one("#report-questions", DataTable)
    return [table.get_row_at(row)[0].plain for row in range(table.row_count)]


def bars_text(screen: ReportScreen) -> list[str]:
    bars = screen.query_one("#report-options", OptionBars)
    return bars.render().plain.splitlines()


def static_text(screen: ReportScreen, selector: str) -> str:
    rendered = screen.query_one(selector, Static).render()
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


# -- the figures ------------------------------------------------------------------------------------


async def test_report_shows_each_question_with_its_figures(taught: ProgressStore, banks_dir: Path) -> None:
    app = report_app(taught, banks_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_report(pilot)
        assert "Eval mode in class" in static_text(screen, "#report-summary")
        assert "12 students, counting each one's first answer" in static_text(screen, "#report-summary")
        assert titles(screen) == ["What eval() changes", "Which are true", "backward() after eval()", "Print training"]
        table = screen.query_one("#report-questions", DataTable)
        first = [cell.plain for cell in table.get_row_at(0)]
        # 12 first answers (the second round, all right, is not counted): 5 of 12 right.
        assert first[1:5] == ["12", "42%", first[3], "B"]
        assert [cell.plain for cell in table.get_row_at(3)][1:3] == ["12", "33%"]
        assert [cell.plain for cell in table.get_row_at(3)][4] == "True"


async def test_sorting_by_facility_and_discrimination_reorders_the_questions(
    taught: ProgressStore, banks_dir: Path
) -> None:
    app = report_app(taught, banks_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_report(pilot)
        await pilot.press("f")  # the hardest first
        assert titles(screen) == ["Print training", "What eval() changes", "Which are true", "backward() after eval()"]
        table = screen.query_one("#report-questions", DataTable)
        assert table.ordered_columns[table.get_column_index("facility")].label.plain == "Facility▲"
        await pilot.press("f")  # again: the easiest first
        assert titles(screen) == ["backward() after eval()", "Which are true", "What eval() changes", "Print training"]
        assert table.ordered_columns[table.get_column_index("facility")].label.plain == "Facility▼"
        await pilot.press("d")  # the weakest first; questions without a figure last
        bank = screen.bank()
        assert bank is not None
        expected = sorted_questions(bank["questions"], "discrimination", False)
        assert [key.value for key in table.rows] == [q["id"] for q in expected]
        figures = [q["discrimination"] for q in expected if q["discrimination"] is not None]
        assert figures == sorted(figures) and len(figures) >= 2
        await pilot.press("o")
        assert titles(screen)[0] == "What eval() changes"


async def test_clicking_a_column_header_sorts_by_it(taught: ProgressStore, banks_dir: Path) -> None:
    app = report_app(taught, banks_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_report(pilot)
        table = screen.query_one("#report-questions", DataTable)
        header = table.get_column_index("facility")
        x = sum(column.get_render_width(table) for column in table.ordered_columns[:header]) + 2
        await pilot.click("#report-questions", offset=(x, 0))
        await pilot.pause()
        assert screen.sort == "facility"
        assert titles(screen)[0] == "Print training"


async def test_the_bars_count_each_option_of_the_highlighted_question(taught: ProgressStore, banks_dir: Path) -> None:
    app = report_app(taught, banks_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_report(pilot)
        lines = bars_text(screen)
        assert lines[0].startswith("what-eval-changes: What eval() changes · 12 answers")
        a, b, c = lines[1:4]
        assert a.startswith("A ✔ ") and " 5  42%  The training flags" in a
        assert b.startswith("B ✘ ") and " 7  58%  Autograd stops" in b
        assert c.startswith("C ✘ ") and " 0   0%  Parameters freeze" in c
        assert a.count("█") < b.count("█") and "█" not in c
        await pilot.press("down")  # which-are-true: a bar per letter, picked in several answers
        lines = bars_text(screen)
        assert lines[0].startswith("which-are-true")
        assert " 12 100%  one" in lines[1] and " 3  25%  two" in lines[2] and " 9  75%  three" in lines[3]
        await pilot.press("down", "down")  # print-training: the wrong predictions
        lines = bars_text(screen)
        assert lines[1] == "The most common wrong predictions, of 12 answers:"
        assert " 8  67%  True" in lines[2] and lines[2].startswith("✘ ")


async def test_the_misconceptions_are_ranked_in_words(taught: ProgressStore, banks_dir: Path) -> None:
    app = report_app(taught, banks_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_report(pilot)
        lines = static_text(screen, "#report-misconception-lines").splitlines()
        assert lines[1] == "  7 of 12 students still believe: model.eval() turns autograd off [for good]"
        assert lines[2] == "  1 other misconception offered, shown by no one"


async def test_b_switches_bank_and_cjk_titles_fit(taught: ProgressStore, banks_dir: Path) -> None:
    app = report_app(taught, banks_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_report(pilot)
        tabs = screen.query_one("#report-banks", Tabs)
        assert tabs.display and tabs.tab_count == 2
        await pilot.press("b")
        assert tabs.active == "report-bank-1"
        assert "3 students" in static_text(screen, "#report-summary")
        (title,) = titles(screen)
        assert title.startswith("调用 eval() 之后") and title.endswith("…")
        assert Text(title).cell_len <= 80 - 47
        await pilot.press("b")  # round again to the first
        assert tabs.active == "report-bank-0" and len(titles(screen)) == 4
        await pilot.press("B")  # Shift+B: the previous bank, round to the last
        assert tabs.active == "report-bank-1" and len(titles(screen)) == 1
        await pilot.click("#report-bank-0")  # a click on a bank's tab shows it too
        await pilot.pause()
        assert screen.bank_index == 0 and len(titles(screen)) == 4
        await pilot.press("escape")
        assert not isinstance(app.screen, ReportScreen)


async def test_a_bank_not_installed_is_reported_by_its_ids(taught: ProgressStore, banks_dir: Path) -> None:
    (banks_dir / "class.yaml").unlink()
    app = report_app(taught, banks_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_report(pilot)
        assert "bank not installed here" in static_text(screen, "#report-summary")
        # Without the bank, its questions are in the order of their ids.
        assert titles(screen) == ["backward-after-eval", "print-training", "what-eval-changes", "which-are-true"]
        await pilot.press("down", "down")
        lines = bars_text(screen)
        assert lines[0] == "what-eval-changes · 12 answers"
        assert lines[1].startswith("A   ") and lines[1].endswith(" 5  42%")  # no key, no choice text here


async def test_an_empty_database_says_how_to_get_answers(store: ProgressStore, banks_dir: Path) -> None:
    app = report_app(store, banks_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_report(pilot)
        text = static_text(screen, "#report-empty")
        assert text.startswith("No answers yet.")
        assert "quiz-app import FILE" in text
        assert not screen.query_one("#report-questions").display
        await pilot.press("f", "b")  # nothing to sort or switch: nothing happens
        await pilot.press("escape")
        assert not isinstance(app.screen, ReportScreen)


def test_option_rows_without_the_bank_show_letters_without_a_key() -> None:
    figures = {"options": {"A": 2, "B": 1}, "answered": 3}
    rows, heading = option_rows(figures, None)
    assert heading == "" and [(r.label, r.count, r.keyed) for r in rows] == [("A", 2, None), ("B", 1, None)]


# -- pictures ---------------------------------------------------------------------------------------


def test_snapshot_report(snap_compare, taught: ProgressStore, banks_dir: Path) -> None:  # type: ignore[no-untyped-def]
    async def show(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_report(pilot)

    assert snap_compare(report_app(taught, banks_dir), terminal_size=(80, 24), run_before=show)


def test_snapshot_report_sorted_cjk_bank(snap_compare, taught: ProgressStore, banks_dir: Path) -> None:  # type: ignore[no-untyped-def]
    async def show(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_report(pilot)
        await pilot.press("f", "b")
        await pilot.pause()

    assert snap_compare(report_app(taught, banks_dir), terminal_size=(80, 24), run_before=show)


def test_snapshot_report_empty(snap_compare, store: ProgressStore, banks_dir: Path) -> None:  # type: ignore[no-untyped-def]
    async def show(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_report(pilot)

    assert snap_compare(report_app(store, banks_dir), terminal_size=(80, 24), run_before=show)
