"""``quiz-app exam BANK [--minutes N]``: one bank as an exam (see quiz_app/play/exam.py and the
exam screens). The bank must load, and the minutes must make sense, before any screen opens."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from quiz_app.bank import Bank, load_banks, load_installed
from quiz_app.cli.options import (
    CommandError,
    device_option,
    language_option,
    player_name,
    shared_option,
    start_app,
    trust_options,
)
from quiz_app.core import locations
from quiz_app.core.i18n import _, ngettext
from quiz_app.play.exam import MINUTES_PER_QUESTION, ExamPlan, default_minutes

MAX_MINUTES = 24 * 60.0


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("'{text}' is not a number of minutes").format(text=text)) from None
    if not math.isfinite(value) or value <= 0 or value > MAX_MINUTES:
        message = _("must be a number of minutes above 0 and at most {most:g}, not {text}")
        raise argparse.ArgumentTypeError(message.format(most=MAX_MINUTES, text=text))
    return value


def exam_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quiz-app exam",
        description=_(
            "One bank as an exam: a countdown, the questions and their choices in an order of the player's "
            "own (the same at every launch), no verdict, outcome or explanation until the end, then a review "
            "of every question with its live outcome. Each answer is final and saved when given, with the "
            "bank's letters."
        ),
    )
    parser.add_argument(
        "bank",
        metavar="BANK",
        help=_("a bank file, or the id of an installed bank (bundled, or in the banks folder: see quiz-app where)"),
    )
    parser.add_argument(
        "--minutes",
        type=_minutes,
        default=None,
        help=_("how long the exam lasts (default: {minutes:g} minutes per question, rounded up)").format(
            minutes=MINUTES_PER_QUESTION
        ),
    )
    parser.add_argument("--player", default=None, help=_("whose answers these are (default: asked at start)"))
    shared_option(parser)
    language_option(parser)
    device_option(parser)
    trust_options(parser)
    return parser


def find_bank(name: str) -> tuple[Bank | None, list[str]]:
    """The bank ``name`` names (a file, else an installed bank's id), or the lines that say why not."""
    path = Path(name).expanduser()
    if path.exists() or path.suffix.lower() in (".yaml", ".yml") or "/" in name:
        if path.is_dir():
            return None, [_("{name} is a folder: name one bank file, or an installed bank's id").format(name=name)]
        loaded = load_banks([path])
        if loaded.problems or not loaded.banks:
            count = len(loaded.problems)
            lines = [str(problem) for problem in loaded.problems]
            message = ngettext(
                "{count} problem in {name}; fix it (quiz-app check {name} proves a bank), then start again",
                "{count} problems in {name}; fix them (quiz-app check {name} proves a bank), then start again",
                count,
            )
            lines.append(message.format(count=count, name=name))
            return None, lines
        return loaded.banks[0], []
    installed = load_installed()
    banks, broken = installed.banks, installed.broken_files
    found = next((bank for bank in banks if bank.id == name), None)
    if found is not None:
        return found, []
    ids = ", ".join(sorted(bank.id for bank in banks)) or _("none")
    line = _("no installed bank has the id '{name}' (installed: {ids})").format(name=name, ids=ids)
    if broken:
        more = ngettext(
            "{count} bank file did not load (quiz-app check {folder})",
            "{count} bank files did not load (quiz-app check {folder})",
            broken,
        )
        line += "; " + more.format(count=broken, folder=locations.user_banks_dir())
    return None, [line]


def run_exam(argv: list[str]) -> int:
    from quiz_app.ui.settings import Settings

    args = exam_parser().parse_args(argv)
    player = player_name(args.player)
    bank, why = find_bank(args.bank)
    if bank is None:
        raise CommandError(why[-1], details=why[:-1])
    minutes = args.minutes if args.minutes is not None else default_minutes(bank)
    return start_app(
        Settings(
            player=player,
            shared=args.shared,
            language=args.lang,
            device=args.device,
            trust_all=args.trust,
            sandboxed=args.sandbox,
            exam=ExamPlan(bank, minutes),
        )
    )
