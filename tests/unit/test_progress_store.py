"""The progress store: what it keeps, what it answers, and that it keeps it through trouble."""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from helpers.progress import T0, WRITER, raw_rows, rec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz_app.progress import (
    AnswerJournaled,
    BankHistory,
    BankTotals,
    ProgressStore,
    QuestionRate,
    StoreError,
    schema,
)
from quiz_app.progress import store as store_module


def play(
    store: ProgressStore,
    results: list[bool | None],
    *,
    retry: bool = False,
    total: int | None = None,
    at: datetime = T0,
    player: str = "ada",
    bank: str = "basics",
    finish: bool | None = None,
) -> int:
    """One attempt answering q0, q1, ... with the given verdicts, a minute apart. It is finished,
    as the app finishes one, when every question is answered (``finish`` says otherwise)."""
    attempt = store.start_attempt(player, bank, total or len(results), retry=retry)
    for i, correct in enumerate(results):
        store.record_answer(
            rec(
                player=player,
                bank_id=bank,
                question_id=f"q{i}",
                correct=correct,
                attempt_id=attempt,
                answered_at=at + timedelta(minutes=i),
            )
        )
    if finish or (finish is None and len(results) >= (total or len(results))):
        store.finish_attempt(attempt)
    return attempt


# -- opening, reopening, where ---------------------------------------------------------------------


def test_open_uses_quiz_app_home_and_creates_missing_folders(tmp_path, monkeypatch):
    home = tmp_path / "class" / "shared"
    monkeypatch.setenv("QUIZ_APP_HOME", str(home))
    with ProgressStore.open() as opened:
        assert opened.path == home / "progress.sqlite3"
        assert opened.notices == []
    assert (home / "progress.sqlite3").is_file()


def test_reopening_keeps_everything_and_sets_the_schema_version(db):
    with ProgressStore.open(db) as first:
        attempt = first.start_attempt("ada", "basics", 3)
        first.record_answer(rec(attempt_id=attempt, answered_at=T0))
        first.record_answer(
            rec(
                question_id="q2",
                correct=None,
                device=None,
                attempt_id=attempt,
                answered_at=T0 + timedelta(seconds=30),
            )
        )
        first.finish_attempt(attempt)
    with ProgressStore.open(db) as again:
        assert again.notices == []
        assert again.players() == ["ada"]
        assert again.bank_totals("ada") == [
            BankTotals("basics", answered=2, correct=1, last_played=T0 + timedelta(seconds=30))
        ]
        assert again.bank_history("ada", "basics") == BankHistory(
            attempts=1,
            last_correct=1,
            last_total=3,
            last_played=T0 + timedelta(seconds=30),
            best_correct=1,
            best_total=3,
        )
    assert raw_rows(db, "PRAGMA user_version") == [(schema.LATEST_VERSION,)]
    assert raw_rows(db, "PRAGMA journal_mode") == [("wal",)]
    assert raw_rows(db, "SELECT count(*) FROM attempts WHERE finished_at IS NOT NULL") == [(1,)]


def test_every_field_of_an_answer_is_stored(store, db):
    attempt = store.start_attempt("ada", "basics", 5)
    paris = timezone(timedelta(hours=1))
    store.record_answer(
        rec(
            answer="tensor([1., 2.])",
            correct=None,
            seconds=12.25,
            device=None,
            attempt_id=attempt,
            answered_at=datetime(2026, 11, 27, 11, 15, tzinfo=paris),
        )
    )
    assert raw_rows(
        db,
        "SELECT attempt_id, player, bank_id, question_id, question_hash, answer, correct,"
        " seconds, device, answered_at FROM answers",
    ) == [
        (
            attempt,
            "ada",
            "basics",
            "q1",
            "0a1b2c3d",
            "tensor([1., 2.])",
            None,
            12.25,
            None,
            "2026-11-27T10:15:00.000000+00:00",
        )
    ]


