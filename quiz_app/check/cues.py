"""Test-wise cues: what a learner who knows nothing would score by strategy, per bank.

Each strategy picks one choice of every question it applies to, the same way each time, and wins
a point when that choice is keyed (on a ``multiple`` question: one of the keyed choices; the
cue is that the key gives itself away, whatever else a full answer needs). Beside each score
is the *chance* score: what one choice picked at random wins on the same questions (the share
of keyed choices). The rules come from the multiple-choice item-writing guidelines of Haladyna,
Downing and Rodriguez (2002): choices alike in length, the key's position balanced, no
"all/none of the above", no choice that names another. docs/question-format.md gives the
thresholds and why.

- ``longest``: the longest choice (in terminal cells), on ``single`` and ``multiple`` questions;
  a tie shares the point among the tied choices.
- ``letter``: the letter most often keyed, on the ``single`` and ``multiple`` questions whose
  choices practice shows as written (the bank says ``shuffle: false``, or the question
  ``fixed_order: true``); elsewhere each player sees the choices in an order of their own.
- ``always_true``, ``always_false``: on ``true_false`` questions.
- ``all_none``: the "all of the above" or "none of the above" choice, where a question has one.
- ``names_letter``: a choice that names another by its letter ("both A and C"), where one does.

And two checks of ``holds`` expressions, read without running anything:

- *constant*: it reads no name but Python's builtins (``True``, ``1 < 2``), so it cannot depend
  on the run;
- *unrelated*: it reads no name the snippet binds (assigns, imports, defines, loops over) nor
  any name the snippet reads other than ``torch``, ``nn``, ``F`` and ``device``, so it may test
  something the snippet did not touch.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from quiz_app.bank import Bank, Question
from quiz_app.bank.model import LETTERS
from quiz_app.check.names import holds_names, snippet_names
from quiz_app.core.terminal_text import cells

LONGEST_LIMIT = 0.40  # --strict: a bank's longest-choice score above this is an error
BUILTINS = frozenset(dir(builtins))

ALL_NONE = re.compile(
    r"\b(?:all|none|any|both|neither)\s+of\s+(?:the\s+)?(?:above|these|them|others|other\s+\w+)\b"
    r"|\ball\s+the\s+above\b|(?:以上|上述)\S{0,6}?(?:都|皆|均|全部|全都|所有)",
    re.IGNORECASE,
)
_LETTER = r"([A-H])"
NAMES_LETTER = (
    re.compile(r"\b(?:[Cc]hoices?|[Oo]ptions?|[Aa]nswers?)\s+\(?" + _LETTER + r"\)?(?![\w(\[`])"),
    re.compile(
        r"(?<![\w`.\[(])" + _LETTER + r"\s*(?:,\s*[A-H]\s*)*,?\s*(?:and|or|nor|&)\s+" + _LETTER + r"(?![\w`(.\[])"
    ),
    re.compile(r"选项\s*" + _LETTER),
    re.compile(r"(?<![A-Za-z0-9_`])" + _LETTER + r"\s*(?:和|与|及|或|、)\s*" + _LETTER + r"(?![A-Za-z0-9_`])"),
)

_STANDALONE_LETTER = re.compile(r"(?<![A-Za-z])[A-H](?![A-Za-z])")


@dataclass
class Score:
    """A strategy's figures on the questions it applies to: points won, and chance's."""

    questions: int = 0
    right: float = 0.0
    chance: float = 0.0

    @property
    def score(self) -> float | None:
        return self.right / self.questions if self.questions else None

    @property
    def chance_score(self) -> float | None:
        return self.chance / self.questions if self.questions else None

    def add(self, other: Score) -> None:
        self.questions += other.questions
        self.right += other.right
        self.chance += other.chance

    def as_json(self) -> dict[str, object]:
        rounded = lambda x: None if x is None else round(x, 4)  # noqa: E731
        return {
            "questions": self.questions,
            "right": round(self.right, 4),
            "score": rounded(self.score),
            "chance": rounded(self.chance_score),
        }


@dataclass(frozen=True)
class Finding:
    """One question (or a whole bank: ``question`` None) that carries a cue, where it is."""

    bank: str
    path: str
    question: str | None
    line: int
    col: int
    rule: str  # longest, constant-holds, unrelated-holds, all-none, names-letter
    message: str
    strict: bool  # an error with --strict (else always a warning)


@dataclass(frozen=True)
class Longest:
    """A question whose longest choice is keyed, and by how much it is longer (for the worst list)."""

    bank: str
    question: str
    path: str
    line: int
    ratio: float  # the key's length over the longest other choice's


@dataclass
class BankCues:
    bank: str
    path: str
    longest: Score = field(default_factory=Score)
    as_written: Score = field(default_factory=Score)  # the questions whose choices practice shows as written
    letter_points: dict[str, float] = field(default_factory=dict)  # letter -> how often it is keyed there
    key_letters: dict[str, int] = field(default_factory=dict)  # single and multiple keys' letters as written
    always_true: Score = field(default_factory=Score)
    always_false: Score = field(default_factory=Score)
    all_none: Score = field(default_factory=Score)
    names_letter: Score = field(default_factory=Score)
    holds_total: int = 0
    holds_constant: int = 0
    holds_unrelated: int = 0
    worst: list[Longest] = field(default_factory=list)  # longest first

    @property
    def letter_best(self) -> str | None:
        """The letter most often right on the questions shown as written (the first of a tie)."""
        if not self.as_written.questions:
            return None
        return max(LETTERS, key=lambda letter: (self.letter_points.get(letter, 0.0), -LETTERS.index(letter)))

    @property
    def letter(self) -> Score:
        best = self.letter_best
        points = self.letter_points.get(best, 0.0) if best else 0.0
        return Score(self.as_written.questions, points, self.as_written.chance)

    def strategies(self) -> dict[str, Score]:
        return {
            "longest": self.longest,
            "letter": self.letter,
            "always_true": self.always_true,
            "always_false": self.always_false,
            "all_none": self.all_none,
            "names_letter": self.names_letter,
        }

    def add(self, other: BankCues) -> None:
        for name in ("longest", "always_true", "always_false", "all_none", "names_letter", "as_written"):
            getattr(self, name).add(getattr(other, name))
        for letter, points in other.letter_points.items():
            self.letter_points[letter] = self.letter_points.get(letter, 0.0) + points
        for letter, count in other.key_letters.items():
            self.key_letters[letter] = self.key_letters.get(letter, 0) + count
        self.holds_total += other.holds_total
        self.holds_constant += other.holds_constant
        self.holds_unrelated += other.holds_unrelated
        self.worst = sorted([*self.worst, *other.worst], key=lambda item: -item.ratio)

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {name: score.as_json() for name, score in self.strategies().items()}
        found["letter_best"] = self.letter_best
        found["key_letters"] = dict(sorted(self.key_letters.items()))
        found["holds"] = {
            "total": self.holds_total,
            "constant": self.holds_constant,
            "unrelated": self.holds_unrelated,
        }
        found["worst_longest"] = [
            {"bank": w.bank, "question": w.question, "path": w.path, "line": w.line, "ratio": round(w.ratio, 2)}
            for w in self.worst[:10]
        ]
        return found


def length(text: str) -> int:
    """A choice's length as a learner sees it: terminal cells, whitespace runs counted once."""
    return cells(" ".join(text.split()))


