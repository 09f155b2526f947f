"""The command line: ``quiz-app [BANK...]`` plays, ``check``, ``stats`` and ``where`` report."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from quiz_app import __version__
from quiz_app.core import i18n, locations
from quiz_app.core.i18n import _
from quiz_app.play.players import default_player, valid_player

if TYPE_CHECKING:
    from quiz_app.bank import Bank
    from quiz_app.check import trust

COMMANDS = ("check", "stats", "where", "report", "export", "import", "serve", "exam")


def _device_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        default="auto",
        help=_("where snippets run: auto (CUDA, else MPS, else CPU), cpu, cuda, cuda:N or mps"),
    )
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


def _lang_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=sorted(i18n.LANGUAGES),
        default=None,
        help=_("the interface's language (default: the bank's language where one is shipped, else the locale)"),
    )


def _asked_language(argv: list[str]) -> str | None:
    """The ``--lang`` of a command line, read before it is parsed (the help is in that language)."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return None


def _play_parser() -> argparse.ArgumentParser:
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
    parser.add_argument(
        "--shared",
        action="store_true",
        help=_("a classroom's shared data folder: always ask the name, never offer the last one"),
    )
    parser.add_argument(
        "--shuffle",
        action="store_true",
        help=_("questions and choices in an order of your own (the same each time), as a bank's 'shuffle: true'"),
    )
    # A tab of `quiz-app serve`: quit with the server, and show no other player's answers.
    parser.add_argument("--served", action="store_true", help=argparse.SUPPRESS)
    _lang_arg(parser)
    _device_arg(parser)
    parser.add_argument("--version", action="version", version=f"quiz-app {__version__}")
    return parser


def _check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quiz-app check",
        description=_("Validate question banks and prove every answer key against real PyTorch."),
    )
    parser.add_argument("paths", nargs="*", type=Path, help=_("bank files or folders (default: the bundled banks)"))
    _device_arg(parser)
    parser.add_argument("--json", action="store_true", help=_("print one JSON document instead of text"))
    parser.add_argument("--jobs", type=int, default=None, help=_("worker processes (default: one per core)"))
    parser.add_argument(
        "--strict",
        action="store_true",
        help=_("an unproven key is an error too (a choice without 'holds', format 1)"),
    )
    return parser


def _stats_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quiz-app stats", description=_("Scores kept between sessions."))
    parser.add_argument("--player", default=None, help=_("whose scores (default: your login name)"))
    parser.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    return parser


def terminal_consent(trust_all: bool) -> Callable[[Bank, trust.Decision], bool]:
    """Ask on the terminal whether a bank may run where a guard is missing, and remember it.
    With ``--trust`` the answer is yes; with no terminal to ask on, it is no."""
    from quiz_app.check import trust

    book = trust.TrustBook(locations.trust_path())

    def consent(bank: Bank, decision: trust.Decision) -> bool:
        if trust_all:
            return True
        if decision.refused_before or not (sys.stdin.isatty() and sys.stderr.isatty()):
            return False
        print(trust.question(bank, decision), file=sys.stderr)
        try:
            yes = input(_("Run it? [y/N] ")).strip().lower() in ("y", "yes")
        except EOFError:
            yes = False
        book.remember(bank, decision.digest, yes)
        return yes

    return consent


def run_check(argv: list[str]) -> int:
    from quiz_app.check import check

    args = _check_parser().parse_args(argv)
    paths = args.paths or [locations.bundled_banks_dir()]
    report = check(
        paths,
        device=args.device,
        jobs=args.jobs,
        strict=args.strict,
        consent=terminal_consent(trust_all=args.trust),
        sandboxed=args.sandbox,
    )
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return 0 if report.ok else 1
    for problem in sorted(report.problems + report.warnings, key=lambda p: (p.path, p.line, p.col)):
        print(problem)
    if report.fatal:
        print(_("quiz-app check: error: {message}").format(message=report.fatal))
    if report.worker:
        print(
            _("{summary} on {device} (torch {version})").format(
                summary=report.summary(), device=report.worker.device, version=report.worker.torch_version
            )
        )
    else:
        print(report.summary())
    return 0 if report.ok else 1


def run_stats(argv: list[str]) -> int:
    from quiz_app.progress import ProgressStore, StoreError
    from quiz_app.progress.report import format_stats, stats_data

    args = _stats_parser().parse_args(argv)
    player = args.player or default_player()
    try:
        with ProgressStore.open(locations.database_path(), readonly=True) as store:
            for notice in store.notices:
                print(notice, file=sys.stderr)
            if args.json:
                print(json.dumps(stats_data(store, player), indent=2, ensure_ascii=False))
            else:
                print(format_stats(store, player))
    except StoreError as error:
        print(_("quiz-app stats: error: {message}").format(message=error), file=sys.stderr)
        print(locations.unusable_hint(), file=sys.stderr)
        return 2
    return 0


def run_where(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="quiz-app where", description=_("Where quiz-app keeps its files.")).parse_args(argv)
    print(_("data folder:   {path}").format(path=locations.data_dir()))
    print(_("database:      {path}").format(path=locations.database_path()))
    print(_("banks folder:  {path}").format(path=locations.user_banks_dir()))
    print(_("bundled banks: {path}").format(path=locations.bundled_banks_dir()))
    print(_("trust answers: {path}").format(path=locations.trust_path()))
    from quiz_app.check import trust
    from quiz_app.runner import sandbox
    from quiz_app.runner.client import default_start_method

    if default_start_method() == "fork":
        print(_("snippet processes: each forked from one that has imported torch"))
    else:
        print(_("snippet processes: each a fresh Python that imports torch itself (slower to start)"))
    guards, missing = sandbox.available()
    print(_("snippet guards in force: {guards}").format(guards=trust.guard_names(guards) or _("none")))
    for guard, why in missing.items():
        print(
            "  "
            + _("missing: {guard} ({why}); banks that are not bundled ask before they run").format(
                guard=trust.guard_names([guard]), why=why
            )
        )
    if os.environ.get(locations.HOME_ENV):
        print(_("({variable} is set)").format(variable=locations.HOME_ENV))
    return 0


def run_app(argv: list[str]) -> int:
    args = _play_parser().parse_args(argv)
    i18n.activate(i18n.choose(args.lang))  # what is printed before the first screen, in the language asked for
    if args.player is not None and valid_player(args.player) is None:
        print(_("quiz-app: error: --player needs a name without control characters"), file=sys.stderr)
        return 2
    from quiz_app.ui.launch import launch

    return launch(
        paths=args.paths,
        player=valid_player(args.player) if args.player is not None else None,
        shared=args.shared or args.served,
        served=args.served,
        language=args.lang,
        device=args.device,
        trust_all=args.trust,
        sandboxed=args.sandbox,
        shuffle=args.shuffle,
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.activate(i18n.choose(_asked_language(argv)))  # --lang, else the locale, for the help and messages
    try:
        if argv and argv[0] in COMMANDS:
            command, rest = argv[0], argv[1:]
            from quiz_app.cli.classroom import run_export, run_import, run_report
            from quiz_app.cli.exam import run_exam
            from quiz_app.cli.serve import run_serve

            return {
                "check": run_check,
                "stats": run_stats,
                "where": run_where,
                "report": run_report,
                "export": run_export,
                "import": run_import,
                "serve": run_serve,
                "exam": run_exam,
            }[command](rest)
        return run_app(argv)
    except BrokenPipeError:
        # `quiz-app stats | head -2`: the reader left; end quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
