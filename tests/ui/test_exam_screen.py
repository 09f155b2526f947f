"""Exam mode played with Pilot: nothing revealed before the end, answers saved with the bank's
letters, the countdown on a clock the test moves, the review through the real runner, and
the same order at every launch for the same player. Two snapshots at 80x24."""

from __future__ import annotations

import asyncio
import html
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.paths import DATA
from helpers.pilot import FixedRunner, make_app, settle
from textual.widgets import Static

from quiz_app.bank import Bank, load_bank
from quiz_app.play.exam import ExamPlan
from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.consent import ConsentScreen
from quiz_app.ui.screens.exam import ExamScreen
from quiz_app.ui.screens.exam_end import ConfirmEndScreen
from quiz_app.ui.screens.exam_review import ExamReviewScreen
from quiz_app.ui.screens.player import PlayerScreen
from quiz_app.ui.screens.quiz import QuizScreen
from quiz_app.ui.widgets.answer_view import AnswerView
from quiz_app.ui.widgets.choices import ChoiceList
from quiz_app.ui.widgets.outcome import OutcomePanel

EXAM_BANK = DATA / "banks_exam" / "exam.yaml"


# What the tests answer, in the bank's letters; which of them are right; how the store keeps them.
ANSWERS: dict[str, object] = {"single": "B", "multiple": frozenset("A"), "truefalse": True, "predict-live": "2.0"}
RIGHT = ("single", "predict-live")
STORED = {"single": "B", "multiple": "A", "truefalse": "true", "predict-live": "2.0"}


class Clock:
    """The countdown's time source: it moves only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def bank() -> Bank:
    loaded, problems = load_bank(EXAM_BANK)
    assert loaded is not None, problems
    return loaded


def exam_app(
    store: ProgressStore,
    runner: object,
    bank: Bank,
    clock: Clock,
    player: str | None = "ada",
    minutes: float = 10,
    sandboxed: bool = True,
) -> QuizApp:
    plan = ExamPlan(bank, minutes, clock=clock)
    return make_app(store, runner, player=player, exam=plan, sandboxed=sandboxed)  # type: ignore[arg-type]


async def until(pilot, condition) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until ``condition`` holds (the name prompt is a worker that waits on a screen)."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"the screen never got there: {pilot.app.screen_stack}")


def screen_text(app: QuizApp) -> str:
    """Everything on the terminal now, as plain text."""
    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg)
    return html.unescape(text).replace("\xa0", " ")


def stored(store: ProgressStore) -> dict[str, tuple[str, int | None]]:
    with sqlite3.connect(store.path) as conn:
        rows = conn.execute("SELECT question_id, answer, correct FROM answers ORDER BY id").fetchall()
    return {qid: (answer, correct) for qid, answer, correct in rows}


def exam_screen(app: QuizApp) -> ExamScreen:
    assert isinstance(app.screen, ExamScreen), app.screen
    return app.screen


async def give(pilot, bank_answer: object) -> None:  # type: ignore[no-untyped-def]
    """Answer the current question with ``bank_answer`` in the bank's letters."""
    screen = exam_screen(pilot.app)
    question = screen.paper.current
    assert question is not None
    if question.type == "predict":
        await pilot.press(*str(bank_answer))
    elif question.type == "true_false":
        await pilot.press("t" if bank_answer else "f")
    else:
        shown = screen.paper.run.shuffled[question.id].to_shown(bank_answer)  # type: ignore[arg-type]
        await pilot.press(*[letter.lower() for letter in sorted(shown)])
    await pilot.press("ctrl+s")
    await pilot.pause()


def nothing_revealed(app: QuizApp) -> None:
    text = screen_text(app)
    for word in ("Correct", "Wrong", "It printed", "Score", "returns `self`", "returns self", "training"):
        assert word not in text, word
    assert not app.screen.query(AnswerView) and not app.screen.query(OutcomePanel)


