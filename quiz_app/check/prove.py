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
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from quiz_app.bank import Bank, Problem, Question, load_banks, matches_expect
from quiz_app.bank.grading import ExpectTooSlow, predict_matches
from quiz_app.check import trust
from quiz_app.check.contrasts import contrast_table
from quiz_app.check.cues import all_cues
from quiz_app.check.report import CheckReport, KeyStatus, Proof
from quiz_app.runner import Outcome, SnippetRequest, SnippetRunner, question_request
from quiz_app.runner.request import contrast_requests

Consent = Callable[[Bank, trust.Decision], bool]
WRITTEN = -1  # the index of a question's own snippet among its runs; contrasts are 0, 1, …


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


def prove_contrasts(
    bank: Bank, question: Question, proof: Proof, written: Outcome, outcomes: Sequence[Outcome | None]
) -> tuple[list[Problem], Problem | None]:
    """Run the question's contrasts through its key: the problems of contrasts that did not run
    to an end, and, for a proven key that no contrast refutes, the finding that it holds
    whatever the code does (an error with --strict, the caller's to decide)."""
    table = contrast_table(question, written, outcomes)
    proof.has_contrasts, proof.contrasts = True, table.as_json()
    problems = []
    for number, (contrast, column) in enumerate(zip(question.contrasts, table.contrasts, strict=True), start=1):
        if column.failure is not None:
            message = (
                f"question '{question.id}': contrast {number} ({contrast.label!r}) did not run to an end: "
                f"{column.failure}"
            )
            problems.append(Problem(str(bank.path), contrast.line, contrast.col, message))
    if problems or proof.key != "proven":
        return problems, None
    proof.sensitive = table.sensitive
    if table.sensitive is not False:
        return problems, None
    held = [str(column.label) for column, cell in zip(table.contrasts, table.key[1:], strict=True) if cell.truth]
    details = [f"it held under {', '.join(repr(label) for label in held)}"] if held else []
    details += [f"{label!r} could not decide it ({why})" for label, why in table.undecided]
    message = (
        f"question '{question.id}': the key holds whatever the code does: it may not test what the question asks "
        f"({'; '.join(details)})"
    )
    return problems, Problem(str(bank.path), question.line, question.col, message)


def _cue_problems(banks: list[Bank], report: CheckReport, strict: bool) -> None:
    """The cue figures, and each finding as an error (with --strict, for a strict rule) or a warning."""
    report.cues, report.cues_total, findings = all_cues(banks)
    for finding in findings:
        report_it = finding.strict and strict
        message = finding.message
        problem = Problem(finding.path, finding.line, finding.col, message if report_it else f"warning: {message}")
        (report.problems if report_it else report.warnings).append(problem)


def _requests(bank: Bank, question: Question) -> list[tuple[Bank, Question, int, SnippetRequest]]:
    """The runs a question needs: its snippet as written, then each contrast."""
    runs = [(bank, question, WRITTEN, question_request(question, bank.setup))]
    runs += [(bank, question, index, request) for index, request in enumerate(contrast_requests(question, bank.setup))]
    return runs


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

    Snippets, not banks, are handed out to the runners (a question's contrasts are more snippets
    in the same queue), so one big bank uses every core. A foreign bank that would run without
    some guard runs only if ``consent`` says yes (see :mod:`quiz_app.check.trust`), or with
    ``trust_all``; without either it is refused.
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
        _cue_problems(loaded.banks, report, strict)
        allowed = _allowed(loaded.banks, report, trust.Gate.here(sandboxed, trust_all), consent)
        todo = deque(
            run
            for bank in allowed
            for question in bank.questions
            if question.snippet
            for run in _requests(bank, question)
        )
        used = runners[: max(1, min(jobs, len(todo)))]
        for spare in runners[len(used) :]:
            spare.close()
        outcomes: dict[tuple[str, str, int], Outcome] = {}
        failures: list[str] = []
        lock = threading.Lock()

        def work(runner: SnippetRunner) -> None:
            while True:
                with lock:
                    if not todo or failures:
                        return
                    bank, question, index, request = todo.popleft()
                outcome = runner.run_request(request)
                with lock:
                    if outcome.status == "unavailable":
                        failures.append(outcome.detail)
                        return
                    outcomes[(bank.id, question.id, index)] = outcome

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
                outcome = outcomes.get((bank.id, question.id, WRITTEN))
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
                if question.contrasts and outcome is not None:
                    found = [outcomes.get((bank.id, question.id, index)) for index in range(len(question.contrasts))]
                    failed, insensitive = prove_contrasts(bank, question, proof, outcome, found)
                    report.problems.extend(failed)
                    if insensitive is not None and strict:
                        report.problems.append(insensitive)
                    elif insensitive is not None:
                        report.warnings.append(
                            Problem(
                                insensitive.path, insensitive.line, insensitive.col, f"warning: {insensitive.message}"
                            )
                        )
        return report
    finally:
        for runner in runners:
            runner.close()