def _answers_with(question: Question, letter: str) -> float:
    """1 if picking ``letter`` picks a keyed choice (the key of a single question, one of the
    keys of a multiple one)."""
    return float(question.keyed(letter))


def _chance(question: Question) -> float:
    """What one choice picked at random scores on the question."""
    return sum(_answers_with(question, letter) for letter in question.letters) / len(question.letters)


def _pick(question: Question, letters: list[str]) -> float:
    """What picking one of ``letters`` at random scores."""
    return sum(_answers_with(question, letter) for letter in letters) / len(letters)


def _longest(bank: Bank, question: Question, cues: BankCues) -> None:
    lengths = {letter: length(choice.text) for letter, choice in zip(question.letters, question.choices, strict=True)}
    top = max(lengths.values())
    tied = [letter for letter, size in lengths.items() if size == top]
    won = _pick(question, tied)
    cues.longest.add(Score(1, won, _chance(question)))
    if won and len(tied) == 1:
        others = [size for letter, size in lengths.items() if letter != tied[0]]
        ratio = top / max(1, max(others))
        cues.worst.append(Longest(bank.id, question.id, str(bank.path), question.line, ratio))


def names_letters(text: str, letters: str) -> list[str]:
    """The choice letters (among ``letters``) a text names: "both A and C" names A and C."""
    found: list[str] = []
    for pattern in NAMES_LETTER:
        for match in pattern.finditer(text):
            named = _STANDALONE_LETTER.findall(match.group(0))
            found += [letter for letter in named if letter in letters and letter not in found]
    return sorted(found)


