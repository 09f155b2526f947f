"""``quiz-app serve``: the quiz in a browser, for a class, through textual-serve.

textual-serve runs one command per browser tab (per websocket), in a shell, with the server's
environment: so each tab gets its own app process, ``<python> -m quiz_app --shared [BANK...]``,
which asks the player's name and writes to the server's data folder (``QUIZ_APP_HOME``, else
the default one). Each tab's app starts its own snippet runner (zygote and snippet process).

Nothing here starts anything on import: ``tab_command`` builds the command line, ``build_server``
the server, ``check_port`` tries the address, and ``Server.serve()`` (textual-serve's) runs it.

Two checks are added to textual-serve's routes, because a browser lets any web page open a
websocket to any address, localhost included: the page and its websocket answer only to a
``Host`` this machine answers to (an IP address, ``localhost``, this machine's name, or the
``--public-url``'s host), which defeats DNS rebinding; and a websocket opened from a page of
another origin is refused (cross-site websocket hijacking). See SECURITY.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ipaddress
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from textual_serve.server import Server

from quiz_app.core import locations
from quiz_app.core.i18n import _, ngettext

if TYPE_CHECKING:
    from aiohttp import web

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
TITLE = "quiz-app"
SHUTDOWN_PATIENCE_S = 15.0  # on Ctrl+C, how long the tabs' apps get to quit and write their answers
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})

# A Host header as browsers send it: a name or an IPv4 address, or a bracketed IPv6 one, and a port.
_HOST_HEADER = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


class ServeError(Exception):
    """The server cannot listen where it was asked to (the message says why, for the user)."""


def tab_command(
    paths: Sequence[Path | str] = (),
    device: str | None = None,
    language: str | None = None,
    python: str | None = None,
) -> list[str]:
    """The app each tab runs: this Python, ``-m quiz_app --shared --served``, the options given to
    serve, then the banks named (absolute, after ``--``, so that a path starting with ``-`` stays a
    path). ``--served`` makes the tab's app quit with the server, and keeps the class report and
    other players' scores out of the students' tabs."""
    argv = [python or sys.executable, "-m", "quiz_app", "--shared", "--served"]
    if device is not None:
        argv += ["--device", device]
    if language is not None:
        argv += ["--lang", language]
    if paths:
        argv += ["--", *(str(Path(path).absolute()) for path in paths)]
    return argv


def shell_command(argv: Sequence[str]) -> str:
    """``argv`` quoted for the shell textual-serve runs it in: ``/bin/sh``, which ``exec``s it (so
    the app is the server's own child, with no shell left waiting beside it); ``cmd.exe`` on Windows."""
    if os.name == "nt":
        return subprocess.list2cmdline(list(argv))
    return "exec " + shlex.join(argv)


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def local_url(host: str, port: int) -> str:
    """The address to open on the serving machine itself (a wildcard bind answers on loopback)."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://{_bracketed(host)}:{port}"


def network_urls(host: str, port: int) -> list[str]:
    """The addresses other machines may try, when the server listens on every interface: this
    machine's name and the address of the interface its default route leaves by (a guess, no
    packet is sent). Empty when it listens on one address only (``local_url`` is the one)."""
    if host not in WILDCARD_HOSTS:
        return []
    urls = []
    name = socket.gethostname()
    if name and name != "localhost":
        urls.append(f"http://{name}:{port}")
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: connect() on UDP only picks the route
            address = probe.getsockname()[0]
        if not ipaddress.ip_address(address).is_loopback:
            urls.append(f"http://{address}:{port}")
    except OSError:
        pass
    return urls


def allowed_host_names(public_url: str | None = None) -> frozenset[str]:
    """The host names (not addresses) the server answers to: localhost, this machine's names,
    and the host of ``public_url``. Any IP address is accepted besides these."""
    names = {"localhost", socket.gethostname().lower(), socket.getfqdn().lower()}
    if public_url:
        public = urlsplit(public_url).hostname
        if public:
            names.add(public.lower())
    return frozenset(name for name in names if name)


def host_allowed(host_header: str | None, names: frozenset[str]) -> bool:
    """Whether a request's ``Host`` is one this machine answers to: an IP address or a name in
    ``names``. A DNS-rebinding page reaches the server under its own domain name: refused."""
    if not host_header or not _HOST_HEADER.match(host_header):
        return False
    host = urlsplit(f"//{host_header}").hostname or ""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return host.lower() in names


def same_origin(origin: str | None, host_header: str | None) -> bool:
    """Whether a websocket's ``Origin`` is the page's own (its host and port are the request's
    ``Host``). No ``Origin`` (a client that is not a browser) passes: it could send any header."""
    if origin is None:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not host_header:
        return False
    return parts.netloc.lower() == host_header.lower()


def check_port(host: str, port: int) -> None:
    """Bind to each address ``host`` names at ``port`` and let go at once, as the server will
    (with ``SO_REUSEADDR``), so that a port in use is a clear message before anything is
    printed. Raises ServeError."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ServeError(_("cannot listen on {host}: {reason}").format(host=host, reason=error.strerror)) from None
    for family, kind, proto, _name, address in infos:
        with socket.socket(family, kind, proto) as probe:
            if os.name != "nt":
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                raise bind_error(host, port, error) from None


