"""Who is playing: names as they are accepted, and the last name used on this machine.

Domain code (no Textual): the name prompt, the command line and the tests use it.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable
from pathlib import Path

from quiz_app.core import locations
from quiz_app.core.terminal_text import unsafe_characters

MAX_LENGTH = 64


def valid_player(name: str) -> str | None:
    """A player's name, trimmed; None when it is empty, too long, holds a control character or an
    invisible one (zero-width, a bidirectional override: "Ann" and "An\u200bn" would look alike),
    or is not text (bytes that are not UTF-8)."""
    name = name.strip()
    if not name or len(name) > MAX_LENGTH or unsafe_characters().search(name):
        return None
    try:
        name.encode("utf-8")  # a command line's bytes that are not UTF-8 arrive as lone surrogates
    except UnicodeEncodeError:
        return None
    return name


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (e.g. a container): a plain default
        return "player"


def last_player(path: Path | None = None) -> str | None:
    """The name confirmed at the last start on this data folder, if it is still a valid one."""
    path = path or locations.last_player_path()
    try:
        return valid_player(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def remember(name: str, path: Path | None = None) -> None:
    """Keep the name for the next start (best effort: a read-only folder only loses the default)."""
    path = path or locations.last_player_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(name, encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass


def default_player() -> str:
    """Whose scores a command shows when no ``--player`` is given: the last name played here, else the login."""
    return last_player() or login_name()


def shared(players: Iterable[str]) -> bool:
    """A data folder is taken as shared (a classroom's) once it holds more than one player's answers:
    there the name prompt never offers the last name, so nobody plays under someone else's."""
    return len(set(players)) > 1
