"""Every key of the quiz, pressed through Pilot against the real worker (the shared ``runner``)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.paths import BANKS, DATA
from helpers.pilot import make_app, settle
from textual.css.query import NoMatches
from textual.widgets import DataTable, TextArea

from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.help import HelpScreen
from quiz_app.ui.screens.home import HomeScreen
from quiz_app.ui.screens.quiz import QuizScreen
from quiz_app.ui.screens.summary import SummaryScreen
from quiz_app.ui.widgets.choices import ChoiceList, ChoiceRow

PLAY = BANKS / "play.yaml"
PROOF = DATA / "banks_f2" / "proof.yaml"
SIZE = (100, 30)

# Questions without snippets: the keys are what is tested, not the worker.
EIGHT = """\
id: eight
title: Eight choices
shuffle: false
questions:
  - id: many
    type: multiple
    prompt: Pick them all.
    choices: [one, two, three, four, five, six, seven, eight]
    answer: [A, B, C, D, E, F, G, H]
    explanation: All of them.
  - id: six
    type: single
    prompt: Pick the sixth.
    choices: [one, two, three, four, five, six]
    answer: F
    explanation: The sixth is F.
"""

TRUE_FALSE = """\
id: tf
title: True or false
questions:
  - id: statement
    type: true_false
    prompt: eval() turns autograd off.
    answer: false
    explanation: It does not.
  - id: predict
    type: predict
    prompt: What does it print?
    snippet: print(1)
    answer: "1"
    explanation: One.
"""

ONE = """\
id: one
title: One question
shuffle: false
questions:
  - id: only
    type: single
    prompt: Which is B?
    choices: [not this, this]
    answer: B
    explanation: B is B.
"""


def write_bank(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


async def until(pilot, ready: Callable[[], bool], what: str, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    """Wait for something that comes after a worker and a screen push (a load can start late)."""
    deadline = time.monotonic() + timeout
    while True:
        await settle(pilot)
        try:
            if ready():
                return
        except NoMatches:
            pass
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)


async def at_question(pilot) -> None:  # type: ignore[no-untyped-def]
    """A bank named on the command line opens at once, once the banks are loaded."""
    app = pilot.app

    def asking() -> bool:
        return (
            isinstance(app.screen, QuizScreen)
            and app.screen.answer is None
            and bool(app.screen.query("#question-body"))
        )

    await until(pilot, asking, "the first question")


async def at_home(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app

    def loaded() -> bool:
        return isinstance(app.screen, HomeScreen) and app.screen.query_one("#banks", DataTable).row_count > 0

    await until(pilot, loaded, "the banks on the home screen")


def quiz_screen(app: QuizApp) -> QuizScreen:
    screen = app.screen
    assert isinstance(screen, QuizScreen), type(screen).__name__
    return screen


def selected(app: QuizApp) -> list[str]:
    return quiz_screen(app).query_one("#choices", ChoiceList).selected


def history(app: QuizApp, bank_id: str) -> list[str]:
    """The Last and Best cells of a bank's row on the home screen."""
    row = app.screen.query_one("#banks", DataTable).get_row(bank_id)
    return [str(cell) for cell in row[2:4]]


def title_cell(app: QuizApp, bank_id: str) -> str:
    return str(app.screen.query_one("#banks", DataTable).get_row(bank_id)[0])