async def test_an_exam_reveals_nothing_until_time_is_up_then_reviews_everything(
    store: ProgressStore, runner: SnippetRunner, bank: Bank
) -> None:
    clock = Clock()
    app = exam_app(store, runner, bank, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = exam_screen(app)
        status = screen.query_one("#exam-status", Static)
        assert "Time left 10:00 · Question 1 of 4 · 0 answered" in str(status.render())
        first = screen.paper.current
        assert first is not None
        await pilot.press("ctrl+n")  # skip the first question: it comes back after the others
        await pilot.pause()
        assert screen.paper.current is not None and screen.paper.current.id != first.id
        assert "1 skipped" in str(status.render())
        while screen.paper.current is not None and screen.paper.current.id != first.id:
            await give(pilot, ANSWERS[screen.paper.current.id])
            nothing_revealed(app)
            assert "is saved" in str(screen.query_one("#hint", Static).render())
        assert "3 answered" in str(status.render()) and "skipped" not in str(status.render())

        clock.now += 61
        await screen.tick()
        assert "Time left 8:59" in str(status.render()) and not status.has_class("-urgent")
        clock.now += 9 * 60 - 30
        await screen.tick()
        assert "Time left 0:29" in str(status.render()) and status.has_class("-urgent")

        await pilot.press("1" if first.type in ("single", "multiple") else "t")  # chosen, never submitted
        await asyncio.gather(*screen.runs.values())  # the prediction's run grades it, unseen
        await settle(pilot)
        nothing_revealed(app)
        app.flush_writes()  # saved as given, before the end
        assert stored(store) == {qid: (text, int(qid in RIGHT)) for qid, text in STORED.items() if qid != first.id}
        clock.now += 30
        await screen.tick()
        await settle(pilot)
        assert isinstance(app.screen, ExamReviewScreen)
        review = app.screen
        overview = screen_text(app)
        right = [qid for qid in RIGHT if qid != first.id]
        assert "Time is up." in overview and f"Score: {len(right)} of 4 · 1 not answered" in overview

        # Each question, in the order it was asked: the answer, the verdict, the live outcome, why.
        seen: dict[str, str] = {}
        for page, _question in enumerate(review.paper.questions):
            await pilot.press("right" if page % 2 else "n")
            await settle(pilot)
            question = review.page_question()
            assert question is not None
            seen[question.id] = str(review.query_one("#verdict", Static).render())
            assert str(review.query_one("#outcome-text", Static).render()).strip(), question.id  # it ran live
            assert review.query_one("#explanation")
        assert seen.pop(first.id).startswith("– Not answered. The answer is")
        assert {qid: verdict[0] for qid, verdict in seen.items()} == {qid: "✔" if qid in RIGHT else "✘" for qid in seen}
        await pilot.press("escape")
        await pilot.pause()
        assert review.page == 0
    app.flush_writes()

    # Saved as given, with the bank's letters; the unanswered question is not in the store.
    assert stored(store) == {qid: (text, int(qid in RIGHT)) for qid, text in STORED.items() if qid != first.id}
    history = store.bank_history("ada", "exam-test")
    assert history is not None and (history.last_correct, history.last_total) == (len(right), 4)


async def order_seen(
    store: ProgressStore, runner: object, bank: Bank, player: str
) -> list[tuple[str, tuple[str, ...]]]:
    """The questions in the order one launch asks them, each with its choices as shown."""
    app = exam_app(store, runner, bank, Clock(), player=player)
    seen = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = exam_screen(app)
        while screen.paper.current is not None:
            question = screen.paper.current
            lists = screen.query(ChoiceList)
            seen.append((question.id, tuple(lists.first().choices) if lists else ()))
            if len(screen.paper.pending) == 1:
                break
            await pilot.press("ctrl+n")
            await pilot.pause()
            if screen.paper.current.id == seen[0][0]:
                break
    return seen


async def test_a_relaunch_shows_the_same_order_and_another_player_another(store: ProgressStore, bank: Bank) -> None:
    first = await order_seen(store, FixedRunner(), bank, "ada")
    again = await order_seen(store, FixedRunner(), bank, "ada")
    other = await order_seen(store, FixedRunner(), bank, "grace")
    assert first == again
    assert first != other
    assert sorted(qid for qid, _ in first) == sorted(q.id for q in bank.questions)
    assert [qid for qid, _ in first] != [q.id for q in bank.questions]


async def test_the_name_asked_at_start_seeds_the_order(store: ProgressStore, bank: Bank) -> None:
    app = exam_app(store, FixedRunner(), bank, Clock(), player=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlayerScreen) and bool(app.screen.query("#player-name")))
        await pilot.press(*"grace", "enter")
        await until(pilot, lambda: isinstance(app.screen, ExamScreen))
        screen = exam_screen(app)
        assert screen.paper.player == "grace"
        assert [q.id for q in screen.paper.questions] == [q.id for q in ExamPlan(bank, 1).paper("grace").questions]


async def test_ending_early_asks_first_and_the_rest_stays_unanswered(store: ProgressStore, bank: Bank) -> None:
    app = exam_app(store, FixedRunner(), bank, Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = exam_screen(app)
        first = screen.paper.current
        assert first is not None
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmEndScreen)
        assert "4 questions are not answered" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and screen.paper.ended is None
        await pilot.press("q")  # q ends the exam too (asks first), rather than quitting mid-exam
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ExamReviewScreen)
        assert "You ended the exam." in screen_text(app)
        assert "Score: 0 of 4 · 4 not answered" in screen_text(app)
    app.flush_writes()
    assert stored(store) == {}


