"""quiz-app serve without a browser: the command each tab runs, the defaults, the arguments
passed through, the checks on Host and Origin, and the clear errors (a port in use, a broken
bank, an unusable data folder). tests/system/test_browser.py plays through it in Chromium."""

from __future__ import annotations

import errno
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from quiz_app import cli
from quiz_app.cli.serve import run_serve, serve_parser
from quiz_app.ui import web as serve


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def tab_argv(server: serve.QuizServer) -> list[str]:
    """The command each tab runs, as the shell will split it (``exec`` dropped)."""
    argv = shlex.split(server.command)
    return argv[1:] if argv[0] == "exec" else argv


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[serve.QuizServer]:
    """run_serve builds the server and calls serve(); this keeps the server instead of running it."""
    built: list[serve.QuizServer] = []
    monkeypatch.setattr(serve.QuizServer, "serve", lambda self, debug=False: built.append(self))
    monkeypatch.setattr(serve, "check_port", lambda host, port: None)  # 8000 may be taken here
    return built


def test_each_tab_runs_this_python_with_shared_and_the_options_given(tmp_path: Path) -> None:
    assert serve.tab_command() == [sys.executable, "-m", "quiz_app", "--shared", "--served"]
    bank = tmp_path / "my banks" / "-odd.yaml"
    argv = serve.tab_command([bank], device="cpu", language="zh", python="/opt/py")
    assert argv == [
        "/opt/py",
        "-m",
        "quiz_app",
        "--shared",
        "--served",
        "--device",
        "cpu",
        "--lang",
        "zh",
        "--",
        str(bank),
    ]


def test_relative_banks_are_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert serve.tab_command([Path("banks")])[-1] == str(tmp_path / "banks")


@pytest.mark.skipif(os.name == "nt", reason="POSIX shell quoting")
def test_the_shell_gets_the_arguments_back_unchanged() -> None:
    argv = [sys.executable, "-m", "quiz_app", "--shared", "--served", "--", "/a b/it's $HOME; rm -rf x.yaml"]
    assert shlex.split(serve.shell_command(argv)) == ["exec", *argv]  # the app replaces the shell


def test_defaults_bind_this_machine_only(served: list[serve.QuizServer]) -> None:
    args = serve_parser().parse_args([])
    assert (args.host, args.port, args.device, args.lang, args.paths) == ("127.0.0.1", 8000, None, None, [])
    assert run_serve([]) == 0
    (server,) = served
    assert (server.host, server.port) == ("127.0.0.1", 8000)
    assert server.public_url == "http://127.0.0.1:8000"
    assert tab_argv(server) == [sys.executable, "-m", "quiz_app", "--shared", "--served"]


