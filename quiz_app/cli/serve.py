"""``quiz-app serve``: the quiz in a browser, one app process per tab (see quiz_app/ui/web.py).

Exit codes: 0 stopped with Ctrl+C (or SIGTERM); 2 the command line, a bank named, the
database or the address could not be used (each said on stderr, before anything is served).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from quiz_app.cli.options import EXIT_OK, CommandError, device_option, language_option, named_banks, store_error
from quiz_app.core.i18n import _


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("a port is a number from 1 to 65535")) from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(_("a port is a number from 1 to 65535"))
    return port


def serve_parser() -> argparse.ArgumentParser:
    from quiz_app.ui.web import DEFAULT_HOST, DEFAULT_PORT

    parser = argparse.ArgumentParser(
        prog="quiz-app serve",
        description=_(
            "Serve the quiz to web browsers: each tab runs its own quiz-app, asks the player's name, "
            "and writes every answer to this machine's database."
        ),
        epilog=_(
            "By default only this machine can connect. --host 0.0.0.0 opens it to every network this "
            "machine is on, with no password: read SECURITY.md and docs/classroom.md first."
        ),
    )
    parser.add_argument(
        "paths", nargs="*", type=Path, metavar="BANK", help=_("bank files or folders to play besides the bundled ones")
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=_("the address to listen on (default: %(default)s, this machine only; 0.0.0.0: every network)"),
    )
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=_("the port (default: %(default)s)"))
    parser.add_argument(
        "--public-url",
        default=None,
        metavar="URL",
        help=_("the address students open, when it is not this machine's own (behind a proxy, for example)"),
    )
    device_option(
        parser,
        default=None,
        text=_("where snippets run, in every tab: auto, cpu, cuda, cuda:N or mps (default: auto)"),
    )
    language_option(
        parser, text=_("the interface's language in every tab (default: the bank's language, else the locale)")
    )
    return parser


def run_serve(argv: list[str]) -> int:
    args = serve_parser().parse_args(argv)
    named_banks(args.paths)  # what every tab would refuse, refused once here, with the problems in sight

    from quiz_app.progress import ProgressStore, StoreError

    try:  # every tab writes here: an unusable data folder is one message now, not one per tab
        ProgressStore.open().close()
    except StoreError as error:
        raise store_error(error) from None

    from quiz_app.ui.web import ServeError, bind_error, build_server, check_port

    try:
        check_port(args.host, args.port)
        server = build_server(
            args.paths,
            host=args.host,
            port=args.port,
            device=args.device,
            language=args.lang,
            public_url=args.public_url,
        )
        try:
            server.serve()
        except OSError as error:  # taken between the check and the bind
            raise bind_error(args.host, args.port, error) from None
    except ServeError as error:
        raise CommandError(str(error)) from None
    return EXIT_OK
