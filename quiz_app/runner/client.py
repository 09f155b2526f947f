"""The app's side of the runner: a fresh process for every snippet.

``start()`` sets up where snippet processes come from (:mod:`quiz_app.runner.processes`): on
Linux a zygote that imports torch once and forks each one (:mod:`zygote_link`); elsewhere a
fresh interpreter spawned for each (:mod:`spawned`). The first snippet process is made at once:
it makes its own device context and puts its guards up while it waits. Each ``run()`` hands its
snippet to the waiting process, and the next one is made once the reply is in. Whatever a
snippet does, it does in a process that no other snippet ever runs in, and that ends with it.
"""

from __future__ import annotations

import asyncio
import functools
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from quiz_app.core.i18n import _
from quiz_app.runner import box, protocol, sandbox
from quiz_app.runner.outcome import Outcome, WorkerInfo
from quiz_app.runner.processes import STARTUP_TIMEOUT, SnippetProcess, Source, Unavailable, can_fork, fork_possible
from quiz_app.runner.protocol import ProtocolError
from quiz_app.runner.replies import decode_reply, ending_text, size_text
from quiz_app.runner.request import SnippetRequest

DEFAULT_MEMORY_LIMIT = 4 * 2**30  # bytes of resident memory a snippet may use (a laptop's worth)
INTERACTIVE_PREFORK_DELAY = 0.3  # seconds: the app draws an answer, and what follows it, in about 0.15 s
START_METHODS = ("fork", "spawn")
_MEMORY_POLL = 0.02  # seconds between two looks at a running snippet's memory

__all__ = ["DEFAULT_MEMORY_LIMIT", "STARTUP_TIMEOUT", "SnippetRunner", "default_start_method"]


def default_start_method() -> str:
    """``fork`` on Linux, ``spawn`` elsewhere; ``QUIZ_APP_START_METHOD`` chooses otherwise."""
    chosen = os.environ.get("QUIZ_APP_START_METHOD", "").strip().lower()
    if chosen in START_METHODS:
        return chosen
    return "fork" if can_fork() else "spawn"


