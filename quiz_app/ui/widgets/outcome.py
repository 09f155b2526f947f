"""The live outcome of a snippet: a spinner while the worker runs it, then what PyTorch did."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import LoadingIndicator, Static

from quiz_app.check.trust import guard_names
from quiz_app.core.i18n import _
from quiz_app.runner import Outcome
from quiz_app.runner.outcome import SHOWN_GUARDS


def guard_text(guards: tuple[str, ...]) -> str:
    """The guards in force around a snippet, in words, and the ones missing here (as
    :func:`quiz_app.runner.outcome.guard_line` says it, in the interface's language)."""
    shown = [guard for guard in SHOWN_GUARDS if guard in guards]
    missing = [guard for guard in SHOWN_GUARDS if guard not in guards]
    if not shown:
        return _("not sandboxed: it ran with your permissions")
    if missing:
        return _("sandboxed: {guards} (not guarded: {missing})").format(
            guards=guard_names(shown), missing=guard_names(missing)
        )
    return _("sandboxed: {guards}").format(guards=guard_names(shown))


def describe(outcome: Outcome) -> str:
    """Device, torch version and duration, in one line."""
    if not outcome.device:
        return _("no PyTorch worker")
    took = outcome.duration * 1000
    timing = f"{took:.1f} ms" if took < 1000 else f"{outcome.duration:.2f} s"  # units read the same in every language
    device = (
        outcome.device
        if outcome.device_name in ("", outcome.device, "cpu")
        else (f"{outcome.device} ({outcome.device_name})")
    )
    line = f"{device} · torch {outcome.torch_version} · {timing}"
    return line + "\n" + guard_text(outcome.guards)


SPIN_AFTER = 0.25  # seconds: a spinner only for a run slow enough to need one


class OutcomePanel(Vertical):
    """Shows 'running…' until ``show()`` is called with the outcome, and a spinner once the run
    has taken longer than ``SPIN_AFTER``: most outcomes come sooner, and mounting and removing a
    spinner would delay them."""

    def __init__(self, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.border_title = _("Live outcome")
        self.done = False

    def compose(self) -> ComposeResult:
        yield Static(Text(_("Running on the local device…")), id="outcome-status")
        yield Static(id="outcome-text")
        yield Static(id="outcome-meta")

    def waiting(self) -> None:
        """The run has started."""
        self.set_timer(SPIN_AFTER, self.spin)

    def spin(self) -> None:
        if not self.done:
            self.mount(LoadingIndicator(id="outcome-spinner"), after="#outcome-status")

    def stop_spinning(self) -> None:
        self.done = True  # a flag, not a CSS class: a class would restyle the panel on the way to the outcome
        for spinner in self.query("#outcome-spinner"):
            spinner.remove()

    def show(self, outcome: Outcome) -> None:
        self.stop_spinning()
        status = self.query_one("#outcome-status", Static)
        text = self.query_one("#outcome-text", Static)
        if outcome.status == "ok":
            status.update(Text(_("It printed:")))
        elif outcome.status == "error":
            status.update(Text(_("It raised {exception}:").format(exception=outcome.exc_type)))
        else:
            status.update(Text(_("Could not run the snippet (the quiz goes on):")))
            self.add_class("-failed")
        text.update(Text(outcome.text.rstrip("\n") or _("(nothing printed)")))
        self.query_one("#outcome-meta", Static).update(Text(describe(outcome)))

    def show_none(self, reason: str) -> None:
        self.stop_spinning()
        self.query_one("#outcome-status", Static).update(Text(reason))
