"""`quiz-app report` at class scale: a database of 1,000,000 answers.

Builds it in a temporary folder as ``store_scale.py`` does (the store's own schema, then one
executemany transaction), from five of the bundled banks, so that the report meets real
question types, option letters, keys and misconception marks. The class: 60 students of
different strengths, who each play the banks again and again (about 3,300 answers each);
every answer is graded, wrong answers pick a wrong option at random, and the marks are the
ones the app would store for that response.

Then it prints medians of ``report_data`` (what ``quiz-app report`` computes, without
loading the banks or printing) for one bank and for all, with the default ``--attempts
first``, and also ``last`` and ``all``; and the whole command line (``quiz-app report
--json`` in a fresh process, loading the banks included). Target: report_data under 1 s.

Last, what the tallies cost a write (schema version 6 keeps ``answer_tallies`` and
``revealed_marks`` by triggers): ``record_answer`` (each its own synced transaction, as the
app saves) into two copies of the database, one with the triggers and one without them (the
writes schema version 5 made), alternately, with the medians of each.

Run: python benchmarks/report_scale.py [ANSWERS] [--folder DIR] [--repeats N]. ``--folder``
keeps the database in DIR (as quiz_app names it there): built if missing, else reused, so
that a second run skips the minute the build takes; a database of an older schema is upgraded
first, as opening it to play would.
A script: it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import MARKS_SQL, bulk_load, median, p95, timed, verdict  # noqa: E402

from quiz_app.bank import (  # noqa: E402
    Bank,
    Question,
    load_banks,
    load_installed,  # noqa: E402
)
from quiz_app.classroom import Selection, report_data  # noqa: E402
from quiz_app.core import locations  # noqa: E402
from quiz_app.play.run import misconception_marks, response_text  # noqa: E402
from quiz_app.progress import AnswerRecord, MisconceptionMark, ProgressStore  # noqa: E402

PLAYERS = [f"student{n:02}" for n in range(60)]
BANK_IDS = ("eval-vs-no-grad", "grad-modes", "layers", "pitfalls", "subtleties")
T0 = datetime(2026, 9, 1, tzinfo=timezone.utc)
WRONG_PREDICTIONS = ("True", "False", "None", "RuntimeError", "tensor([0., 0.])")


def responses(question: Question, rng: random.Random, right: bool) -> object:
    """A response the app would have stored: the key when ``right``, else a wrong one."""
    if question.type == "single":
        wrong = [letter for letter in question.letters if letter != question.answer]
        return question.answer if right else rng.choice(wrong)
    if question.type == "multiple":
        assert isinstance(question.answer, frozenset)
        if right:
            return sorted(question.answer)
        while True:
            picked = sorted(letter for letter in question.letters if rng.random() < 0.5) or ["A"]
            if set(picked) != question.answer:
                return picked
    if question.type == "true_false":
        return bool(question.answer) if right else not question.answer
    return str(question.answer or "").strip() if right else rng.choice(WRONG_PREDICTIONS)


def build(db: Path, banks: list[Bank], answers_wanted: int) -> None:
    ProgressStore.open(db).close()  # the schema, as quiz_app makes it
    rng = random.Random(0)
    strength = {player: rng.uniform(0.3, 0.95) for player in PLAYERS}
    ease = {(b.id, q.id): rng.uniform(-0.25, 0.2) for b in banks for q in b.questions}
    cache: dict[tuple[str, str, bool, str], tuple[str, list[tuple[str, str, int]]]] = {}
    answers, marks = [], []
    answer_id, attempt = 0, 0
    while answer_id < answers_wanted:
        attempt += 1
        player = PLAYERS[attempt % len(PLAYERS)]
        bank = banks[rng.randrange(len(banks))]
        start = T0 + timedelta(minutes=attempt)
        for n, question in enumerate(bank.questions):
            if answer_id >= answers_wanted:
                break
            answer_id += 1
            right = rng.random() < strength[player] + ease[(bank.id, question.id)]
            response = responses(question, rng, right)
            key = (bank.id, question.id, right, repr(response))
            if key not in cache:
                found = misconception_marks(bank, question, response)
                cache[key] = (
                    response_text(question, response),  # type: ignore[arg-type]
                    [(m.id, m.text, int(m.revealed)) for m in found],
                )
            text, its_marks = cache[key]
            when = (start + timedelta(seconds=n * 7)).isoformat(timespec="microseconds")
            answers.append(
                (
                    answer_id,
                    uuid.uuid4().hex,
                    player,
                    bank.id,
                    question.id,
                    question.content_hash,
                    text,
                    int(right),
                    round(rng.uniform(2, 40), 3),
                    "cpu",
                    when,
                )
            )
            marks.extend((answer_id, mid, mtext, shown, player, when) for mid, mtext, shown in its_marks)
    answers_sql = (
        "INSERT INTO answers (id, uid, player, bank_id, question_id, question_hash, answer, correct,"
        " seconds, device, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    bulk_load(db, [(answers_sql, answers), (MARKS_SQL, marks)])


def command_line(folder: Path, repeats: int) -> float:
    """``quiz-app report --json`` in a fresh process: imports, opening, loading banks, printing."""
    env = {**os.environ, locations.HOME_ENV: str(folder)}
    code = "import sys; from quiz_app.cli.classroom import run_report; sys.exit(run_report(['--json']))"
    return median(
        timed(
            lambda: subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, check=True),
            repeats,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("answers", nargs="?", type=int, default=1_000_000, help="answers to build (1,000,000)")
    parser.add_argument("--folder", type=Path, help="keep the database in this folder: built if missing, else reused")
    parser.add_argument("--repeats", type=int, default=5, help="timings per case; the median is printed (5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db = (args.folder.absolute() if args.folder else Path(scratch)) / locations.DATABASE_NAME
        run(db, args.answers, args.repeats)


def run(db: Path, answers: int, repeats: int) -> None:
    if db.exists():
        start = time.perf_counter()
        ProgressStore.open(db).close()  # an older schema is upgraded, as opening to play does
        took = time.perf_counter() - start
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
        sql = "SELECT (SELECT count(*) FROM answers), user_version FROM pragma_user_version"
        count, version = conn.execute(sql).fetchone()
        conn.close()
        print(
            f"reusing {db} ({count:,} answers, {db.stat().st_size / 2**20:.0f} MiB,"
            f" schema version {version}; opened to play in {took:.1f} s)"
        )
    else:
        db.parent.mkdir(parents=True, exist_ok=True)
        loaded = load_banks([locations.bundled_banks_dir()])
        banks = [bank for bank in loaded.banks if bank.id in BANK_IDS]
        start = time.perf_counter()
        build(db, banks, answers)
        size = db.stat().st_size / 2**20
        took = time.perf_counter() - start
        print(f"built {answers:,} answers ({size:.0f} MiB, {len(PLAYERS)} students) in {took:.1f} s")
    start = time.perf_counter()
    installed = load_installed().by_id()
    print(f"loading the installed banks (not in report_data): {(time.perf_counter() - start) * 1000:.0f} ms")

    cases = {
        "one bank, first answers": Selection(banks=(BANK_IDS[0],)),
        "all banks, first answers": Selection(),
        "one bank, last answers": Selection(banks=(BANK_IDS[0],), attempts="last"),
        "all banks, last answers": Selection(attempts="last"),
        "one bank, all answers": Selection(banks=(BANK_IDS[0],), attempts="all"),
        "all banks, all answers": Selection(attempts="all"),
    }
    print(f"report_data, median of {repeats} (store opened read-only once; banks loaded once):")
    results = {}
    with ProgressStore.open(db, readonly=True) as store:
        report_data(store, Selection(), installed)  # warm the page cache
        for name, selection in cases.items():
            results[name] = median(timed(lambda s=selection: report_data(store, s, installed), repeats))
            print(f"  {name:28} {results[name] * 1000:8.1f} ms")
    for name in ("one bank, first answers", "all banks, first answers"):
        print(f"report_data, {name}: {results[name] * 1000:.1f} ms (target < 1 s: {verdict(results[name] < 1)})")
    slowest = max(results.values())
    print(f"slowest report_data (any --attempts): {slowest * 1000:.1f} ms (target < 1 s: {verdict(slowest < 1)})")
    whole = command_line(db.parent, 3)
    print(f"quiz-app report --json in a fresh process, median of 3: {whole * 1000:.0f} ms (banks loaded included)")
    write_cost(db, 200)


def write_cost(db: Path, answers: int) -> None:
    """``record_answer`` with and without the triggers that keep the tallies, alternately."""
    copies = {
        "with the tallies' triggers": db.with_name("writes-with.sqlite3"),
        "without": db.with_name("writes-without.sqlite3"),
    }
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the whole database in its main file, to copy
    conn.close()
    try:
        for copy in copies.values():
            shutil.copyfile(db, copy)
        conn = sqlite3.connect(copies["without"], isolation_level=None)
        conn.execute("DROP TRIGGER IF EXISTS answer_tallies_count")
        conn.execute("DROP TRIGGER IF EXISTS revealed_marks_add")
        conn.close()
        stores = {name: ProgressStore.open(copy) for name, copy in copies.items()}
        took: dict[str, list[float]] = {name: [] for name in copies}
        rng = random.Random(1)
        for n in range(answers):
            record = AnswerRecord(  # the same answer into both, in turn first
                player=rng.choice(PLAYERS),
                bank_id=BANK_IDS[n % len(BANK_IDS)],
                question_id=f"q{n % 20}",
                question_hash="0a1b2c3d",
                answer=rng.choice("ABC"),
                correct=rng.random() < 0.6,
                seconds=round(rng.uniform(2, 40), 3),
                device="cpu",
                misconceptions=(MisconceptionMark("m-one", "a belief", rng.random() < 0.5),),
            )
            for name, store in sorted(stores.items(), reverse=n % 2 == 1):
                start = time.perf_counter()
                store.record_answer(record)
                took[name].append(time.perf_counter() - start)
        for store in stores.values():
            store.close()
    finally:
        for copy in copies.values():
            for path in (copy, copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
                path.unlink(missing_ok=True)
    print(f"record_answer at this scale (each synced), {answers} alternately into two copies:")
    for name, times in took.items():
        print(f"  {name:28} median {median(times) * 1000:6.2f} ms, p95 {p95(times) * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