def notices(app: QuizApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def stored_answers(store: ProgressStore) -> list[tuple[str, str, int | None]]:
    with sqlite3.connect(store.path) as conn:
        return conn.execute("SELECT question_id, answer, correct FROM answers ORDER BY id").fetchall()


def finished_attempts(store: ProgressStore) -> list[tuple[str, int]]:
    with sqlite3.connect(store.path) as conn:
        return conn.execute("SELECT bank_id, finished_at IS NOT NULL FROM attempts ORDER BY id").fetchall()


async def submit(pilot, key: str = "enter"):  # type: ignore[no-untyped-def]
    """Enter (or Ctrl+S) on a question: the answer shows, with the snippet's outcome once it comes."""
    await pilot.press(key)
    app = pilot.app

    def answered() -> bool:
        view = quiz_screen(app).answer
        return view is not None and (view.live is None or view.outcome is not None)

    await until(pilot, answered, "the answer")
    return quiz_screen(app).answer


async def next_question(pilot, key: str = "enter") -> None:  # type: ignore[no-untyped-def]
    screen = quiz_screen(pilot.app)
    before = screen.quiz.index
    await pilot.press(key)
    await until(pilot, lambda: screen.quiz.index == before + 1 and screen.answer is None, "the next question")


async def test_number_keys_choose_like_letters(store: ProgressStore, runner: SnippetRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path, "eight.yaml", EIGHT)
    app = make_app(store, runner, [bank])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        assert selected(app) == []
        for digit in "12345678":  # several may be right: each number toggles its letter
            await pilot.press(digit)
        assert selected(app) == list("ABCDEFGH")
        await pilot.press("1", "c", "8")  # numbers and letters toggle the same choices
        assert selected(app) == list("BDEFG")
        await pilot.press("a", "3", "h", "9", "0")  # 9 and 0 name no choice
        assert selected(app) == list("ABCDEFGH")
        view = await submit(pilot)
        assert view.verdict is not None and view.verdict.value == "correct"

        await next_question(pilot)
        assert selected(app) == []  # the next question starts with nothing chosen
        await pilot.press("2")
        assert selected(app) == ["B"]
        await pilot.press("6")  # one answer: a number moves the choice, as a letter does
        assert selected(app) == ["F"]
        await pilot.press("7")  # there is no G here
        assert selected(app) == ["F"]
        view = await submit(pilot)
        assert view.verdict is not None and view.verdict.value == "correct"
    app.flush_writes()
    assert stored_answers(store) == [("many", "A, B, C, D, E, F, G, H", 1), ("six", "F", 1)]


async def test_t_and_f_answer_a_true_false_question(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    bank = write_bank(tmp_path, "tf.yaml", TRUE_FALSE)
    app = make_app(store, runner, [bank])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        await pilot.press("t")
        assert selected(app) == ["T"]
        await pilot.press("f")
        assert selected(app) == ["F"]
        await pilot.press("a", "1", "2")  # letters and numbers name no choice here
        assert selected(app) == ["F"]
        await pilot.press("t", "f")
        view = await submit(pilot)
        assert view.verdict is not None and view.verdict.value == "correct"

        await next_question(pilot)
        prediction = quiz_screen(app).query_one("#prediction", TextArea)
        await pilot.press("t", "f", "1")  # in a prediction, t and f are typed, not answers
        assert prediction.text == "tf1"
    app.flush_writes()
    assert stored_answers(store) == [("statement", "false", 1)]


async def test_escape_on_the_quiz_goes_home_and_keeps_the_answers_given(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    app = make_app(store, runner, [BANKS])
    async with app.run_test(size=SIZE) as pilot:
        await at_home(pilot)
        await pilot.press("enter")
        await at_question(pilot)
        await pilot.press("b")
        await submit(pilot)  # question 1 answered, right
        await next_question(pilot, "n")
        await pilot.press("a")  # question 2 chosen but not submitted: not an answer
        await pilot.press("escape")
        await at_home(pilot)
        assert len(app.screen_stack) == 2  # the default screen and home: the quiz is gone, not hidden
        # Left after one of five: an unfinished run, neither Last nor Best, shown as what it is.
        await until(pilot, lambda: "1 of 5 done" in title_cell(app, "play-test"), "1 of 5 done")
        assert history(app, "play-test") == ["–", "–"]
    app.flush_writes()
    assert stored_answers(store) == [("single", "B", 1)]
    assert finished_attempts(store) == [("play-test", 0)]


async def test_escape_on_the_summary_goes_home(store: ProgressStore, runner: SnippetRunner, tmp_path: Path) -> None:
    folder = tmp_path / "banks"
    write_bank(folder, "one.yaml", ONE)
    app = make_app(store, runner, [folder])
    async with app.run_test(size=SIZE) as pilot:
        await at_home(pilot)
        await pilot.press("enter")
        await at_question(pilot)
        await pilot.press("b")
        await submit(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        assert "Score: 1 of 1 (100%)" in str(app.screen.query_one("#score").render())
        await pilot.press("escape")
        await at_home(pilot)
        assert len(app.screen_stack) == 2
        await until(pilot, lambda: history(app, "one") == ["1/1", "1/1"], "last and best: 1/1")
        await pilot.press("escape")  # nothing under home: escape there leaves it where it is
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_clicking_a_choice_selects_it(store: ProgressStore, runner: SnippetRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path, "eight.yaml", EIGHT)
    app = make_app(store, runner, [bank])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        rows = list(quiz_screen(app).query(ChoiceRow))
        assert [row.label for row in rows] == list("ABCDEFGH")
        assert await pilot.click(rows[2])
        assert selected(app) == ["C"]
        assert await pilot.click(rows[7].query_one(".choice-text"), offset=(2, 0))  # on its words
        assert selected(app) == ["C", "H"]
        assert await pilot.click(rows[2])  # several may be right: a second click unchooses
        assert selected(app) == ["H"]
        view = await submit(pilot)
        assert view.verdict is not None and view.verdict.value == "wrong"
        await next_question(pilot)
        rows = list(quiz_screen(app).query(ChoiceRow))
        assert await pilot.click(rows[1])
        assert await pilot.click(rows[5])
        assert selected(app) == ["F"]  # one answer: a click moves it
        assert "(•) F" in rows[5].shown and "( ) B" in rows[1].shown
        view = await submit(pilot)
        assert view.verdict is not None and view.verdict.value == "correct"


async def test_enter_with_nothing_chosen_shows_a_notice_and_does_not_submit(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    bank = write_bank(tmp_path, "tf.yaml", TRUE_FALSE)
    app = make_app(store, runner, [bank])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert quiz_screen(app).answer is None
        assert notices(app) == ["Choose an answer first."]
        await pilot.press("enter")
        await settle(pilot)
        assert quiz_screen(app).answer is None  # still asking, however often Enter is pressed

        await pilot.press("t")
        await submit(pilot)
        await next_question(pilot, "n")
        await pilot.press("space", "enter", "space", "ctrl+s")  # a blank prediction, over two lines
        await settle(pilot)
        assert quiz_screen(app).answer is None
        assert "Type a prediction first." in notices(app)
    app.flush_writes()
    assert stored_answers(store) == [("statement", "true", 0)]  # only the one submitted


async def test_x_toggles_the_proof_expressions_of_a_format_2_answer(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    expression = "not any(p.requires_grad for p in model.parameters())"
    app = make_app(store, runner, [PROOF])
    async with app.run_test(size=(100, 40)) as pilot:
        await at_question(pilot)
        await pilot.press("x")  # still asking: nothing to prove yet, and x chooses nothing
        await pilot.pause()
        assert quiz_screen(app).answer is None and selected(app) == []
        await pilot.press("a")
        view = await submit(pilot)
        assert "A   ✔  holds" in view.proof_text
        assert expression not in view.proof_text
        await pilot.press("x")
        await pilot.pause()
        assert expression in view.proof_text
        assert view.show_expressions
        await pilot.press("x")
        await pilot.pause()
        assert expression not in view.proof_text  # a second x hides them again
        assert "A   ✔  holds" in view.proof_text


@pytest.mark.parametrize("where", ["asking", "answered"])
async def test_q_quits_from_the_quiz(store: ProgressStore, runner: SnippetRunner, where: str) -> None:
    app = make_app(store, runner, [PLAY])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        await pilot.press("b")
        if where == "answered":
            await submit(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0
    app.flush_writes()
    assert stored_answers(store) == ([("single", "B", 1)] if where == "answered" else [])


async def test_q_quits_from_home(store: ProgressStore, runner: SnippetRunner) -> None:
    app = make_app(store, runner, [BANKS])
    async with app.run_test(size=SIZE) as pilot:
        await at_home(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_help_opens_over_the_quiz_and_escape_returns_to_it(store: ProgressStore, runner: SnippetRunner) -> None:
    app = make_app(store, runner, [PLAY])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        await pilot.press("b")
        quiz = quiz_screen(app)
        for opener, closer in (("question_mark", "escape"), ("f1", "escape"), ("f1", "question_mark")):
            await pilot.press(opener)
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen), opener
            await pilot.press("a")  # the quiz's keys do not reach through the help
            await pilot.press(closer)
            await pilot.pause()
            assert app.screen is quiz, (opener, closer)  # back to the same question, not home
            assert selected(app) == ["B"]  # and the choice is still there


async def test_f5_on_home_loads_the_banks_again(store: ProgressStore, runner: SnippetRunner, tmp_path: Path) -> None:
    folder = tmp_path / "banks"
    bank = write_bank(folder, "one.yaml", ONE)
    app = make_app(store, runner, [folder])
    async with app.run_test(size=SIZE) as pilot:
        await at_home(pilot)
        table = app.screen.query_one("#banks", DataTable)
        assert table.row_count == 1
        bank.write_text(ONE.replace("title: One question", "title: One question, edited"), encoding="utf-8")
        write_bank(folder, "tf.yaml", TRUE_FALSE)
        await pilot.pause()
        assert table.row_count == 1  # nothing changes on its own
        await pilot.press("f5")
        await until(pilot, lambda: table.row_count == 2, "two banks after F5")
        assert isinstance(app.screen, HomeScreen)
        assert str(table.get_row("one")[0]) == "One question, edited"
        assert str(table.get_row("tf")[0]) == "True or false"


BRACKETS = """\
id: brackets
title: "Indexing [batch] tensors"
shuffle: false
questions:
  - id: index
    type: single
    prompt: Which one reads the first layer's weight?
    choices: ["model[layer].weight", "x[i]", "{close}"]
    answer: A
    explanation: Indexing a Sequential.
"""


async def test_a_chosen_row_of_a_multiple_question_shows_its_marker(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    bank = write_bank(tmp_path, "eight.yaml", EIGHT)
    app = make_app(store, runner, [bank])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        rows = list(quiz_screen(app).query(ChoiceRow))
        assert rows[2].shown == " [ ] C  three"  # a column for the arrow keys' pointer, then the mark
        await pilot.press("c")
        assert selected(app) == ["C"]
        assert rows[2].shown == " [x] C  three"


async def test_choice_text_with_brackets_is_shown_as_written(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    bank = write_bank(tmp_path, "brackets.yaml", BRACKETS.format(close="a closing [/b] tag"))
    app = make_app(store, runner, [bank])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        rows = [row.shown for row in quiz_screen(app).query(ChoiceRow)]
        assert rows == [" ( ) A  model[layer].weight", " ( ) B  x[i]", " ( ) C  a closing [/b] tag"]


async def test_bank_title_and_player_name_with_brackets_are_shown_as_written(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    folder = tmp_path / "banks"
    write_bank(folder, "brackets.yaml", BRACKETS.format(close="plain"))
    app = make_app(store, runner, [folder], player="ada [admin]")
    async with app.run_test(size=SIZE) as pilot:
        await at_home(pilot)
        player = str(app.screen.query_one("#player").render())
        await pilot.press("enter")
        await at_question(pilot)
        progress = str(app.screen.query_one("#progress").render())
        await pilot.press("a")
        await submit(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
        score = str(app.screen.query_one("#score").render())
        assert progress.endswith("· Indexing [batch] tensors")
        assert score.startswith("Finished Indexing [batch] tensors\n")
        assert player.startswith("Player: ada [admin]   ·")


PREDICT = """\
id: predict
title: Predictions
questions:
  - id: two-lines
    type: predict
    prompt: What does this print?
    snippet: |
      print(False)
      print([[1.0, 1.0]])
    answer: |
      False
      [[1.0, 1.0]]
    explanation: x
  - id: near-miss
    type: predict
    prompt: What does this print?
    snippet: print([1.0, 2.0])
    answer: "[1.0, 2.0]"
    explanation: x
"""


async def test_a_prediction_spans_lines_ignores_spacing_and_ctrl_s_submits(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    bank = write_bank(tmp_path, "predict.yaml", PREDICT)
    app = make_app(store, runner, [bank])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        await pilot.press(*"False", "enter", *"[[1.0,1.0]]")  # Enter starts a new line here
        assert quiz_screen(app).answer is None
        assert quiz_screen(app).query_one("#prediction", TextArea).text == "False\n[[1.0,1.0]]"
        view = await submit(pilot, "ctrl+s")
        assert view.verdict is not None and view.verdict.value == "correct"  # one space short is still right

        await next_question(pilot)
        await pilot.press(*"[1.0, 3.0]")
        view = await submit(pilot, "ctrl+s")
        assert view.verdict is not None and view.verdict.value == "wrong"
        verdict = str(quiz_screen(app).query_one("#verdict").render())
        assert "Where it differs: line 1: you wrote '[1.0, 3.0]', it printed '[1.0, 2.0]'" in verdict
    app.flush_writes()
    assert stored_answers(store) == [("two-lines", "False\n[[1.0,1.0]]", 1), ("near-miss", "[1.0, 3.0]", 0)]


async def test_pasting_a_prediction_keeps_every_line(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    from textual import events

    bank = write_bank(tmp_path, "predict.yaml", PREDICT)
    app = make_app(store, runner, [bank])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        box = quiz_screen(app).query_one("#prediction", TextArea)
        app.post_message(events.Paste("False\n[[1.0, 1.0]]\n"))  # as the terminal driver delivers it
        await pilot.pause()
        assert box.text == "False\n[[1.0, 1.0]]\n"
        view = await submit(pilot, "ctrl+s")
        assert view.verdict is not None and view.verdict.value == "correct"


async def test_arrows_and_space_choose(store: ProgressStore, runner: SnippetRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path, "eight.yaml", EIGHT)
    app = make_app(store, runner, [bank])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)  # a multiple question: arrows move the pointer, space toggles
        await pilot.press("down", "down", "space", "down", "space", "up", "space")
        assert selected(app) == ["C"]
        rows = list(quiz_screen(app).query(ChoiceRow))
        assert rows[1].shown.startswith("›[ ] B")  # the pointer is drawn apart from the mark
        assert rows[2].shown.startswith(" [x] C")


async def test_a_notice_does_not_linger_over_the_next_screen(
    store: ProgressStore, runner: SnippetRunner, tmp_path: Path
) -> None:
    bank = write_bank(tmp_path, "tf.yaml", TRUE_FALSE)
    app = make_app(store, runner, [bank])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        await pilot.press("enter")  # nothing chosen
        await settle(pilot)
        assert notices(app) == ["Choose an answer first."]
        await pilot.press("t")
        await submit(pilot)
        assert notices(app) == []


async def test_arrows_choose_in_a_single_choice(store: ProgressStore, runner: SnippetRunner, tmp_path: Path) -> None:
    bank = write_bank(tmp_path, "tf.yaml", TRUE_FALSE)
    app = make_app(store, runner, [bank])
    async with app.run_test(size=SIZE) as pilot:
        await at_question(pilot)
        await pilot.press("down")
        assert selected(app) == ["T"]
        await pilot.press("down")
        assert selected(app) == ["F"]
        await pilot.press("up")
        assert selected(app) == ["T"]


async def test_a_long_choice_goes_on_under_its_own_text(store: ProgressStore, runner: SnippetRunner) -> None:
    bank = DATA / "banks_wrap" / "wrap.yaml"
    app = make_app(store, runner, [bank])
    async with app.run_test(size=(80, 24)) as pilot:
        await at_question(pilot)
        rows = list(quiz_screen(app).query(ChoiceRow))
        assert [row.shown[:7] for row in rows] == [" ( ) A ", " ( ) B ", " ( ) C "]
        texts = [row.query_one(".choice-text") for row in rows]
        assert all(text.region.height >= 2 for text in texts)  # each wraps at 80 columns
        # Every line of a choice's text starts in one column: the one after its marker.
        marks = [row.query_one(".choice-mark") for row in rows]
        assert {text.region.x for text in texts} == {marks[0].region.right}
        assert all(mark.region.height == 1 for mark in marks)
