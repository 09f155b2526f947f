"""Start the TUI: open the score database first (a clear error, not a traceback mid-quiz),
start the PyTorch worker in the background, run the app, and close everything in order."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner

if TYPE_CHECKING:
    from quiz_app.ui.settings import Settings


def launch(settings: Settings) -> int:
    """Run the app as ``settings`` ask; the exit code. Raises ``StoreError`` when the score
    database cannot be used (the command line says so, before any screen)."""
    if settings.served:
        _quit_with_the_server()
    store = ProgressStore.open()
    # The next snippet process is forked once the answer is drawn, not while (SnippetRunner.interactive).
    runner = SnippetRunner.interactive(settings.device, sandbox=settings.sandboxed)
    runner.start()  # torch imports while the first screen draws
    from quiz_app.ui.app import QuizApp

    app = QuizApp(store=store, runner=runner, settings=settings)
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
