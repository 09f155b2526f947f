"""The bank model: what a loaded, valid question bank holds."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

QuestionType = Literal["single", "multiple", "true_false", "predict"]
QUESTION_TYPES: tuple[str, ...] = ("single", "multiple", "true_false", "predict")
FORMAT_VERSION = 2  # the newest format this quiz_app reads; format 1 banks still load
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 120.0
MAX_MEMORY_GIB = 64.0
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
class Choice:
    """One choice of a single or multiple question.

    ``holds`` (format 2) is a Python expression evaluated after the snippet, in its namespace;
    its truth is the choice's truth. ``misconception`` names the false belief behind a wrong
    choice (an id the bank defines), and ``why`` is Markdown shown to a learner who picked it.
    """

    text: str
    holds: str | None = None
    misconception: str | None = None
    why: str | None = None
    line: int = 0
    col: int = 0


@dataclass(frozen=True)
class Contrast:
    """The same question's code with the line it is about changed (format 2): ``snippet`` runs
    instead of the question's snippet, after the bank's ``setup``, in a process of its own, and
    every ``holds`` of the question is evaluated after it. ``label`` names the change, in one line."""

    label: str
    snippet: str
    line: int = 0
    col: int = 0


MAX_CONTRASTS = 4


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    prompt: str
    explanation: str
    code: str | None = None
    choices: tuple[Choice, ...] = ()
    # single: "B"; multiple: frozenset of letters; true_false: bool; predict: str or None.
    answer: str | frozenset[str] | bool | None = None
    snippet: str | None = None
    expect: str | None = None
    tags: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT
    holds: str | None = None  # true_false, format 2: the statement, as an expression
    memory: float | None = None  # GiB the snippet may use, where the default (4) is too little
    title: str | None = None
    contrasts: tuple[Contrast, ...] = ()  # format 2: the code with its line changed, each run instead of snippet
    fixed_order: bool = False  # its choices are always shown as written (never shuffled)
    line: int = 0
    col: int = 0

    def __post_init__(self) -> None:
        # Plain strings are accepted for choices built in code (tests, tools) and wrapped.
        if any(isinstance(choice, str) for choice in self.choices):
            wrapped = tuple(Choice(c) if isinstance(c, str) else c for c in self.choices)
            object.__setattr__(self, "choices", wrapped)

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
            [self.type, self.prompt, self.code, [c.text for c in self.choices], answer, self.snippet],
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

    def keyed(self, letter: str) -> bool:
        """True when the key marks this choice letter as right."""
        if self.type == "single":
            return self.answer == letter
        return isinstance(self.answer, frozenset) and letter in self.answer

    def statements(self) -> list[tuple[str, str | None, bool]]:
        """The options check proves one by one: (label, holds, keyed truth).

        The choices of single and multiple questions (labelled by letter), or the statement of
        a true_false question (labelled ``statement``). Predict questions have none.
        """
        if self.type in ("single", "multiple"):
            return [(letter, c.holds, self.keyed(letter)) for letter, c in zip(self.letters, self.choices, strict=True)]
        if self.type == "true_false":
            return [("statement", self.holds, bool(self.answer))]
        return []

    def holds_expressions(self) -> tuple[str, ...]:
        """The ``holds`` expressions a run evaluates, in ``statements()`` order (those that have one)."""
        return tuple(holds for _, holds, _ in self.statements() if holds)

    def picked_labels(self, response: object) -> list[str]:
        """The choice letters a response picked (single or multiple); [] for other types."""
        if self.type == "single" and isinstance(response, str):
            return [response.strip().upper()]
        if self.type == "multiple" and isinstance(response, (set, frozenset, list, tuple)):
            return sorted(str(letter).upper() for letter in response)
        return []

    def short_title(self) -> str:
        """A short name for lists: the ``title``; else, for a predict question, the first line
        of its code; else the prompt's first line."""
        candidates = [self.title, self.code if self.type == "predict" else None, self.prompt, self.code]
        for text in candidates:
            first = (text or "").strip().split("\n", 1)[0].strip()
            if first:
                return first if len(first) <= 60 else first[:59] + "…"
        return self.id


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
    misconceptions: dict[str, str] = field(default_factory=dict)  # id -> the false belief
    # Practice order (quiz_app.play.run.practice_order): None, not given: choices in a per-player
    # order, questions as written; True: questions and choices; False: everything as written.
    shuffle: bool | None = None
    sha256: str = ""  # of the exact bytes this bank was parsed from, read once: what trust is decided on


@dataclass
class LoadResult:
    """Banks that loaded, and every problem found on the way (for all files)."""

    banks: list[Bank] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def by_id(self) -> dict[str, Bank]:
        return {bank.id: bank for bank in self.banks}

    @property
    def broken_files(self) -> int:
        """How many files did not load (each file's problems counted once)."""
        return len({problem.path for problem in self.problems})
