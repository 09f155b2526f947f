"""Snippet processes spawned as fresh interpreters, where they cannot be forked (Windows, macOS).

Each snippet still runs in a process that no other snippet ran in, so isolation holds by
construction here too. The price is the start: each process imports torch itself, which takes
about as long as ``python -c "import torch"``. The runner starts the next process as soon as a
reply comes (the app: once the answer is drawn), so a learner who reads the answer for a few
seconds does not wait for it; ``check`` pays it for every snippet, on every core.

The process speaks on its own stdin and stdout pipes (:mod:`quiz_app.runner.channel`); its
file descriptors 0 and 1 then point at the null device, so what a snippet writes to them
reaches no one.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from quiz_app.runner import protocol, sandbox
from quiz_app.runner.channel import PipeChannel, WatchedChannel
from quiz_app.runner.processes import SnippetProcess, Unavailable, bootstrap, process_env
from quiz_app.runner.protocol import MAX_MESSAGE, ProtocolError

# Imported by a process made for the app before it says it is ready (the learner is reading
# meanwhile), except the first, whose outcome is waited for: an optimizer's first step imports
# torch._dynamo, about 2 s.
WARM_IMPORTS = ("torch._dynamo",)


class SpawnSource:
    """Snippet processes started one at a time, each a fresh interpreter. Processes are started
    from the runner's long-lived launcher thread, as a zygote is (on Linux they die with it)."""

    def __init__(self, python: str, config: dict[str, Any], workdir: str, launcher: ThreadPoolExecutor) -> None:
        self.python = python
        self.config = config
        self.workdir = workdir
        self.launcher = launcher
        self.closed = False
        self.next: SnippetProcess | None = None
        self.popens: dict[int, subprocess.Popen[bytes]] = {}
        self.dying: list[subprocess.Popen[bytes]] = []  # stopped, not yet reaped
        self.launches = 0
        self.prefork()

    def _reap(self) -> None:
        """Collect the exit of stopped processes without waiting for one (a process of torch's
        size takes tens of milliseconds to be torn down)."""
        self.dying = [popen for popen in self.dying if popen.poll() is None]

    def _launch(self) -> SnippetProcess:
        self._reap()
        # The first outcome is waited for: only later processes import torch._dynamo first.
        config = dict(self.config, warm=bool(self.config.get("warm")) and self.launches > 0)
        self.launches += 1
        child_in, ours_out = os.pipe()  # what the app writes, the process reads on its stdin
        ours_in, child_out = os.pipe()
        kwargs: dict[str, Any] = {}
        if os.name == "posix":
            kwargs["start_new_session"] = True  # its own process group; Ctrl+C is the app's
        else:
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        try:
            popen = subprocess.Popen(
                [self.python, "-c", bootstrap("quiz_app.runner.spawned"), json.dumps(config)],
                stdin=child_in,
                stdout=child_out,
                stderr=subprocess.DEVNULL,
                cwd=self.workdir,
                env=process_env(self.workdir),
                **kwargs,
            )
        except BaseException:
            for fd in (ours_in, ours_out):
                os.close(fd)
            raise
        finally:
            os.close(child_in)
            os.close(child_out)
        self.popens[popen.pid] = popen

        def stop() -> None:
            if os.name == "posix":
                sandbox.kill_group(popen.pid)
            try:
                popen.kill()
            except OSError:
                pass

        channel = WatchedChannel(PipeChannel(ours_in, ours_out), MAX_MESSAGE)
        return SnippetProcess(popen.pid, channel, stop)

    def prefork(self) -> None:
        if self.next is None and not self.closed:
            try:
                self.next = self.launcher.submit(self._launch).result()
            except (OSError, RuntimeError):
                self.next = None  # the next take() tries again, and says why if it cannot

    def take(self, timeout: float) -> tuple[SnippetProcess, dict[str, Any]]:
        if self.next is None:
            try:
                self.next = self.launcher.submit(self._launch).result()
            except (OSError, RuntimeError) as error:
                raise Unavailable(f"Python could not be started ({error})") from error
        child, self.next = self.next, None
        try:
            if not child.conn.poll(timeout):
                child.close()
                raise Unavailable("it was stopped" if self.closed else "it did not start in time")
            return child, protocol.receive(child.conn)
        except (EOFError, OSError, ProtocolError) as error:
            child.close()
            if self.closed:
                raise Unavailable("it was stopped") from error
            code, _ = self.how_it_ended(child)
            raise Unavailable(f"its Python process exited at start (exit code {code})") from error

    def ready_soon(self) -> bool:
        return self.next is not None and self.next.conn.poll(0)

    def broken(self) -> bool:
        return False

    def how_it_ended(self, process: SnippetProcess) -> tuple[int | None, int | None]:
        popen = self.popens.pop(process.pid, None)
        if popen is None:
            return None, None
        try:
            code = popen.wait(timeout=10.0)
        except subprocess.TimeoutExpired:
            return None, None
        return (None, -code) if code < 0 else (code, None)

    def forget(self, process: SnippetProcess) -> None:
        popen = self.popens.pop(process.pid, None)
        if popen is not None:
            self.dying.append(popen)
        self._reap()

    def interrupt(self) -> None:
        self.closed = True
        waiting = self.next
        if waiting is not None:
            waiting.kill()

    def kill(self) -> None:
        self.closed = True
        if self.next is not None:
            self.next.close()
            self.next = None
        for popen in [*self.popens.values(), *self.dying]:
            if popen.poll() is None:
                popen.kill()
            popen.wait()
        self.popens.clear()
        self.dying.clear()

    @property
    def pid(self) -> int | None:
        return None


def main(argv: list[str]) -> int:
    """A spawned snippet process: take the channel off stdin and stdout, import torch, then
    live as a forked one does (:func:`quiz_app.runner.child.serve`)."""
    config = json.loads(argv[0])
    conn = PipeChannel(os.dup(0), os.dup(1))
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    from quiz_app.runner import child, syscalls

    try:  # the box first: importing torch starts a thread, and a user namespace needs a process of one
        boxed = child.enter_box(config, sandbox.box_plan(config))
    except OSError as error:
        protocol.send(conn, {"ready": False, "error": f"the snippet's box could not be put up: {error}"})
        return 1
    try:
        import torch

        if config.get("warm"):
            import importlib

            for name in WARM_IMPORTS:
                try:
                    importlib.import_module(name)
                except Exception:  # noqa: BLE001 - an optional speed-up; a snippet imports it itself
                    pass
    except BaseException as error:  # noqa: BLE001 - reported to the app, which explains it
        protocol.send(conn, {"ready": False, "error": f"{type(error).__name__}: {error}"})
        return 1
    child.serve(torch, conn, config, os.getppid(), program=syscalls.program_or_none(), boxed=boxed)
