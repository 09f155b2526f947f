"""``quiz-app check [PATH...]``: validate banks and prove every key against real PyTorch."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from quiz_app.bank import Bank
from quiz_app.check import trust
from quiz_app.cli.options import EXIT_OK, EXIT_PARTIAL, device_option, error_line, trust_options
from quiz_app.core import locations
from quiz_app.core.i18n import _


def check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quiz-app check",
        description=_("Validate question banks and prove every answer key against real PyTorch."),
    )
    parser.add_argument("paths", nargs="*", type=Path, help=_("bank files or folders (default: the bundled banks)"))
    device_option(parser)
    trust_options(parser)
    parser.add_argument("--json", action="store_true", help=_("print one JSON document instead of text"))
    parser.add_argument("--jobs", type=int, default=None, help=_("worker processes (default: one per core)"))
    parser.add_argument(
        "--strict",
        action="store_true",
        help=_(
            "an unproven key is an error too (a choice without 'holds', format 1), and so are a key no "
            "contrast changes, a constant 'holds' and a bank where the longest choice scores above 40%"
        ).replace("%", "%%"),  # argparse formats help with %: a literal per cent is %%
    )
    return parser


def terminal_consent() -> Callable[[Bank, trust.Decision], bool]:
    """Ask on the terminal whether a bank may run where a guard is missing, and remember it.
    With no terminal to ask on, the answer is no (``--trust`` says yes before anyone asks)."""
    gate = trust.Gate.here()

    def consent(bank: Bank, decision: trust.Decision) -> bool:
        if decision.refused_before or not (sys.stdin.isatty() and sys.stderr.isatty()):
            return False
        print(trust.question(bank, decision), file=sys.stderr)
        try:
            yes = input(_("Run it? [y/N] ")).strip().lower() in ("y", "yes")
        except EOFError:
            yes = False
        gate.answer(bank, decision, yes)
        return yes

    return consent


def run_check(argv: list[str]) -> int:
    from quiz_app.check import check

    args = check_parser().parse_args(argv)
    paths = args.paths or [locations.bundled_banks_dir()]
    report = check(
        paths,
        device=args.device,
        jobs=args.jobs,
        strict=args.strict,
        consent=terminal_consent(),
        sandboxed=args.sandbox,
        trust_all=args.trust,
    )
    done = EXIT_OK if report.ok else EXIT_PARTIAL
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return done
    for problem in sorted(report.problems + report.warnings, key=lambda p: (p.path, p.line, p.col)):
        print(problem)
    if report.fatal:
        print(error_line("check", report.fatal))  # in the report, on stdout: the summary follows it
    for line in report.cue_lines():
        print(line)
    if report.worker:
        print(
            _("{summary} on {device} (torch {version})").format(
                summary=report.summary(), device=report.worker.device, version=report.worker.torch_version
            )
        )
    else:
        print(report.summary())
    return done
