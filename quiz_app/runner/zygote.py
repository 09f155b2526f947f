"""The zygote: a process that imports torch once and forks one fresh process per snippet.

It never runs a snippet, a parallel op or CUDA itself, so each child it forks starts from the
same clean state, can use every thread, and can make its own CUDA context. It speaks to the
app over one control socket:

- app → zygote ``{"op": "spawn"}``: fork a snippet process; the reply is ``{"child": pid}``
  followed by the app's end of a fresh socket pair (passed with ``SCM_RIGHTS``);
- zygote → app ``{"ended": pid, "code": int|None, "signal": int|None}`` when a child is reaped.

It is a child subreaper (Linux), so processes a snippet leaves behind are handed to it when the
snippet's process ends, and it kills them. When the app goes away, the control socket closes
and the zygote kills every child and exits. Run by :class:`quiz_app.runner.client.SnippetRunner`.
"""

from __future__ import annotations

import os
import selectors
import signal
import socket
import sys
import time
from multiprocessing.connection import Connection
from typing import Any

# child is imported here, once, not in each snippet process after its fork (about 3 ms each).
from quiz_app.runner import child, protocol, sandbox, syscalls

# Imported after the first snippet process is forked (so the first outcome does not wait for
# them), before the second: an optimizer's first step imports torch._dynamo, about 800 modules
# and 2 s that every fresh process would otherwise pay again. Importing starts no thread and
# runs no parallel op, so forking stays safe.
WARM_IMPORTS = ("torch._dynamo",)
ORPHAN_SCAN_INTERVAL = 0.1


def _bind_to_the_app(app: int) -> None:
    """Linux: the kernel kills this zygote when the app's launcher thread ends, which is when the
    app ends, even mid-import; and makes it the reaper of what its snippets leave behind."""
    if not sandbox.die_with_parent(signal.SIGKILL, app):  # the app ended before that was set
        os._exit(0)
    sandbox.become_subreaper()


def _orphans(own: set[int]) -> list[int]:
    """Processes handed to this zygote that it did not fork itself (a snippet's leftovers)."""
    me = os.getpid()
    found = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit() or int(entry) in own:
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stream:
                stat = stream.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == me:
            found.append(int(entry))
    return found


def freeze() -> None:
    """Move every object to the collector's permanent generation: a snippet process's garbage
    collections then never walk (and so never copy-on-write) the zygote's million objects."""
    import gc

    gc.collect()
    gc.freeze()


_HUGE = 1 << 21  # bytes in a transparent huge page (x86-64, arm64 with 4 KiB pages)
_MADV_COLLAPSE = 25  # Linux 6.1


def collapse_to_huge_pages() -> int:
    """Linux: back the zygote's private writable memory (the objects of torch's million-object
    import) with huge pages, where the kernel can. A fork copies one page-table entry per 2 MiB
    instead of 512, and a process's exit drops as few: measured here, a fork and exit of the
    zygote went from about 12 ms of CPU to 3.5, and a snippet's whole life from 18 to 11. A
    page a snippet writes is still copied 4 KiB at a time. Where the kernel is older (before
    6.1), huge pages are off, or memory is short, nothing changes. Returns the ranges collapsed."""
    import ctypes

    libc = sandbox.linux_libc()
    if libc is None:
        return 0
    try:
        madvise = libc.madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        with open("/proc/self/maps") as maps:
            lines = maps.readlines()
    except (OSError, AttributeError):
        return 0
    collapsed = 0
    for line in lines:
        fields = line.split()
        name = fields[5] if len(fields) > 5 else ""
        if not fields[1].startswith("rw") or fields[1][3] != "p" or name not in ("", "[heap]"):
            continue  # anonymous private memory and the heap only: no file, no stack, no shared
        low, high = (int(bound, 16) for bound in fields[0].split("-"))
        start, end = (low + _HUGE - 1) & ~(_HUGE - 1), high & ~(_HUGE - 1)
        if end > start and madvise(start, end - start, _MADV_COLLAPSE) == 0:
            collapsed += 1
    return collapsed