def test_answered_at_defaults_to_now_in_utc(store, db):
    before = datetime.now(timezone.utc)
    store.record_answer(rec())
    after = datetime.now(timezone.utc)
    (stamp,) = raw_rows(db, "SELECT answered_at FROM answers")[0]
    moment = datetime.fromisoformat(stamp)
    assert moment.utcoffset() == timedelta(0)
    assert before <= moment <= after


def test_an_answer_is_committed_before_record_answer_returns(store, db):
    store.record_answer(rec(answer="seen by others"))
    # Another connection sees it at once: no transaction is left open in the store.
    assert raw_rows(db, "SELECT answer FROM answers") == [("seen by others",)]


def test_the_store_can_be_used_from_another_thread(store):
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            store.record_answer(rec(question_id="from-thread"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert errors == []
    assert [r.question_id for r in store.question_rates("ada")] == ["from-thread"]


def test_a_closed_store_refuses_work(db):
    with ProgressStore.open(db) as opened:
        pass
    with pytest.raises(ValueError, match="closed"):
        opened.record_answer(rec())
    opened.close()  # closing twice is harmless


# -- what a write accepts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        {"answered_at": datetime(2026, 11, 27, 10, 0)},  # naive: which zone?
        {"question_hash": "not hex!"},
        {"question_hash": ""},
        {"seconds": -1.0},
        {"seconds": float("nan")},
        {"player": ""},
        {"attempt_id": 999},
    ],
)
def test_a_bad_record_is_refused_and_nothing_is_written(store, db, bad):
    with pytest.raises(ValueError):
        store.record_answer(rec(**bad))
    assert raw_rows(db, "SELECT count(*) FROM answers") == [(0,)]


def test_an_answer_must_belong_to_its_attempts_player_and_bank(store, db):
    attempt = store.start_attempt("ada", "basics", 2)
    with pytest.raises(ValueError, match="attempt"):
        store.record_answer(rec(player="bob", attempt_id=attempt))
    with pytest.raises(ValueError, match="attempt"):
        store.record_answer(rec(bank_id="advanced", attempt_id=attempt))
    assert raw_rows(db, "SELECT count(*) FROM answers") == [(0,)]


def test_start_attempt_needs_at_least_one_question(store):
    with pytest.raises(ValueError):
        store.start_attempt("ada", "basics", 0)


def test_finish_attempt_keeps_the_first_time_and_rejects_unknown_ids(store, db):
    attempt = store.start_attempt("ada", "basics", 1)
    store.finish_attempt(attempt)
    (first,) = raw_rows(db, "SELECT finished_at FROM attempts")[0]
    store.finish_attempt(attempt)
    assert raw_rows(db, "SELECT finished_at FROM attempts") == [(first,)]
    assert first is not None
    with pytest.raises(ValueError):
        store.finish_attempt(attempt + 1)


# -- what it answers -------------------------------------------------------------------------------


def test_bank_history_is_none_without_a_full_attempt_with_answers(store):
    assert store.bank_history("ada", "basics") is None
    store.start_attempt("ada", "basics", 4)  # started, nothing answered
    store.record_answer(rec())  # an answer outside any attempt
    play(store, [True, True], retry=True)
    assert store.bank_history("ada", "basics") is None