def test_arguments_reach_the_server_and_every_tab(served: list[serve.QuizServer], tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(
        "id: served\ntitle: Served\nquestions:\n  - id: q\n    type: true_false\n    prompt: p\n"
        "    answer: true\n    explanation: e\n",
        encoding="utf-8",
    )
    port = free_port()
    assert run_serve(["--host", "0.0.0.0", "--port", str(port), "--device", "cpu", "--lang", "en", str(bank)]) == 0
    (server,) = served
    assert (server.host, server.port) == ("0.0.0.0", port)
    assert server.urls[0] == f"http://127.0.0.1:{port}"  # to open on the machine itself
    assert tab_argv(server) == [
        sys.executable,
        "-m",
        "quiz_app",
        "--shared",
        "--served",
        "--device",
        "cpu",
        "--lang",
        "en",
        "--",
        str(bank),
    ]


def test_serve_is_a_command_of_quiz_app(served: list[serve.QuizServer]) -> None:
    assert "serve" in cli.COMMANDS
    assert cli.main(["serve", "--port", str(free_port())]) == 0
    assert len(served) == 1


def test_a_port_in_use_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"quiz-app serve: error: port {port} is already in use on 127.0.0.1" in err
    assert "--port" in err and "Traceback" not in err


def test_a_bind_that_fails_after_the_check_says_why() -> None:
    in_use = serve.bind_error("127.0.0.1", 8000, OSError(errno.EADDRINUSE, "Address already in use"))
    assert "port 8000 is already in use" in str(in_use)
    denied = serve.bind_error("0.0.0.0", 80, OSError(errno.EACCES, "Permission denied"))
    assert "ports below 1024" in str(denied)
    other = serve.bind_error("10.9.9.9", 8000, OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"))
    assert "cannot listen on 10.9.9.9 port 8000: Cannot assign requested address" in str(other)


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_a_port_out_of_range_is_refused(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run_serve(["--port", port])
    assert exit_.value.code == 2
    assert "a port is a number from 1 to 65535" in capsys.readouterr().err


def test_a_broken_bank_named_stops_it_before_serving(
    tmp_path: Path, served: list[serve.QuizServer], capsys: pytest.CaptureFixture[str]
) -> None:
    bank = tmp_path / "broken.yaml"
    bank.write_text("id: broken\nquestions: [\n", encoding="utf-8")
    assert cli.main(["serve", str(bank)]) == 2
    assert served == []
    assert "problem in the banks named on the command line" in capsys.readouterr().err


def test_an_unusable_data_folder_stops_it_before_serving(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, served: list[serve.QuizServer], capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", encoding="utf-8")
    monkeypatch.setenv("QUIZ_APP_HOME", str(not_a_folder))
    assert cli.main(["serve", "--port", str(free_port())]) == 2
    assert served == []
    assert "QUIZ_APP_HOME" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8000", True),
        ("192.168.1.20:8000", True),
        ("[::1]:8000", True),
        ("localhost:8000", True),
        ("classroom.example:8000", True),  # --public-url's host
        ("evil.example:8000", False),  # a DNS-rebinding page reaches us under its own name
        ("", False),
        (None, False),
        ("a b", False),
    ],
)
def test_only_this_machines_names_and_addresses_are_served(host: str | None, allowed: bool) -> None:
    names = serve.allowed_host_names("http://classroom.example:8000/")
    assert serve.host_allowed(host, names) is allowed


@pytest.mark.parametrize(
    ("origin", "host", "same"),
    [
        (None, "127.0.0.1:8000", True),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", True),
        ("http://evil.example", "127.0.0.1:8000", False),
        ("http://127.0.0.1:9000", "127.0.0.1:8000", False),
        ("null", "127.0.0.1:8000", False),
    ],
)
def test_websockets_from_another_sites_page_are_refused(origin: str | None, host: str, same: bool) -> None:
    assert serve.same_origin(origin, host) is same


def test_network_urls_only_when_listening_everywhere() -> None:
    assert serve.network_urls("127.0.0.1", 8000) == []
    assert all(url.endswith(":8000") for url in serve.network_urls("0.0.0.0", 8000))
    assert serve.local_url("::", 8000) == "http://[::1]:8000"


def test_importing_serve_starts_nothing() -> None:
    code = (
        "import sys, threading, quiz_app.cli.serve\n"
        "assert 'textual_serve' not in sys.modules, 'cli_serve imports textual-serve only to serve'\n"
        "import quiz_app.ui.web\n"
        "assert threading.active_count() == 1\n"
        "assert not any(m.split('.')[0] in ('textual', 'torch') for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_the_real_server_prints_its_url_and_refuses_foreign_hosts_and_origins(quiz_home: Path) -> None:
    """A real server (no browser, no tab started): the URL printed, the page served, and the
    Host and Origin checks; Ctrl+C stops it with exit code 0."""
    aiohttp = pytest.importorskip("aiohttp")
    import asyncio

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "quiz_app", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "QUIZ_APP_HOME": str(quiz_home)},
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline().decode()
        assert f"open {url} in a browser" in first
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    page = response.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "the page was not served"
                time.sleep(0.05)
        assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
        # The same page fetched as localhost connects back to localhost.
        request = urllib.request.Request(url, headers={"Host": f"localhost:{port}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert f"ws://localhost:{port}/ws" in response.read().decode()
        request = urllib.request.Request(url, headers={"Host": f"evil.example:{port}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 421

        async def cross_site() -> int:
            async with aiohttp.ClientSession() as session:
                try:
                    async with session.ws_connect(
                        f"ws://127.0.0.1:{port}/ws", headers={"Origin": "http://evil.example"}
                    ):
                        return 101
                except aiohttp.WSServerHandshakeError as error:
                    return error.status

        assert asyncio.run(cross_site()) == 403
    finally:
        server.send_signal(signal.SIGINT)
        try:
            output = server.communicate(timeout=10)[0].decode()
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert server.returncode == 0, output
    assert "Traceback" not in output
