"""The app's side of the warm worker: start it early, send snippets, survive anything they do."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from quiz_app.runner.outcome import Holds, Outcome, WorkerInfo

STARTUP_TIMEOUT = 180.0  # importing torch and initialising CUDA can be slow on a cold disk
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


class _Worker:
    """One child process and its two pipe ends."""

    def __init__(self, device: str, python: str, workdir: str, threads: int | None = None) -> None:
        req_read, req_write = os.pipe()
        rep_read, rep_write = os.pipe()
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
        env.setdefault("PYTHONUNBUFFERED", "1")
        args = [str(req_read), str(rep_write), device, str(os.getpid()), str(threads or 0)]
        try:
            self.process = subprocess.Popen(
                [python, "-m", "quiz_app.runner.worker", *args],
                pass_fds=(req_read, rep_write),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=workdir,
                env=env,
                start_new_session=True,  # Ctrl+C in the terminal is the app's, not the worker's
            )
        finally:
            os.close(req_read)
            os.close(rep_write)
        self.requests = Connection(req_write, readable=False)
        self.replies = Connection(rep_read, writable=False)
        self.info: WorkerInfo | None = None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.requests.close()
        self.replies.close()

    def ended(self) -> str:
        """Why the process is gone, in words."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"the snippet crashed the worker process ({name}); it has been restarted"
        return f"the snippet ended the worker process (exit code {code}); it has been restarted"


class SnippetRunner:
    """Runs snippets in a warm worker process that has torch imported.

    ``start()`` launches the worker in the background and returns at once; the first
    ``run()`` waits for it to be ready. ``run()`` blocks and is safe to call from several
    threads (they take turns); ``arun()`` does the same without blocking an event loop.
    A snippet that times out, exits or crashes the worker gets an outcome saying so, and the
    worker is started again for the next one.
    """

    def __init__(self, device: str = "auto", python: str | None = None, threads: int | None = None) -> None:
        self.device = device
        self.threads = threads
        self.python = python or sys.executable
        self._lock = threading.RLock()
        self._worker: _Worker | None = None
        self._failure: str | None = None
        self._serial = 0
        self._busy: _Worker | None = None  # the worker running a snippet right now
        self._cancelled = False
        self._closed = False
        self._tmp = tempfile.TemporaryDirectory(prefix="quiz-app-worker-")
        self.restarts = 0

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Launch the worker if none is running. Returns at once."""
        with self._lock:
            if self._worker is None and self._failure is None and not self._closed:
                self._worker = _Worker(self.device, self.python, self._tmp.name, self.threads)

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT) -> WorkerInfo | None:
        """Wait for the worker's hello. None (with ``failure`` set) if it could not start."""
        with self._lock:
            self.start()
            worker = self._worker
            if worker is None:
                return None
            if worker.info is not None:
                return worker.info
            hello: dict[str, Any] | None = None
            answered = False
            try:
                answered = worker.replies.poll(timeout)
                if answered:
                    hello = json.loads(worker.replies.recv_bytes())
            except (EOFError, OSError):
                hello = None
            if hello is None or not hello.get("hello"):
                reason = hello.get("error") if hello else None
                if reason is None:
                    if self._closed:
                        reason = "it was stopped"
                    else:
                        reason = "it exited at start" if answered else "it did not start in time"
                self._failure = f"the PyTorch worker could not start: {reason}"
                worker.kill()
                self._worker = None
                return None
            worker.info = WorkerInfo(hello["device"], hello["device_name"], hello["torch"], hello["pid"])
            return worker.info

    def is_ready(self) -> bool:
        """True once the worker has imported torch (never blocks)."""
        with self._lock:
            worker = self._worker
            if worker is None or worker.info is not None:
                return worker is not None
            try:
                ready = worker.replies.poll(0)
            except OSError:
                ready = True
        if ready:
            self.wait_ready()
        return self.info is not None

    @property
    def info(self) -> WorkerInfo | None:
        worker = self._worker
        return worker.info if worker else None

    @property
    def failure(self) -> str | None:
        """Why no worker could start, if none could."""
        return self._failure

    def cancel(self) -> None:
        """Stop the snippet running now, if any (its ``run()`` returns at once); never blocks.

        The worker is restarted in the background for the next snippet.
        """
        busy = self._busy
        if busy is not None and busy.process.poll() is None:
            self._cancelled = True
            busy.process.kill()

    def close(self) -> None:
        """Stop the worker, even in the middle of a snippet or of its start."""
        self._closed = True
        worker = self._worker
        if worker is not None and worker.process.poll() is None:
            worker.process.kill()  # wakes whoever waits on it, so the lock comes free at once
        with self._lock:
            if self._worker is not None:
                self._worker.kill()
                self._worker = None
            self._tmp.cleanup()

    def __enter__(self) -> SnippetRunner:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- running ----------------------------------------------------------------------------
    def run(self, code: str, setup: str = "", timeout: float = 10.0, holds: tuple[str, ...] = ()) -> Outcome:
        """Run one snippet and return its outcome. Never raises for anything the snippet does."""
        with self._lock:
            info = self.wait_ready()
            worker = self._worker
            if info is None or worker is None:
                return Outcome(status="unavailable", detail=self._failure or "the PyTorch worker is not running")
            self._serial += 1
            self._busy, self._cancelled = worker, False
            try:
                return self._exchange(worker, info, code, setup, timeout, holds)
            finally:
                self._busy = None

    def _exchange(
        self, worker: _Worker, info: WorkerInfo, code: str, setup: str, timeout: float, holds: tuple[str, ...]
    ) -> Outcome:
        """Send one request and wait for its reply, or for the worker's end."""
        base = functools.partial(
            Outcome, device=info.device, device_name=info.device_name, torch_version=info.torch_version
        )
        started = time.perf_counter()
        try:
            worker.requests.send_bytes(
                json.dumps({"id": self._serial, "code": code, "setup": setup, "holds": list(holds)}).encode("utf-8")
            )
            if not worker.replies.poll(timeout):
                self._replace(worker)
                return base(
                    status="timeout",
                    detail=f"the snippet ran past its {timeout:g} s limit and was stopped",
                    duration=time.perf_counter() - started,
                )
            reply = json.loads(worker.replies.recv_bytes())
        except (EOFError, OSError, ConnectionError):
            detail = "the snippet was stopped" if self._cancelled else worker.ended()
            self._replace(worker)
            return base(status="crashed", detail=detail, duration=time.perf_counter() - started)
        if reply.get("restart"):
            self._replace(worker)
        if "internal" in reply:
            return base(status="crashed", detail="the worker failed: " + reply["internal"])
        return base(
            status="ok" if reply["exc_type"] is None else "error",
            stdout=reply["stdout"],
            stderr=reply["stderr"],
            exc_type=reply["exc_type"],
            exc_message=reply["exc_message"],
            duration=reply["duration"],
            truncated=reply["truncated"],
            holds=tuple(Holds(value, error) for value, error in reply.get("holds", [])),
        )

    async def arun(self, code: str, setup: str = "", timeout: float = 10.0, holds: tuple[str, ...] = ()) -> Outcome:
        """``run()`` in a thread, so that an event loop keeps turning meanwhile."""
        return await asyncio.to_thread(self.run, code, setup, timeout, holds)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker that can no longer be trusted and start its successor in the background."""
        worker.kill()
        self._worker = None
        self.restarts += 1
        self.start()  # does nothing once closed
