"""The live snippet runner: a fresh process for every snippet. Knows nothing of the UI.

torch is imported only in the runner's own processes (a zygote, or each spawned snippet
process), never here.
"""

from quiz_app.runner.client import SnippetRunner
from quiz_app.runner.outcome import Holds, Outcome, WorkerInfo
from quiz_app.runner.request import SnippetRequest, question_request

__all__ = ["Holds", "Outcome", "SnippetRequest", "SnippetRunner", "WorkerInfo", "question_request"]
