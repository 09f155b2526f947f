"""``quiz-app check``: validate banks and prove every answer key against real PyTorch.

For each question with a snippet, the snippet runs once, and every ``holds`` expression of the
question (format 2) is evaluated after it, in its namespace, in the same run. The key is then
*proven* when the run decides it and agrees, *refuted* (an error) when the run contradicts it,
and *unproven* when the run cannot decide it (format 1 choices, a choice without ``holds``, no
snippet). ``--strict`` makes an unproven key an error too.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from quiz_app.bank import Bank, Problem, Question, load_banks, matches_expect
from quiz_app.bank.grading import ExpectTooSlow, predict_matches
from quiz_app.check import trust
from quiz_app.core.i18n import _, ngettext
from quiz_app.runner import Outcome, SnippetRunner, WorkerInfo, question_request

Consent = Callable[[Bank, trust.Decision], bool]

KeyStatus = Literal["proven", "unproven", "refuted", "error"]


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

    @property
    def options_total(self) -> int:
        return len(self.options)

    def as_json(self) -> dict[str, object]:
        return {
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

    def summary(self) -> str:
        """One line: banks, questions, keys and options proven, errors (in the interface's language)."""
        errors = self.errors
        return _("{banks}, {questions}, {keys}, {options}, {errors}").format(
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

    def as_json(self) -> dict[str, object]:
        return {
            "banks": self.banks,
            "questions": self.questions,
            "snippets_ok": self.snippets_ok,
            "keys_proven": self.count("proven"),
            "keys_unproven": self.count("unproven"),
            "options_proven": self.options_proven,
            "options_total": self.options_total,
            "errors": self.errors,
            "fatal": self.fatal,
            "stopped_processes": self.stopped,
            "device": self.worker.device if self.worker else None,
            "torch": self.worker.torch_version if self.worker else None,
            "problems": [_problem_json(p) for p in self.problems],
            "warnings": [_problem_json(p) for p in self.warnings],
            "questions_proof": [proof.as_json() for proof in self.proofs],
        }


def _problem_json(problem: Problem) -> dict[str, object]:
    return {"path": problem.path, "line": problem.line, "col": problem.col, "message": problem.message}


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _expr(expression: str, limit: int = 60) -> str:
    flat = " ".join(expression.split())
    return f"`{flat if len(flat) <= limit else flat[: limit - 1] + '…'}`"


def verify_run(question: Question, outcome: Outcome) -> str | None:
    """Why the run itself fails (did not end, unexpected exception, expect not met), or None."""
    if not outcome.ran:
        return f"the snippet did not run to an end: {outcome.detail}"
    text = outcome.text
    declared = question.expect is not None or (question.type == "predict" and question.answer is not None)
    if outcome.status == "error" and not declared:
        return (
            f"the snippet raised {outcome.exc_type}: {_clip(outcome.exc_message or '')}; "
            "if that is the point, say so with 'expect'"
        )
    if question.expect is not None:
        try:
            matched = matches_expect(question.expect, text)
        except ExpectTooSlow as error:
            return str(error)
        if not matched:
            return f"the outcome does not contain the expected {question.expect!r}; it was: {_clip(text)!r}"
    return None


def prove(bank: Bank, question: Question, outcome: Outcome | None) -> tuple[Proof, list[Problem]]:
    """Tie the question's key to the run. Problems are located at the question or the choice."""
    proof = Proof(bank.id, question.id, str(bank.path), question.line, question.type)
    problems: list[Problem] = []

    def problem(message: str, line: int = 0, col: int = 0) -> None:
        problems.append(
            Problem(str(bank.path), line or question.line, col or question.col, f"question '{question.id}': {message}")
        )

    statements = question.statements()
    proof.options = {label: None for label, _, _ in statements}
    if outcome is None:
        proof.reason = "it has no snippet to run"
        return proof, problems
    failure = verify_run(question, outcome)
    if failure is not None:
        problem(failure)
        proof.key, proof.reason = "error", failure
        return proof, problems
    proof.snippet_ok = True
    if question.type == "predict":
        if question.answer is not None and not predict_matches(str(question.answer), outcome.text, outcome.exc_type):
            reason = f"the predict answer {question.answer!r} is not what the snippet prints: {_clip(outcome.text)!r}"
            problem(reason)
            proof.key, proof.reason = "refuted", reason
        else:
            proof.key = "proven"
        return proof, problems
    truths = iter(outcome.holds)
    shown: list[str] = []  # "choice B: `expr` is False" for each option the run decided
    contradicted: list[str] = []
    raised = False
    for label, holds, keyed in statements:
        if not holds:
            continue
        result = next(truths, None)
        name = f"choice {label}" if label != "statement" else "the statement"
        position = _choice_position(question, label)
        if result is None or result.value is None:
            error = result.error if result is not None else "no result came back"
            problem(f"{name}: {_expr(holds)} raised {error}", *position)
            raised = True
            continue
        proof.options[label] = result.value
        shown.append(f"{name}: {_expr(holds)} is {result.value}")
        if result.value == keyed:
            proof.options_proven += 1
        else:
            contradicted.append(label)
    if raised:
        proof.key, proof.reason = "error", "a 'holds' expression raised"
        return proof, problems
    if contradicted:
        held = [label for label, truth in proof.options.items() if truth is True]
        not_held = [label for label, truth in proof.options.items() if truth is False]
        reason = f"the run contradicts the key {question.answer_text()!r}: " + "; ".join(shown)
        if question.type != "true_false":
            reason += f" (held: {', '.join(held) or 'none'}; did not hold: {', '.join(not_held) or 'none'})"
        problem(reason)
        proof.key, proof.reason = "refuted", reason
        return proof, problems
    proof.key, proof.reason = _decided(question, proof.options)
    return proof, problems


def _choice_position(question: Question, label: str) -> tuple[int, int]:
    if label in question.letters:
        choice = question.choices[question.letters.index(label)]
        return choice.line, choice.col
    return question.line, question.col


def _decided(question: Question, truths: dict[str, bool | None]) -> tuple[KeyStatus, str]:
    """Whether options that agree with the key also decide it."""
    if question.type == "true_false":
        return ("proven", "") if truths.get("statement") is not None else ("unproven", "the statement has no 'holds'")
    keyed = [letter for letter in question.letters if question.keyed(letter)]
    undecided = [letter for letter in keyed if truths.get(letter) is None]
    if undecided:
        return "unproven", f"keyed choice{'s' * (len(undecided) > 1)} {', '.join(undecided)} without 'holds'"
    return "proven", ""


def _misconception_warnings(banks: list[Bank]) -> list[Problem]:
    """One id must mean one belief: two banks in one language that word it differently."""
    seen: dict[tuple[str, str], tuple[str, Bank]] = {}
    warnings = []
    for bank in banks:
        for mid, text in bank.misconceptions.items():
            key = (bank.language, mid)
            if key in seen and seen[key][0] != text:
                other = seen[key][1]
                warnings.append(
                    Problem(
                        str(bank.path),
                        1,
                        1,
                        f"warning: misconception '{mid}' reads {text!r} here but {seen[key][0]!r} in bank "
                        f"'{other.id}' ({other.path}); an id means one belief in every bank",
                    )
                )
            seen.setdefault(key, (text, bank))
    return warnings


def _allowed(banks: list[Bank], report: CheckReport, gate: trust.Gate, consent: Consent | None) -> list[Bank]:
    """The banks whose snippets may run; each refused one is a problem at its file."""
    allowed = []
    for bank in banks:
        decision = gate.decide(bank)
        if decision.needed and not (consent is not None and consent(bank, decision)):
            missing = ", ".join(decision.missing)
            if decision.refused_before:
                why = f"you refused to run it before (see {gate.book.path})"
            else:
                why = "answer yes when asked on a terminal, or pass --trust to run it anyway"
            message = f"not run: this bank would run Python here without the guards {missing}; {why}"
            report.problems.append(Problem(str(bank.path), 1, 1, message))
            continue
        allowed.append(bank)
    return allowed


def check(
    paths: Iterable[Path],
    device: str = "auto",
    jobs: int | None = None,
    strict: bool = False,
    consent: Consent | None = None,
    sandboxed: bool = True,
    trust_all: bool = False,
) -> CheckReport:
    """Load the banks the paths name and prove each key with live snippets, several at once.

    Snippets, not banks, are handed out to the runners, so one big bank uses every core. A
    foreign bank that would run without some guard runs only if ``consent`` says yes (see
    :mod:`quiz_app.check.trust`), or with ``trust_all``; without either it is refused.
    """
    paths = list(paths)
    jobs = max(1, jobs or os.cpu_count() or 1)
    threads = max(1, (os.cpu_count() or 1) // jobs)
    runners = [SnippetRunner(device, threads=threads, sandbox=sandboxed) for _ in range(jobs)]
    for runner in runners:
        runner.start()  # torch imports while the banks load
    try:
        loaded = load_banks(paths)
        report = CheckReport(banks=len(loaded.banks), problems=list(loaded.problems))
        report.questions = sum(len(bank.questions) for bank in loaded.banks)
        report.warnings = _misconception_warnings(loaded.banks)
        allowed = _allowed(loaded.banks, report, trust.Gate.here(sandboxed, trust_all), consent)
        todo = deque((bank, question) for bank in allowed for question in bank.questions if question.snippet)
        used = runners[: max(1, min(jobs, len(todo)))]
        for spare in runners[len(used) :]:
            spare.close()
        outcomes: dict[tuple[str, str], Outcome] = {}
        failures: list[str] = []
        lock = threading.Lock()

        def work(runner: SnippetRunner) -> None:
            while True:
                with lock:
                    if not todo or failures:
                        return
                    bank, question = todo.popleft()
                outcome = runner.run_request(question_request(question, bank.setup))
                with lock:
                    if outcome.status == "unavailable":
                        failures.append(outcome.detail)
                        return
                    outcomes[(bank.id, question.id)] = outcome

        workers = [threading.Thread(target=work, args=(runner,), daemon=True) for runner in used]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        report.worker = used[0].info
        report.stopped = sum(runner.restarts for runner in used)
        if failures:
            report.fatal = failures[0]
            return report
        for bank in allowed:
            for question in bank.questions:
                outcome = outcomes.get((bank.id, question.id))
                proof, problems = prove(bank, question, outcome)
                report.proofs.append(proof)
                report.problems.extend(problems)
                report.snippets_ok += proof.snippet_ok
                if strict and proof.key == "unproven":
                    report.problems.append(
                        Problem(
                            str(bank.path),
                            question.line,
                            question.col,
                            f"question '{question.id}': key not proven ({proof.reason})",
                        )
                    )
        return report
    finally:
        for runner in runners:
            runner.close()
