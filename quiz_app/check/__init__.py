"""``quiz-app check`` and trust: prove every key against real PyTorch (``prove``), with each
question's contrasts (``contrasts``: also the table a learner sees) and the test-wise cues of
each bank (``cues``), and decide which banks may run their snippets here (``trust``)."""

from quiz_app.check.contrasts import ContrastTable, contrast_table
from quiz_app.check.prove import check
from quiz_app.check.report import CheckReport, Proof

__all__ = ["CheckReport", "ContrastTable", "Proof", "check", "contrast_table"]
