"""Start the TUI: open the score database first (a clear error, not a traceback mid-quiz),
start the PyTorch worker in the background, run the app, and close everything in order."""

from __future__ import annotations

import sys
from pathlib import Path

from quiz_app import locations
from quiz_app.progress import ProgressStore, StoreError
from quiz_app.runner import SnippetRunner


def launch(
    paths: list[Path],
    player: str | None,
    device: str = "auto",
    trust_all: bool = False,
    sandboxed: bool = True,
    shared: bool = False,
    language: str | None = None,
) -> int:
    if paths:  # what the command line named must load, or nothing starts: the problems, in sight
        from quiz_app.bank import load_banks

        named = load_banks(paths)
        if named.problems:
            for problem in named.problems:
                print(problem, file=sys.stderr)
            count = len(named.problems)
            print(
                f"quiz-app: error: {count} problem{'s' * (count != 1)} in the banks named on the command line; "
                "fix them (quiz-app check PATH proves a bank), then start again",
                file=sys.stderr,
            )
            return 2
    try:
        store = ProgressStore.open()
    except StoreError as error:
        print(f"quiz-app: error: {error}", file=sys.stderr)
        print(locations.UNUSABLE_HINT, file=sys.stderr)
        return 2
    runner = SnippetRunner(device, sandbox=sandboxed)
    runner.start()  # torch imports while the first screen draws
    from quiz_app.ui.app import QuizApp

    app = QuizApp(
        store=store,
        runner=runner,
        player=player,
        paths=paths,
        trust_all=trust_all,
        sandboxed=sandboxed,
        shared=shared,
        language=language,
    )
    try:
        app.run()
    finally:
        store.on_wait = None
        store.lock_patience_s = min(store.lock_patience_s, 5.0)  # answers still waiting go to the journal
        app.flush_writes()
        runner.close()
        store.close()
    if app.save_failed:
        return 1
    return app.return_code or 0
