"""Question banks: the model, the YAML loader and grading. Knows nothing of the UI or torch."""

from quiz_app.bank.grading import Verdict, grade, matches_expect, normalise_outcome
from quiz_app.bank.loader import bank_files, installed_folders, load_bank, load_banks, load_installed, parse_bank
from quiz_app.bank.model import Bank, Choice, Contrast, LoadResult, Problem, Question

__all__ = [
    "Bank",
    "Choice",
    "Contrast",
    "LoadResult",
    "Problem",
    "Question",
    "Verdict",
    "bank_files",
    "grade",
    "installed_folders",
    "load_bank",
    "load_banks",
    "load_installed",
    "matches_expect",
    "normalise_outcome",
    "parse_bank",
]
