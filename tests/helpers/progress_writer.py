"""Write answers to a progress database from a separate process (used by the store's tests).

    python tests/progress_writer.py DB PLAYER COUNT [--wait]
    python tests/progress_writer.py DB --hold SECONDS

Prints ``ready`` when started. With ``--wait`` it then waits for a line on stdin before it
opens the database, prints ``open`` and waits for another line before it writes, so that
several writers can be made to open, then to write, at the same moment. After each
``record_answer`` returns it prints the answer's number, flushed: a number printed is an
answer reported as saved.

With ``--hold`` it takes the database's write lock (``BEGIN IMMEDIATE``, then an insert it
never commits), prints ``locked``, holds it for SECONDS, rolls back and prints ``released``.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for quiz_app

from quiz_app.progress import AnswerRecord, ProgressStore, StoreError  # noqa: E402


def hold(db: Path, seconds: float) -> int:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT INTO attempts (player, bank_id, total_questions, retry, started_at)"
        " VALUES ('holder', 'bank', 1, 0, '2026-01-01T00:00:00.000000+00:00')"
    )
    print("locked", flush=True)
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()
    print("released", flush=True)
    return 0


def main(argv: list[str]) -> int:
    if argv[1:2] == ["--hold"]:
        return hold(Path(argv[0]), float(argv[2]))
    db, player, count = Path(argv[0]), argv[1], int(argv[2])
    wait = "--wait" in argv[3:]
    print("ready", flush=True)
    if wait:
        sys.stdin.readline()
    try:
        with ProgressStore.open(db) as store:
            attempt = store.start_attempt(player, "bank", count)
            if wait:
                print("open", flush=True)
                sys.stdin.readline()
            for i in range(count):
                store.record_answer(
                    AnswerRecord(
                        player=player,
                        bank_id="bank",
                        question_id=f"q{i}",
                        question_hash="c0ffee",
                        answer=f"{player}-{i}",
                        correct=i % 2 == 0,
                        seconds=0.5,
                        device="cpu",
                        attempt_id=attempt,
                    )
                )
                print(i, flush=True)
            store.finish_attempt(attempt)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
