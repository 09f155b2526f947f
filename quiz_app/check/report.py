"""What ``quiz-app check`` found: each question's proof, and the report of a whole check (its
summary line, its cue figures in words, and its JSON document)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from quiz_app.bank import Problem
from quiz_app.check.cues import LONGEST_LIMIT, BankCues, Score
from quiz_app.core.i18n import _, ngettext
from quiz_app.runner import WorkerInfo

KeyStatus = Literal["proven", "unproven", "refuted", "error"]
WORST_SHOWN = 5  # questions named under the cue figures


@dataclass
class Proof:
    """What the run showed about one question's key and options."""

    bank: str
    question: str
    path: str
    line: int
    type: str
    key: KeyStatus = "unproven"
    reason: str = ""  # why the key is not proven, in words
    options: dict[str, bool | None] = field(default_factory=dict)  # label -> truth the run showed
    options_proven: int = 0
    snippet_ok: bool = False  # it ran to its end, raised nothing undeclared, and met its expect
    has_contrasts: bool = False
    sensitive: bool | None = None  # some contrast refutes the key (None: no contrasts, or not decided)
    contrasts: list[dict[str, object]] = field(default_factory=list)  # ContrastTable.as_json()

    @property
    def options_total(self) -> int:
        return len(self.options)

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {
            "bank": self.bank,
            "question": self.question,
            "path": self.path,
            "line": self.line,
            "type": self.type,
            "key": self.key,
            "reason": self.reason,
            "options": self.options,
            "options_proven": self.options_proven,
            "options_total": self.options_total,
        }
        if self.has_contrasts:
            found["sensitive"] = self.sensitive
            found["contrasts"] = self.contrasts
        return found


@dataclass
class CheckReport:
    banks: int = 0
    questions: int = 0
    snippets_ok: int = 0  # snippets that ran to their end, raised nothing undeclared, met their expect
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    proofs: list[Proof] = field(default_factory=list)
    fatal: str | None = None  # no snippet could run at all (e.g. the device asked for is missing)
    worker: WorkerInfo | None = None
    stopped: int = 0  # snippet processes stopped: timeouts, crashes, memory, unreadable replies
    cues: dict[str, BankCues] = field(default_factory=dict)  # per bank id
    cues_total: BankCues | None = None

    @property
    def errors(self) -> int:
        return len(self.problems) + (self.fatal is not None)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def count(self, status: KeyStatus) -> int:
        return sum(proof.key == status for proof in self.proofs)

    @property
    def options_proven(self) -> int:
        return sum(proof.options_proven for proof in self.proofs)

    @property
    def options_total(self) -> int:
        return sum(proof.options_total for proof in self.proofs)

    @property
    def keys_with_contrasts(self) -> int:
        return sum(proof.has_contrasts for proof in self.proofs)

    @property
    def keys_sensitive(self) -> int:
        return sum(proof.sensitive is True for proof in self.proofs)

    def summary(self) -> str:
        """One line: banks, questions, keys and options proven, errors (in the interface's language)."""
        errors = self.errors
        line = _("{banks}, {questions}, {keys}, {options}, {errors}").format(
            banks=ngettext("{count} bank", "{count} banks", self.banks).format(count=self.banks),
            questions=_("{count} questions").format(count=self.questions),
            keys=_("{proven} keys proven ({unproven} unproven)").format(
                proven=self.count("proven"), unproven=self.count("unproven")
            ),
            options=_("{proven} of {total} options proven").format(
                proven=self.options_proven, total=self.options_total
            ),
            errors=ngettext("{count} error", "{count} errors", errors).format(count=errors),
        )
        if self.keys_with_contrasts:
            sensitive = _("{sensitive} of {total} keys with contrasts sensitive").format(
                sensitive=self.keys_sensitive, total=self.keys_with_contrasts
            )
            line = _("{summary}; {sensitive}").format(summary=line, sensitive=sensitive)
        return line

    def cue_lines(self) -> list[str]:
        """The cue figures in words: a line per bank, one for all banks, then the questions
        whose key is the longest choice by the most (in the interface's language)."""
        if self.cues_total is None or not self.cues:
            return []
        lines = [_("Test-wise cues: what a learner who knows nothing scores by strategy (chance in brackets)")]
        for bank_id, cues in self.cues.items():
            lines.append(f"  {bank_id}: {_cue_figures(cues)}")
        if len(self.cues) > 1:
            lines.append("  " + _("all banks: {figures}").format(figures=_cue_figures(self.cues_total)))
        worst = self.cues_total.worst[:WORST_SHOWN]
        if worst:
            lines.append(_("Where the longest choice is keyed, by how much it is longer than the next:"))
            for item in worst:
                lines.append(
                    "  "
                    + _("{path}:{line}: {bank}/{question}, {ratio:.1f}x the next longest").format(
                        path=item.path, line=item.line, bank=item.bank, question=item.question, ratio=item.ratio
                    )
                )
        return lines

    def as_json(self) -> dict[str, object]:
        return {
            "banks": self.banks,
            "questions": self.questions,
            "snippets_ok": self.snippets_ok,
            "keys_proven": self.count("proven"),
            "keys_unproven": self.count("unproven"),
            "options_proven": self.options_proven,
            "options_total": self.options_total,
            "keys_with_contrasts": self.keys_with_contrasts,
            "keys_sensitive": self.keys_sensitive,
            "errors": self.errors,
            "fatal": self.fatal,
            "stopped_processes": self.stopped,
            "device": self.worker.device if self.worker else None,
            "torch": self.worker.torch_version if self.worker else None,
            "problems": [_problem_json(p) for p in self.problems],
            "warnings": [_problem_json(p) for p in self.warnings],
            "cues": {
                "thresholds": {"longest": LONGEST_LIMIT},
                "banks": {bank_id: cues.as_json() for bank_id, cues in self.cues.items()},
                "total": self.cues_total.as_json() if self.cues_total is not None else None,
            },
            "questions_proof": [proof.as_json() for proof in self.proofs],
        }


