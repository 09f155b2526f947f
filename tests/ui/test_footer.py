"""The footer is drawn again when its keys change, and only then."""

from __future__ import annotations

from helpers.paths import BANKS
from helpers.pilot import make_app
from textual.widgets._footer import FooterKey

from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.quiz import QuizScreen
from quiz_app.ui.widgets.footer import QuietFooter


def keys(app: QuizApp) -> list[FooterKey]:
    return list(app.screen.query_one(QuietFooter).query(FooterKey))


async def test_the_footer_keeps_its_keys_until_they_change(store: ProgressStore, runner: SnippetRunner) -> None:
    app = make_app(store, runner, [BANKS / "play.yaml"])
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        before = keys(app)
        assert "Submit" in [key.description for key in before]
        for _ in range(3):  # updates that change nothing the footer shows
            app.screen.refresh_bindings()
            await pilot.pause()
        assert keys(app) == before  # the same widgets: not drawn again
        await pilot.press("b", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Next" in [key.description for key in keys(app)]  # changed: drawn again
