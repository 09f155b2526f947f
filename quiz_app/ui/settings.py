"""What the command line asks of the app, in one object from ``cli`` to ``launch`` to ``QuizApp``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quiz_app.play.exam import ExamPlan


@dataclass(frozen=True)
class Settings:
    """``quiz-app [BANK...]``, ``quiz-app exam`` and a tab of ``quiz-app serve`` all start the app with one."""

    player: str | None = None  # None: asked at start
    paths: tuple[Path, ...] = ()  # bank files or folders named on the command line
    device: str = "auto"  # where snippets run: auto, cpu, cuda, cuda:N or mps
    trust_all: bool = False  # --trust: banks from anywhere run without asking
    sandboxed: bool = True  # --no-sandbox turns the file and network guards off
    shared: bool = False  # a classroom's data folder: always ask the name, never offer the last one
    language: str | None = None  # --lang, else the bank's language, else the locale
    exam: ExamPlan | None = None  # quiz-app exam: the exam screen comes first instead of the banks
    shuffle: bool = False  # --shuffle: practice in the player's order
    served: bool = False  # a tab of quiz-app serve: quits with the server, shows no other player's answers
