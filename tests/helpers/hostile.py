"""What the hostile tests share: the secrets a victim holds, and the skip where a guard is missing."""

from __future__ import annotations

import pytest

from quiz_app.runner import sandbox

CANARY = "canary-9f1c2e-do-not-print"
SECRET = "token-5b7d41-do-not-print"


def needs_every_guard() -> None:
    """Hostile tests run where every guard is in force (Linux with Landlock ABI 4, user namespaces
    and seccomp), and say so and skip elsewhere rather than pretend."""
    _guards, missing = sandbox.available()
    lacking = {guard: why for guard, why in missing.items() if guard in ("files", "network", "box", "syscalls")}
    if lacking:
        pytest.skip(f"guards missing on this system: {lacking}")
