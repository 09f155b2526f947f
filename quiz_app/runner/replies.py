"""What the app makes of a snippet process's reply, or of its end without one."""

from __future__ import annotations

import functools
import signal
from typing import Any

from quiz_app.core.i18n import _
from quiz_app.runner.outcome import GUARD_NAMES, Holds, Outcome
from quiz_app.runner.protocol import OUTPUT_LIMIT, clean_text


def decode_reply(base: functools.partial[Outcome], reply: dict[str, Any], serial: int, holds: int) -> Outcome:
    """The outcome a reply describes, once it is proven to be the reply to request ``serial``.
    Raises ``ValueError``, ``TypeError`` or ``KeyError`` for a reply that is not."""
    if reply.get("id") != serial:
        raise ValueError("reply to another request")
    stdout, stderr = reply["stdout"], reply["stderr"]
    exc_type, exc_message = reply["exc_type"], reply["exc_message"]
    if not isinstance(stdout, str) or not isinstance(stderr, str):
        raise TypeError("output is not text")
    if exc_type is not None and not isinstance(exc_type, str):
        raise TypeError("exception type is not text")
    guard = reply.get("guard") or ""
    if not isinstance(guard, str) or (guard and guard not in GUARD_NAMES):
        raise ValueError("not a guard's name")
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
        stopped_by=guard,
    )


def ending_text(code: int | None, sig: int | None) -> str:
    """Why a snippet process ended without a reply, in words, from its exit status."""
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


def size_text(count: int) -> str:
    return f"{count / 2**30:g} GiB" if count >= 2**30 else f"{count / 2**20:g} MiB"