class SnippetRunner:
    """Runs snippets, each in a fresh process (forked from a zygote on Linux, spawned elsewhere).

    ``start()`` sets up the first snippet process in the background and returns at once; the
    first ``run()`` waits for it to be ready. ``run()`` blocks and is safe to call from several
    threads (they take turns); ``arun()`` does the same without blocking an event loop. It never
    raises for anything a snippet does: a timeout, a crash, too much memory or a garbled reply
    each give an outcome that says so.
    """

    def __init__(
        self,
        device: str = "auto",
        python: str | None = None,
        threads: int | None = None,
        memory_limit: int = DEFAULT_MEMORY_LIMIT,
        sandbox: bool = True,
        prefork_delay: float = 0.0,
        start_method: str | None = None,
    ) -> None:
        """``prefork_delay``: seconds between a reply and the making of the next snippet process.
        ``check`` makes it at once; the app waits until its answer is drawn, so that the fork and
        the last process's exit do not take the CPU the drawing needs (a run that comes sooner
        asks for its process itself). ``start_method``: ``fork`` (a zygote, Linux) or ``spawn``
        (a fresh interpreter per snippet); by default :func:`default_start_method`."""
        self.device = device
        self.python = python or sys.executable
        self.threads = threads
        self.memory_limit = memory_limit
        self.sandbox = sandbox
        self.prefork_delay = prefork_delay
        self.start_method = start_method or default_start_method()
        if self.start_method not in START_METHODS:
            raise ValueError(f"start_method must be one of {START_METHODS}, not {self.start_method!r}")
        self._lock = threading.RLock()
        self._source: Source | None = None
        self._spare: SnippetProcess | None = None
        self._busy: SnippetProcess | None = None
        self._info: WorkerInfo | None = None
        self._failure: str | None = None
        self._serial = 0
        self._cancelled = False
        self._closed = False
        self._scratch = tempfile.mkdtemp(prefix="quiz-app-run-")
        # Zygotes and spawned processes are started from this one long-lived thread: on Linux
        # they die with the thread that started them (PR_SET_PDEATHSIG), so it must be a thread
        # that ends with the app.
        self._launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="quiz-app-launcher")
        self._chores: queue.Queue[tuple[float, SnippetProcess] | None] = queue.Queue()
        self._housekeeper: threading.Thread | None = None
        self._stopping = threading.Event()
        self.restarts = 0  # snippet processes that had to be stopped (timeout, crash, memory, cancel)
        self.zygote_starts = 0  # sources started: zygotes, or first spawned processes

    @classmethod
    def interactive(cls, device: str = "auto", sandbox: bool = True) -> SnippetRunner:
        """The runner a person waits on (the app): the next snippet process is made
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
            "memory": self.memory_limit,  # the size of the box's tmpfs (scratch folder and /dev/shm)
            "cpu_seconds": int(120 * cores + 10),  # a backstop; the app's own timeout comes first
            # A spawned process imports torch._dynamo before it is ready only where a person
            # waits (it is read meanwhile); check would pay its 2 s for every snippet.
            "warm": self.prefork_delay > 0,
        }

    def start(self) -> None:
        """Set up the source of snippet processes if there is none, and make a first one."""
        if self.start_method == "fork" and not fork_possible():
            self._failure = _("the PyTorch worker could not start: {reason}").format(
                reason=f"this system ({sys.platform}) cannot fork snippet processes; use QUIZ_APP_START_METHOD=spawn"
            )
            return
        with self._lock:
            if self._source is None and self._failure is None and not self._closed:
                try:
                    self._source = self._new_source()
                except OSError as error:  # no such Python, or no process to be had
                    self._fail(f"Python could not be started ({error})")
                    return
                self.zygote_starts += 1
                if self.sandbox and self.zygote_starts == 1:
                    # The guards this machine has (a box is tried in a throw-away process), found
                    # while the zygote imports torch: the first snippet process is checked against them.
                    threading.Thread(target=sandbox.available, daemon=True, name="quiz-app-guards").start()

    def _new_source(self) -> Source:
        if self.start_method == "fork":
            from quiz_app.runner.zygote_link import ZygoteSource

            return ZygoteSource(self.python, self._config(), self._scratch, self._launcher)
        from quiz_app.runner.spawned import SpawnSource

        return SpawnSource(self.python, self._config(), self._scratch, self._launcher)

    def _fail(self, reason: str) -> None:
        self._failure = _("the PyTorch worker could not start: {reason}").format(reason=reason)
        self._drop_source()

    def _drop_source(self) -> None:
        if self._spare is not None:
            self._spare.close()
            self._spare = None
        if self._source is not None:
            self._source.kill()
            self._source = None

    def _take_spare(self, timeout: float) -> SnippetProcess:
        """The next ready snippet process, waiting for it if need be. Raises ``Unavailable``."""
        deadline = time.monotonic() + timeout
        for _attempt in range(3):
            self.start()
            source = self._source
            if source is None:
                raise Unavailable(self._failure or "the PyTorch worker is not running")
            try:
                child, ready = source.take(max(0.0, deadline - time.monotonic()))
            except Unavailable as error:
                self._fail(str(error) if not self._closed else "it was stopped")
                raise Unavailable(self._failure or str(error)) from error
            except ConnectionError:
                if self._closed:
                    self._fail("it was stopped")
                    raise Unavailable(self._failure or "") from None
                if source.broken():
                    self._drop_source()  # the zygote died; the next attempt starts another
                continue
            if not ready.get("ready"):
                child.close()
                self._fail(str(ready.get("error") or "its snippet process failed"))
                raise Unavailable(self._failure or "")
            guards, missing, unmet = sandbox.reconcile(ready, self.sandbox)
            if unmet:  # the trust gate counted on these guards: no snippet runs without them
                child.close()
                self._fail(f"its snippet process could not put up its guards ({unmet})")
                raise Unavailable(self._failure or "")
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
        raise Unavailable(self._failure or "")

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> WorkerInfo | None:
        """Wait until a snippet process is ready. None (with ``failure`` set) if none can start."""
        with self._lock:
            if self._spare is None:
                try:
                    self._spare = self._take_spare(timeout)
                except Unavailable:
                    return None
            return self._info

    def is_ready(self) -> bool:
        """True once a snippet process is waiting (never blocks for long)."""
        if not self._lock.acquire(blocking=False):
            return self._info is not None
        try:
            if self._spare is not None:
                return True
            if self._source is None or not self._source.ready_soon():
                return False
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

    @property
    def zygote_pid(self) -> int | None:
        """The zygote's process id (fork), or None (spawn, or not started)."""
        source = self._source
        return source.pid if source is not None else None

    def cancel(self) -> None:
        """Stop the snippet running now, if any (its ``run()`` returns at once); never blocks."""
        busy = self._busy
        if busy is not None:
            self._cancelled = True
            busy.kill()

    def close(self) -> None:
        """Stop everything, even in the middle of a snippet or of the start."""
        self._closed = True
        busy, source = self._busy, self._source
        if busy is not None:
            busy.kill()
        if source is not None:
            source.interrupt()  # wakes whoever waits on it, so the lock comes free at once
        self._stopping.set()
        with self._lock:
            self._drop_source()
            self._info = None
            while True:  # runs whose tidying the housekeeper had not come to
                try:
                    chore = self._chores.get_nowait()
                except queue.Empty:
                    break
                if chore is not None:
                    chore[1].conn.close()
            shutil.rmtree(self._scratch, ignore_errors=True)
        self._chores.put(None)  # the housekeeper ends
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
            if self._source is not None and self._source.broken():
                # The zygote died (killed from outside): its waiting snippet process died with it.
                # Start another; no snippet of the learner's is to blame.
                self._drop_source()
            if self.wait_ready() is None or self._spare is None:
                return Outcome(status="unavailable", detail=self._failure or _("the PyTorch worker is not running"))
            child, self._spare = self._spare, None
            assert self._source is not None and self._info is not None
            self._serial += 1
            self._busy, self._cancelled = child, False
            try:
                return self._exchange(child, self._info, code, setup, timeout, holds, memory_limit)
            finally:
                self._busy = None
                child.kill()  # it, and all it started, end now
                if self.prefork_delay <= 0:
                    self._prefork()  # check's pace: the next process is asked for at once
                # The rest is done after the outcome is returned (removing a boxed process's
                # folder waits for its namespaces to go, about 1 to 3 ms).
                self._chores.put((time.monotonic() + self.prefork_delay, child))
                self._start_housekeeper()

    def _tidy(self, child: SnippetProcess) -> None:
        """What is left of a snippet process once it is stopped: its channel, what the source
        keeps of it, its scratch folder."""
        child.conn.close()
        if self._source is not None:
            self._source.forget(child)
        shutil.rmtree(os.path.join(self._scratch, str(child.pid)), ignore_errors=True)

    def _start_housekeeper(self) -> None:
        if self._housekeeper is None:
            self._housekeeper = threading.Thread(target=self._housekeep, daemon=True, name="quiz-app-housekeeper")
            self._housekeeper.start()

    def _housekeep(self) -> None:
        """Tidy after each run once its outcome is returned (0.7 ms that the outcome no longer
        waits for, 1 to 3 ms for a boxed process, whose folder goes only once its namespaces
        have), and, for the app, make the next snippet process ``prefork_delay`` later, once the
        answer is drawn (``check`` asks for it at once, in ``run``). One thread for the runner's
        life, not one per run."""
        while (chore := self._chores.get()) is not None:
            due, child = chore
            with self._lock:
                self._tidy(child)
            if self._stopping.wait(max(0.0, due - time.monotonic())):
                return
            with self._lock:
                if self._spare is None and self._chores.empty():  # else a run since took one, or will
                    self._prefork()

    def _prefork(self) -> None:
        """Ask for the next snippet process now that this one has replied. (Forking while a
        snippet runs would cost it about 3 ms of a two-core machine.)"""
        if self._source is not None and not self._closed:
            self._source.prefork()

    def _exchange(
        self,
        child: SnippetProcess,
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
        boxed, scratch = "box" in info.guards, os.path.join(self._scratch, str(child.pid))
        started = time.perf_counter()
        deadline = time.monotonic() + timeout
        serial = self._serial
        try:
            protocol.send(child.conn, {"id": serial, "code": code, "setup": setup, "holds": list(holds)})
            while not child.conn.poll(min(_MEMORY_POLL, max(0.0, deadline - time.monotonic()))):
                if time.monotonic() >= deadline:
                    self.restarts += 1
                    child.kill()
                    detail = _("the snippet ran past its {seconds} s limit and was stopped").format(
                        seconds=f"{timeout:g}"
                    )
                    return base(status="timeout", detail=detail, duration=time.perf_counter() - started)
                used = sandbox.resident_bytes(child.pid)
                if used is not None and boxed:  # what it wrote to its scratch folder and /dev/shm counts too
                    used += box.memory_used(child.pid, scratch)
                if used is not None and used > limit:
                    self.restarts += 1
                    child.kill()
                    detail = _("stopped: it used more than {size} of memory, the limit for a snippet").format(
                        size=size_text(limit)
                    )
                    return base(status="crashed", detail=detail, duration=time.perf_counter() - started)
            reply = protocol.receive(child.conn)
        except (EOFError, OSError):
            self.restarts += 1
            if self._cancelled:
                detail = _("the snippet was stopped")
            else:
                assert self._source is not None
                detail = ending_text(*self._source.how_it_ended(child))
            return base(status="crashed", detail=detail, duration=time.perf_counter() - started)
        except ProtocolError as error:
            self.restarts += 1
            detail = _("the snippet's process sent a reply that could not be read ({error}); it was stopped").format(
                error=error
            )
            return base(status="crashed", detail=detail, duration=time.perf_counter() - started)
        try:
            return decode_reply(base, reply, serial, len(holds))
        except (KeyError, TypeError, ValueError):
            self.restarts += 1
            detail = _("the snippet's process sent a reply that was not its own; it was stopped")
            return base(status="crashed", detail=detail, duration=time.perf_counter() - started)

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

    def run_request(self, request: SnippetRequest) -> Outcome:
        """``run()`` for one :class:`SnippetRequest` (``question_request`` makes a question's)."""
        return self.run(request.code, request.setup, request.timeout, request.holds, request.memory_limit)

    async def arun_request(self, request: SnippetRequest) -> Outcome:
        """``run_request()`` in a thread, so that an event loop keeps turning meanwhile."""
        return await asyncio.to_thread(self.run_request, request)
