"""The app's side of the runner: a zygote that imports torch once, and a fresh process per snippet.

``start()`` launches the zygote at once; it imports torch in the background and forks the
first snippet process, which makes its own device context and puts its guards up while it
waits. Each ``run()`` hands its snippet to that waiting process and asks the zygote for the
next one at the same moment, so the fork is hidden behind the run. Whatever a snippet does, it
does in a process that no other snippet ever runs in, and that ends with it.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from quiz_app.i18n import _
from quiz_app.runner import protocol, sandbox
from quiz_app.runner.outcome import Holds, Outcome, WorkerInfo
from quiz_app.runner.protocol import OUTPUT_LIMIT, ProtocolError, clean_text

STARTUP_TIMEOUT = 180.0  # importing torch and making a CUDA context can be slow on a cold disk
DEFAULT_MEMORY_LIMIT = 4 * 2**30  # bytes of resident memory a snippet may use (a laptop's worth)
INTERACTIVE_PREFORK_DELAY = 0.3  # seconds: the app draws an answer, and what follows it, in about 0.15 s
_MEMORY_POLL = 0.02  # seconds between two looks at a running snippet's memory
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
# The zygote's entry: the package root goes last on sys.path, never ahead of the standard
# library (it is site-packages itself for a wheel), and the current folder not at all.
_BOOTSTRAP = (
    "import sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
    "sys.path.append({root!r}); "
    "from quiz_app.runner.zygote import main; sys.exit(main(sys.argv[1:]))"
)


def _user_name() -> str:
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no name to be had (a container's unknown uid): a plain one
        return "quiz-app"


class _Child:
    """A forked snippet process waiting for its one snippet, and the app's end of its channel."""

    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid = pid
        self.conn = conn

    def close(self) -> None:
        sandbox.kill_group(self.pid)
        self.conn.close()


class _Zygote:
    """The zygote process and the app's end of its control socket."""

    def __init__(self, python: str, config: dict[str, Any], workdir: str) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = sandbox.minimal_env(os.environ, workdir)
        env.setdefault("PYTHONUNBUFFERED", "1")
        if not any(env.get(name) for name in ("USER", "LOGNAME", "USERNAME")):
            # getpass.getuser() in a snippet (torch.compile's cache names) would read /etc/passwd,
            # which the sandbox hides: name the user here, where it can be looked up.
            env["USER"] = _user_name()
        try:
            self.process = subprocess.Popen(
                [python, "-c", _BOOTSTRAP.format(root=_PACKAGE_ROOT), str(theirs.fileno()), json.dumps(config)],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=workdir,
                env=env,
                start_new_session=True,  # Ctrl+C in the terminal is the app's, not the zygote's
            )
        finally:
            theirs.close()
        self.sock = ours
        self.conn = Connection(os.dup(ours.fileno()))
        self.hello: dict[str, Any] | None = None
        self.requested = 0  # spawn requests not yet answered
        self.born: deque[_Child] = deque()
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
            self.born.append(_Child(int(message["child"]), Connection(fds[0])))
        elif "ended" in message:
            self.ended[int(message["ended"])] = (message.get("code"), message.get("signal"))
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


class _Unavailable(Exception):
    pass