def test_bank_history_last_and_best_attempts(store):
    play(store, [True, False, False, True], at=T0)  # 2/4
    play(store, [True, True, True, None], at=T0 + timedelta(days=1))  # 3/4, one not graded
    unfinished = play(store, [False], total=4, at=T0 + timedelta(days=2))  # 0/4, left after one question
    play(store, [True, True, True, True], retry=True, at=T0 + timedelta(days=3))  # not counted
    play(store, [True] * 4, at=T0, bank="other")  # another bank
    play(store, [True] * 4, at=T0, player="bob")  # another player
    # The run left unfinished is neither Last nor Best.
    assert store.bank_history("ada", "basics") == BankHistory(
        attempts=2,
        last_correct=3,
        last_total=4,
        last_played=T0 + timedelta(days=1, minutes=3),
        best_correct=3,
        best_total=4,
    )
    left = store.unfinished_attempt("ada", "basics")
    assert left is not None and (left.attempt_id, left.answered, left.total) == (unfinished, 1, 4)
    assert [(a.question_id, a.correct) for a in left.answers] == [("q0", False)]
    # Once finished (every question answered, or an exam's time up), it is scored.
    store.finish_attempt(unfinished)
    history = store.bank_history("ada", "basics")
    assert history is not None and (history.attempts, history.last_correct, history.best_correct) == (3, 0, 3)
    assert store.unfinished_attempt("ada", "basics") is None


def test_best_attempt_compares_ratios_not_counts(store):
    play(store, [True, True, True, False, False, False], at=T0)  # 3/6 = 50 %
    play(store, [True, True], total=3, at=T0 + timedelta(hours=1), finish=True)  # 2/3 = 67 % (time was up)
    play(store, [False], at=T0 + timedelta(hours=2))  # 0/1
    history = store.bank_history("ada", "basics")
    assert history is not None
    assert (history.best_correct, history.best_total) == (2, 3)
    assert (history.last_correct, history.last_total) == (0, 1)


def test_bank_totals_count_every_answer_per_bank(store):
    play(store, [True, False, None], at=T0, bank="zeta")
    play(store, [True], retry=True, at=T0 + timedelta(hours=5), bank="zeta")
    store.record_answer(rec(bank_id="alpha", correct=False, answered_at=T0))
    play(store, [True], player="bob")
    assert store.bank_totals("ada") == [
        BankTotals("alpha", answered=1, correct=0, last_played=T0),
        BankTotals("zeta", answered=4, correct=2, last_played=T0 + timedelta(hours=5)),
    ]
    assert store.bank_totals("nobody") == []


def test_question_rates_count_graded_answers_only(store):
    play(store, [True, False, None], at=T0)
    play(store, [False, False, None], at=T0 + timedelta(days=1))
    play(store, [True], bank="other")
    play(store, [False], player="bob")
    assert store.question_rates("ada") == [
        QuestionRate("basics", "q0", answered=2, correct=1),
        QuestionRate("basics", "q1", answered=2, correct=0),
        # q2 was never graded: it has no rate.
        QuestionRate("other", "q0", answered=1, correct=1),
    ]
    assert store.question_rates("ada", "other") == [QuestionRate("other", "q0", 1, 1)]
    assert store.question_rates("ada")[0].rate == 0.5
    assert QuestionRate("b", "q", answered=0, correct=0).rate == 0.0


def test_players_lists_everyone_once(store):
    store.record_answer(rec(player="zoe"))
    store.record_answer(rec(player="ada"))
    store.record_answer(rec(player="ada"))
    store.start_attempt("max", "basics", 3)  # started, never answered
    assert store.players() == ["ada", "max", "zoe"]


verdicts = st.lists(st.sampled_from([True, False, None]), min_size=1, max_size=5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attempts=st.lists(st.tuples(verdicts, st.booleans()), min_size=1, max_size=4))
def test_answers_agree_with_a_plain_count(tmp_path_factory, attempts):
    """Whatever is played, the store's figures match counting the answers by hand."""
    path = tmp_path_factory.mktemp("prop") / "progress.sqlite3"
    with ProgressStore.open(path) as prop:
        for n, (results, retry) in enumerate(attempts):
            play(prop, results, retry=retry, at=T0 + timedelta(hours=n))
        graded: dict[str, list[bool]] = {}
        for results, _ in attempts:
            for i, correct in enumerate(results):
                if correct is not None:
                    graded.setdefault(f"q{i}", []).append(correct)
        assert prop.question_rates("ada") == [
            QuestionRate("basics", q, len(v), sum(v)) for q, v in sorted(graded.items())
        ]
        everything = [c for results, _ in attempts for c in results]
        (totals,) = prop.bank_totals("ada")
        assert (totals.answered, totals.correct) == (len(everything), everything.count(True))
        full = [(results.count(True), len(results)) for results, retry in attempts if not retry]
        history = prop.bank_history("ada", "basics")
        if not full:
            assert history is None
        else:
            assert history is not None
            assert history.attempts == len(full)
            assert (history.last_correct, history.last_total) == full[-1]
            best = max(c / t for c, t in full)
            assert history.best_correct / history.best_total == best


