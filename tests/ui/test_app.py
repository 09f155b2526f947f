"""Play a real bank end to end through the real worker, with Pilot."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from helpers.paths import BANKS, DATA
from helpers.pilot import make_app, settle
from textual.widgets import DataTable, Static

from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.help import HelpScreen
from quiz_app.ui.screens.home import HomeScreen
from quiz_app.ui.screens.quiz import QuizScreen
from quiz_app.ui.screens.summary import SummaryScreen
from quiz_app.ui.widgets.answer_view import AnswerView

PLAY = BANKS / "play.yaml"


def text_of(app: QuizApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def asking(app: QuizApp) -> bool:
    return isinstance(app.screen, QuizScreen) and app.screen.answer is None


async def answer(pilot, *keys: str) -> AnswerView:  # type: ignore[no-untyped-def]
    for key in keys:
        await pilot.press(key)
    await pilot.press("ctrl+s")  # submits every type of question
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, QuizScreen)
    assert screen.answer is not None
    return screen.answer


async def test_play_every_type_then_retry_the_missed_and_find_history(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    app = make_app(store, runner, [PLAY])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert asking(app)  # a bank file on the command line opens at once
        assert "Question 1 of 5" in text_of(app, "#progress")

        screen = await answer(pilot, "b")
        assert screen.verdict.value == "correct"
        assert "✔ Correct" in text_of(app, "#verdict")
        assert "True" in text_of(app, "#outcome-text")
        assert "cpu · torch" in text_of(app, "#outcome-meta")

        await pilot.press("n")
        screen = await answer(pilot, "a")  # only one of the two right choices
        assert screen.verdict.value == "wrong"
        assert "✘ Wrong" in text_of(app, "#verdict")
        assert "The answer is A, C" in text_of(app, "#verdict")

        await pilot.press("enter")
        screen = await answer(pilot, "f")
        assert screen.verdict.value == "correct"

        await pilot.press("enter")
        await pilot.press(*"2.0")
        screen = await answer(pilot)
        assert screen.verdict.value == "correct"  # graded against the live outcome: no key given
        assert "2.0" in text_of(app, "#outcome-text")

        await pilot.press("enter")
        await pilot.press("x")
        screen = await answer(pilot)
        assert screen.verdict.value == "not graded"  # no key and the snippet timed out
        assert "Could not run" in text_of(app, "#outcome-status")
        assert "ran past its 1 s limit" in text_of(app, "#outcome-text")
        assert "Score 3/5" in text_of(app, "#progress")

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "Score: 3 of 5 (60%)" in text_of(app, "#score")
        assert "✘ Which of these turn Dropout off?" in text_of(app, "#missed")  # named by its prompt
        tags = app.screen.query_one("#tags", DataTable)
        assert [tags.get_row_at(i) for i in range(tags.row_count)][:2] == [["eval", "2", "2"], ["basic", "3", "4"]]

        await pilot.press("r")  # retry just the missed one
        await settle(pilot)
        assert asking(app)
        assert "Question 1 of 1" in text_of(app, "#progress")
        await answer(pilot, "a", "c")
        await pilot.press("q")
    app.flush_writes()

    rates = {rate.question_id: (rate.answered, rate.correct) for rate in store.question_rates("ada")}
    assert rates["single"] == (1, 1)
    assert rates["multiple"] == (2, 1)
    assert [row for row in stored_answers(store) if row[0].startswith("predict")] == [
        ("predict-live", "2.0", 1),
        ("predict-hangs", "x", None),  # kept, but not graded
    ]
    history = store.bank_history("ada", "play-test")
    assert history is not None
    assert (history.last_correct, history.last_total) == (3, 5)

    again = make_app(store, runner, [BANKS])  # a folder: the home screen, with history
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(again.screen, HomeScreen)
        table = again.screen.query_one("#banks", DataTable)
        row = table.get_row("play-test")
        assert [str(cell) for cell in row[1:4]] == ["5", "3/5", "3/5"]


def stored_answers(store: ProgressStore) -> list[tuple[str, str, int | None]]:
    with sqlite3.connect(store.path) as conn:
        return conn.execute("SELECT question_id, answer, correct FROM answers ORDER BY id").fetchall()


HANGS = """\
id: hangs
title: Hangs
questions:
  - id: forever
    type: predict
    prompt: What does it print?
    snippet: |
      import time
      time.sleep(60)
    timeout: 60
    explanation: It sleeps.
