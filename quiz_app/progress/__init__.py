"""The progress store: answers and attempts in SQLite. Knows nothing of the UI or torch."""

from quiz_app.progress.store import (
    AnswerRecord,
    BankHistory,
    BankTotals,
    ProgressStore,
    QuestionRate,
    StoreError,
)

__all__ = [
    "AnswerRecord",
    "BankHistory",
    "BankTotals",
    "ProgressStore",
    "QuestionRate",
    "StoreError",
]
