"""Driver for startup.py: the real launch path, headless, that says when question 1 is on screen."""

from __future__ import annotations

import sys
from pathlib import Path

from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner
from quiz_app.ui.app import QuizApp
from quiz_app.ui.settings import Settings
from quiz_app.ui.widgets.question_view import QuestionView


def main() -> None:
    bank = Path(sys.argv[1])
    store = ProgressStore.open()
    runner = SnippetRunner.interactive("cpu")  # as the app starts it
    runner.start()
    app = QuizApp(store=store, runner=runner, settings=Settings(player="bench", paths=[bank]))
    original = QuestionView.on_mount

    def mounted(screen: QuestionView) -> None:
        original(screen)

        def rendered() -> None:
            print("first-question", flush=True)
            app.exit()

        screen.call_after_refresh(rendered)

    QuestionView.on_mount = mounted  # type: ignore[method-assign]
    app.run(headless=True, size=(80, 24))
    runner.close()
    store.close()


if __name__ == "__main__":
    main()
