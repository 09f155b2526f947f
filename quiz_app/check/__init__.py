"""``quiz-app check`` and trust: prove every key against real PyTorch (``prove``), and decide
which banks may run their snippets here (``trust``)."""

from quiz_app.check.prove import CheckReport, Proof, check

__all__ = ["CheckReport", "Proof", "check"]
