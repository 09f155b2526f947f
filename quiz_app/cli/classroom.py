"""The classroom's commands: ``quiz-app report``, ``export`` and ``import``.

Each ``run_*`` takes the arguments after the command's name and returns the exit code (see
``options``): 0 done; 1 done, but a file was refused or a damaged line skipped (each said on
stderr); a command line or a database that cannot be used raises ``CommandError`` (exit code 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from quiz_app.cli.options import EXIT_OK, EXIT_PARTIAL, CommandError, store_error
from quiz_app.core import locations
from quiz_app.core.i18n import _, ngettext

if TYPE_CHECKING:
    from quiz_app.classroom import ExportFile


def _report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quiz-app report",
        description=_(
            "A class's results per question, per student and per misconception, from this machine's "
            "database and any answers files named (each answer counts once, wherever it is found)."
        ),
        epilog=_(
            "Put answers files before --player, or after --, so that they are not read as names. "
            "Definitions (facility, discrimination, dubious): docs/classroom.md."
        ),
    )
    parser.add_argument("exports", nargs="*", type=Path, metavar="EXPORT", help=_("answers files (quiz-app export)"))
    parser.add_argument("--bank", action="append", default=[], metavar="ID", help=_("only this bank (may be repeated)"))
    parser.add_argument(
        "--player", nargs="+", action="extend", default=[], metavar="NAME", help=_("only these students")
    )
    parser.add_argument(
        "--since", metavar="DATE", help=_("only answers given at or after DATE (2026-09-01, local time)")
    )
    parser.add_argument(
        "--attempts",
        choices=("first", "last", "all"),
        default="first",
        help=_("which answers of a student to a question count (default: the first, what they knew)"),
    )
    parser.add_argument("--json", action="store_true", help=_("print one JSON document instead of text"))
    parser.add_argument(
        "--csv", metavar="FILE", help=_("also write the answers counted, one row each, to FILE ('-': stdout, alone)")
    )
    return parser


def _export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quiz-app export",
        description=_("Write this machine's answers to one file, for quiz-app import or report on another machine."),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help=_("the answers file to write (JSON Lines)"))
    parser.add_argument("--player", default=None, metavar="NAME", help=_("only this player's answers (default: all)"))
    return parser


def _import_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quiz-app import",
        description=_(
            "Merge answers files (quiz-app export) into this machine's database; an answer already here counts once."
        ),
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help=_("answers files"))
    return parser


def cannot_write(file: object, error: OSError) -> str:
    return _("cannot write {file}: {reason}").format(file=file, reason=error.strerror or error)


def _read_files(paths: list[Path]) -> tuple[list[ExportFile], bool]:
    """Read answers files; problems go to stderr. Returns (files read, anything refused or skipped)."""
    from quiz_app.classroom import ExportRefused, read_export

    read: list[ExportFile] = []
    partial = False
    for path in paths:
        try:
            export = read_export(path)
        except ExportRefused as refused:
            print(refused, file=sys.stderr)
            partial = True
            continue
        for problem in export.problems:
            print(_("{problem} (line skipped)").format(problem=problem), file=sys.stderr)
        partial = partial or bool(export.problems)
        read.append(export)
    return read, partial


def run_report(argv: list[str]) -> int:
    from quiz_app.bank import load_installed
    from quiz_app.classroom import Selection, format_report, parse_since, report_data, write_csv
    from quiz_app.progress import ProgressStore, StoreError

    parser = _report_parser()
    args = parser.parse_args(argv)
    for name in args.player:
        if name.endswith(".jsonl") or Path(name).is_file():
            parser.error(
                _("--player {name} looks like an answers file: put files before --player, or after --").format(
                    name=repr(name)
                )
            )
    try:
        since = parse_since(args.since) if args.since is not None else None
    except ValueError as error:
        parser.error(f"--since: {error}")
    selection = Selection(banks=tuple(args.bank), players=tuple(args.player), since=since, attempts=args.attempts)
    files, partial = _read_files(args.exports)
    extra = [answer for export in files for answer in export.answers]
    try:
        with ProgressStore.open(locations.database_path(), readonly=True) as store:
            for notice in store.notices:
                print(notice, file=sys.stderr)
            if args.csv == "-":
                write_csv(sys.stdout, store, selection, extra)
                return EXIT_PARTIAL if partial else EXIT_OK
            data = report_data(store, selection, load_installed().by_id(), extra)
            if args.csv is not None:
                with open(args.csv, "w", encoding="utf-8", newline="") as out:
                    rows = write_csv(out, store, selection, extra)
                wrote = ngettext("wrote {count} answer to {file}", "wrote {count} answers to {file}", rows)
                print(wrote.format(count=rows, file=args.csv), file=sys.stderr)
    except StoreError as error:
        raise store_error(error) from None
    except OSError as error:
        raise CommandError(
            _("cannot write {file}: {reason}").format(file=args.csv, reason=error.strerror or error)
        ) from None
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(format_report(data, selection), end="")
    return EXIT_PARTIAL if partial else EXIT_OK


def run_export(argv: list[str]) -> int:
    from quiz_app.classroom import write_export
    from quiz_app.progress import ProgressStore, StoreError
    from quiz_app.progress.class_queries import UID_SCHEMA_VERSION

    args = _export_parser().parse_args(argv)
    try:
        store = ProgressStore.open(locations.database_path(), readonly=True)
        if 0 < store.schema_version < UID_SCHEMA_VERSION:
            # Answers got their uids in schema version 4: upgrade first, so that no two
            # machines' answers share an id when they are merged.
            store.close()
            store = ProgressStore.open(locations.database_path())
        with store:
            for notice in store.notices:
                print(notice, file=sys.stderr)
            count = write_export(store, args.file, args.player)
    except StoreError as error:
        raise store_error(error) from None
    except OSError as error:
        raise CommandError(
            _("cannot write {file}: {reason}").format(file=args.file, reason=error.strerror or error)
        ) from None
    if args.player is not None:
        exported = ngettext(
            "exported {count} answer of {player} to {file}", "exported {count} answers of {player} to {file}", count
        )
    else:
        exported = ngettext(
            "exported {count} answer of all players to {file}",
            "exported {count} answers of all players to {file}",
            count,
        )
    print(exported.format(count=count, player=args.player, file=args.file))
    return EXIT_OK


def run_import(argv: list[str]) -> int:
    from quiz_app.classroom import import_file
    from quiz_app.progress import ProgressStore, StoreError

    args = _import_parser().parse_args(argv)
    files, partial = _read_files(args.files)
    if not files:
        return EXIT_PARTIAL
    try:
        with ProgressStore.open(locations.database_path()) as store:
            for notice in store.notices:
                print(notice, file=sys.stderr)
            for export in files:
                done = import_file(store, export)
                imported = ngettext(
                    "{path}: {read} answer read, {added} new, {here} already here",
                    "{path}: {read} answers read, {added} new, {here} already here",
                    done.read,
                )
                print(imported.format(path=done.path, read=done.read, added=done.added, here=done.already_here))
    except StoreError as error:
        raise store_error(error) from None
    return EXIT_PARTIAL if partial else EXIT_OK
