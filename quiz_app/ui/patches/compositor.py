"""One fix to Textual's compositor, for the frame that shows an answer.

``Compositor.reflow`` arranges every widget (``visible_only=False``) and keeps the result as
its full map, but leaves the map marked invalid when an update had marked it so (any widget
updated outside the visible area does). The next ``find_widget`` of a widget not in view, which
the same layout pass makes for each resized widget, then arranges the whole screen a second
time. After a reflow the full map is the arrangement just made, so :func:`install` marks it
valid. Textual is pinned to one version; ``tests/ui/test_compositor.py`` proves that the kept map
equals a fresh arrangement and that the second arrangement is gone.
"""

from __future__ import annotations

from typing import Any

_installed = False
ORIGINAL_REFLOW: Any = None  # Textual's own, kept for the test that shows what this fixes


def install() -> None:
    """Keep the full map that a reflow built (idempotent)."""
    global _installed, ORIGINAL_REFLOW
    if _installed:
        return
    from textual._compositor import Compositor

    reflow = ORIGINAL_REFLOW = Compositor.reflow

    def reflow_keeping_map(self: Compositor, parent: Any, size: Any) -> Any:
        result = reflow(self, parent, size)
        self._full_map_invalidated = False  # _full_map is what reflow just arranged, for every widget
        return result

    Compositor.reflow = reflow_keeping_map  # type: ignore[method-assign]
    _installed = True
