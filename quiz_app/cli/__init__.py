"""The command line (top layer): parse the arguments, then call one layer below.

``quiz-app [BANK...]`` plays (the TUI); ``check``, ``stats``, ``where``, ``report``,
``export``, ``import``, ``serve`` and ``exam`` are the other commands (``main.py`` dispatches).
"""

from quiz_app.cli.main import COMMANDS, main

__all__ = ["COMMANDS", "main"]
