"""Every path quiz_app reads or writes for a user, in one place.

The data folder is platformdirs' user data dir, unless ``QUIZ_APP_HOME`` names another
(classrooms point it at a shared folder, tests at a temporary one).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "quiz-app"
HOME_ENV = "QUIZ_APP_HOME"
DATABASE_NAME = "progress.sqlite3"
UNUSABLE_HINT = f"Set {HOME_ENV} to a folder you can write to, or fix the folder's permissions."


def unusable_hint() -> str:
    """``UNUSABLE_HINT`` in the interface's language."""
    from quiz_app.core.i18n import _

    return _("Set {variable} to a folder you can write to, or fix the folder's permissions.").format(variable=HOME_ENV)


def data_dir() -> Path:
    """The folder that holds the database and the player's own banks."""
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def database_path() -> Path:
    return data_dir() / DATABASE_NAME


def trust_path() -> Path:
    """The answers a player gave about running foreign banks where guards are missing."""
    return data_dir() / "trusted-banks.json"


def last_player_path() -> Path:
    """The name confirmed at the last start, offered at the next one (never where the folder is shared)."""
    return data_dir() / "last-player.txt"


def user_banks_dir() -> Path:
    """Banks a player or teacher drops in here are listed beside the bundled ones."""
    return data_dir() / "banks"


def bundled_banks_dir() -> Path:
    """The banks shipped with quiz_app.

    A wheel carries them inside the package (``quiz_app/questions``); a source checkout
    or an editable install keeps them at the repository root (``questions/``).
    """
    here = Path(__file__).resolve().parents[1]  # the quiz_app package
    packaged = here / "questions"
    if packaged.is_dir():
        return packaged
    return here.parent / "questions"
