"""``quiz-app [BANK...]`` plays; ``main`` dispatches the other commands to their modules.

The language is chosen once, here, before anything is parsed (``--lang``, else the locale), so
that every command's help and messages are in it. Each command returns its exit code or raises
``CommandError``, printed here, once (see ``options``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from quiz_app import __version__
from quiz_app.cli.options import (
    CommandError,
    asked_language,
    device_option,
    language_option,
    named_banks,
    player_name,
    report_error,
    shared_option,
    start_app,
    trust_options,
)
from quiz_app.core import i18n
from quiz_app.core.i18n import _

# command -> "module:function", imported only when that command runs
COMMANDS = {
    "check": "quiz_app.cli.check:run_check",
    "stats": "quiz_app.cli.info:run_stats",
    "where": "quiz_app.cli.info:run_where",
    "report": "quiz_app.cli.classroom:run_report",
    "export": "quiz_app.cli.classroom:run_export",
    "import": "quiz_app.cli.classroom:run_import",
    "serve": "quiz_app.cli.serve:run_serve",
    "exam": "quiz_app.cli.exam:run_exam",
}


def play_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quiz-app",
        description=_("A terminal quiz on PyTorch's model.eval() and torch.no_grad(), with live snippets."),
        epilog=_(
            "Other commands: quiz-app check [PATH...], stats, where, report, export FILE, import FILE..., "
            "exam BANK "
            "(each takes --help)."
        ),
    )
    parser.add_argument("paths", nargs="*", type=Path, help=_("bank files or folders to play besides the bundled ones"))
    parser.add_argument(
        "--player", default=None, help=_("whose scores to keep (default: asked at start, last time's name offered)")
    )
    shared_option(parser)
    parser.add_argument(
        "--shuffle",
        action="store_true",
        help=_(
            "the questions too in an order of your own (the same each time), as a bank's 'shuffle: true'; "
            "each question's choices are in your own order already, unless the bank says 'shuffle: false'"
        ),
    )
    # A tab of `quiz-app serve`: quit with the server, and show no other player's answers.
    parser.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    language_option(parser)
    device_option(parser)
    trust_options(parser)
    parser.add_argument("--version", action="version", version=f"quiz-app {__version__}")
    return parser


def run_app(argv: list[str]) -> int:
    from quiz_app.ui.settings import Settings

    args = play_parser().parse_args(argv)
    settings = Settings(
        player=player_name(args.player),
        paths=tuple(args.paths),
        device=args.device,
        trust_all=args.trust,
        sandboxed=args.sandbox,
        shared=args.shared or args.served,
        language=args.lang,
        shuffle=args.shuffle,
        served=args.served,
    )
    named_banks(args.paths)  # what the command line named must load, or nothing starts
    return start_app(settings)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.activate(i18n.choose(asked_language(argv)))  # --lang, else the locale, for the help and messages
    command = argv[0] if argv and argv[0] in COMMANDS else None
    try:
        if command is None:
            return run_app(argv)
        module, function = COMMANDS[command].split(":")
        return int(getattr(importlib.import_module(module), function)(argv[1:]))
    except CommandError as error:
        return report_error(command, error)
    except BrokenPipeError:
        # `quiz-app stats | head -2`: the reader left; end quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
