"""``quiz-app check``: validate banks and prove every answer key against real PyTorch."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from quiz_app.bank import Bank, Problem, Question, bank_files, load_banks, matches_expect
from quiz_app.bank.grading import predict_matches
from quiz_app.runner import Outcome, SnippetRunner, WorkerInfo


@dataclass
class CheckReport:
    banks: int = 0
    questions: int = 0
    proven: int = 0
    problems: list[Problem] = field(default_factory=list)
    fatal: str | None = None  # no snippet could run at all (e.g. the device asked for is missing)
    worker: WorkerInfo | None = None

    @property
    def errors(self) -> int:
        return len(self.problems) + (self.fatal is not None)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def summary(self) -> str:
        errors = self.errors
        return (
            f"{self.banks} bank{'s' * (self.banks != 1)}, {self.questions} questions, "
            f"{self.proven} snippets proven, {errors} error{'s' * (errors != 1)}"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "banks": self.banks,
            "questions": self.questions,
            "proven": self.proven,
            "errors": self.errors,
            "fatal": self.fatal,
            "device": self.worker.device if self.worker else None,
            "torch": self.worker.torch_version if self.worker else None,
            "problems": [{"path": p.path, "line": p.line, "col": p.col, "message": p.message} for p in self.problems],
        }


def verify(question: Question, outcome: Outcome) -> str | None:
    """Why the outcome does not prove the question's key, or None if it does."""
    if not outcome.ran:
        return f"the snippet did not run to an end: {outcome.detail}"
    text = outcome.text
    if outcome.status == "error" and question.expect is None and question.type != "predict":
        return (
            f"the snippet raised {outcome.exc_type}: {outcome.exc_message}; if that is the point, say so with 'expect'"
        )
    if question.expect is not None and not matches_expect(question.expect, text):
        return f"the outcome does not contain the expected {question.expect!r}; it was: {_clip(text)!r}"
    if question.type == "predict" and question.answer is not None:
        if not predict_matches(str(question.answer), text, outcome.exc_type):
            return f"the predict answer {question.answer!r} is not what the snippet prints: {_clip(text)!r}"
    return None


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _prove_bank(bank: Bank, runner: SnippetRunner) -> tuple[int, list[Problem]]:
    proven, problems = 0, []
    for question in bank.questions:
        if question.snippet is None:
            continue
        outcome = runner.run(question.snippet, bank.setup, question.timeout)
        if outcome.status == "unavailable":
            raise _Unavailable(outcome.detail)
        reason = verify(question, outcome)
        if reason is None:
            proven += 1
        else:
            problems.append(Problem(str(bank.path), question.line, question.col, f"question '{question.id}': {reason}"))
    return proven, problems


class _Unavailable(Exception):
    pass


def check(
    paths: Iterable[Path],
    device: str = "auto",
    jobs: int | None = None,
) -> CheckReport:
    """Load the banks the paths name and prove each with live snippets, several banks at once."""
    paths = list(paths)
    files = sum(len(bank_files(path)) for path in paths if path.exists())
    jobs = max(1, min(jobs or os.cpu_count() or 1, files))  # no more workers than bank files
    runners = [SnippetRunner(device) for _ in range(jobs)]
    for runner in runners:
        runner.start()  # torch imports while the banks load
    try:
        loaded = load_banks(paths)
        report = CheckReport(banks=len(loaded.banks), problems=list(loaded.problems))
        report.questions = sum(len(bank.questions) for bank in loaded.banks)
        todo = [bank for bank in loaded.banks if any(q.snippet for q in bank.questions)]
        used = runners[: max(1, min(jobs, len(todo)))]
        for spare in runners[len(used) :]:
            spare.close()
        results: dict[str, tuple[int, list[Problem]]] = {}
        failures: list[str] = []
        lock = threading.Lock()

        def work(runner: SnippetRunner) -> None:
            while True:
                with lock:
                    if not todo or failures:
                        return
                    bank = todo.pop(0)
                try:
                    result = _prove_bank(bank, runner)
                except _Unavailable as error:
                    with lock:
                        failures.append(str(error))
                    return
                with lock:
                    results[bank.id] = result

        threads = [threading.Thread(target=work, args=(runner,), daemon=True) for runner in used]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        report.worker = used[0].info
        if failures:
            report.fatal = failures[0]
        for bank in loaded.banks:
            proven, problems = results.get(bank.id, (0, []))
            report.proven += proven
            report.problems.extend(problems)
        return report
    finally:
        for runner in runners:
            runner.close()
