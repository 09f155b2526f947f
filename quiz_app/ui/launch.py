"""Start the TUI: open the score database first (a clear error, not a traceback mid-quiz),
start the PyTorch worker in the background, run the app, and close everything in order."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from quiz_app.core import locations
from quiz_app.core.i18n import _, ngettext
from quiz_app.progress import ProgressStore, StoreError
from quiz_app.runner import SnippetRunner

if TYPE_CHECKING:
    from quiz_app.play.exam import ExamPlan


def launch(
    paths: list[Path],
    player: str | None,
    device: str = "auto",
    trust_all: bool = False,
    sandboxed: bool = True,
    shared: bool = False,
    language: str | None = None,
    exam: ExamPlan | None = None,
    shuffle: bool = False,
    served: bool = False,
) -> int:
    if served:
        _quit_with_the_server()
    if paths:  # what the command line named must load, or nothing starts: the problems, in sight
        from quiz_app.bank import load_banks

        named = load_banks(paths)
        if named.problems:
            for problem in named.problems:
                print(problem, file=sys.stderr)
            count = len(named.problems)
            message = ngettext(
                "quiz-app: error: {count} problem in the banks named on the command line; "
                "fix them (quiz-app check PATH proves a bank), then start again",
                "quiz-app: error: {count} problems in the banks named on the command line; "
                "fix them (quiz-app check PATH proves a bank), then start again",
                count,
            )
            print(message.format(count=count), file=sys.stderr)
            return 2
    try:
        store = ProgressStore.open()
    except StoreError as error:
        print(_("quiz-app: error: {message}").format(message=error), file=sys.stderr)
        print(locations.unusable_hint(), file=sys.stderr)
        return 2
    # The next snippet process is forked once the answer is drawn, not while (SnippetRunner.interactive).
    runner = SnippetRunner.interactive(device, sandbox=sandboxed)
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
        exam=exam,
        shuffle=shuffle,
        served=served,
    )
    _quit_on_hangup()
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


def _quit_with_the_server() -> None:
    """A tab of ``quiz-app serve``: on Linux the kernel sends this app SIGHUP when the server
    ends, even killed, and the app quits as a closed terminal makes it quit (answers flushed),
    instead of living on as an orphan with its PyTorch worker."""
    import os
    import signal

    from quiz_app.runner import sandbox

    if not sandbox.die_with_parent(signal.SIGHUP, os.getppid()):  # the server ended meanwhile
        raise SystemExit(0)


def _quit_on_hangup() -> None:
    """Quit as a closed terminal makes the app quit (SIGHUP, handled: answers flushed) when the
    app's input hangs up without a SIGHUP: a pseudo-terminal whose other side closed while it
    was not the app's controlling terminal, or a pipe whose writer ended. Textual's input
    thread would otherwise spin on the end of input at full CPU."""
    import os
    import select
    import signal
    import threading

    if not hasattr(select, "poll") or not hasattr(signal, "SIGHUP"):
        return
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return

    def watch() -> None:
        poller = select.poll()
        poller.register(fd, 0)  # no events asked: poll reports a hang-up or an error regardless
        while True:
            for _fd, event in poller.poll(1000):
                if event & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                    os.kill(os.getpid(), signal.SIGHUP)
                    return

    threading.Thread(target=watch, daemon=True, name="quiz-app-hangup").start()
