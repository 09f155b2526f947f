"""The live snippet runner: a warm PyTorch worker process. Knows nothing of the UI.

torch is imported only in the worker process, never here.
"""

from quiz_app.runner.client import SnippetRunner
from quiz_app.runner.outcome import Holds, Outcome, WorkerInfo

__all__ = ["Holds", "Outcome", "SnippetRunner", "WorkerInfo"]
