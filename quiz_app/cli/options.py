"""What every command shares: its options, how it fails, its exit codes, and how it starts the app.

Exit codes, the same for every command:

- 0: done;
- 1: done, but something was not (a key refuted, a file refused, a line skipped, an answer not
  saved), each said on stderr;
- 2: the command line, a bank named on it, the database or the address could not be used; the
  reason is one line on stderr, ``quiz-app COMMAND: error: ...``.

A command raises :class:`CommandError` for the last kind; ``main`` prints it, once, and returns 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from quiz_app.core import i18n
from quiz_app.core.i18n import _, ngettext
from quiz_app.play.players import valid_player

if TYPE_CHECKING:
    from quiz_app.ui.settings import Settings

EXIT_OK, EXIT_PARTIAL, EXIT_UNUSABLE = 0, 1, 2


class CommandError(Exception):
    """The command cannot go on: ``message`` says why, in the interface's language. ``details``
    are printed before it (the problems of a bank, say), ``hint`` after it."""

    def __init__(self, message: str, details: Iterable[str] = (), hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = list(details)
        self.hint = hint


def report_error(command: str | None, error: CommandError) -> int:
    """Print ``error`` as ``quiz-app COMMAND: error: ...`` (with its details and hint) on stderr."""
    for line in error.details:
        print(line, file=sys.stderr)
    print(error_line(command, error.message), file=sys.stderr)
    if error.hint:
        print(error.hint, file=sys.stderr)
    return EXIT_UNUSABLE


def error_line(command: str | None, message: str) -> str:
    if command:
        return _("quiz-app {command}: error: {message}").format(command=command, message=message)
    return _("quiz-app: error: {message}").format(message=message)


def store_error(error: Exception) -> CommandError:
    """The score database cannot be used: the reason, and what to do about it."""
    from quiz_app.core import locations

    return CommandError(str(error), hint=locations.unusable_hint())


# -- options ------------------------------------------------------------------------------------


def device_option(parser: argparse.ArgumentParser, default: str | None = "auto", text: str | None = None) -> None:
    parser.add_argument(
        "--device",
        default=default,
        help=text or _("where snippets run: auto (CUDA, else MPS, else CPU), cpu, cuda, cuda:N or mps"),
    )


def trust_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trust",
        action="store_true",
        help=_("run the snippets of banks from anywhere, even where a guard is missing, without asking"),
    )
    parser.add_argument(
        "--no-sandbox",
        dest="sandbox",
        action="store_false",
        help=_("run snippets without the file and network guards (then every bank not bundled asks first)"),
    )


def language_option(parser: argparse.ArgumentParser, text: str | None = None) -> None:
    """``--lang``: read by ``main`` before parsing (so that the help is in that language too)."""
    parser.add_argument(
        "--lang",
        choices=sorted(i18n.LANGUAGES),
        default=None,
        help=text or _("the interface's language (default: the bank's language where one is shipped, else the locale)"),
    )


def shared_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--shared",
        action="store_true",
        help=_("a classroom's shared data folder: always ask the name, never offer the last one"),
    )


def asked_language(argv: list[str]) -> str | None:
    """The ``--lang`` of a command line, read before it is parsed (the help is in that language)."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def player_name(name: str | None) -> str | None:
    """A ``--player`` as given, checked (trimmed); None when none was given. Raises
    :class:`CommandError` for a name no store would keep."""
    if name is None:
        return None
    valid = valid_player(name)
    if valid is None:
        raise CommandError(_("--player needs a name without control or invisible characters"))
    return valid


def named_banks(paths: list[Path]) -> None:
    """The banks named on the command line must all load: else every problem, then one error."""
    if not paths:
        return
    from quiz_app.bank import load_banks

    named = load_banks(paths)
    if named.problems:
        count = len(named.problems)
        message = ngettext(
            "{count} problem in the banks named on the command line; "
            "fix it (quiz-app check PATH proves a bank), then start again",
            "{count} problems in the banks named on the command line; "
            "fix them (quiz-app check PATH proves a bank), then start again",
            count,
        )
        raise CommandError(message.format(count=count), details=[str(problem) for problem in named.problems])


def start_app(settings: Settings) -> int:
    """Run the TUI with ``settings``; a database that cannot be used is a ``CommandError``, said
    before any screen."""
    from quiz_app.progress import StoreError
    from quiz_app.ui.launch import launch

    try:
        return launch(settings)
    except StoreError as error:
        raise store_error(error) from None