# -- the schema and its migrations -----------------------------------------------------------------


def test_an_older_database_is_upgraded_and_keeps_its_rows(db):
    conn = sqlite3.connect(db, isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:1])
    conn.execute(
        "INSERT INTO attempts (id, player, bank_id, total_questions, retry, started_at)"
        " VALUES (7, 'ada', 'basics', 2, 0, '2026-01-02T03:04:05.000000+00:00')"
    )
    conn.execute(
        "INSERT INTO answers (attempt_id, player, bank_id, question_id, question_hash, answer,"
        " correct, seconds, device, answered_at) VALUES (7, 'ada', 'basics', 'q1', 'ff', 'A',"
        " 1, 3.0, 'cpu', '2026-01-02T03:05:00.000000+00:00')"
    )
    conn.close()
    assert raw_rows(db, "PRAGMA user_version") == [(1,)]

    with ProgressStore.open(db) as upgraded:
        # One of its two questions answered: an unfinished run (version 7), kept and resumable.
        assert upgraded.bank_history("ada", "basics") is None
        left = upgraded.unfinished_attempt("ada", "basics")
        assert left is not None and (left.attempt_id, left.answered, left.total) == (7, 1, 2)
        upgraded.record_answer(rec(attempt_id=7, question_id="q2", answered_at=T0))
        upgraded.finish_attempt(7)
        assert upgraded.bank_history("ada", "basics") == BankHistory(
            attempts=1,
            last_correct=2,
            last_total=2,
            last_played=T0,
            best_correct=2,
            best_total=2,
        )
    assert raw_rows(db, "PRAGMA user_version") == [(schema.LATEST_VERSION,)]
    indexes = {r[0] for r in raw_rows(db, "SELECT name FROM sqlite_master WHERE type='index'")}
    assert "answers_by_player_bank" in indexes
    assert raw_rows(db, "SELECT count(*) FROM answers") == [(2,)]


def test_migrations_run_in_order_and_only_once(db):
    extra = (*schema.MIGRATIONS, ("ALTER TABLE answers ADD COLUMN note TEXT",))
    conn = sqlite3.connect(db, isolation_level=None)
    assert schema.migrate(conn) == 0
    assert schema.migrate(conn, extra) == schema.LATEST_VERSION
    assert schema.migrate(conn, extra) == len(extra)  # nothing left to do, no error
    conn.close()
    assert raw_rows(db, "PRAGMA user_version") == [(len(extra),)]


def test_a_failing_migration_leaves_the_database_as_it_was(db):
    broken = (*schema.MIGRATIONS, ("CREATE TABLE fine (x)", "THIS IS NOT SQL"))
    conn = sqlite3.connect(db, isolation_level=None)
    schema.migrate(conn)
    with pytest.raises(sqlite3.Error):
        schema.migrate(conn, broken)
    conn.close()
    assert raw_rows(db, "PRAGMA user_version") == [(schema.LATEST_VERSION,)]
    assert raw_rows(db, "SELECT count(*) FROM sqlite_master WHERE name = 'fine'") == [(0,)]


def test_a_database_from_a_newer_quiz_app_is_left_alone(db):
    ProgressStore.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION + 5}")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(StoreError, match="newer quiz_app"):
        ProgressStore.open(db)
    assert db.read_bytes() == before
    assert sorted(p.name for p in db.parent.iterdir() if ".corrupt" in p.name) == []


