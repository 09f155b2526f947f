"""The progress store at class scale: a database of 1,000,000 answers.

Builds it in a temporary folder (through the store's own schema, then one executemany
transaction), then prints medians of:

- opening it to play, against ``PRAGMA quick_check`` (what every open used to run);
- opening it read-only (what ``quiz-app stats`` should use);
- the stats queries for one player, against the same SQL on the indexes of schema version 2;
- an answer written while another process holds the write lock for 2 s (it must land).

The class: 50 players, 5 banks of 20 questions, attempts of 20 answers. One player, "ada",
gave a fifth of all answers (a shared classroom login): the heaviest case for her stats.
A quarter of the questions offer two misconceptions. Run: python benchmarks/store_scale.py
[ANSWERS]. A script: it prints, it asserts nothing.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import MARKS_SQL, bulk_load, median, timed  # noqa: E402

from quiz_app.progress import AnswerRecord, ProgressStore  # noqa: E402
from quiz_app.progress.report import stats_data  # noqa: E402

ANSWERS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
PLAYERS = [f"student{n:02}" for n in range(49)]
BANKS = [f"bank{n}" for n in range(5)]
PER_ATTEMPT = 20
T0 = datetime(2026, 9, 1, tzinfo=timezone.utc)
MISCONCEPTIONS = [(f"m{n}", f"misconception {n}") for n in range(8)]

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO attempts (player, bank_id, total_questions, started_at) VALUES ('x', 'b', 1, 'now')")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def build(db: Path) -> None:
    ProgressStore.open(db).close()  # the schema, as quiz_app makes it
    rng = random.Random(0)
    attempts, answers, marks = [], [], []
    answer_id = 0
    for attempt_id in range(1, ANSWERS // PER_ATTEMPT + 1):
        player = "ada" if attempt_id % 5 == 0 else PLAYERS[attempt_id % len(PLAYERS)]
        bank = rng.choice(BANKS)
        start = T0 + timedelta(minutes=attempt_id)
        attempts.append((attempt_id, player, bank, PER_ATTEMPT, int(attempt_id % 7 == 0), start.isoformat()))
        for q in range(PER_ATTEMPT):
            answer_id += 1
            correct = rng.random() < 0.7
            when = (start + timedelta(seconds=q)).isoformat(timespec="microseconds")
            answers.append(
                (answer_id, uuid.uuid4().hex, attempt_id, player, bank, f"q{q}", "c0ffee", "B", int(correct), 4.0, when)
            )
            if q % 4 == 0:
                picked = None if correct else rng.randrange(2)
                for k, (mid, text) in enumerate(MISCONCEPTIONS[q % 8 : q % 8 + 2]):
                    marks.append((answer_id, mid, text, int(k == picked), player, when))
    attempts_sql = (
        "INSERT INTO attempts (id, player, bank_id, total_questions, retry, started_at) VALUES (?, ?, ?, ?, ?, ?)"
    )
    answers_sql = (
        "INSERT INTO answers (id, uid, attempt_id, player, bank_id, question_id, question_hash, answer, correct,"
        " seconds, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    bulk_load(db, [(attempts_sql, attempts), (answers_sql, answers), (MARKS_SQL, marks)])


def opening(db: Path, readonly: bool, repeats: int) -> list[float]:
    """Seconds to open (closing is not counted: the last connection out checkpoints)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        store = ProgressStore.open(db, readonly=readonly)
        times.append(time.perf_counter() - start)
        store.close()
    return times