"""


async def test_quitting_mid_snippet_keeps_the_answer(
    store: ProgressStore, fresh_runner: SnippetRunner, tmp_path: Path
) -> None:
    bank = tmp_path / "hangs.yaml"
    bank.write_text(HANGS, encoding="utf-8")
    app = make_app(store, fresh_runner, [bank])
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("4", "2", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen) and app.screen.answer is not None
        assert app.screen.answer.verdict is None  # still waiting for the worker
        await pilot.press("q")
    app.flush_writes()
    assert stored_answers(store) == [("forever", "42", None)]  # kept, as not graded


async def test_broken_banks_are_listed_with_their_line(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\ntitle: Broken\nquestions:\n  - id: q\n    type: single\n    anwser: A\n")
    app = make_app(store, runner, [BANKS, broken])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "1 bank file did not load" in text_of(app, "#load-problems")
        table = app.screen.query_one("#banks", DataTable)
        assert table.row_count == 2  # the good bank still loads, and the broken one has a row
        assert str(table.get_row_at(1)[0]).startswith("⚠ broken.yaml:4: question 'q' is missing")
        table.move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        shown = str(app.screen.query_one("#problems").render())
        assert "line 6, column 5: unknown key 'anwser' in question 'q' (did you mean 'answer'?)" in shown


async def test_help_opens_and_closes(store: ProgressStore, runner: SnippetRunner) -> None:
    app = make_app(store, runner, [BANKS])
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)


async def test_every_binding_has_an_id_and_a_tooltip() -> None:
    for owner in (QuizApp, QuizScreen, HelpScreen, HomeScreen, SummaryScreen):
        for binding in owner.BINDINGS:
            assert binding.id and binding.tooltip, (owner.__name__, binding.key)


async def test_submitting_nothing_asks_for_an_answer(store: ProgressStore, runner: SnippetRunner) -> None:
    app = make_app(store, runner, [PLAY])
    async with app.run_test() as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert asking(app)
        await pilot.press("z", "b", "b", "enter")  # z names no choice; b twice stays chosen (single)
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen) and app.screen.answer is not None
        assert app.screen.answer.verdict.value == "correct"


PROOF = DATA / "banks_f2" / "proof.yaml"


async def test_a_format_2_answer_shows_what_the_run_proved_and_why_the_choice_was_wrong(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    app = make_app(store, runner, [PROOF])
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        view = await answer(pilot, "b")  # a wrong choice that carries a misconception
        assert view.verdict is not None and view.verdict.value == "wrong"
        proof = view.proof_text
        assert "A   ✔  holds" in proof
        assert "B   ✘  does not hold" in proof
        assert "C   ✘  does not hold" in proof
        assert "not any(p.requires_grad" not in proof  # expressions on demand only
        await pilot.press("x")
        assert "not any(p.requires_grad for p in model.parameters())" in view.proof_text
        why = app.screen.query_one("#why")
        assert "Why not B?" in why.source  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        view = await answer(pilot, "t")
        assert "The statement ✔  holds" in view.proof_text
    statuses = {status.id: (status.picked, status.offered) for status in store.misconceptions("ada")}
    assert statuses == {"eval-freezes-params": (1, 1), "eval-stops-autograd": (0, 1)}


async def test_the_summary_names_the_beliefs_revealed_and_clears_them_once_answered_right(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    app = make_app(store, runner, [PROOF])
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await answer(pilot, "c")  # reveals eval-stops-autograd
        await pilot.press("enter")
        await settle(pilot)
        await answer(pilot, "t")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        beliefs = text_of(app, "#beliefs")
        assert "✘ You may still believe: model.eval() turns autograd off, so no graph is recorded" in beliefs
        assert "(picked 1 of 1 time)" in beliefs
        assert "✘ What eval() changes" in text_of(app, "#missed")  # named by its title
        await pilot.press("r")  # retry the missed question, and get it right this time
        await settle(pilot)
        await answer(pilot, "a")
        await pilot.press("enter")
        await settle(pilot)
        assert "✔ Cleared: model.eval() turns autograd off" in text_of(app, "#beliefs")


async def test_the_home_screen_counts_snippet_processes_stopped(
    store: ProgressStore, fresh_runner: SnippetRunner
) -> None:
    bank = DATA / "banks" / "play.yaml"
    app = make_app(store, fresh_runner, [bank])
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        fresh_runner.run("while True:\n    pass", timeout=0.3)  # one snippet stopped by its timeout
        await pilot.press("escape")
        await settle(pilot)
        status = text_of(app, "#worker-status")
        assert "1 snippet process stopped (timeouts, crashes)" in status
        assert "sandboxed: files, network, memory" in status or "not sandboxed" in status


def test_choice_text_is_shown_as_written_with_code_spans() -> None:
    from quiz_app.ui.widgets.choices import inline_code

    assert inline_code("It sets x[i] to zero").plain == "It sets x[i] to zero"
    shown = inline_code("Call `model.eval()` on [sub] modules")
    assert shown.plain == "Call model.eval() on [sub] modules"
    assert [span.style for span in shown.spans] == ["bold"]
    assert inline_code("an unmatched ` stays").plain == "an unmatched ` stays"


async def test_a_selected_multiple_choice_shows_its_tick_and_brackets(
    tmp_path: Path, store: ProgressStore, runner: SnippetRunner
) -> None:
    bank = tmp_path / "brackets.yaml"
    bank.write_text(
        "id: brackets\ntitle: t\nshuffle: false\nquestions:\n  - id: q\n    type: multiple\n    prompt: p\n"
        "    choices: ['It sets x[i] to zero', 'It keeps [bold]x[/bold]']\n    answer: [A]\n    explanation: e\n",
        encoding="utf-8",
    )
    from quiz_app.ui.widgets.choices import ChoiceRow

    app = make_app(store, runner, [bank])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        rows = [row.shown for row in app.screen.query(ChoiceRow)]
        assert rows == [" [x] A  It sets x[i] to zero", " [ ] B  It keeps [bold]x[/bold]"]


async def test_answers_come_back_for_review_days_later_across_banks(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    from datetime import datetime, timedelta, timezone

    from quiz_app.ui.screens.home import HomeScreen as Home

    app = make_app(store, runner, [PROOF])
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await answer(pilot, "b")  # wrong: comes back tomorrow
        await pilot.press("enter")
        await settle(pilot)
        await answer(pilot, "t")  # right: comes back in days
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, Home)
        assert "Review: nothing due" in text_of(app, "#review")  # nothing the same day
    app.flush_writes()
    soon = datetime.now(timezone.utc) + timedelta(days=1, hours=1)
    due = store.due_cards("ada", soon)
    assert [(card.bank_id, card.question_id) for card in due] == [("proof-test", "eval-changes-what")]
    later = datetime.now(timezone.utc) + timedelta(days=30)
    assert store.due_count("ada", later) == 2


async def test_a_review_session_plays_the_due_questions_of_several_banks(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    from datetime import datetime, timedelta, timezone

    from quiz_app.ui.screens.home import HomeScreen as Home

    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "proof.yaml").write_text(PROOF.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "play.yaml").write_text(PLAY.read_text(encoding="utf-8"), encoding="utf-8")
    app = make_app(store, runner, [folder])
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        for bank_row, key in ((0, "c"), (1, "b")):  # one wrong answer in each bank, then leave
            table = app.screen.query_one(DataTable)
            table.move_cursor(row=bank_row)
            await pilot.press("enter")
            await settle(pilot)
            await answer(pilot, key)
            await pilot.press("escape")
            await settle(pilot)
        app.clock = lambda: datetime.now(timezone.utc) + timedelta(days=1, hours=1)
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, Home)
        assert "Review: 2 due across your banks" in text_of(app, "#review")
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen) and app.screen.quiz.review
        assert "Question 1 of 2" in text_of(app, "#progress")
        first = app.screen.quiz.current
        view = await answer(pilot, "b" if first.id.startswith("play-test/") else "a")  # right, this time
        assert view.verdict is not None and view.verdict.value == "correct"
    app.flush_writes()
    stored = stored_answers(store)
    assert len(stored) == 3 and stored[-1][2] == 1  # kept under the home bank's question id
    assert "/" not in stored[-1][0]


def test_long_code_lines_wrap_with_a_mark_and_a_hanging_indent() -> None:
    from rich.console import Console

    from quiz_app.ui.widgets.question_view import code_block

    console = Console(width=40, color_system=None, record=True)
    console.print(code_block('for m in model.modules():\n    print(model["block"].inner[1].training, m.training)'))
    lines = console.export_text().splitlines()
    assert lines[0] == "for m in model.modules():"
    assert lines[1].endswith("↩") and len(lines[1]) <= 40
    assert lines[2].startswith("        ") and "training" in lines[1] + lines[2]  # indent + 4, not column 0


async def test_below_100_columns_the_snippet_stacks_above_its_outcome_and_setup_is_shown(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    for width, stacked in ((80, True), (120, False)):
        app = make_app(store, runner, [PROOF])
        async with app.run_test(size=(width, 30)) as pilot:
            await settle(pilot)
            await answer(pilot, "a")
            live = app.screen.query_one("#live")
            assert live.has_class("-stacked") is stacked
            snippet, outcome = app.screen.query_one("#snippet"), app.screen.query_one("#outcome")
            assert (snippet.region.y < outcome.region.y) is stacked
            assert app.screen.query_one("#setup").collapsed  # the bank's setup, folded
            await pilot.pause()
            view = app.screen.answer
            assert view is not None
            assert ("more below" in text_of(app, "#hint")) == (view.max_scroll_y > 0)
        async with make_app(store, runner, [PROOF]).run_test(size=(80, 20)) as pilot:
            await settle(pilot)
            view = await answer(pilot, "b")  # a wrong answer: its why, its proof, at 80x20
            await pilot.pause()
            assert view.max_scroll_y > 0 and "more below" in text_of(pilot.app, "#hint")


async def test_a_broken_bank_is_a_row_with_its_first_problem_and_enter_lists_them_all(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    from quiz_app.ui.screens.problems import ProblemsScreen

    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "good.yaml").write_text(PLAY.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "week3.yaml").write_text("id: week3\ntitel: Week 3\nquestions: []\n", encoding="utf-8")
    app = make_app(store, runner, [folder])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 2
        row = [str(cell) for cell in table.get_row_at(1)]
        assert row[0].startswith("⚠ week3.yaml:1: the bank is missing")
        table.move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        shown = str(app.screen.query_one("#problems").render())
        assert "line 2, column 1: unknown key 'titel' in the bank (did you mean 'title'?)" in shown
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ProblemsScreen)


def test_a_bank_named_on_the_command_line_that_does_not_load_stops_before_any_screen(
    tmp_path: Path, quiz_home: Path
) -> None:
    import subprocess
    import sys

    missing = subprocess.run(
        [sys.executable, "-m", "quiz_app", str(tmp_path / "week3.yml")], capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 2
    assert missing.stderr.splitlines()[0] == f"{tmp_path / 'week3.yml'}:1:1: no such file or folder"
    assert "\x1b[?1049h" not in missing.stdout  # no screen was drawn
    assert not (quiz_home / "progress.sqlite3").exists()


def test_wide_characters_in_code_wrap_within_the_width() -> None:
    from rich.text import Text

    from quiz_app.ui.widgets.question_view import wrap_code_line

    line = Text('print("报错:", err is not None, "| 有梯度:", has_grad, "| 参数被更新:", changed)')
    pieces = wrap_code_line(line, 40)
    assert len(pieces) > 1
    assert all(piece.cell_len <= 40 for piece in pieces)
    assert "".join(piece.plain.rstrip("↩").lstrip() for piece in pieces).replace(" ", "") == line.plain.replace(" ", "")