# -- damaged files ---------------------------------------------------------------------------------


def healthy_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "healthy.sqlite3"
    with ProgressStore.open(path) as healthy:
        for i in range(300):  # several pages, so that damage can land inside the file
            healthy.record_answer(rec(question_id=f"q{i}", answer="x" * 200))
    return path.read_bytes()


def damage_random(tmp_path: Path) -> bytes:
    return os.urandom(20_000)


def damage_truncated(tmp_path: Path) -> bytes:
    data = healthy_bytes(tmp_path)
    return data[: len(data) // 3]


def damage_header(tmp_path: Path) -> bytes:
    data = healthy_bytes(tmp_path)
    return b"\x00" * 100 + data[100:]


def damage_pages(tmp_path: Path) -> bytes:
    data = bytearray(healthy_bytes(tmp_path))
    page = int.from_bytes(data[16:18], "big")
    for n in range(1, len(data) // page):  # keep page 1 (header and schema), ruin the rest
        data[n * page : n * page + 64] = b"\xa5" * 64
    return bytes(data)


@pytest.mark.parametrize(
    "damage",
    [damage_random, damage_truncated, damage_header, damage_pages],
    ids=["random-bytes", "truncated", "overwritten-header", "damaged-pages"],
)
def test_a_damaged_file_is_moved_aside_and_a_fresh_one_started(tmp_path, db, damage):
    bad = damage(tmp_path)
    db.write_bytes(bad)
    with ProgressStore.open(db) as fresh:
        (aside,) = [p for p in tmp_path.iterdir() if p.name.startswith(db.name + ".corrupt-")]
        assert aside.read_bytes() == bad  # kept as it was, not deleted
        assert len(fresh.notices) == 1
        assert str(db) in fresh.notices[0] and str(aside) in fresh.notices[0]
        assert fresh.bank_totals("ada") == []
        fresh.record_answer(rec())
        assert [t.answered for t in fresh.bank_totals("ada")] == [1]
    assert raw_rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert raw_rows(db, "PRAGMA user_version") == [(schema.LATEST_VERSION,)]


def test_damage_deep_inside_is_found_by_the_query_that_meets_it_and_moved_aside(tmp_path, db):
    """Opening reads only the header, the schema and the ends of each b-tree (a full check
    costs 380 ms at 1M answers); damage in the middle is met by a query, which then moves
    the file aside just as opening would, and carries on with a fresh one."""
    ProgressStore.open(db).close()
    conn = sqlite3.connect(db)
    with conn:  # many answers at once (the store commits, and syncs, one at a time)
        conn.executemany(
            "INSERT INTO answers (uid, player, bank_id, question_id, question_hash, answer, correct, seconds,"
            " answered_at) VALUES (lower(hex(randomblob(16))), ?, 'basics', ?, 'ff', 'B', 1, 1.0, ?)",
            [(f"p{n:02}", f"q{i}", T0.isoformat()) for n in range(40) for i in range(60)],
        )
    try:
        leaves = [
            row[0]
            for row in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'answers_by_player_bank' AND pagetype = 'leaf' ORDER BY path"
            )
        ]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find an index page by")
    finally:
        conn.close()
    assert len(leaves) > 10
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    middle = leaves[len(leaves) // 2]
    data[(middle - 1) * page_size : (middle - 1) * page_size + 64] = b"\xa5" * 64
    db.write_bytes(bytes(data))

    with ProgressStore.open(db) as opened:
        assert opened.notices == []  # the cheap check at open does not read that page
        answered = [[t.answered for t in opened.bank_totals(f"p{n:02}")] for n in range(40)]
        (aside,) = [p for p in tmp_path.iterdir() if p.name.startswith(db.name + ".corrupt-")]
        assert aside.read_bytes() == bytes(data)  # kept as it was
        assert len(opened.notices) == 1 and str(aside) in opened.notices[0]
        assert answered[0] == [60]  # read before the damage was met
        assert answered[-1] == []  # read from the fresh file
        opened.record_answer(rec())
        assert [t.answered for t in opened.bank_totals("ada")] == [1]
    assert raw_rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_damaged_files_moved_aside_twice_keep_both(tmp_path, db):
    for _ in range(2):
        db.write_bytes(os.urandom(5000))
        ProgressStore.open(db).close()
    kept = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    assert len(kept) == 2


def test_a_damaged_file_takes_its_journals_with_it(tmp_path, db):
    wal, shm = os.urandom(9000), os.urandom(32768)
    db.write_bytes(os.urandom(8192))
    Path(f"{db}-wal").write_bytes(wal)
    Path(f"{db}-shm").write_bytes(shm)
    with ProgressStore.open(db) as fresh:
        assert fresh.bank_totals("ada") == []
    (aside,) = [
        p
        for p in tmp_path.iterdir()
        if p.name.startswith(db.name + ".corrupt-") and not p.name.endswith(("-wal", "-shm"))
    ]
    assert Path(f"{aside}-wal").read_bytes() == wal
    assert Path(f"{aside}-shm").read_bytes() == shm
    assert raw_rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_damaged_journal_beside_a_good_file_is_copied_before_sqlite_drops_it(tmp_path, db):
    with ProgressStore.open(db) as first:
        first.record_answer(rec())
    garbage = os.urandom(9000)
    Path(f"{db}-wal").write_bytes(garbage)
    Path(f"{db}-shm").write_bytes(os.urandom(32768))
    with ProgressStore.open(db) as again:
        assert [t.answered for t in again.bank_totals("ada")] == [1]
        (copy,) = [p for p in tmp_path.iterdir() if ".damaged-wal-" in p.name]
        assert copy.read_bytes() == garbage
        assert len(again.notices) == 1 and str(copy) in again.notices[0]
    assert raw_rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_journal_without_its_database_is_kept(tmp_path, db):
    orphan = os.urandom(9000)
    Path(f"{db}-wal").write_bytes(orphan)
    with ProgressStore.open(db) as fresh:
        assert len(fresh.notices) == 1
        (kept,) = [p for p in tmp_path.iterdir() if ".orphaned-" in p.name]
        assert kept.name.endswith("-wal") and kept.read_bytes() == orphan
        assert str(kept) in fresh.notices[0]


def test_a_healthy_database_with_its_journal_opens_without_notices(db):
    first = ProgressStore.open(db)
    first.record_answer(rec())
    assert Path(f"{db}-wal").stat().st_size > 0  # a live journal, still open
    with ProgressStore.open(db) as second:
        assert second.notices == []
        assert [t.answered for t in second.bank_totals("ada")] == [1]
    first.close()


def test_another_programs_database_is_moved_aside_not_merged(tmp_path, db):
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE answers (something_else TEXT)")
    conn.execute("INSERT INTO answers VALUES ('theirs')")
    conn.commit()
    conn.close()
    with ProgressStore.open(db) as fresh:
        (aside,) = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
        assert "not one quiz_app made" in fresh.notices[0]
    assert raw_rows(aside, "SELECT * FROM answers") == [("theirs",)]


# -- errors the user must fix ----------------------------------------------------------------------


def deny_like_the_os(monkeypatch: pytest.MonkeyPatch, what: Path) -> None:
    """Root ignores permission bits: make the calls the store uses to write ``what`` fail as
    the OS fails them for anyone else (EACCES), so that the store's handling still runs."""
    real_temporary_file, real_access = tempfile.TemporaryFile, os.access

    def temporary_file(*args, **kwargs):
        if kwargs.get("dir") is not None and Path(kwargs["dir"]) == what:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(what / "tmp-probe"))
        return real_temporary_file(*args, **kwargs)

    def access(path, mode, *args, **kwargs):
        if Path(path) == what and mode & os.W_OK:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)
    monkeypatch.setattr(os, "access", access)