def quick_check(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA quick_check").fetchall()
    conn.close()


def stats_queries(store: ProgressStore) -> dict[str, Callable[[], object]]:
    return {
        "bank_totals": lambda: store.bank_totals("ada"),
        "question_rates": lambda: store.question_rates("ada"),
        "bank_history (5 banks)": lambda: [store.bank_history("ada", bank) for bank in BANKS],
        "players": store.players,
        "misconceptions": lambda: store.misconceptions("ada"),
        "stats_data (quiz-app stats)": lambda: stats_data(store, "ada"),
    }


OLD_INDEXES = (  # schema version 2's, beside the new ones; the old SQL is made to use them
    "CREATE INDEX old_answers_by_player_bank ON answers (player, bank_id, question_id)",
    "CREATE INDEX old_answers_by_attempt ON answers (attempt_id)",
    "CREATE INDEX old_attempts_by_player_bank ON attempts (player, bank_id)",
)
OLD_QUERIES = {
    "bank_totals": "SELECT bank_id, COUNT(*), COALESCE(SUM(correct), 0), MAX(answered_at)"
    " FROM answers INDEXED BY old_answers_by_player_bank WHERE player = 'ada' GROUP BY bank_id ORDER BY bank_id",
    "question_rates": "SELECT bank_id, question_id, COUNT(*), SUM(correct) FROM answers INDEXED BY"
    " old_answers_by_player_bank WHERE player = 'ada' AND correct IS NOT NULL"
    " GROUP BY bank_id, question_id ORDER BY bank_id, question_id",
    "bank_history (5 banks)": [
        "SELECT a.id, a.total_questions, COALESCE(SUM(s.correct), 0), MAX(s.answered_at)"
        " FROM attempts AS a INDEXED BY old_attempts_by_player_bank"
        " JOIN answers AS s INDEXED BY old_answers_by_attempt ON s.attempt_id = a.id"
        f" WHERE a.player = 'ada' AND a.bank_id = '{bank}' AND a.retry = 0 GROUP BY a.id"
        for bank in BANKS
    ],
    "players": "SELECT player FROM answers UNION SELECT player FROM attempts",
}


def old_timings(db: Path, repeats: int) -> dict[str, float]:
    conn = sqlite3.connect(db, isolation_level=None)
    for statement in OLD_INDEXES:
        conn.execute(statement)
    result = {}
    for name, sql in OLD_QUERIES.items():
        statements = sql if isinstance(sql, list) else [sql]
        result[name] = median(timed(lambda s=statements: [conn.execute(q).fetchall() for q in s], repeats))
    for statement in OLD_INDEXES:
        conn.execute("DROP INDEX " + statement.split()[2])
    conn.close()
    return result


def write_under_lock(db: Path, hold_s: float) -> tuple[float, bool]:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(hold_s)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    holder.stdout.readline()  # "locked"
    record = AnswerRecord("ada", "bank0", "q0", "c0ffee", "B", True, 1.0, None)
    with ProgressStore.open(db) as store:
        start = time.perf_counter()
        store.record_answer(record)
        elapsed = time.perf_counter() - start
    holder.wait()
    conn = sqlite3.connect(db)
    (landed,) = conn.execute("SELECT count(*) FROM answers WHERE uid = ?", (record.uid,)).fetchone()
    conn.close()
    return elapsed, landed == 1


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "progress.sqlite3"
        start = time.perf_counter()
        build(db)
        size = db.stat().st_size / 2**20
        print(f"built {ANSWERS:,} answers ({size:.0f} MiB) in {time.perf_counter() - start:.1f} s")
        ProgressStore.open(db).close()  # warm the page cache alike for everything below

        opens = median(opening(db, readonly=False, repeats=50))
        reads = median(opening(db, readonly=True, repeats=50))
        check = median(timed(lambda: quick_check(db), 3))
        print(f"open to play:        median {opens * 1000:7.2f} ms (target < 5 ms: {verdict(opens < 0.005)})")
        print(f"open read-only:      median {reads * 1000:7.2f} ms (target < 5 ms: {verdict(reads < 0.005)})")
        print(f"  was: quick_check alone, at every open: {check * 1000:.0f} ms ({check / opens:.0f}x the open now)")

        repeats = 5
        with ProgressStore.open(db, readonly=True) as store:
            new = {name: median(timed(work, repeats)) for name, work in stats_queries(store).items()}
        old = old_timings(db, repeats)
        print(f"stats for ada ({ANSWERS // 5:,} answers), median of {repeats}:")
        for name, seconds in new.items():
            before = f"   schema 2: {old[name] * 1000:8.1f} ms ({old[name] / seconds:5.1f}x)" if name in old else ""
            print(f"  {name:28} {seconds * 1000:8.1f} ms{before}")
        slowest = max(new.values())
        print(f"  slowest query {slowest * 1000:.1f} ms (target < 1 s each: {verdict(slowest < 1)})")
        stats = reads + new["stats_data (quiz-app stats)"] + new["players"]
        was = check + old["bank_totals"] + old["question_rates"] + old["players"]
        print(
            f"quiz-app stats in all (open read-only, stats_data, players): {stats * 1000:.1f} ms, was at least "
            f"{was * 1000:.0f} ms ({was / stats:.1f}x) (target < 1 s: {verdict(stats < 1)})"
        )

        hold = 2.0
        runs = [write_under_lock(db, hold) for _ in range(3)]
        waited = statistics.median(r[0] for r in runs)
        landed = all(r[1] for r in runs)
        print(
            f"answer written while another process holds the write lock {hold:.0f} s: median {waited:.2f} s, "
            f"landed {sum(r[1] for r in runs)}/{len(runs)} (target: every answer lands: {verdict(landed)})"
        )


if __name__ == "__main__":
    main()
