"""Which guard stopped a snippet: an outcome that ends in ``PermissionError`` says so.

A snippet process keeps, through a Python audit hook, the last call of a kind a guard refuses
(a socket made, a connection, a file opened, a signal sent, a shared mapping); when the snippet
ends in an ``OSError`` whose code is the one that guard answers with, the outcome names it. It
is an explanation, not a guard: the kernel refuses the call whether or not the hook saw it (a
snippet that calls the C library through ``ctypes`` is refused all the same, just not named).
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from collections.abc import Iterable
from typing import Any

# Audit events (https://docs.python.org/3/library/audit_events.html) a guard may refuse.
_FILES = frozenset(
    "open os.chmod os.chown os.utime os.setxattr os.removexattr os.listdir os.scandir os.mkdir os.remove os.rmdir "
    "os.rename os.link os.symlink os.truncate shutil.copyfile".split()
)
_SOCKETS = frozenset(("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"))
_SIGNALS = frozenset(("os.kill", "os.killpg", "signal.pthread_kill"))
_REFUSED_CALLS = frozenset(("mmap.__new__", "os.memfd_create"))  # the filter refuses them (some arguments)
_WATCHED = _FILES | _SOCKETS | _SIGNALS | _REFUSED_CALLS | {"socket.__new__"}


class Watch:
    """The last guarded call a snippet made, as its audit event and what it named (a path, a
    socket family or address)."""

    def __init__(self, shown: Iterable[str] = (), scratch: str = "") -> None:
        self.event = ""
        self.detail: Any = None
        self.shown = tuple(shown)  # the paths that exist in the box (read roots, scratch)
        self.scratch = scratch

    def install(self) -> None:
        sys.addaudithook(self._hook)
        if hasattr(os, "memfd_create"):  # it raises no audit event of its own
            os.memfd_create = self._announced("os.memfd_create", os.memfd_create)

    def _announced(self, event: str, function: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.event, self.detail = event, None
            return function(*args, **kwargs)

        return call

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event not in _WATCHED:
            return
        self.event = event
        if event == "socket.__new__":
            self.detail = args[1] if len(args) > 1 else None
        elif event in _SOCKETS or event in _FILES:
            self.detail = args[1] if event in _SOCKETS and len(args) > 1 else (args[0] if args else None)
        else:
            self.detail = None

    def clear(self) -> None:
        self.event, self.detail = "", None

    def guard(self, error: BaseException, guards: Iterable[str]) -> str:
        """The guard that stopped the call behind ``error``, or '' if none plainly did."""
        if not isinstance(error, OSError):
            return ""
        guards = set(guards)
        code, event = error.errno, self.event
        if code == errno.EROFS and "box" in guards:
            return "box"  # everything outside the scratch folder is mounted read-only
        if code == errno.EPERM and "syscalls" in guards:
            if event == "socket.__new__" and self.detail != socket.AF_UNIX:
                return "syscalls"
            if event in _REFUSED_CALLS:
                return "syscalls"
        if code == errno.EACCES and event in _SOCKETS and "network" in guards:
            return "network"
        if code == errno.EPERM and event in _SIGNALS and "signals" in guards:
            return "signals"
        if code == errno.EACCES and event in _FILES and "files" in guards:
            return "files"
        if code == errno.ENOENT and "box" in guards and self._outside(error.filename or self._path()):
            return "box"  # a path that exists on the machine but not in the snippet's box
        return ""

    def _path(self) -> str | None:
        return self.detail if self.event in _FILES | _SOCKETS and isinstance(self.detail, str) else None

    def _outside(self, path: object) -> bool:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str) or not path.startswith("/"):
            return False
        path = os.path.normpath(path)
        return not any(path == root or path.startswith(root.rstrip("/") + "/") for root in (*self.shown, self.scratch))