def bind_error(host: str, port: int, error: OSError) -> ServeError:
    """The message for a failed bind: the port in use gets its own, with what to do."""
    if error.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
        return ServeError(
            _(
                "port {port} is already in use on {host} (another quiz-app serve?); "
                "choose another one with --port, e.g. --port {other}"
            ).format(port=port, host=host or "*", other=port + 1 if port < 65535 else 8001)
        )
    if error.errno == errno.EACCES:
        return ServeError(
            _("no permission to listen on port {port}; ports below 1024 need privileges: use --port 8000").format(
                port=port
            )
        )
    return ServeError(
        _("cannot listen on {host} port {port}: {reason}").format(host=host, port=port, reason=error.strerror)
    )


class QuizServer(Server):
    """textual-serve's server with quiz-app's start message, the page's addresses taken from the
    request (so that a page fetched through any of this machine's addresses connects back to
    the same one), and the Host and Origin checks (see the module's docstring)."""

    def __init__(
        self, command: str, host: str, port: int, public_url: str | None = None, urls: Sequence[str] = ()
    ) -> None:
        super().__init__(command, host=host, port=port, title=TITLE, public_url=public_url or local_url(host, port))
        self.fixed_public_url = public_url
        self.allowed_names = allowed_host_names(public_url)
        self.urls = list(urls) or [self.public_url]
        self.tabs: set[asyncio.Task[Any]] = set()  # one handler per open tab

    async def on_startup(self, app: web.Application) -> None:
        with contextlib.suppress(AttributeError, NotImplementedError, RuntimeError):
            # A closed terminal stops the server as Ctrl+C does (textual-serve handles SIGINT and SIGTERM).
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.request_exit)
        first, *others = self.urls
        print(_("quiz-app serve: open {url} in a browser; each tab is one player.").format(url=first), flush=True)
        for url in others:
            print(_("  from other machines: {url}").format(url=url), flush=True)
        print(
            _("Answers go to {database}. Press Ctrl+C to stop.").format(database=locations.database_path()), flush=True
        )

    async def on_shutdown(self, app: web.Application) -> None:
        """Ctrl+C: end every tab now, as closing it would (its app quits and writes what it holds),
        instead of aiohttp waiting up to a minute for the students to close their tabs."""
        tabs = [tab for tab in self.tabs if not tab.done()]
        if tabs:
            stopping = ngettext("Stopping {count} open tab…", "Stopping {count} open tabs…", len(tabs))
            print(stopping.format(count=len(tabs)), flush=True)
        for tab in tabs:
            tab.cancel()  # textual-serve's handler then stops the app and closes the websocket
        if tabs:
            await asyncio.wait(tabs, timeout=SHUTDOWN_PATIENCE_S)

    async def handle_index(self, request: web.Request) -> Any:
        from aiohttp import web

        if not host_allowed(request.host, self.allowed_names):
            raise web.HTTPMisdirectedRequest(text=_("quiz-app serve does not answer to this host name.\n"))
        if self.fixed_public_url is None:
            # No await between this and the page's rendering (textual-serve builds its URLs
            # synchronously), so concurrent requests cannot see each other's address.
            self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        from aiohttp import web

        if not host_allowed(request.host, self.allowed_names):
            raise web.HTTPMisdirectedRequest(text=_("quiz-app serve does not answer to this host name.\n"))
        if not same_origin(request.headers.get("Origin"), request.host):
            raise web.HTTPForbidden(text=_("quiz-app serve refuses websockets opened from another site's page.\n"))
        tab = asyncio.current_task()
        if tab is not None:
            self.tabs.add(tab)
        try:
            return await super().handle_websocket(request)
        finally:
            if tab is not None:
                self.tabs.discard(tab)


def build_server(
    paths: Sequence[Path | str] = (),
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    device: str | None = None,
    language: str | None = None,
    public_url: str | None = None,
) -> QuizServer:
    """The server, not started: ``.serve()`` runs it until Ctrl+C (or SIGTERM)."""
    command = shell_command(tab_command(paths, device=device, language=language))
    urls = [public_url] if public_url else [local_url(host, port), *network_urls(host, port)]
    return QuizServer(command, host=host, port=port, public_url=public_url, urls=urls)
