"""The live outcome of a snippet: a spinner while the worker runs it, then what PyTorch did."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import LoadingIndicator, Static

from quiz_app.runner import Outcome
from quiz_app.runner.outcome import guard_line


def describe(outcome: Outcome) -> str:
    """Device, torch version and duration, in one line."""
    if not outcome.device:
        return "no PyTorch worker"
    took = outcome.duration * 1000
    timing = f"{took:.1f} ms" if took < 1000 else f"{outcome.duration:.2f} s"
    device = (
        outcome.device
        if outcome.device_name in ("", outcome.device, "cpu")
        else (f"{outcome.device} ({outcome.device_name})")
    )
    line = f"{device} · torch {outcome.torch_version} · {timing}"
    return line + "\n" + guard_line(outcome.guards)


class OutcomePanel(Vertical):
    """Shows 'running…' until ``show()`` is called with the outcome."""

    def __init__(self, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.border_title = "Live outcome"

    def compose(self) -> ComposeResult:
        yield Static("Running on the local device…", id="outcome-status")
        yield LoadingIndicator(id="outcome-spinner")
        yield Static(id="outcome-text")
        yield Static(id="outcome-meta")

    def show(self, outcome: Outcome) -> None:
        self.query_one("#outcome-spinner").remove()
        status = self.query_one("#outcome-status", Static)
        text = self.query_one("#outcome-text", Static)
        if outcome.status == "ok":
            status.update("It printed:")
        elif outcome.status == "error":
            status.update(f"It raised {outcome.exc_type}:")
        else:
            status.update("Could not run the snippet (the quiz goes on):")
            self.add_class("-failed")
        text.update(Text(outcome.text.rstrip("\n") or "(nothing printed)"))
        self.query_one("#outcome-meta", Static).update(describe(outcome))
        self.add_class("-done")

    def show_none(self, reason: str) -> None:
        self.query_one("#outcome-spinner").remove()
        self.query_one("#outcome-status", Static).update(reason)