class Zygote:
    def __init__(self, ctl: socket.socket, config: dict[str, Any]) -> None:
        self.ctl = ctl
        self.conn = Connection(ctl.fileno())
        self.config = config
        self.children: set[int] = set()
        self.private_fds: list[int] = []  # closed in every snippet process
        self.warm = False
        self.scan_due = 0.0  # when the next look for a snippet's leftover processes may happen
        self.unscanned = False  # a snippet process ended since the last look
        # Each snippet process's box and system-call filter, worked out once for all (about 1 ms).
        self.plan, self.program = sandbox.box_plan(config), syscalls.program_or_none()
        import torch  # the one expensive import, shared by every snippet process

        self.torch = torch
        freeze()

    def spawn(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:  # the snippet process
            self.ctl.close()
            theirs.close()
            signal.set_wakeup_fd(-1)
            for fd in self.private_fds:
                os.close(fd)
            child.serve(
                self.torch, Connection(ours.detach()), self.config, os.getppid(), plan=self.plan, program=self.program
            )
        ours.close()
        self.children.add(pid)
        protocol.send(self.conn, {"child": pid})
        socket.send_fds(self.ctl, [b"F"], [theirs.fileno()])
        theirs.close()

    def warm_up(self) -> None:
        import importlib

        self.warm = True
        for name in WARM_IMPORTS:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - an optional speed-up; snippets import it themselves
                pass
        freeze()
        collapse_to_huge_pages()  # after the first snippet process: its outcome does not wait

    def reap(self) -> None:
        """Collect ended children, tell the app how each ended, and kill a snippet's leftovers."""
        ended = False
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid in self.children:
                self.children.discard(pid)
                ended = True
                code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
                sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
                protocol.send(self.conn, {"ended": pid, "code": code, "signal": sig})
        # Leftovers outside a snippet's process group are handed to this subreaper when their
        # snippet ends; looking costs a /proc scan (about 3 ms), so at most every 0.1 s.
        self.unscanned = self.unscanned or ended
        if self.unscanned and time.monotonic() >= self.scan_due:
            self.unscanned = False
            self.scan_due = time.monotonic() + ORPHAN_SCAN_INTERVAL
            for orphan in _orphans(self.children):
                sandbox.kill_group(orphan)

    def kill_all(self) -> None:
        for pid in list(self.children) + _orphans(self.children):
            sandbox.kill_group(pid)

    def serve(self) -> int:
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        selector = selectors.DefaultSelector()
        self.private_fds += [wake_read, wake_write, selector.fileno()]
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # wakes the selector through the pipe
        selector.register(self.ctl, selectors.EVENT_READ)
        selector.register(wake_read, selectors.EVENT_READ)
        try:
            while True:
                for key, _ in selector.select(timeout=ORPHAN_SCAN_INTERVAL if self.unscanned else 2.0):
                    if key.fileobj == wake_read:
                        os.read(wake_read, 512)
                        continue
                    try:
                        request = protocol.receive(self.conn)
                    except (EOFError, OSError, protocol.ProtocolError):
                        return 0  # the app is gone
                    if request.get("op") == "spawn":
                        self.spawn()
                        if not self.warm:
                            self.warm_up()
                self.reap()
        finally:
            self.kill_all()


def main(argv: list[str]) -> int:
    import json

    ctl = socket.socket(fileno=int(argv[0]))
    config = json.loads(argv[1])
    _bind_to_the_app(int(config["app"]))
    try:
        zygote = Zygote(ctl, config)
    except BaseException as error:  # noqa: BLE001 - reported to the app, which explains it
        protocol.send(Connection(ctl.fileno()), {"hello": False, "error": f"{type(error).__name__}: {error}"})
        return 1
    protocol.send(zygote.conn, {"hello": True, "pid": os.getpid(), "torch": zygote.torch.__version__})
    zygote.serve()
    os._exit(0)  # every child is killed; skip the slow teardown of torch's modules


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