def _holds(bank: Bank, question: Question, cues: BankCues, findings: list[Finding]) -> None:
    touched = snippet_names(question.snippet or "")
    for label, expression, _keyed in question.statements():
        if not expression:
            continue
        names = holds_names(expression)
        if names is None:
            continue
        cues.holds_total += 1
        where = _position(question, label)
        name = f"choice {label}" if label != "statement" else "the statement"
        flat = " ".join(expression.split())
        if not names - BUILTINS:
            cues.holds_constant += 1
            message = (
                f"question '{question.id}': {name}'s holds `{flat}` is constant: it reads no name of the run, "
                "so its truth cannot depend on the snippet"
            )
            findings.append(Finding(bank.id, str(bank.path), question.id, *where, "constant-holds", message, True))
        elif not names & touched:
            cues.holds_unrelated += 1
            message = (
                f"question '{question.id}': {name}'s holds `{flat}` reads no name the snippet binds or uses "
                f"({', '.join(sorted(names - BUILTINS)) or 'builtins only'}): it may test something the snippet "
                "did not do"
            )
            findings.append(Finding(bank.id, str(bank.path), question.id, *where, "unrelated-holds", message, False))


def _position(question: Question, label: str) -> tuple[int, int]:
    if label in question.letters:
        choice = question.choices[question.letters.index(label)]
        return choice.line, choice.col
    return question.line, question.col


def _choices(bank: Bank, question: Question, cues: BankCues, findings: list[Finding]) -> None:
    letters = question.letters
    texts = [choice.text for choice in question.choices]
    catch_all = [letter for letter, text in zip(letters, texts, strict=True) if ALL_NONE.search(text)]
    if catch_all:
        cues.all_none.add(Score(1, _pick(question, catch_all), _chance(question)))
        message = (
            f"question '{question.id}': choice {', '.join(catch_all)} is 'all/none of the above': "
            "a learner can answer it from two choices alone, and it reads wrong once the choices are shuffled"
        )
        line, col = _position(question, catch_all[0])
        findings.append(Finding(bank.id, str(bank.path), question.id, line, col, "all-none", message, False))
    naming = [
        letter
        for letter, text in zip(letters, texts, strict=True)
        if [named for named in names_letters(text, letters) if named != letter]
    ]
    if naming:
        cues.names_letter.add(Score(1, _pick(question, naming), _chance(question)))
        fixed = "" if question.fixed_order else "; shuffled practice relabels the choices (say 'fixed_order: true')"
        message = (
            f"question '{question.id}': choice {', '.join(naming)} names another choice by its letter: "
            f"it is usually the key, and a learner learns that{fixed}"
        )
        line, col = _position(question, naming[0])
        findings.append(Finding(bank.id, str(bank.path), question.id, line, col, "names-letter", message, False))


def bank_cues(bank: Bank) -> tuple[BankCues, list[Finding]]:
    """The cue figures of one bank, and the findings located at its questions."""
    cues = BankCues(bank.id, str(bank.path))
    findings: list[Finding] = []
    for question in bank.questions:
        _holds(bank, question, cues, findings)
        if question.type == "true_false":
            cues.always_true.add(Score(1, float(question.answer is True), 0.5))
            cues.always_false.add(Score(1, float(question.answer is False), 0.5))
            continue
        if question.type not in ("single", "multiple") or len(question.choices) < 2:
            continue
        _longest(bank, question, cues)
        for letter in question.letters:
            if question.keyed(letter):
                cues.key_letters[letter] = cues.key_letters.get(letter, 0) + 1
        _choices(bank, question, cues, findings)
        if bank.shuffle is False or question.fixed_order:
            cues.as_written.add(Score(1, 0.0, _chance(question)))
            for letter in question.letters:
                cues.letter_points[letter] = cues.letter_points.get(letter, 0.0) + _answers_with(question, letter)
    cues.worst.sort(key=lambda item: -item.ratio)
    score = cues.longest.score
    if score is not None and score > LONGEST_LIMIT:
        worst = ", ".join(f"'{w.question}' (line {w.line}, {w.ratio:.1f}x)" for w in cues.worst[:3])
        message = (
            f"bank '{bank.id}': always picking the longest choice scores {score:.0%} of its "
            f"{cues.longest.questions} single and multiple questions (chance {cues.longest.chance_score:.0%}; "
            f"at most {LONGEST_LIMIT:.0%}); the longest choice is keyed in {worst}"
        )
        findings.append(Finding(bank.id, str(bank.path), None, 1, 1, "longest", message, True))
    return cues, sorted(findings, key=lambda finding: (finding.line, finding.col))


def all_cues(banks: Iterable[Bank]) -> tuple[dict[str, BankCues], BankCues, list[Finding]]:
    """Per bank, in total (the total's letter is the one most often right across banks), and
    every finding."""
    per_bank: dict[str, BankCues] = {}
    total = BankCues("*", "")
    findings: list[Finding] = []
    for bank in banks:
        cues, found = bank_cues(bank)
        per_bank[bank.id] = cues
        findings += found
        total.add(cues)
    return per_bank, total, findings