def _percent(score: Score) -> str:
    return _("{score:.0%} ({chance:.0%}) of {count}").format(
        score=score.score or 0.0, chance=score.chance_score or 0.0, count=score.questions
    )


def _cue_figures(cues: BankCues) -> str:
    """One bank's (or all banks') figures: only the strategies that apply to its questions."""
    parts = []
    if cues.longest.questions:
        parts.append(_("longest choice {figures}").format(figures=_percent(cues.longest)))
    if cues.letter.questions:
        parts.append(_("always {letter} {figures}").format(letter=cues.letter_best, figures=_percent(cues.letter)))
    elif cues.longest.questions:
        parts.append(_("key letters: shuffled"))
    if cues.always_true.questions:
        parts.append(_("always true {figures}").format(figures=_percent(cues.always_true)))
        parts.append(_("always false {figures}").format(figures=_percent(cues.always_false)))
    if cues.all_none.questions:
        parts.append(_("all/none of the above {figures}").format(figures=_percent(cues.all_none)))
    if cues.names_letter.questions:
        parts.append(_("a choice naming another {figures}").format(figures=_percent(cues.names_letter)))
    if cues.holds_constant or cues.holds_unrelated:
        parts.append(
            _("holds: {constant} constant, {unrelated} unrelated of {total}").format(
                constant=cues.holds_constant, unrelated=cues.holds_unrelated, total=cues.holds_total
            )
        )
    # TRANSLATORS: what separates one strategy's figures from the next on a bank's cue line
    return _("; ").join(parts) if parts else _("no question a strategy applies to")


def _problem_json(problem: Problem) -> dict[str, object]:
    return {"path": problem.path, "line": problem.line, "col": problem.col, "message": problem.message}
