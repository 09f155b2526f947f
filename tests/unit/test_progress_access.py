"""Reading without a write lock, waiting out another program's lock, and the answer journal."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.paths import ROOT
from helpers.progress import T0, WRITER, raw_rows
from helpers.progress import rec_at_t0 as rec

from quiz_app.progress import (
    AnswerJournaled,
    AnswerRecord,
    LockWait,
    MisconceptionMark,
    ProgressStore,
    StoreError,
    journal,
    schema,
    writes,
)


def hold_lock(db: Path, seconds: float) -> subprocess.Popen[str]:
    """Another process that holds the write lock (an uncommitted insert) for ``seconds``."""
    holder = subprocess.Popen(
        [sys.executable, str(WRITER), str(db), "--hold", str(seconds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "locked\n", holder.communicate()[1]
    return holder


def finish(holder: subprocess.Popen[str]) -> None:
    out, err = holder.communicate(timeout=60)
    assert holder.returncode == 0 and out == "released\n", err


# -- read-only -------------------------------------------------------------------------------------


def test_readonly_reads_while_another_process_holds_the_write_lock(db):
    with ProgressStore.open(db) as first:
        first.record_answer(rec())
    holder = hold_lock(db, 10)
    try:
        started = time.monotonic()
        # A write lock would be waited for up to busy_timeout_s (10 s) at every try.
        with ProgressStore.open(db, readonly=True, busy_timeout_s=10, lock_patience_s=30) as reader:
            assert reader.readonly and reader.notices == []
            assert [t.answered for t in reader.bank_totals("ada")] == [1]
            assert reader.players() == ["ada"]  # not the holder's uncommitted attempt
            assert reader.bank_history("ada", "basics") is None
            assert reader.question_rates("ada")[0].answered == 1
            assert reader.misconceptions("ada") == []
        assert time.monotonic() - started < 3
    finally:
        holder.kill()
        holder.communicate()


def older_database(db: Path) -> None:
    """A database as quiz_app left it at schema version 2 (WAL), with one answer."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    schema.migrate(conn, schema.MIGRATIONS[:2])
    conn.execute(
        "INSERT INTO answers (player, bank_id, question_id, question_hash, answer, correct, seconds, answered_at)"
        " VALUES ('ada', 'basics', 'q1', 'ff', 'A', 1, 3.0, '2026-01-02T03:05:00.000000+00:00')"
    )
    conn.close()


def test_readonly_migrates_nothing_and_reads_an_older_database_as_it_is(db):
    older_database(db)
    before = db.read_bytes()
    with ProgressStore.open(db, readonly=True) as reader:
        assert reader.schema_version == 2
        assert len(reader.notices) == 1 and "older quiz_app" in reader.notices[0]
        assert [(t.bank_id, t.answered, t.correct) for t in reader.bank_totals("ada")] == [("basics", 1, 1)]
        assert reader.players() == ["ada"]
        assert reader.misconceptions("ada") == []  # version 2 had no such table
    assert raw_rows(db, "PRAGMA user_version") == [(2,)]
    assert db.read_bytes() == before


def test_readonly_opens_a_database_that_needs_an_upgrade_while_another_process_writes(db):
    older_database(db)
    holder = hold_lock(db, 10)
    try:
        # Opening it to play must upgrade it, so it waits for the lock...
        with pytest.raises(StoreError, match="locked"):
            ProgressStore.open(db, busy_timeout_s=0.1, lock_patience_s=0.3)
        # ...reading it takes no lock at all.
        started = time.monotonic()
        with ProgressStore.open(db, readonly=True, busy_timeout_s=10, lock_patience_s=30) as reader:
            assert [t.answered for t in reader.bank_totals("ada")] == [1]
            assert reader.players() == ["ada"]
        assert time.monotonic() - started < 3
    finally:
        holder.kill()
        holder.communicate()
    assert raw_rows(db, "PRAGMA user_version") == [(2,)]


def test_readonly_of_a_missing_database_is_empty_and_creates_nothing(tmp_path):
    missing = tmp_path / "no-such-folder" / "progress.sqlite3"
    with ProgressStore.open(missing, readonly=True) as reader:
        assert reader.bank_totals("ada") == []
        assert reader.question_rates("ada") == []
        assert reader.bank_history("ada", "basics") is None
        assert reader.players() == []
        assert reader.misconceptions("ada") == []
        assert reader.notices == []
    assert list(tmp_path.iterdir()) == []


def test_readonly_refuses_to_write_and_leaves_the_file_alone(db):
    ProgressStore.open(db).close()
    before = db.read_bytes()
    with ProgressStore.open(db, readonly=True) as reader:
        for write in (
            lambda: reader.record_answer(rec()),
            lambda: reader.start_attempt("ada", "basics", 1),
            lambda: reader.finish_attempt(1),
        ):
            with pytest.raises(ValueError, match="read-only"):
                write()
    assert db.read_bytes() == before
    assert not reader.journal.exists()  # a refused write is not an answer to keep


