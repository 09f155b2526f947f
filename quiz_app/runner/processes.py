"""Where snippet processes come from: what the runner needs of a source, and what it gets."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any, Protocol

from quiz_app.runner import sandbox

STARTUP_TIMEOUT = 180.0  # importing torch and making a CUDA context can be slow on a cold disk
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
# A new interpreter's entry: the package root goes last on sys.path, never ahead of the standard
# library (it is site-packages itself for a wheel), and the current folder not at all.
BOOTSTRAP = (
    "import sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
    "sys.path.append({root!r}); "
    "from {module} import main; sys.exit(main(sys.argv[1:]))"
)


def bootstrap(module: str) -> str:
    """``python -c`` code that runs ``module.main(argv)`` from this package."""
    return BOOTSTRAP.format(root=PACKAGE_ROOT, module=module)


class Unavailable(Exception):
    """No snippet process can be had; the message says why, for the learner."""


class SnippetProcess:
    """A snippet process waiting for its one snippet, and the app's end of its channel."""

    def __init__(self, pid: int, conn: Any, stop: Any = None) -> None:
        self.pid = pid
        self.conn = conn  # a protocol.Channel that can also poll(timeout) and close()
        self._stop = stop

    def kill(self) -> None:
        """Stop it and all it started (never blocks)."""
        if self._stop is not None:
            self._stop()
        else:
            sandbox.kill_group(self.pid)

    def close(self) -> None:
        self.kill()
        self.conn.close()


class Source(Protocol):
    """Makes snippet processes: a zygote that forks them (:mod:`zygote_link`), or a launcher
    that spawns a fresh interpreter for each (:mod:`spawned`). Called under the runner's lock,
    except ``interrupt``."""

    def take(self, timeout: float) -> tuple[SnippetProcess, dict[str, Any]]:
        """The next snippet process and its ready message, waiting for it if need be.
        Raises ``Unavailable``."""
        ...

    def prefork(self) -> None:
        """Start making the next snippet process now."""
        ...

    def ready_soon(self) -> bool:
        """True if a snippet process has said it is ready, so that ``take`` will not wait."""
        ...

    def broken(self) -> bool:
        """True if the source died from outside and must be started again."""
        ...

    def how_it_ended(self, process: SnippetProcess) -> tuple[int | None, int | None]:
        """The exit code or the signal that ended a snippet process that gave no reply."""
        ...

    def forget(self, process: SnippetProcess) -> None:
        """Let go of what is kept about a snippet process that has been dealt with."""
        ...

    @property
    def pid(self) -> int | None:
        """The zygote's process id, if the source is one."""
        ...

    def interrupt(self) -> None:
        """Wake whoever waits on the source by stopping it (from any thread, without the lock)."""
        ...

    def kill(self) -> None:
        """Stop the source and every snippet process it made."""
        ...


def user_name() -> str:
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no name to be had (a container's unknown uid): a plain one
        return "quiz-app"


def process_env(workdir: str) -> dict[str, str]:
    """The environment a zygote or a spawned snippet process starts with (``minimal_env``)."""
    env = sandbox.minimal_env(os.environ, workdir)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if not any(env.get(name) for name in ("USER", "LOGNAME", "USERNAME")):
        # getpass.getuser() in a snippet (torch.compile's cache names) would read /etc/passwd,
        # which the sandbox hides: name the user here, where it can be looked up.
        env["USER"] = user_name()
    return env


def can_fork() -> bool:
    """Whether snippet processes can be forked from a zygote here: Linux. macOS has ``fork``,
    but a forked process may not use Apple's frameworks (Metal, so the MPS device); Windows has
    no ``fork``. Both spawn a fresh interpreter per snippet instead."""
    return sys.platform.startswith("linux") and fork_possible()


def fork_possible() -> bool:
    """Whether this system has what forking from a zygote needs at all: ``fork``, and passing
    a socket to the app (``send_fds``)."""
    return hasattr(os, "fork") and hasattr(socket, "send_fds")