def test_an_unwritable_data_folder_is_a_store_error(tmp_path, monkeypatch):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        try:
            (folder / "probe").write_text("x")
        except PermissionError:
            pass
        else:  # running as root (or similar): chmod 0o500 does not block writes
            (folder / "probe").unlink()
            deny_like_the_os(monkeypatch, folder)
        with pytest.raises(StoreError, match="cannot write to the data folder") as info:
            ProgressStore.open(folder / "progress.sqlite3")
        assert str(folder) in str(info.value)
        assert "Permission denied" in str(info.value)
        assert list(folder.iterdir()) == []  # nothing was created there
    finally:
        folder.chmod(0o700)


def test_a_read_only_progress_file_is_a_store_error(db, monkeypatch):
    ProgressStore.open(db).close()
    db.chmod(0o400)
    try:
        if os.access(db, os.W_OK):  # running as root (or similar): a 0o400 file is still writable
            deny_like_the_os(monkeypatch, db)
        with pytest.raises(StoreError, match="read-only") as info:
            ProgressStore.open(db)
        assert str(db) in str(info.value)
    finally:
        db.chmod(0o600)


def test_a_file_in_the_way_of_the_data_folder_is_a_store_error(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("hello")
    monkeypatch.setenv("QUIZ_APP_HOME", str(blocker / "data"))
    with pytest.raises(StoreError, match="cannot create the data folder") as info:
        ProgressStore.open()
    assert str(blocker / "data") in str(info.value)
    assert blocker.read_text() == "hello"


def test_a_folder_at_the_database_path_is_a_store_error(db):
    db.mkdir()
    with pytest.raises(StoreError, match="is a folder"):
        ProgressStore.open(db)


def test_a_database_locked_too_long_is_a_store_error_not_an_sqlite_error(db, monkeypatch):
    # An older database: opening it must upgrade it, which needs the write lock.
    conn = sqlite3.connect(db, isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[: schema.LATEST_VERSION - 1])
    conn.close()
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.05)
    monkeypatch.setattr(store_module, "LOCK_PATIENCE_S", 0.3)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked"):
            ProgressStore.open(db)
    finally:
        holder.execute("ROLLBACK")
    with ProgressStore.open(db) as opened:
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreError, match="cannot save an answer") as info:
                opened.record_answer(rec(answer="waited too long"))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        # Not dropped: kept in the journal, and the error says where.
        assert isinstance(info.value, AnswerJournaled)
        assert str(opened.journal) in str(info.value) and "locked" in str(info.value)
        opened.record_answer(rec())  # and it works again once the lock is gone
        assert [t.answered for t in opened.bank_totals("ada")] == [1]
    with ProgressStore.open(db) as reopened:
        assert [t.answered for t in reopened.bank_totals("ada")] == [2]
    assert ("waited too long",) in raw_rows(db, "SELECT answer FROM answers")