class SnippetRunner:
    """Runs snippets, each in a fresh process forked from a zygote that has torch imported.

    ``start()`` launches the zygote in the background and returns at once; the first ``run()``
    waits for it to be ready. ``run()`` blocks and is safe to call from several threads (they
    take turns); ``arun()`` does the same without blocking an event loop. It never raises for
    anything a snippet does: a timeout, a crash, too much memory or a garbled reply each give
    an outcome that says so.
    """

    def __init__(
        self,
        device: str = "auto",
        python: str | None = None,
        threads: int | None = None,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        sandbox: bool = True,
        prefork_delay: float = 0.0,
    ) -> None:
        """``prefork_delay``: seconds between a reply and the fork of the next snippet process.
        ``check`` forks at once; the app waits until its answer is drawn, so that the fork and
        the last process's exit do not take the CPU the drawing needs (a run that comes sooner
        asks for its process itself)."""
        self.device = device
        self.python = python or sys.executable
        self.threads = threads
        self.memory_limit = memory_limit
        self.sandbox = sandbox
        self.prefork_delay = prefork_delay
        self._lock = threading.RLock()
        self._zygote: _Zygote | None = None
        self._spare: _Child | None = None
        self._busy: _Child | None = None
        self._info: WorkerInfo | None = None
        self._failure: str | None = None
        self._serial = 0
        self._cancelled = False
        self._closed = False
        self._scratch = tempfile.mkdtemp(prefix="quiz-app-run-")
        # Zygotes are started from this one long-lived thread: on Linux a zygote dies with the
        # thread that started it (PR_SET_PDEATHSIG), so it must be a thread that ends with the app.
        self._launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quiz-app-launcher")
        self.restarts = 0  # snippet processes that had to be stopped (timeout, crash, memory, cancel)
        self.zygote_starts = 0

    @classmethod
    def interactive(cls, device: str = "auto", sandbox: bool = True) -> SnippetRunner:
        """The runner a person waits on (the app): the next snippet process is forked
        ``INTERACTIVE_PREFORK_DELAY`` after a reply, once the answer is drawn."""
        return cls(device, sandbox=sandbox, prefork_delay=INTERACTIVE_PREFORK_DELAY)

    # -- life cycle -------------------------------------------------------------------------
    def _config(self) -> dict[str, Any]:
        cores = os.cpu_count() or 1
        return {
            "device": self.device,
            "threads": self.threads,
            "scratch": self._scratch,
            "app": os.getpid(),
            "sandbox": self.sandbox,
            "cpu_seconds": int(120 * cores + 10),  # a backstop; the app's own timeout comes first
        }

    def start(self) -> None:
        """Launch the zygote if none is running, and ask it for a first snippet process."""
        if not hasattr(os, "fork") or not hasattr(socket, "send_fds"):
            self._failure = (
                "the PyTorch worker could not start: live snippets need fork(), which this system "
                f"({sys.platform}) does not have; questions still play, without live outcomes"
            )
            return
        with self._lock:
            if self._zygote is None and self._failure is None and not self._closed:
                self._zygote = self._launcher.submit(_Zygote, self.python, self._config(), self._scratch).result()
                self.zygote_starts += 1
                self._zygote.request_child()

    def _fail(self, reason: str) -> None:
        self._failure = _("the PyTorch worker could not start: {reason}").format(reason=reason)
        self._drop_zygote()

    def _drop_zygote(self) -> None:
        if self._spare is not None:
            self._spare.close()
            self._spare = None
        if self._zygote is not None:
            self._zygote.kill()
            self._zygote = None

    def _take_spare(self, timeout: float) -> _Child:
        """The next ready snippet process, waiting for it if need be. Raises ``_Unavailable``."""
        deadline = time.monotonic() + timeout
        for _attempt in range(3):
            self.start()
            zygote = self._zygote
            if zygote is None:
                raise _Unavailable(self._failure or "the PyTorch worker is not running")
            try:
                if not zygote.born and zygote.requested == 0:
                    zygote.request_child()
                while not zygote.born:
                    if not zygote.read(max(0.0, deadline - time.monotonic())):
                        if self._closed:
                            raise _Unavailable("it was stopped")
                        raise _Unavailable("it did not start in time")
                    if zygote.hello is not None and not zygote.hello.get("hello"):
                        raise _Unavailable(str(zygote.hello.get("error") or "it exited at start"))
                child = zygote.born.popleft()
                if not child.conn.poll(max(0.0, deadline - time.monotonic())):
                    child.close()
                    raise _Unavailable("its snippet process did not get ready in time")
                ready = protocol.receive(child.conn)
            except _Unavailable as error:
                self._fail(str(error) if not self._closed else "it was stopped")
                raise _Unavailable(self._failure or str(error)) from error
            except (EOFError, OSError, ProtocolError):
                if self._closed:
                    self._fail("it was stopped")
                    raise _Unavailable(self._failure or "") from None
                if self._zygote is not None and self._zygote.process.poll() is not None:
                    self._drop_zygote()  # the zygote died; the next attempt starts another
                continue
            if not ready.get("ready"):
                child.close()
                self._fail(str(ready.get("error") or "its snippet process failed"))
                raise _Unavailable(self._failure or "")
            guards = tuple(str(g) for g in ready.get("guards", ()))
            _, missing = sandbox.available()
            if not self.sandbox:
                missing = {g: "turned off" for g in sandbox.ALL_GUARDS if g not in guards}
            self._info = WorkerInfo(
                device=str(ready["device"]),
                device_name=str(ready["device_name"]),
                torch_version=str(ready["torch"]),
                pid=int(ready["pid"]),
                guards=guards + (("memory",) if "memory" not in missing else ()),
                missing=tuple(sorted(missing.items())),
            )
            return child
        self._fail("its snippet processes kept failing at start")
        raise _Unavailable(self._failure or "")

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> WorkerInfo | None:
        """Wait until a snippet process is ready. None (with ``failure`` set) if none can start."""
        with self._lock:
            if self._spare is None:
                try:
                    self._spare = self._take_spare(timeout)
                except _Unavailable:
                    return None
            return self._info

    def is_ready(self) -> bool:
        """True once a snippet process is waiting (never blocks for long)."""
        if not self._lock.acquire(blocking=False):
            return self._info is not None
        try:
            if self._spare is not None:
                return True
            zygote = self._zygote
            if zygote is None:
                return False
            try:
                while zygote.read(0):
                    pass
            except (EOFError, OSError, ProtocolError):
                return False
            if zygote.born and zygote.born[0].conn.poll(0):
                self.wait_ready()
            return self._spare is not None
        finally:
            self._lock.release()

    @property
    def info(self) -> WorkerInfo | None:
        return self._info

    @property
    def failure(self) -> str | None:
        """Why no snippet process could start, if none could."""
        return self._failure

    def cancel(self) -> None:
        """Stop the snippet running now, if any (its ``run()`` returns at once); never blocks."""
        busy = self._busy
        if busy is not None:
            self._cancelled = True
            sandbox.kill_group(busy.pid)

    def close(self) -> None:
        """Stop everything, even in the middle of a snippet or of the start."""
        self._closed = True
        busy, zygote = self._busy, self._zygote
        if busy is not None:
            sandbox.kill_group(busy.pid)
        if zygote is not None and zygote.process.poll() is None:
            zygote.process.kill()  # wakes whoever waits on it, so the lock comes free at once
        with self._lock:
            self._drop_zygote()
            self._info = None
            shutil.rmtree(self._scratch, ignore_errors=True)
        self._launcher.shutdown(wait=False)

    def __enter__(self) -> SnippetRunner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running ----------------------------------------------------------------------------
    def run(
        self,
        code: str,
        setup: str = "",
        timeout: float = 10.0,
        holds: tuple[str, ...] = (),
        memory_limit: int | None = None,
    ) -> Outcome:
        """Run one snippet in a fresh process and return its outcome. Never raises for
        anything the snippet does."""
        with self._lock:
            zygote = self._zygote
            if zygote is not None and zygote.process.poll() is not None:
                # The zygote died (killed from outside): its waiting snippet process died with it.
                # Start another; no snippet of the learner's is to blame.
                self._drop_zygote()
            if self.wait_ready() is None or self._spare is None:
                return Outcome(status="unavailable", detail=self._failure or _("the PyTorch worker is not running"))
            child, self._spare = self._spare, None
            assert self._zygote is not None and self._info is not None
            self._serial += 1
            self._zygote.ended.clear()  # only this child's end can be asked about from now on
            self._busy, self._cancelled = child, False
            try:
                return self._exchange(child, self._info, code, setup, timeout, holds, memory_limit)
            finally:
                self._busy = None
                child.close()
                if self.prefork_delay > 0:
                    later = threading.Timer(self.prefork_delay, self._prefork_later)
                    later.daemon = True
                    later.start()
                else:
                    self._prefork()
                shutil.rmtree(os.path.join(self._scratch, str(child.pid)), ignore_errors=True)

    def _prefork_later(self) -> None:
        with self._lock:
            if self._spare is None:  # a run since may have taken one already
                self._prefork()

    def _prefork(self) -> None:
        """Ask for the next snippet process now that this one has replied. (Forking while a
        snippet runs would cost it about 3 ms of a two-core machine.)"""
        zygote = self._zygote
        if zygote is not None and not self._closed and not zygote.born and zygote.requested == 0:
            try:
                zygote.request_child()
            except OSError:
                pass

    def _exchange(
        self,
        child: _Child,
        info: WorkerInfo,
        code: str,
        setup: str,
        timeout: float,
        holds: tuple[str, ...],
        memory_limit: int | None,
    ) -> Outcome:
        base = functools.partial(
            Outcome,
            device=info.device,
            device_name=info.device_name,
            torch_version=info.torch_version,
            guards=info.guards,
        )
        limit = memory_limit or self.memory_limit
        started = time.perf_counter()
        deadline = time.monotonic() + timeout
        serial = self._serial
        try:
            protocol.send(child.conn, {"id": serial, "code": code, "setup": setup, "holds": list(holds)})
            while not child.conn.poll(min(_MEMORY_POLL, max(0.0, deadline - time.monotonic()))):
                if time.monotonic() >= deadline:
                    self.restarts += 1
                    sandbox.kill_group(child.pid)
                    detail = _("the snippet ran past its {seconds} s limit and was stopped").format(
                        seconds=f"{timeout:g}"
                    )
                    return base(status="timeout", detail=detail, duration=time.perf_counter() - started)
                used = sandbox.resident_bytes(child.pid)
                if used is not None and used > limit:
                    self.restarts += 1
                    sandbox.kill_group(child.pid)
                    detail = _("stopped: it used more than {size} of memory, the limit for a snippet").format(
                        size=_size(limit)
                    )
                    return base(status="crashed", detail=detail, duration=time.perf_counter() - started)
            reply = protocol.receive(child.conn)
        except (EOFError, OSError):
            self.restarts += 1
            detail = _("the snippet was stopped") if self._cancelled else self._how_it_ended(child)
            return base(status="crashed", detail=detail, duration=time.perf_counter() - started)
        except ProtocolError as error:
            self.restarts += 1
            detail = _("the snippet's process sent a reply that could not be read ({error}); it was stopped").format(
                error=error
            )
            return base(status="crashed", detail=detail, duration=time.perf_counter() - started)
        try:
            return self._outcome(base, reply, serial, len(holds))
        except (KeyError, TypeError, ValueError):
            self.restarts += 1
            detail = _("the snippet's process sent a reply that was not its own; it was stopped")
            return base(status="crashed", detail=detail, duration=time.perf_counter() - started)

    @staticmethod
    def _outcome(base: functools.partial[Outcome], reply: dict[str, Any], serial: int, holds: int) -> Outcome:
        """The outcome a reply describes, once it is proven to be this request's reply."""
        if reply.get("id") != serial:
            raise ValueError("reply to another request")
        stdout, stderr = reply["stdout"], reply["stderr"]
        exc_type, exc_message = reply["exc_type"], reply["exc_message"]
        if not isinstance(stdout, str) or not isinstance(stderr, str):
            raise TypeError("output is not text")
        if exc_type is not None and not isinstance(exc_type, str):
            raise TypeError("exception type is not text")
        truths = reply.get("holds") or []
        if len(truths) != holds:
            raise ValueError("not one result per holds expression")
        results = []
        for value, error in truths:
            if value is not None and not isinstance(value, bool):
                raise TypeError("a holds result is not a truth value")
            results.append(Holds(value, clean_text(str(error), 500) if error is not None else None))
        return base(
            status="ok" if exc_type is None else "error",
            stdout=clean_text(stdout, OUTPUT_LIMIT),
            stderr=clean_text(stderr, OUTPUT_LIMIT),
            exc_type=clean_text(exc_type, 200) if exc_type else None,
            exc_message=clean_text(str(exc_message), 2000) if exc_message is not None else None,
            duration=float(reply["duration"]),
            truncated=bool(reply["truncated"]),
            holds=tuple(results),
        )

    def _how_it_ended(self, child: _Child) -> str:
        """Why a snippet process is gone, in words (the zygote reports its exit status)."""
        zygote = self._zygote
        deadline = time.monotonic() + 10.0  # the zygote reaps between imports, which take seconds at start
        while zygote is not None and child.pid not in zygote.ended and time.monotonic() < deadline:
            try:
                zygote.read(0.05)
            except (EOFError, OSError, ProtocolError):
                break
        code, sig = zygote.ended.pop(child.pid, (None, None)) if zygote is not None else (None, None)
        if sig is not None:
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = f"signal {sig}"
            if sig == getattr(signal, "SIGXCPU", None):
                return _("stopped: the snippet used up its CPU time")
            return _("the snippet crashed its process ({signal})").format(signal=name)
        if code is not None:
            return _("the snippet ended its process (exit code {code})").format(code=code)
        return _("the snippet's process ended without a reply")

    async def arun(
        self,
        code: str,
        setup: str = "",
        timeout: float = 10.0,
        holds: tuple[str, ...] = (),
        memory_limit: int | None = None,
    ) -> Outcome:
        """``run()`` in a thread, so that an event loop keeps turning meanwhile."""
        return await asyncio.to_thread(self.run, code, setup, timeout, holds, memory_limit)


def _size(count: int) -> str:
    return f"{count / 2**30:g} GiB" if count >= 2**30 else f"{count / 2**20:g} MiB"