def test_readonly_moves_a_damaged_file_aside_and_reads_it_as_empty(tmp_path, db):
    garbage = os.urandom(8192)
    db.write_bytes(garbage)
    with ProgressStore.open(db, readonly=True) as reader:
        (aside,) = [p for p in tmp_path.iterdir() if p.name.startswith(db.name + ".corrupt-")]
        assert aside.read_bytes() == garbage  # renamed, not written
        assert len(reader.notices) == 1 and str(aside) in reader.notices[0]
        assert reader.bank_totals("ada") == [] and reader.players() == []
    assert [p.name for p in tmp_path.iterdir()] == [aside.name]  # and no new database was made


def test_readonly_meets_damage_deep_inside_and_moves_the_file_aside(tmp_path, db):
    ProgressStore.open(db).close()
    conn = sqlite3.connect(db)
    with conn:
        conn.executemany(
            "INSERT INTO answers (uid, player, bank_id, question_id, question_hash, answer, correct, seconds,"
            " answered_at) VALUES (lower(hex(randomblob(16))), ?, 'basics', ?, 'ff', 'B', 1, 1.0, ?)",
            [(f"p{n:02}", f"q{i}", T0.isoformat()) for n in range(40) for i in range(60)],
        )
    try:
        leaves = [
            r[0]
            for r in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'answers_by_player_bank' AND pagetype = 'leaf' ORDER BY path"
            )
        ]
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table to find an index page by")
    finally:
        conn.close()
    data = bytearray(db.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    middle = (leaves[len(leaves) // 2] - 1) * page_size
    data[middle : middle + 64] = b"\xa5" * 64
    db.write_bytes(bytes(data))
    with ProgressStore.open(db, readonly=True) as reader:
        assert reader.notices == []
        answered = [[t.answered for t in reader.bank_totals(f"p{n:02}")] for n in range(40)]
        assert answered[0] == [60] and answered[-1] == []  # the damage was met in between
        (aside,) = [
            p
            for p in tmp_path.iterdir()
            if p.name.startswith(db.name + ".corrupt-") and not p.name.endswith(("-wal", "-shm"))
        ]
        assert aside.read_bytes() == bytes(data)
        assert len(reader.notices) == 1 and str(aside) in reader.notices[0]
        assert reader.players() == []
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(aside.name)) == []  # no new file


def test_readonly_refuses_a_newer_database(db):
    ProgressStore.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer quiz_app"):
        ProgressStore.open(db, readonly=True)


# -- waiting for the write lock --------------------------------------------------------------------


def test_a_write_waits_out_a_lock_held_past_the_busy_timeout_and_lands(db):
    waits: list[LockWait] = []
    with ProgressStore.open(db, busy_timeout_s=0.5, on_wait=waits.append) as store:
        holder = hold_lock(db, 1.5)
        try:
            started = time.monotonic()
            store.record_answer(rec(answer="landed"))
            waited = time.monotonic() - started
        finally:
            finish(holder)
        assert waited > 0.5  # it did wait for the holder, longer than one busy timeout
        assert [t.answered for t in store.bank_totals("ada")] == [1]
    assert raw_rows(db, "SELECT answer FROM answers") == [("landed",)]
    assert not journal.pending(journal.journal_path(db))
    # The UI heard that the save was waiting, then that the wait was over.
    assert waits and all(w.action == "save an answer to" for w in waits)
    assert [w.over for w in waits] == [False] * (len(waits) - 1) + [True]
    assert waits[-1].waited_s > 0.5


def test_the_wait_listener_can_be_set_after_opening_and_cannot_break_a_save(db):
    with ProgressStore.open(db, busy_timeout_s=0.1) as store:
        waits: list[LockWait] = []

        def clumsy(wait: LockWait) -> None:
            waits.append(wait)
            raise RuntimeError("the UI is gone")

        store.on_wait = clumsy
        holder = hold_lock(db, 0.6)
        try:
            attempt = store.start_attempt("ada", "basics", 1)
        finally:
            finish(holder)
        assert store.players() == ["ada"] and attempt >= 1
    assert waits and waits[-1].over and waits[0].action == "start an attempt in"


# -- the journal -----------------------------------------------------------------------------------


EVAL = MisconceptionMark("eval-stops-autograd", "model.eval() turns autograd off", True)


def journal_an_answer(db: Path, record: AnswerRecord) -> Path:
    """Hold the lock longer than the store's patience, so that the answer goes to the journal."""
    with ProgressStore.open(db, busy_timeout_s=0.05, lock_patience_s=0.2) as store:
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(AnswerJournaled) as info:
                store.record_answer(record)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert info.value.journal == store.journal
        assert str(store.journal) in str(info.value)
        assert store.bank_totals("ada") == []
        return store.journal


def test_an_answer_the_database_cannot_take_is_journaled_and_committed_at_the_next_open(db):
    answer = rec(correct=False, misconceptions=(EVAL,))
    path = journal_an_answer(db, answer)
    (line,) = path.read_text().splitlines()
    assert json.loads(line)["uid"] == answer.uid
    with ProgressStore.open(db) as reopened:
        assert reopened.notices == [f"1 answer saved by the last session was committed now (from {path})."]
        assert [(t.answered, t.correct, t.last_played) for t in reopened.bank_totals("ada")] == [(1, 0, T0)]
        assert [(m.id, m.picked, m.offered) for m in reopened.misconceptions("ada")] == [(EVAL.id, 1, 1)]
    assert raw_rows(db, "SELECT uid, answer, seconds, device FROM answers") == [(answer.uid, "B", 2.5, "cpu")]
    assert path.stat().st_size == 0  # truncated once committed
    with ProgressStore.open(db) as again:
        assert again.notices == []


def test_replaying_the_journal_twice_stores_each_answer_once(db):
    path = journal_an_answer(db, rec())
    saved = path.read_bytes()
    ProgressStore.open(db).close()
    path.write_bytes(saved)  # as if the last open was killed after its commit, before truncating
    with ProgressStore.open(db) as reopened:
        assert reopened.notices == []  # nothing new to commit
        assert [t.answered for t in reopened.bank_totals("ada")] == [1]
    assert path.stat().st_size == 0


def test_a_readonly_open_says_answers_wait_and_commits_nothing(db):
    path = journal_an_answer(db, rec())
    with ProgressStore.open(db, readonly=True) as reader:
        assert len(reader.notices) == 1 and str(path) in reader.notices[0]
        assert reader.bank_totals("ada") == []
    assert len(path.read_text().splitlines()) == 1


def test_a_disk_failure_journals_the_answer(db):
    with ProgressStore.open(db) as store:
        store.record_answer(rec(answer="small"))
        # No page may be added: the database is as full as a full disk leaves it.
        (pages,) = raw_rows(db, "PRAGMA page_count")[0]
        assert store._conn is not None
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        big = rec(answer="x" * 100_000)
        with pytest.raises(AnswerJournaled, match="full"):
            store.record_answer(big)
    with ProgressStore.open(db) as reopened:
        assert "1 answer saved by the last session was committed now" in reopened.notices[0]
    assert sorted(len(r[0]) for r in raw_rows(db, "SELECT answer FROM answers")) == [5, 100_000]


def test_a_failing_write_of_any_kind_is_journaled(db, monkeypatch):
    def fail(*args: object) -> bool:
        raise sqlite3.OperationalError("disk I/O error")

    with ProgressStore.open(db) as store:
        monkeypatch.setattr(writes, "insert_answer", fail)
        with pytest.raises(AnswerJournaled, match="disk I/O error"):
            store.record_answer(rec())
        monkeypatch.undo()
    with ProgressStore.open(db) as reopened:
        assert [t.answered for t in reopened.bank_totals("ada")] == [1]


def test_a_journal_line_that_does_not_parse_is_kept_and_reported(tmp_path, db):
    good = rec(question_id="good")
    path = journal.journal_path(db)
    ProgressStore.open(db).close()
    journal.append(path, good, "2026-11-27T10:00:00.000000+00:00")
    damaged = [b'{"v": 1, "uid": "no other field"}\n', b"not json at all\n", b'{"v": 1, "player": "ada", "bank']
    with path.open("ab") as handle:
        handle.write(b"".join(damaged))  # the last one cut off, as by a crash mid-write
    with ProgressStore.open(db) as reopened:
        assert [t.answered for t in reopened.bank_totals("ada")] == [1]
        (committed, kept) = reopened.notices
        assert committed.startswith("1 answer saved by the last session was committed now")
        assert "3 lines" in kept and str(path) in kept
    (copy,) = [p for p in tmp_path.iterdir() if ".pending-damaged-" in p.name]
    assert str(copy) in kept
    assert copy.read_bytes() == b"".join(damaged) + b"\n"  # every damaged line, nothing else
    assert path.stat().st_size == 0


def test_a_line_appended_after_a_cut_off_one_stays_whole(db):
    path = journal.journal_path(db)
    path.write_bytes(b'{"v": 1, "cut off')
    journal.append(path, rec(), "2026-11-27T10:00:00.000000+00:00")
    lines = path.read_bytes().splitlines()
    assert len(lines) == 2 and journal.from_line(lines[1]).question_id == "q1"


def test_two_processes_appending_at_once_keep_every_line(db):
    code = (
        "import sys; sys.path.insert(0, sys.argv[2])\n"
        "from pathlib import Path\n"
        "from quiz_app.progress import AnswerRecord, journal\n"
        "for i in range(200):\n"
        "    record = AnswerRecord('ada', 'b', f'q{i}', 'ff', 'x' * 3000, True, 1.0, None)\n"
        "    journal.append(Path(sys.argv[1]), record, '2026-11-27T10:00:00.000000+00:00')\n"
    )
    root = str(ROOT)
    path = journal.journal_path(db)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), root]) for _ in range(2)]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    lines = path.read_bytes().splitlines()
    assert len(lines) == 400
    assert all(journal.from_line(line).answer == "x" * 3000 for line in lines)
