"""Which banks may run their snippets: a bank is a program, so trust is decided per bank.

- The bundled banks are trusted.
- Any other bank runs without a question where every guard is in force (``REQUIRED``).
- Where a guard is missing, the player is asked once per bank *content*: the SHA-256 of the
  very bytes the bank was parsed from (``Bank.sha256``, read once), never of the file as it is
  later, so a file swapped or a symbolic link re-pointed after loading changes nothing. A bank
  counts as bundled when its bytes are those of a bundled bank, wherever it lies. The answer is kept
  in ``trusted-banks.json`` in the data folder; an edited bank is a new bank and is asked about
  again. ``--trust`` answers yes in advance; with no terminal to ask on, such a bank is refused.

Domain code: the command line and the UI ask the question; this module knows the rules.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from quiz_app.bank import Bank
from quiz_app.bank.loader import bank_files, read_bank_bytes
from quiz_app.core import locations
from quiz_app.core.i18n import _
from quiz_app.runner.outcome import GUARD_NAMES

# Where one of these is missing, a bank that is not bundled asks first: without it, its code
# could reach the learner's files (files, box), the network (network, syscalls), the app's
# secrets (environment), or the machine's memory and disk (limits, memory, box).
REQUIRED = ("files", "network", "box", "syscalls", "environment", "limits", "memory")
__all__ = ["GUARD_NAMES", "REQUIRED", "Decision", "Gate", "TrustBook", "decide", "digest", "is_bundled"]


def guard_names(guards: tuple[str, ...] | list[str]) -> str:
    """Guards in words, in the interface's language: 'files, network'."""
    # TRANSLATORS: between the names of guards: "files, network, memory"
    return _(", ").join(_(GUARD_NAMES[guard]) if guard in GUARD_NAMES else guard for guard in guards)


def digest(bank: Bank) -> str:
    """The SHA-256 of the bytes the bank was parsed from ('' for a bank made in code, which is
    asked about every time: there are no bytes to remember it by)."""
    return bank.sha256


def bundled_digests(bundled_dir: Path) -> frozenset[str]:
    """The SHA-256 of each bank file shipped in ``bundled_dir``, read now."""
    found = set()
    for path in bank_files(bundled_dir) if bundled_dir.is_dir() else ():
        try:
            found.add(hashlib.sha256(read_bank_bytes(path)).hexdigest())
        except OSError:
            continue
    return frozenset(found)


def is_bundled(bank: Bank, bundled_dir: Path) -> bool:
    """True when the bank's bytes are those of a bank shipped with quiz-app (by content, not by
    path: a path can be made to point into the bundled folder after the bank was read)."""
    return bool(bank.sha256) and bank.sha256 in bundled_digests(bundled_dir)


@dataclass(frozen=True)
class Decision:
    needed: bool  # False: the bank may run (bundled, fully guarded, or trusted before)
    missing: tuple[str, ...]  # the guards not in force here
    digest: str
    reason: str  # why it may run, or why not
    refused_before: bool = False  # the player said no to this very content: do not ask again


class TrustBook:
    """The answers given so far, by bank digest, in a small JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def answer(self, sha: str) -> bool | None:
        entry = self._read().get(sha)
        return bool(entry.get("trusted")) if isinstance(entry, dict) else None

    def remember(self, bank: Bank, sha: str, trusted: bool) -> None:
        """Keep the answer (written atomically: a crash leaves the old file or the new one).
        A bank without a digest (made in code) leaves nothing to remember."""
        if not sha:
            return
        data = self._read()
        data[sha] = {
            "trusted": trusted,
            "bank": bank.id,
            "title": bank.title,
            "path": str(bank.path),
            "decided_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".trusted-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2, ensure_ascii=False)
        os.replace(tmp, self.path)


def decide(bank: Bank, guards: tuple[str, ...] | list[str], bundled_dir: Path, book: TrustBook) -> Decision:
    """Whether running this bank's snippets needs the player's consent first."""
    missing = tuple(guard for guard in REQUIRED if guard not in guards)
    if is_bundled(bank, bundled_dir):
        return Decision(False, missing, "", "bundled with quiz-app")
    if not missing:
        return Decision(False, missing, "", "every guard is in force")
    sha = digest(bank)
    answered = book.answer(sha) if sha else None
    if answered:
        return Decision(False, missing, sha, "trusted before")
    if answered is False:
        return Decision(True, missing, sha, "refused before", refused_before=True)
    return Decision(True, missing, sha, "not asked yet")


def question(bank: Bank, decision: Decision) -> str:
    """What the player is asked, in full."""
    return _(
        "The bank '{title}' ({id}) from {path} runs Python on this machine, with your permissions, "
        "when its answers are shown. Here it would run without these guards: {guards}. Run its snippets? "
        "(SHA-256 {digest}…)"
    ).format(
        title=bank.title, id=bank.id, path=bank.path, guards=guard_names(decision.missing), digest=decision.digest[:16]
    )


@dataclass(frozen=True)
class Gate:
    """The one trust gate: whether a bank's snippets may run here, for ``check``, the app, an exam
    and the command line alike. The answers given are kept in the ``TrustBook``."""

    guards: tuple[str, ...]  # the guards a snippet process has here
    bundled: Path  # the bundled banks' folder
    book: TrustBook
    trust_all: bool = False  # --trust: yes in advance, for every bank

    @classmethod
    def here(cls, sandboxed: bool = True, trust_all: bool = False, bundled: Path | None = None) -> Gate:
        """The gate of this machine: its guards (fewer with ``--no-sandbox``) and its trust answers."""
        from quiz_app.runner import sandbox

        return cls(
            tuple(sandbox.expected_guards(sandboxed)),
            bundled if bundled is not None else locations.bundled_banks_dir(),
            TrustBook(locations.trust_path()),
            trust_all,
        )

    def decide(self, bank: Bank) -> Decision:
        decision = decide(bank, self.guards, self.bundled, self.book)
        if decision.needed and self.trust_all:
            return replace(decision, needed=False, reason="--trust")
        return decision

    def answer(self, bank: Bank, decision: Decision, yes: bool) -> None:
        """Keep the player's answer for this bank's content; it is not asked again."""
        self.book.remember(bank, decision.digest, yes)

    def refused_text(self, bank: Bank) -> str:
        return _("'{title}' stays closed: you refused to run its snippets before (see {path}).").format(
            title=bank.title, path=self.book.path
        )


def not_opened_text(bank: Bank) -> str:
    """Said when the player has just answered no."""
    return _("'{title}' was not opened: its snippets were not allowed to run.").format(title=bank.title)
