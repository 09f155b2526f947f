"""Spaced review: the cards the store keeps, the rules that move them, and review sessions.

Every test sets the clock itself: times are passed in, never read.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers.progress import T0, raw_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz_app.bank import Bank, Question
from quiz_app.play import review
from quiz_app.play.records import DueCard
from quiz_app.play.run import QuizRun
from quiz_app.progress import AnswerRecord, ProgressStore, schema
from quiz_app.progress.cards import TagRetention

DAY = timedelta(days=1)


def question(qid: str, prompt: str | None = None, tags: tuple[str, ...] = ()) -> Question:
    return Question(
        id=qid,
        type="single",
        prompt=prompt or f"What does {qid} ask?",
        explanation="Because.",
        choices=("yes", "no"),
        answer="A",
        tags=tags,
    )


def bank(bid: str, *questions: Question, setup: str = "", misconceptions: dict[str, str] | None = None) -> Bank:
    return Bank(
        id=bid,
        title=bid.title(),
        questions=questions,
        path=Path(f"/banks/{bid}.yml"),
        setup=setup,
        misconceptions=misconceptions or {},
    )


def answer(store: ProgressStore, b: Bank, q: Question, correct: bool | None, at: datetime, player: str = "ada"):
    return store.review_answer(player, b.id, q.id, q.content_hash, correct, at)


BASICS = bank("basics", question("q1", tags=("eval",)), question("q2", tags=("eval", "grad")))
MORE = bank("more", question("q1", prompt="Another q1", tags=("grad",)))
Q1, Q2 = BASICS.questions
M1 = MORE.questions[0]


# -- the schedule -----------------------------------------------------------------------------------


def test_a_right_answer_schedules_the_card_days_ahead(store):
    due = answer(store, BASICS, Q1, True, T0)
    assert due is not None and due - T0 >= 2 * DAY
    assert store.due_count("ada", T0 + DAY) == 0
    assert store.due_cards("ada", due) == [DueCard("basics", "q1", Q1.content_hash, due)]


def test_a_wrong_answer_comes_back_sooner_than_a_right_one_but_not_the_same_day(store):
    right = answer(store, BASICS, Q1, True, T0)
    wrong = answer(store, BASICS, Q2, False, T0)
    assert right is not None and wrong is not None
    assert wrong == T0 + DAY < right
    assert store.due_count("ada", T0 + DAY - timedelta(seconds=1)) == 0
    assert [c.question_id for c in store.due_cards("ada", T0 + DAY)] == ["q2"]


def test_answers_in_a_row_that_stay_right_push_the_card_further_each_time(store):
    at, gaps = T0, []
    for _ in range(4):
        due = answer(store, BASICS, Q1, True, at)
        assert due is not None
        gaps.append(due - at)
        at = due
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0]
    # A lapse (wrong when due) brings it back tomorrow, however long its interval was.
    assert answer(store, BASICS, Q1, False, at) == at + DAY


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.booleans(), st.integers(min_value=1, max_value=60 * 24 * 40)), min_size=1, max_size=12))
def test_no_answer_ever_brings_its_question_back_the_same_day(history):
    card = review.new_card("ab12", T0)
    at = T0
    for correct, minutes_later in history:
        at += timedelta(minutes=minutes_later)
        card = review.review(card, correct, at).card
        assert card.due - at >= DAY
        assert card.due - at <= timedelta(days=review.MAXIMUM_INTERVAL_DAYS)


def test_the_schedule_is_a_function_of_the_answers_and_their_times():
    history = [(True, T0), (False, T0 + 3 * DAY), (True, T0 + 4 * DAY), (True, T0 + 9 * DAY)]
    runs = []
    for _ in range(2):
        card = review.new_card("ab12", T0)
        for correct, at in history:
            card = review.review(card, correct, at).card
        runs.append(review.card_to_json(card))
    assert runs[0] == runs[1]  # no fuzzing, no clock


def test_the_scheduler_is_the_one_documented():
    assert review.SCHEDULER.desired_retention == 0.9
    assert review.SCHEDULER.learning_steps == (DAY,)
    assert review.SCHEDULER.relearning_steps == (DAY,)
    assert review.SCHEDULER.enable_fuzzing is False


# -- what moves a card ------------------------------------------------------------------------------


def test_ungraded_answers_do_not_touch_the_card(store, db):
    assert answer(store, BASICS, Q1, None, T0) is None
    assert raw_rows(db, "SELECT count(*) FROM review_cards") == [(0,)]
    due = answer(store, BASICS, Q1, False, T0)
    before = raw_rows(db, "SELECT * FROM review_cards")
    assert answer(store, BASICS, Q1, None, T0 + 2 * DAY) is None
    assert raw_rows(db, "SELECT * FROM review_cards") == before
    assert store.due_cards("ada", T0 + 2 * DAY)[0].due == due


def test_an_answer_no_later_than_the_last_review_is_ignored(store, db):
    answer(store, BASICS, Q1, True, T0)
    before = raw_rows(db, "SELECT * FROM review_cards")
    assert answer(store, BASICS, Q1, False, T0) is None  # the same moment: a replay
    assert answer(store, BASICS, Q1, False, T0 - DAY) is None  # older, arriving late
    assert raw_rows(db, "SELECT * FROM review_cards") == before


def test_an_edited_question_starts_a_fresh_card(store):
    answer(store, BASICS, Q1, True, T0)
    answer(store, BASICS, Q1, True, T0 + 2 * DAY)  # the old version, well known by now
    edited = question("q1", prompt="What does q1 ask, now that it was edited?")
    assert edited.content_hash != Q1.content_hash
    due = answer(store, BASICS, edited, True, T0 + 3 * DAY)
    fresh = answer(store, BASICS, question("q9"), True, T0 + 3 * DAY)
    assert due == fresh == T0 + 5 * DAY  # exactly what a never-seen question gets
    later = T0 + 60 * DAY
    cards = store.due_cards("ada", later)
    assert {c.question_hash for c in cards if c.question_id == "q1"} == {Q1.content_hash, edited.content_hash}
    # A session plays the edited question once, and reports the old card as changed.
    now_bank = bank("basics", edited, question("q9"))
    found = review.due_questions(cards, [now_bank])
    assert [i.question.content_hash for i in found.items] == [edited.content_hash, question("q9").content_hash]
    assert [(s.card.question_hash, s.reason) for s in found.skipped] == [(Q1.content_hash, "changed")]


def test_a_card_that_does_not_read_starts_afresh(store, db):
    answer(store, BASICS, Q1, True, T0)
    conn = sqlite3.connect(db)
    conn.execute('UPDATE review_cards SET card_json = \'{"not": "a card"}\'')
    conn.commit()
    conn.close()
    assert answer(store, BASICS, Q1, True, T0 + 3 * DAY) == T0 + 5 * DAY


def test_bad_arguments_are_refused(store):
    naive = datetime(2026, 11, 27, 10, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        answer(store, BASICS, Q1, True, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.due_count("ada", naive)
    with pytest.raises(ValueError, match="hex"):
        store.review_answer("ada", "basics", "q1", "not hex", True, T0)
    with pytest.raises(ValueError, match="correct"):
        store.review_answer("ada", "basics", "q1", "ab", "yes", T0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="player"):
        store.review_answer("", "basics", "q1", "ab", True, T0)
    with pytest.raises(ValueError, match="limit"):
        store.score_trend("ada", "basics", limit=0)


def test_times_in_any_zone_are_the_same_moment(store):
    paris = timezone(timedelta(hours=1))
    due = answer(store, BASICS, Q1, False, T0.astimezone(paris))
    assert due == T0 + DAY and due.tzinfo == timezone.utc
    assert store.due_count("ada", (T0 + DAY).astimezone(paris)) == 1


# -- what is due ------------------------------------------------------------------------------------


def test_due_cards_and_due_count_span_every_bank_and_one_player(store):
    answer(store, BASICS, Q1, False, T0 + timedelta(hours=2))
    answer(store, MORE, M1, False, T0)  # the same question id in another bank: its own card
    answer(store, BASICS, Q2, True, T0)  # due two days later
    answer(store, BASICS, Q1, False, T0, player="bob")
    assert store.due_count("ada", T0) == 0
    assert store.due_count("ada", T0 + DAY) == 1
    assert store.due_count("ada", T0 + 3 * DAY) == 3
    assert [(c.bank_id, c.question_id) for c in store.due_cards("ada", T0 + 3 * DAY)] == [
        ("more", "q1"),
        ("basics", "q1"),
        ("basics", "q2"),
    ]  # the most overdue first
    assert store.due_count("bob", T0 + 3 * DAY) == 1
    assert store.due_count("carol", T0 + 3 * DAY) == 0


def test_due_questions_match_bank_question_and_hash_and_report_the_rest():
    cards = [
        DueCard("basics", "q1", Q1.content_hash, T0),
        DueCard("gone", "q1", "ab", T0),
        DueCard("basics", "q7", "cd", T0),
        DueCard("basics", "q2", "ef", T0),  # q2 was edited since
        DueCard("more", "q1", M1.content_hash, T0 + DAY),
    ]
    found = review.due_questions(cards, [BASICS, MORE])
    assert [(i.bank.id, i.question.id, i.due) for i in found.items] == [("basics", "q1", T0), ("more", "q1", T0 + DAY)]
    assert [(s.card.bank_id, s.card.question_id, s.reason) for s in found.skipped] == [
        ("gone", "q1", "missing"),
        ("basics", "q7", "missing"),
        ("basics", "q2", "changed"),
    ]
    assert [i.question.id for i in review.due_questions(cards, [BASICS, MORE], limit=1).items] == ["q1"]


# -- a review session -------------------------------------------------------------------------------


def test_a_review_session_is_one_bank_that_quiz_run_plays_and_each_question_keeps_its_home():
    basics = bank("basics", *BASICS.questions, setup="import torch", misconceptions={"m-a": "A is B"})
    more = bank("more", M1, setup="x = 1", misconceptions={"m-a": "another text", "m-b": "B is C"})
    cards = [
        DueCard("basics", "q1", Q1.content_hash, T0),
        DueCard("more", "q1", M1.content_hash, T0),
        DueCard("basics", "q2", Q2.content_hash, T0 + DAY),
    ]
    session = review.review_session(review.due_questions(cards, [basics, more]).items)
    assert session is not None
    assert session.bank.id == review.REVIEW_BANK_ID and session.bank.title == "Review"
    ids = [q.id for q in session.bank.questions]
    assert ids == ["basics/q1", "more/q1", "basics/q2"]  # unique across banks
    assert [q.content_hash for q in session.bank.questions] == [Q1.content_hash, M1.content_hash, Q2.content_hash]
    homes = [session.home(q) for q in session.bank.questions]
    assert [(b.id, q.id, b.setup) for b, q in homes] == [
        ("basics", "q1", "import torch"),
        ("more", "q1", "x = 1"),
        ("basics", "q2", "import torch"),
    ]
    assert [b.id for b in session.banks] == ["basics", "more"]
    assert session.bank.misconceptions == {"m-a": "A is B", "m-b": "B is C"}
    run = QuizRun(session.bank)  # plays as any bank does
    assert run.total == 3 and run.current.id == "basics/q1"
    # Outside a session, a question is its own home.
    assert session.home(Q1) == (session.bank, Q1)


def test_nothing_due_is_no_session():
    assert review.review_session([]) is None


# -- stats ------------------------------------------------------------------------------------------


def test_retention_per_tag_counts_only_reviews_of_due_cards(store):
    tags = review.tags_by_hash([BASICS, MORE])
    assert tags[Q2.content_hash] == ("eval", "grad")
    answer(store, BASICS, Q1, True, T0)  # first sight: not a review
    answer(store, BASICS, Q1, False, T0 + DAY)  # early (due at T0 + 2 days): not counted
    answer(store, BASICS, Q1, True, T0 + 2 * DAY)  # due since T0 + 2 days: a review, right
    answer(store, BASICS, Q2, False, T0)
    answer(store, BASICS, Q2, False, T0 + DAY)  # due: a review, wrong
    answer(store, MORE, M1, False, T0)
    answer(store, MORE, M1, True, T0 + 5 * DAY)  # overdue: a review, right
    assert store.retention_by_tag("ada", tags) == [
        TagRetention("eval", reviews=2, recalled=1),
        TagRetention("grad", reviews=2, recalled=1),
    ]
    assert store.retention_by_tag("ada", tags)[0].rate == 0.5
    # Hashes the banks no longer hold count nowhere; nor does another player's review.
    assert store.retention_by_tag("ada", {M1.content_hash: ["grad"]}) == [TagRetention("grad", 1, 1)]
    assert store.retention_by_tag("bob", tags) == []


def test_score_trend_is_each_finished_attempt_oldest_first(store):
    def play(results: list[bool], retry: bool = False, finish: bool = True, bank_id: str = "basics") -> None:
        attempt = store.start_attempt("ada", bank_id, 4, retry=retry)
        for n, correct in enumerate(results):
            store.record_answer(
                AnswerRecord("ada", bank_id, f"q{n}", "ab", "A", correct, 1.0, None, attempt_id=attempt)
            )
        if finish:
            store.finish_attempt(attempt)

    assert store.score_trend("ada", "basics") == []
    play([True, False, False, False])
    play([True, True], finish=False)  # not finished: left out
    play([True, True, True, False])
    play([True], retry=True)  # a retry of missed questions: left out
    play([True, True, True, True], bank_id="more")
    play([True, True, True, True])
    assert store.score_trend("ada", "basics") == [0.25, 0.75, 1.0]
    assert store.score_trend("ada", "basics", limit=2) == [0.75, 1.0]
    assert store.score_trend("ada", "more") == [1.0]


# -- the schema -------------------------------------------------------------------------------------


REVIEW_MIGRATION = next(n for n, steps in enumerate(schema.MIGRATIONS) if any("review_cards" in s for s in steps))


def previous_version_database(db: Path) -> None:
    """A database as the version before review cards left it, with a finished attempt and its two answers."""
    conn = sqlite3.connect(db, isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:REVIEW_MIGRATION])
    conn.execute(
        "INSERT INTO attempts (id, player, bank_id, total_questions, retry, started_at, finished_at)"
        " VALUES (7, 'ada', 'basics', 2, 0, '2026-01-02T03:04:05.000000+00:00', '2026-01-02T03:06:00.000000+00:00')"
    )
    conn.execute(
        "INSERT INTO answers (uid, attempt_id, player, bank_id, question_id, question_hash, answer,"
        " correct, seconds, device, answered_at) VALUES ('u1', 7, 'ada', 'basics', 'q1', 'ff', 'A',"
        " 1, 3.0, 'cpu', '2026-01-02T03:05:00.000000+00:00')"
    )
    conn.execute(  # both questions answered: a finished run, whatever the version
        "INSERT INTO answers (uid, attempt_id, player, bank_id, question_id, question_hash, answer,"
        " correct, seconds, device, answered_at) VALUES ('u2', 7, 'ada', 'basics', 'q2', 'ee', 'B',"
        " 0, 2.0, 'cpu', '2026-01-02T03:05:30.000000+00:00')"
    )
    conn.close()


def test_the_migration_keeps_the_rows_of_the_previous_version(db):
    previous_version_database(db)
    before = raw_rows(db, "SELECT * FROM answers") + raw_rows(db, "SELECT * FROM attempts")
    with ProgressStore.open(db) as upgraded:
        assert upgraded.due_count("ada", T0) == 0  # cards fill as questions are answered
        assert upgraded.score_trend("ada", "basics") == [0.5]
        assert upgraded.review_answer("ada", "basics", "q1", "ff", True, T0) == T0 + 2 * DAY
    assert raw_rows(db, "PRAGMA user_version") == [(schema.LATEST_VERSION,)]
    assert raw_rows(db, "SELECT * FROM answers") + raw_rows(db, "SELECT * FROM attempts") == before
    indexes = {r[0] for r in raw_rows(db, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "review_cards_by_due" in indexes
    assert raw_rows(db, "SELECT player, question_hash, bank_id, question_id FROM review_cards") == [
        ("ada", "ff", "basics", "q1")
    ]


def test_a_read_only_store_of_the_previous_version_reads_no_cards(db):
    previous_version_database(db)
    with ProgressStore.open(db, readonly=True) as reader:
        assert reader.due_count("ada", T0) == 0
        assert reader.due_cards("ada", T0) == []
        assert reader.retention_by_tag("ada", {"ff": ["eval"]}) == []
        assert reader.score_trend("ada", "basics") == [0.5]
    assert raw_rows(db, "PRAGMA user_version") == [(REVIEW_MIGRATION,)]


def test_the_due_query_reads_the_index_only(store, db):
    answer(store, BASICS, Q1, False, T0)
    plan = raw_rows(
        db,
        "EXPLAIN QUERY PLAN SELECT bank_id, question_id, question_hash, due FROM review_cards"
        " WHERE player = 'ada' AND due <= 'z' ORDER BY due, bank_id, question_id",
    )
    details = " ".join(str(row[-1]) for row in plan)
    assert "COVERING INDEX review_cards_by_due" in details and "TEMP B-TREE" not in details


def test_the_card_is_stored_as_py_fsrs_json(store, db):
    due = answer(store, BASICS, Q1, True, T0)
    (text,) = raw_rows(db, "SELECT card_json FROM review_cards")[0]
    card = json.loads(text)
    assert card["due"] == due.isoformat() and card["last_review"] == T0.isoformat()


def test_review_imports_nothing_from_textual_or_torch() -> None:
    code = (
        "import sys, quiz_app.play.review, quiz_app.progress.cards\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'torch', 'rich'))\n"
        "print(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