async def test_a_bank_from_elsewhere_asks_before_the_exam(store: ProgressStore, bank: Bank) -> None:
    app = exam_app(store, FixedRunner(), bank, Clock(), sandboxed=False)  # a guard missing: it asks
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConsentScreen)
        await pilot.press("n")
        await pilot.pause()
    assert app.return_code == 1


@pytest.mark.parametrize("asked_by", ["player", "bank"])
async def test_practice_with_shuffle_keeps_the_banks_letters(
    store: ProgressStore, runner: SnippetRunner, bank: Bank, asked_by: str, tmp_path: Path
) -> None:
    path = EXAM_BANK
    if asked_by == "bank":  # `shuffle: true` in the bank, no --shuffle
        path = tmp_path / "exam.yaml"
        path.write_text(EXAM_BANK.read_text(encoding="utf-8").replace("title:", "shuffle: true\ntitle:", 1))
    flag = asked_by == "player"
    app = make_app(store, runner, [path], shuffle=flag)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        run = app.screen.quiz
        assert [q.id for q in run.questions] == [q.id for q in ExamPlan(bank, 1).paper("ada").questions]
        question = run.current
        if question.type in ("single", "multiple"):
            shown = run.shuffled[question.id].to_shown(ANSWERS[question.id])  # type: ignore[arg-type]
            await pilot.press(*[letter.lower() for letter in sorted(shown)])  # type: ignore[arg-type]
        elif question.type == "true_false":
            await pilot.press("t")
        else:
            await pilot.press(*"2.0")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.answer is not None and app.screen.answer.verdict is not None
        assert app.screen.answer.verdict.value == ("correct" if question.id in RIGHT else "wrong")
        await pilot.press("q")
    app.flush_writes()
    assert stored(store) == {question.id: (STORED[question.id], int(question.id in RIGHT))}


# -- snapshots -----------------------------------------------------------------------------------
@pytest.fixture
def snap_app(quiz_home: Path, bank: Bank) -> Iterator[QuizApp]:
    store = ProgressStore.open(quiz_home / "progress.sqlite3")
    yield exam_app(store, FixedRunner(), bank, Clock(), minutes=6)
    store.close()


def test_snapshot_exam_question(snap_compare, snap_app: QuizApp) -> None:  # type: ignore[no-untyped-def]
    async def one_answered(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        screen = exam_screen(pilot.app)
        await give(pilot, ANSWERS[screen.paper.current.id])  # type: ignore[union-attr]
        screen.clock.now += 75  # type: ignore[attr-defined]
        await screen.tick()
        await pilot.press("2") if screen.paper.current.type in ("single", "multiple") else None  # type: ignore[union-attr]
        await pilot.pause()

    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=one_answered)


def test_snapshot_exam_review(snap_compare, snap_app: QuizApp) -> None:  # type: ignore[no-untyped-def]
    async def reviewed(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        screen = exam_screen(pilot.app)
        while screen.paper.current is not None and screen.paper.current.id != "truefalse":
            await give(pilot, ANSWERS[screen.paper.current.id])
        screen.clock.now += 6 * 60  # type: ignore[attr-defined]
        await screen.tick()
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap_compare(snap_app, terminal_size=(80, 24), run_before=reviewed)


async def test_answering_every_question_ends_the_exam(store: ProgressStore, bank: Bank) -> None:
    app = exam_app(store, FixedRunner(), bank, Clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = exam_screen(app)
        while screen.paper.current is not None:
            await give(pilot, ANSWERS[screen.paper.current.id])
        await settle(pilot)
        assert isinstance(app.screen, ExamReviewScreen)
        text = screen_text(app)
        assert "You answered every question." in text and "0 not answered" in text
    app.flush_writes()
    assert set(stored(store)) == {q.id for q in bank.questions}


async def test_time_running_out_under_a_dialog_still_ends_the_exam(store: ProgressStore, bank: Bank) -> None:
    clock = Clock()
    app = exam_app(store, FixedRunner(), bank, clock, minutes=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = exam_screen(app)
        await pilot.press("f1")  # help, over the exam
        await pilot.pause()
        assert app.screen is not screen
        clock.now += 60
        await screen.tick()
        await settle(pilot)
        assert isinstance(app.screen, ExamReviewScreen) and len(app.screen_stack) == 2
        assert "Time is up." in screen_text(app)
