"""Markdown written in a bank (prompts, explanations, descriptions): a single line break between
two Chinese characters joins them, as a browser would, instead of adding a space."""

from __future__ import annotations

from textual.await_complete import AwaitComplete
from textual.widgets import Markdown

from quiz_app.ui.patches.cjk import join_lines


class Prose(Markdown):
    def __init__(self, markdown: str | None = None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(join_lines(markdown) if markdown else markdown, **kwargs)

    def update(self, markdown: str) -> AwaitComplete:
        return super().update(join_lines(markdown))
