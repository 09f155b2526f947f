"""What the runner is asked to run: one snippet, after a setup, with the expressions to evaluate."""

from __future__ import annotations

from dataclasses import dataclass, replace

from quiz_app.bank import Question

GIB = 2**30


@dataclass(frozen=True)
class SnippetRequest:
    """One run: ``setup``, then ``code``, then each of ``holds`` in the same namespace."""

    code: str
    setup: str = ""
    timeout: float = 10.0  # seconds
    holds: tuple[str, ...] = ()
    memory_limit: int | None = None  # bytes; None: the runner's default


def question_request(question: Question, setup: str) -> SnippetRequest:
    """The one way a question goes to the runner (check, practice, exams and reviews alike): its
    snippet after ``setup``, which is its own bank's (a review's question keeps its bank's setup:
    ``QuizRun.setup_for``), with its time and memory limits and every ``holds`` of the question."""
    return SnippetRequest(
        code=question.snippet or "",
        setup=setup,
        timeout=question.timeout,
        holds=question.holds_expressions(),
        memory_limit=int(question.memory * GIB) if question.memory else None,
    )


def contrast_requests(question: Question, setup: str) -> tuple[SnippetRequest, ...]:
    """One request per contrast of the question, in order: the contrast's snippet instead of the
    question's, after the same ``setup``, with the same limits and every ``holds`` of the
    question (in ``question_request``'s order, so that a contrast's truths line up with the
    run's). Each goes to a fresh process of its own, like every request."""
    base = question_request(question, setup)
    return tuple(replace(base, code=contrast.snippet) for contrast in question.contrasts)
