"""The command line: ``quiz-app [BANK...]`` plays, ``check``, ``stats`` and ``where`` report."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from quiz_app import __version__, locations
from quiz_app.players import default_player, valid_player

if TYPE_CHECKING:
    from quiz_app import trust
    from quiz_app.bank import Bank

COMMANDS = ("check", "stats", "where", "report", "export", "import")


def _device_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--device",
        default="auto",
        help="where snippets run: auto (CUDA, else MPS, else CPU), cpu, cuda, cuda:N or mps",
    )
    parser.add_argument(
        "--trust",
        action="store_true",
        help="run the snippets of banks from anywhere, even where a guard is missing, without asking",
    )
    parser.add_argument(
        "--no-sandbox",
        dest="sandbox",
        action="store_false",
        help="run snippets without the file and network guards (then every bank not bundled asks first)",
    )


def _lang_arg(parser: argparse.ArgumentParser) -> None:
    from quiz_app import i18n

    parser.add_argument(
        "--lang",
        choices=sorted(i18n.LANGUAGES),
        default=None,
        help="the interface's language (default: the bank's language where one is shipped, else the locale)",
    )


def _play_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quiz-app",
        description="A terminal quiz on PyTorch's model.eval() and torch.no_grad(), with live snippets.",
        epilog=(
            "Other commands: quiz-app check [PATH...], stats, where, report, export FILE, import FILE... "
            "(each takes --help)."
        ),
    )
    parser.add_argument("paths", nargs="*", type=Path, help="bank files or folders to play besides the bundled ones")
    parser.add_argument(
        "--player", default=None, help="whose scores to keep (default: asked at start, last time's name offered)"
    )
    parser.add_argument(
        "--shared",
        action="store_true",
        help="a classroom's shared data folder: always ask the name, never offer the last one",
    )
    _lang_arg(parser)
    _device_arg(parser)
    parser.add_argument("--version", action="version", version=f"quiz-app {__version__}")
    return parser


def _check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quiz-app check",
        description="Validate question banks and prove every answer key against real PyTorch.",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="bank files or folders (default: the bundled banks)")
    _device_arg(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument(
        "--strict", action="store_true", help="an unproven key is an error too (a choice without 'holds', format 1)"
    )
    return parser


def _stats_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quiz-app stats", description="Scores kept between sessions.")
    parser.add_argument("--player", default=None, help="whose scores (default: your login name)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def terminal_consent(trust_all: bool) -> Callable[[Bank, trust.Decision], bool]:
    """Ask on the terminal whether a bank may run where a guard is missing, and remember it.
    With ``--trust`` the answer is yes; with no terminal to ask on, it is no."""
    from quiz_app import trust

    book = trust.TrustBook(locations.trust_path())

    def consent(bank: Bank, decision: trust.Decision) -> bool:
        if trust_all:
            return True
        if decision.refused_before or not (sys.stdin.isatty() and sys.stderr.isatty()):
            return False
        print(trust.question(bank, decision), file=sys.stderr)
        try:
            yes = input("Run it? [y/N] ").strip().lower() in ("y", "yes")
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
        print(f"quiz-app check: error: {report.fatal}")
    where = f" on {report.worker.device} (torch {report.worker.torch_version})" if report.worker else ""
    print(report.summary() + where)
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
        print(f"quiz-app stats: error: {error}", file=sys.stderr)
        print(locations.UNUSABLE_HINT, file=sys.stderr)
        return 2
    return 0


def run_where(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="quiz-app where", description="Where quiz-app keeps its files.").parse_args(argv)
    print(f"data folder:   {locations.data_dir()}")
    print(f"database:      {locations.database_path()}")
    print(f"banks folder:  {locations.user_banks_dir()}")
    print(f"bundled banks: {locations.bundled_banks_dir()}")
    print(f"trust answers: {locations.trust_path()}")
    from quiz_app.runner import sandbox

    guards, missing = sandbox.available()
    print(f"snippet guards in force: {', '.join(guards) or 'none'}")
    for guard, why in missing.items():
        print(f"  missing: {guard} ({why}); banks that are not bundled ask before they run")
    if os.environ.get(locations.HOME_ENV):
        print(f"({locations.HOME_ENV} is set)")
    return 0


def run_app(argv: list[str]) -> int:
    args = _play_parser().parse_args(argv)
    if args.player is not None and valid_player(args.player) is None:
        print("quiz-app: error: --player needs a name without control characters", file=sys.stderr)
        return 2
    from quiz_app.ui.launch import launch

    return launch(
        paths=args.paths,
        player=valid_player(args.player) if args.player is not None else None,
        shared=args.shared,
        language=args.lang,
        device=args.device,
        trust_all=args.trust,
        sandboxed=args.sandbox,
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS:
            command, rest = argv[0], argv[1:]
            from quiz_app.cli_classroom import run_export, run_import, run_report

            return {
                "check": run_check,
                "stats": run_stats,
                "where": run_where,
                "report": run_report,
                "export": run_export,
                "import": run_import,
            }[command](rest)
        return run_app(argv)
    except BrokenPipeError:
        # `quiz-app stats | head -2`: the reader left; end quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
