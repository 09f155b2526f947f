"""A run left before its end is unfinished: not scored, shown as "n of m done", and resumed."""

from __future__ import annotations

from helpers.paths import BANKS
from helpers.pilot import make_app, settle
from textual.widgets import DataTable, Markdown

from quiz_app.bank import Verdict, load_banks
from quiz_app.play.run import resumed
from quiz_app.progress import ProgressStore, StoredAnswer, UnfinishedAttempt
from quiz_app.runner import SnippetRunner
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.home import HomeScreen
from quiz_app.ui.screens.quiz import QuizScreen
from quiz_app.ui.screens.summary import SummaryScreen

PLAY = BANKS / "play.yaml"


def home_app(store: ProgressStore, runner: SnippetRunner) -> QuizApp:
    return make_app(store, runner, [BANKS])


async def open_play_bank(pilot) -> None:  # type: ignore[no-untyped-def]
    table = pilot.app.screen.query_one("#banks", DataTable)
    table.move_cursor(row=table.get_row_index("play-test"))
    await pilot.pause()
    await pilot.press("enter")
    await settle(pilot)


def progress_text(app: QuizApp) -> str:
    return str(app.screen.query_one("#progress").render())


def play_bank():  # type: ignore[no-untyped-def]
    (bank,) = load_banks([PLAY]).banks
    return bank


def test_a_resumed_run_counts_what_was_answered_and_goes_on_at_the_first_gap() -> None:
    bank = play_bank()
    left = UnfinishedAttempt(
        attempt_id=4,
        total=5,
        answers=(StoredAnswer("single", "B", True, 2.0), StoredAnswer("truefalse", "true", False, 1.0)),
    )
    run = resumed(bank, left)
    assert run is not None
    assert (run.attempt_id, run.index, run.resumed_at, run.answered, run.correct) == (4, 1, 1, 2, 1)
    assert run.current.id == "multiple"  # the first question not answered, in the bank's order
    assert run.results["truefalse"].verdict is Verdict.WRONG


def test_a_run_that_cannot_go_on_is_not_resumed() -> None:
    bank = play_bank()
    changed = UnfinishedAttempt(4, 6, (StoredAnswer("single", "B", True, 2.0),))  # the bank had 6 then
    assert resumed(bank, changed) is None
    every = UnfinishedAttempt(4, 5, tuple(StoredAnswer(q.id, "x", None, 1.0) for q in bank.questions))
    assert resumed(bank, every) is None


async def test_leaving_early_is_unfinished_then_enter_goes_on_and_s_starts_over(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    app = home_app(store, runner)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await open_play_bank(pilot)
        assert isinstance(app.screen, QuizScreen)
        await pilot.press("b", "ctrl+s")  # question 1, right
        await settle(pilot)
        await pilot.press("n", "a", "ctrl+s")  # question 2, wrong
        await settle(pilot)
        await pilot.press("escape")  # left after 2 of 5
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#banks", DataTable)
        row = table.get_row("play-test")
        assert "2 of 5 done" in str(row[0])
        assert [str(cell) for cell in row[2:4]] == ["–", "–"]  # neither Last nor Best
        assert "Unfinished: 2 of 5 done" in app.screen.query_one("#bank-description", Markdown).source
        assert "start_over" in {b.binding.action for b in app.screen.active_bindings.values()}

        await pilot.press("enter")  # goes on where it was left
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        assert "Question 3 of 5" in progress_text(app)
        assert "Score 1/2" in progress_text(app)  # the answers of the first sitting count
        await pilot.press("f", "ctrl+s")
        await settle(pilot)
        await pilot.press("n", *"2.0", "ctrl+s")
        await settle(pilot)
        await pilot.press("n", "x", "ctrl+s")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        assert "Score: 3 of 5" in str(app.screen.query_one("#score").render())
        await pilot.press("escape")
        await settle(pilot)
        row = app.screen.query_one("#banks", DataTable).get_row("play-test")
        assert "done" not in str(row[0])
        assert [str(cell) for cell in row[2:4]] == ["3/5", "3/5"]  # one run, scored once, over both sittings

        await open_play_bank(pilot)  # a new run, left after one question
        await pilot.press("b", "ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("s")  # start over: from question 1, with nothing counted
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        assert "Question 1 of 5" in progress_text(app)
        assert app.screen.quiz.answered == 0
    app.flush_writes()
    history = store.bank_history("ada", "play-test")
    assert history is not None and (history.attempts, history.last_correct) == (1, 3)


def test_a_resumed_run_in_a_shuffled_order_goes_on_at_an_unanswered_question() -> None:
    from quiz_app.play.run import shuffle_run

    bank = play_bank()
    left = UnfinishedAttempt(4, 5, (StoredAnswer("single", "B", True, 2.0), StoredAnswer("multiple", "A", False, 1.0)))
    for player in ("ada", "lin", "mei", "zoe"):
        run = resumed(bank, left)
        assert run is not None
        mixed = shuffle_run(run, player)
        assert mixed.current.id not in {"single", "multiple"}
        assert all(q.id in mixed.results for q in mixed.questions[: mixed.index])
        assert (mixed.answered, mixed.attempt_id, mixed.resumed_at) == (2, 4, mixed.index)