def test_an_up_to_date_database_opens_while_another_connection_writes(db, monkeypatch):
    ProgressStore.open(db).close()
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.05)
    monkeypatch.setattr(store_module, "LOCK_PATIENCE_S", 0.3)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO attempts (player, bank_id, total_questions, started_at) VALUES ('x', 'b', 1, 'now')")
    try:
        with ProgressStore.open(db) as opened:  # nothing to migrate: opening takes no write lock
            assert opened.notices == []
            assert opened.players() == []  # the uncommitted attempt is not seen
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# -- several processes, and a kill -----------------------------------------------------------------


def start_writer(db: Path, player: str, count: int, *, wait: bool) -> subprocess.Popen[str]:
    args = [sys.executable, str(WRITER), str(db), player, str(count)]
    writer = subprocess.Popen(
        [*args, "--wait"] if wait else args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline() == "ready\n"
    return writer


def release(writers: Iterable[subprocess.Popen[str]]) -> None:
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()


def test_two_processes_writing_at_once_keep_every_answer(db):
    # Both open a database that does not exist yet and write at the same time.
    writers = {name: start_writer(db, name, 200, wait=True) for name in ("ada", "bob")}
    release(writers.values())  # both open the new database at once...
    for writer in writers.values():
        assert writer.stdout is not None
        assert writer.stdout.readline() == "open\n", writer.communicate()[1]
    release(writers.values())  # ...then both write at once
    for writer in writers.values():
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out.split() == [str(i) for i in range(200)]
    with ProgressStore.open(db) as store:
        for name in writers:
            (totals,) = store.bank_totals(name)
            assert (totals.answered, totals.correct) == (200, 100)
            history = store.bank_history(name, "bank")
            assert history is not None and history.attempts == 1
    answers = {r[0] for r in raw_rows(db, "SELECT answer FROM answers")}
    assert answers == {f"{name}-{i}" for name in writers for i in range(200)}
    assert raw_rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_writer_killed_mid_write_loses_nothing_it_reported_saved(db):
    reported: set[str] = set()
    for round_ in range(3):
        player = f"p{round_}"
        writer = start_writer(db, player, 1_000_000, wait=False)
        assert writer.stdout is not None
        for _ in range(25 + 10 * round_):
            line = writer.stdout.readline()
            assert line.endswith("\n"), writer.stderr.read() if writer.stderr else ""
            reported.add(f"{player}-{line.strip()}")
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate(timeout=60)
        assert writer.returncode == -signal.SIGKILL
        # Lines written before the kill are still in the pipe; a cut-off last one is not a claim.
        complete = [line for line in out.splitlines(keepends=True) if line.endswith("\n")]
        reported.update(f"{player}-{line.strip()}" for line in complete)

        with ProgressStore.open(db) as reopened:
            assert reopened.notices == []
        assert raw_rows(db, "PRAGMA integrity_check") == [("ok",)]
        saved = {r[0] for r in raw_rows(db, "SELECT answer FROM answers")}
        assert reported <= saved


def test_version_7_unfinishes_runs_left_early_and_finishes_runs_fully_answered(db):
    """Before version 7, leaving a bank stamped its attempt finished: those runs become
    unfinished (not scored, resumable); a run answered in full but never stamped is finished."""
    conn = sqlite3.connect(db, isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:6])
    stamp = "2026-01-02T03:04:05.000000+00:00"
    for attempt, finished in ((1, stamp), (2, None), (3, stamp)):
        conn.execute(
            "INSERT INTO attempts (id, player, bank_id, total_questions, retry, started_at, finished_at)"
            " VALUES (?, 'ada', 'basics', 2, 0, ?, ?)",
            (attempt, stamp, finished),
        )
    answers = [(1, "q1"), (2, "q1"), (2, "q2"), (3, "q1"), (3, "q2")]  # 1: left after one of two
    for n, (attempt, question) in enumerate(answers):
        conn.execute(
            "INSERT INTO answers (attempt_id, player, bank_id, question_id, question_hash, answer, correct, seconds,"
            " device, answered_at, uid) VALUES (?, 'ada', 'basics', ?, 'ff', 'A', 1, 1.0, 'cpu', ?, ?)",
            (attempt, question, f"2026-01-02T03:0{5 + n}:00.000000+00:00", f"{n:032x}"),
        )
    conn.close()
    with ProgressStore.open(db) as upgraded:
        history = upgraded.bank_history("ada", "basics")
        assert history is not None and history.attempts == 2  # 2 (now finished) and 3
    finished = dict(raw_rows(db, "SELECT id, finished_at FROM attempts ORDER BY id"))
    assert finished[1] is None
    assert finished[2] == "2026-01-02T03:07:00.000000+00:00"  # its last answer
    assert finished[3] == stamp
