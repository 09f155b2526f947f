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
Run: python benchmarks/report_scale.py [ANSWERS]. A script: it prints, it asserts nothing.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import MARKS_SQL, bulk_load, median, timed, verdict  # noqa: E402

from quiz_app import locations  # noqa: E402
from quiz_app.bank import Bank, Question, load_banks  # noqa: E402
from quiz_app.classroom import Selection, installed_banks, report_data  # noqa: E402
from quiz_app.progress import ProgressStore  # noqa: E402
from quiz_app.quiz_run import misconception_marks, response_text  # noqa: E402

ANSWERS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
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


def build(db: Path, banks: list[Bank]) -> None:
    ProgressStore.open(db).close()  # the schema, as quiz_app makes it
    rng = random.Random(0)
    strength = {player: rng.uniform(0.3, 0.95) for player in PLAYERS}
    ease = {(b.id, q.id): rng.uniform(-0.25, 0.2) for b in banks for q in b.questions}
    cache: dict[tuple[str, str, bool, str], tuple[str, list[tuple[str, str, int]]]] = {}
    answers, marks = [], []
    answer_id, attempt = 0, 0
    while answer_id < ANSWERS:
        attempt += 1
        player = PLAYERS[attempt % len(PLAYERS)]
        bank = banks[rng.randrange(len(banks))]
        start = T0 + timedelta(minutes=attempt)
        for n, question in enumerate(bank.questions):
            if answer_id >= ANSWERS:
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
    code = "import sys; from quiz_app.cli_classroom import run_report; sys.exit(run_report(['--json']))"
    return median(
        timed(
            lambda: subprocess.run([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, check=True),
            repeats,
        )
    )


def main() -> None:
    loaded = load_banks([locations.bundled_banks_dir()])
    banks = [bank for bank in loaded.banks if bank.id in BANK_IDS]
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / locations.DATABASE_NAME
        start = time.perf_counter()
        build(db, banks)
        size = db.stat().st_size / 2**20
        took = time.perf_counter() - start
        print(f"built {ANSWERS:,} answers ({size:.0f} MiB, {len(PLAYERS)} students) in {took:.1f} s")
        start = time.perf_counter()
        installed = installed_banks()
        print(f"loading the installed banks (not in report_data): {(time.perf_counter() - start) * 1000:.0f} ms")

        repeats = 5
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
        whole = command_line(Path(folder), 3)
        print(f"quiz-app report --json in a fresh process, median of 3: {whole * 1000:.0f} ms (banks loaded included)")


if __name__ == "__main__":
    main()
