"""Driver for first_outcome.py and guards_cost.py: a fresh process that starts a runner and
prints the first outcome of a trivial snippet, with the seconds it took inside this process.

    python benchmarks/_first_outcome.py [--no-sandbox]
"""

from __future__ import annotations

import sys
import time

from quiz_app.runner import SnippetRunner


def main() -> None:
    sandbox = "--no-sandbox" not in sys.argv[1:]
    start = time.perf_counter()
    runner = SnippetRunner.interactive("cpu", sandbox=sandbox)  # as the app starts it
    runner.start()
    outcome = runner.run("print(1 + 1)")
    elapsed = time.perf_counter() - start
    print(f"outcome {outcome.status} {outcome.text.strip()!r} {elapsed:.6f}", flush=True)
    runner.close()


if __name__ == "__main__":
    main()
