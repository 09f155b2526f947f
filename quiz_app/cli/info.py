"""``quiz-app stats`` (a player's scores) and ``quiz-app where`` (the files and the guards)."""

from __future__ import annotations

import argparse
import json
import os
import sys

from quiz_app.cli.options import EXIT_OK, player_name, store_error
from quiz_app.core import locations
from quiz_app.core.i18n import _
from quiz_app.play.players import default_player


def stats_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quiz-app stats", description=_("Scores kept between sessions."))
    parser.add_argument("--player", default=None, help=_("whose scores (default: your login name)"))
    parser.add_argument("--json", action="store_true", help=_("print JSON instead of a table"))
    return parser


def run_stats(argv: list[str]) -> int:
    from quiz_app.progress import ProgressStore, StoreError
    from quiz_app.progress.report import format_stats, stats_data

    args = stats_parser().parse_args(argv)
    player = player_name(args.player) or default_player()
    try:
        with ProgressStore.open(locations.database_path(), readonly=True) as store:
            for notice in store.notices:
                print(notice, file=sys.stderr)
            if args.json:
                print(json.dumps(stats_data(store, player), indent=2, ensure_ascii=False))
            else:
                print(format_stats(store, player))
    except StoreError as error:
        raise store_error(error) from None
    return EXIT_OK


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
    return EXIT_OK
