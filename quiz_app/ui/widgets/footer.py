"""Textual's Footer, drawn again only when what it shows changes.

The stock Footer recomposes (removes and mounts every key) on each bindings update, and one
submit brings several (focus moves, the answer mounts, the outcome comes): each costs CSS
and layout on the way to the live outcome. This one compares what it would show, and skips
the updates that change nothing.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class QuietFooter(Footer):
    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._shown: tuple[object, ...] | None = None

    def _signature(self) -> tuple[object, ...]:
        return tuple(
            (key, binding.action, binding.description, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show
        )

    def bindings_changed(self, screen: Screen) -> None:
        if not (self.is_attached and screen is self.screen and screen.is_current and screen.app.app_focus):
            self._shown = None  # as Textual's footer does; compared again once the screen is current
        else:
            shown = self._signature()
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)
