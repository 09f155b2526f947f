"""Where the tests' own files are."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent  # the repository: docs/, questions/, quiz_app/
DATA = TESTS / "data"  # the tests' banks
BANKS = DATA / "banks"
NO_BUNDLED = BANKS / "none"  # a bundled-banks folder that does not exist: only the tests' banks show
