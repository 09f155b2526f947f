"""The progress store: answers and attempts in SQLite. Knows nothing of the UI or torch.

Modules: ``records`` (the dataclasses), ``errors``, ``opening`` (folder checks, connecting,
the cheap damage check), ``recovery`` (moving damaged files aside), ``waiting`` (retrying
while another program holds the lock), ``journal`` (answers kept until the database takes
them), ``schema`` (migrations), ``writes`` and ``queries`` (the SQL), ``store``
(:class:`ProgressStore`, which ties them together) and ``report`` (``quiz-app stats``).
"""

from quiz_app.progress import schema
from quiz_app.progress.errors import AnswerJournaled, StoreError
from quiz_app.progress.records import (
    AnswerRecord,
    BankHistory,
    BankTotals,
    MisconceptionMark,
    MisconceptionStatus,
    QuestionRate,
    StoredAnswer,
    UnfinishedAttempt,
)
from quiz_app.progress.store import ProgressStore
from quiz_app.progress.waiting import LockWait, WaitListener

__all__ = [
    "AnswerJournaled",
    "AnswerRecord",
    "BankHistory",
    "BankTotals",
    "LockWait",
    "MisconceptionMark",
    "MisconceptionStatus",
    "ProgressStore",
    "QuestionRate",
    "StoreError",
    "StoredAnswer",
    "UnfinishedAttempt",
    "WaitListener",
    "schema",
]
