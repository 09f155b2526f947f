"""What running a snippet produced, as the learner and ``quiz-app check`` see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from quiz_app.core.i18n import N_, _

Status = Literal["ok", "error", "timeout", "crashed", "unavailable"]


@dataclass(frozen=True)
class WorkerInfo:
    """What a ready snippet process reported: its device, torch, and the guards in force."""

    device: str
    device_name: str
    torch_version: str
    pid: int
    guards: tuple[str, ...] = ()  # e.g. ("environment", "files", "network", "signals", "limits", "memory")
    missing: tuple[tuple[str, str], ...] = ()  # (guard, why it is missing here)

    def guard_line(self) -> str:
        return guard_line(self.guards)


SHOWN_GUARDS = ("files", "network", "memory")

# The guards' names as people read them (the sandbox's own names are English identifiers).
GUARD_NAMES = {
    "files": N_("files"),
    "network": N_("network"),
    "environment": N_("environment"),
    "limits": N_("limits"),
    "memory": N_("memory"),
    "signals": N_("signals"),
    "box": N_("box"),
    "syscalls": N_("syscalls"),
}


def guard_line(guards: tuple[str, ...]) -> str:
    """The guards in force around a snippet, in words, and the ones missing here."""
    shown = [guard for guard in SHOWN_GUARDS if guard in guards]
    missing = [guard for guard in SHOWN_GUARDS if guard not in guards]
    if not shown:
        return "not sandboxed: it ran with your permissions"
    return f"sandboxed: {', '.join(shown)}" + (f" (not guarded: {', '.join(missing)})" if missing else "")


@dataclass(frozen=True)
class Holds:
    """What one ``holds`` expression gave after the snippet: True, False, or an exception."""

    value: bool | None
    error: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The outcome of one snippet.

    ``status`` is ``ok`` (it ran), ``error`` (it ran and raised), ``timeout``, ``crashed``
    (it ended or killed the worker process) or ``unavailable`` (no worker could start).
    """

    status: Status
    stdout: str = ""
    stderr: str = ""
    exc_type: str | None = None
    exc_message: str | None = None
    detail: str = ""
    duration: float = 0.0
    device: str = ""
    device_name: str = ""
    torch_version: str = ""
    truncated: bool = False
    holds: tuple[Holds, ...] = ()
    guards: tuple[str, ...] = ()
    stopped_by: str = ""  # the guard that refused the call the snippet's exception came from

    @property
    def ran(self) -> bool:
        """True when the snippet ran to its end or to an exception of its own."""
        return self.status in ("ok", "error")

    @property
    def text(self) -> str:
        """What it printed (stdout, then stderr), then ``ExceptionType: message`` if it raised.

        For a snippet that did not run to an end, the last line says what happened instead.
        """
        parts = [self.stdout, self.stderr]
        if self.truncated:
            parts.append(_("[output cut: the snippet printed too much]") + "\n")
        if self.exc_type is not None:
            parts.append(f"{self.exc_type}: {self.exc_message}" if self.exc_message else self.exc_type)
            if self.stopped_by:
                name = _(GUARD_NAMES[self.stopped_by]) if self.stopped_by in GUARD_NAMES else self.stopped_by
                parts.append(_("(refused by the sandbox: the {guard} guard)").format(guard=name))
        elif self.detail:
            parts.append(self.detail)
        text = ""
        for part in parts:
            if not part:
                continue
            if text and not text.endswith("\n"):
                text += "\n"
            text += part
        return text
