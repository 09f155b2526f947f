"""The bank model: what a loaded, valid question bank holds."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

QuestionType = Literal["single", "multiple", "true_false", "predict"]
QUESTION_TYPES: tuple[str, ...] = ("single", "multiple", "true_false", "predict")
FORMAT_VERSION = 1
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 120.0
LETTERS = "ABCDEFGH"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a bank file, at a place a teacher can find."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    prompt: str
    explanation: str
    code: str | None = None
    choices: tuple[str, ...] = ()
    # single: "B"; multiple: frozenset of letters; true_false: bool; predict: str or None.
    answer: str | frozenset[str] | bool | None = None
    snippet: str | None = None
    expect: str | None = None
    tags: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT
    line: int = 0
    col: int = 0

    @property
    def letters(self) -> str:
        return LETTERS[: len(self.choices)]

    @property
    def content_hash(self) -> str:
        """A short hash of what the learner is asked and what counts as right.

        Scores are kept with it, so that the history of an edited question stays honest.
        """
        answer: object = sorted(self.answer) if isinstance(self.answer, frozenset) else self.answer
        payload = json.dumps(
            [self.type, self.prompt, self.code, list(self.choices), answer, self.snippet],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def answer_text(self) -> str:
        """The key in words, for the verdict line ('B', 'A, C', 'true')."""
        if isinstance(self.answer, bool):
            return "true" if self.answer else "false"
        if isinstance(self.answer, frozenset):
            return ", ".join(sorted(self.answer))
        return self.answer or ""


@dataclass(frozen=True)
class Bank:
    id: str
    title: str
    questions: tuple[Question, ...]
    path: Path
    description: str = ""
    language: str = "en"
    setup: str = ""
    format: int = FORMAT_VERSION

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


@dataclass
class LoadResult:
    """Banks that loaded, and every problem found on the way (for all files)."""

    banks: list[Bank] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def extend(self, other: LoadResult) -> None:
        self.banks.extend(other.banks)
        self.problems.extend(other.problems)
