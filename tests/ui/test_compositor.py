"""ui/compositor.py: one arrangement per layout, and the full map it keeps is right."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from quiz_app.ui.patches import compositor


class Tall(App[None]):
    """Forty lines in a scrolling column, most of them below the screen."""

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            for number in range(40):
                yield Static(f"line {number}", id=f"line-{number}")


async def arrangements_for_an_offscreen_change(monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    """Grow a line below the screen; count the layout passes (reflows) this makes, and the
    arrangements of every widget made meanwhile."""
    from textual._compositor import Compositor

    app = Tall()
    calls: list[bool] = []
    reflows: list[object] = []
    arrange, reflow = Compositor._arrange_root, Compositor.reflow

    def counted(self, root, size, visible_only=True):  # type: ignore[no-untyped-def]
        calls.append(visible_only)
        return arrange(self, root, size, visible_only)

    def counted_reflow(self, parent, size):  # type: ignore[no-untyped-def]
        reflows.append(parent)
        return reflow(self, parent, size)

    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(Compositor, "_arrange_root", counted)
        monkeypatch.setattr(Compositor, "reflow", counted_reflow)
        app.query_one("#line-35", Static).update("line 35\nnow two lines")
        await pilot.pause()
        await pilot.pause()
        monkeypatch.setattr(Compositor, "_arrange_root", arrange)
        monkeypatch.setattr(Compositor, "reflow", reflow)
        full = [visible_only for visible_only in calls if not visible_only]
        screen = app.screen
        kept = screen._compositor.full_map
        fresh, _ = screen._compositor._arrange_root(screen, screen._compositor.size, visible_only=False)
        assert kept == fresh  # the map kept is the arrangement of every widget, as it is now
        assert screen.query_one("#line-35", Static).size.height == 2
    return len(reflows), len(full)


async def test_a_layout_arranges_the_screen_once(monkeypatch: pytest.MonkeyPatch) -> None:
    compositor.install()
    reflows, arrangements = await arrangements_for_an_offscreen_change(monkeypatch)
    assert reflows >= 1 and arrangements == reflows


async def test_textual_alone_arranges_it_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the fix is for; if a Textual upgrade makes this fail, the fix can go."""
    from textual._compositor import Compositor

    compositor.install()
    monkeypatch.setattr(Compositor, "reflow", compositor.ORIGINAL_REFLOW)
    reflows, arrangements = await arrangements_for_an_offscreen_change(monkeypatch)
    assert reflows >= 1 and arrangements == 2 * reflows
