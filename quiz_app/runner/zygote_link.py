"""The app's end of the zygote (Linux): it forks each snippet process from a process that has
imported torch once, and hands the app that process's socket."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from quiz_app.runner import protocol
from quiz_app.runner.processes import SnippetProcess, Unavailable, bootstrap, process_env
from quiz_app.runner.protocol import ProtocolError

_ENDED_KEPT = 256  # exit statuses remembered (only a run's own is ever asked for)


class ZygoteLink:
    """The zygote process and the app's end of its control socket."""

    def __init__(self, python: str, config: dict[str, Any], workdir: str) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.process = subprocess.Popen(
                [python, "-c", bootstrap("quiz_app.runner.zygote"), str(theirs.fileno()), json.dumps(config)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=workdir,
                env=process_env(workdir),
                start_new_session=True,  # Ctrl+C in the terminal is the app's, not the zygote's
            )
        finally:
            theirs.close()
        self.sock = ours
        self.conn = Connection(os.dup(ours.fileno()))
        self.hello: dict[str, Any] | None = None
        self.requested = 0  # spawn requests not yet answered
        self.born: deque[SnippetProcess] = deque()
        self.ended: dict[int, tuple[int | None, int | None]] = {}

    def request_child(self) -> None:
        protocol.send(self.conn, {"op": "spawn"})
        self.requested += 1

    def read(self, timeout: float) -> bool:
        """Handle one control message if one comes within ``timeout``. False if none came."""
        if not self.conn.poll(timeout):
            return False
        message = protocol.receive(self.conn)
        if "hello" in message:
            self.hello = message
        elif "child" in message:
            _, fds, _, _ = socket.recv_fds(self.sock, 1, 1)
            if not fds:
                raise ProtocolError("the zygote sent no channel for its child")
            self.requested -= 1
            self.born.append(SnippetProcess(int(message["child"]), Connection(fds[0])))
        elif "ended" in message:
            self.ended[int(message["ended"])] = (message.get("code"), message.get("signal"))
            while len(self.ended) > _ENDED_KEPT:
                del self.ended[next(iter(self.ended))]
        return True

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for child in self.born:
            child.close()
        self.born.clear()
        self.conn.close()
        self.sock.close()


class ZygoteSource:
    """Snippet processes forked by a zygote. The zygote is started from one long-lived launcher
    thread: on Linux a zygote dies with the thread that started it (``PR_SET_PDEATHSIG``), so it
    must be a thread that ends with the app."""

    def __init__(self, python: str, config: dict[str, Any], workdir: str, launcher: ThreadPoolExecutor) -> None:
        self.zygote = launcher.submit(ZygoteLink, python, config, workdir).result()
        self.zygote.request_child()
        self.closed = False

    def take(self, timeout: float) -> tuple[SnippetProcess, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        zygote = self.zygote
        try:
            if not zygote.born and zygote.requested == 0:
                zygote.request_child()
            while not zygote.born:
                if not zygote.read(max(0.0, deadline - time.monotonic())):
                    raise Unavailable("it was stopped" if self.closed else "it did not start in time")
                if zygote.hello is not None and not zygote.hello.get("hello"):
                    raise Unavailable(str(zygote.hello.get("error") or "it exited at start"))
            child = zygote.born.popleft()
            if not child.conn.poll(max(0.0, deadline - time.monotonic())):
                child.close()
                raise Unavailable("its snippet process did not get ready in time")
            return child, protocol.receive(child.conn)
        except (EOFError, OSError, ProtocolError) as error:
            if self.closed:
                raise Unavailable("it was stopped") from error
            raise ConnectionError("the zygote or its snippet process ended at start") from error

    def prefork(self) -> None:
        zygote = self.zygote
        if not self.closed and not zygote.born and zygote.requested == 0:
            try:
                zygote.request_child()
            except OSError:
                pass

    def ready_soon(self) -> bool:
        zygote = self.zygote
        try:
            while zygote.read(0):
                pass
        except (EOFError, OSError, ProtocolError):
            return False
        return bool(zygote.born) and zygote.born[0].conn.poll(0)

    def broken(self) -> bool:
        return self.zygote.process.poll() is not None

    def how_it_ended(self, process: SnippetProcess) -> tuple[int | None, int | None]:
        """Its exit status, which the zygote reports once it has reaped it."""
        zygote = self.zygote
        deadline = time.monotonic() + 10.0  # the zygote reaps between imports, which take seconds at start
        while process.pid not in zygote.ended and time.monotonic() < deadline:
            try:
                zygote.read(0.05)
            except (EOFError, OSError, ProtocolError):
                break
        return zygote.ended.pop(process.pid, (None, None))

    def forget(self, process: SnippetProcess) -> None:
        self.zygote.ended.pop(process.pid, None)

    def interrupt(self) -> None:
        self.closed = True
        if self.zygote.process.poll() is None:
            self.zygote.process.kill()

    def kill(self) -> None:
        self.closed = True
        self.zygote.kill()

    @property
    def pid(self) -> int:
        return self.zygote.process.pid
