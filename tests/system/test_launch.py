"""The command as a learner or a bank author runs it: the TUI in a real pseudo-terminal, quitting
by key and by signal, `check --device`, a syntax error in `setup`, and `where`."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz_app.bank import parse_bank

# The installed command where there is one; else this Python running the package (a checkout).
_INSTALLED = shutil.which("quiz-app", path=str(Path(sys.executable).parent))
QUIZ_APP = [_INSTALLED] if _INSTALLED else [sys.executable, "-m", "quiz_app"]

# What a clean exit leaves after leaving the alternate screen: only mode resets (cursor shown,
# mouse and paste reporting off, the keyboard protocol popped), never more drawing.
RESTORED_TAIL = re.compile(rb"\x1b\[\?1049l(?:\x1b\[[?<>=]?[0-9;]*[A-Za-z])*\Z")


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TEXTUAL")}
    env.update(QUIZ_APP_HOME=str(home), **extra)
    return env


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*QUIZ_APP, *args], capture_output=True, text=True, env=env, timeout=120)


class Terminal:
    """quiz-app running in a pseudo-terminal of 80x24, as a learner starts it."""

    def __init__(self, home: Path) -> None:
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.modes_before = termios.tcgetattr(self.slave)
        self.output = b""
        self.proc = subprocess.Popen(
            [*QUIZ_APP, "--player", "x"],
            stdin=self.slave,
            stdout=self.slave,
            stderr=self.slave,
            env=cli_env(home, TERM="xterm-256color"),
            start_new_session=True,
        )

    def read_until(self, *wanted: bytes, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not all(text in self.output for text in wanted):
            assert self.proc.poll() is None, f"quiz-app ended early ({self.proc.returncode}): {self.output[-2000:]!r}"
            assert time.monotonic() < deadline, f"never saw {wanted!r} in {self.output[-2000:]!r}"
            self.drain(0.05)

    def drain(self, wait: float) -> None:
        ready, _, _ = select.select([self.master], [], [], wait)
        while ready:
            self.output += os.read(self.master, 65536)
            ready, _, _ = select.select([self.master], [], [], 0)

    def modes(self) -> list:  # type: ignore[type-arg]
        return termios.tcgetattr(self.slave)

    def wait(self, timeout: float = 20.0) -> int:
        code = self.proc.wait(timeout)
        self.drain(0.2)
        return code

    def descendants(self) -> list[int]:
        """The app's child processes (the PyTorch worker and the snippet process it forks)."""
        found: list[int] = []
        todo = [self.proc.pid]
        while todo:
            pid = todo.pop()
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    children = [int(child) for child in (task / "children").read_text().split()]
                except OSError:
                    continue
                found += children
                todo += children
        return found

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        os.close(self.master)
        os.close(self.slave)


def alive(pid: int) -> bool:
    """Running, not ended (a zombie has ended; only its parent's reaping is missing)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.fixture
def terminal(quiz_home: Path) -> Iterator[Terminal]:
    started = Terminal(quiz_home)
    try:
        yield started
    finally:
        started.close()


def at_home_with_worker(terminal: Terminal) -> list[int]:
    """Wait for the home screen and the warm worker; the app's raw mode is on by then."""
    terminal.read_until(b"Player: x", b"PyTorch ready: ")
    assert b"\x1b[?1049h" in terminal.output  # it drew in the alternate screen
    modes = terminal.modes()
    assert not modes[3] & (termios.ICANON | termios.ECHO)  # raw mode: the terminal is the app's
    workers = terminal.descendants()
    assert workers, "the PyTorch worker is not running"
    return workers


def assert_cleanly_ended(terminal: Terminal, workers: list[int]) -> None:
    output = terminal.output
    assert b"Traceback" not in output
    assert output.count(b"\x1b[?1049h") == 1 and output.count(b"\x1b[?1049l") == 1
    assert RESTORED_TAIL.search(output), output[-300:]
    assert terminal.modes() == terminal.modes_before  # line editing and echo are back
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers):
        assert time.monotonic() < deadline, [pid for pid in workers if alive(pid)]
        time.sleep(0.05)


def test_the_app_reaches_home_and_q_quits_with_the_terminal_restored(terminal: Terminal) -> None:
    workers = at_home_with_worker(terminal)
    os.write(terminal.master, b"q")
    assert terminal.wait() == 0
    assert_cleanly_ended(terminal, workers)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_termination_signal_quits_as_q_does(terminal: Terminal, signum: signal.Signals) -> None:
    workers = at_home_with_worker(terminal)
    terminal.proc.send_signal(signum)
    assert terminal.wait() == 0
    assert_cleanly_ended(terminal, workers)


SMALL = """\
format: 2
id: small
title: A small bank
questions:
  - id: returns-self
    type: single
    prompt: "What does `model.eval()` return?"
    snippet: |
      model = nn.Linear(2, 2)
      same = model.eval() is model
    choices:
      - text: The model itself
        holds: "same"
      - text: None
        holds: "not same"
    answer: A
    explanation: "`eval()` returns `self`."
  - id: grad-mode
    type: true_false
    prompt: "`model.eval()` turns autograd off."
    snippet: |
      model = nn.Linear(2, 2).eval()
      out = model(torch.ones(1, 2))
    holds: "not out.requires_grad"
    answer: false
    explanation: Autograd keeps recording.
"""


@pytest.fixture
def small_bank(tmp_path: Path) -> Path:
    bank = tmp_path / "small.yaml"
    bank.write_text(SMALL, encoding="utf-8")
    return bank


def test_check_proves_a_small_bank_on_the_cpu(small_bank: Path, quiz_home: Path) -> None:
    result = run_cli("check", str(small_bank), "--device", "cpu", env=cli_env(quiz_home))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith(
        "1 bank, 2 questions, 2 keys proven (0 unproven), 3 of 3 options proven, 0 errors on cpu (torch "
    )


def test_check_on_a_missing_device_says_so_in_one_line(small_bank: Path, quiz_home: Path) -> None:
    """The bank exists and has snippets, so the missing device is what stops it."""
    result = run_cli("check", str(small_bank), "--device", "cuda:9", env=cli_env(quiz_home))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    errors = [line for line in (result.stdout + result.stderr).splitlines() if "error:" in line]
    assert len(errors) == 1, errors
    assert errors[0].startswith("quiz-app check: error: the PyTorch worker could not start: ")
    assert "cuda" in errors[0].lower()  # here: "CUDA is not available here (torch ..., built with CUDA None)"
    assert result.stdout.splitlines()[-1] == (
        "1 bank, 2 questions, 0 keys proven (0 unproven), 0 of 0 options proven, 1 error"
    )

    as_json = run_cli("check", str(small_bank), "--json", "--device", "cuda:9", env=cli_env(quiz_home))
    assert as_json.returncode == 1
    assert "Traceback" not in as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["errors"] == 1 and report["problems"] == []
    assert "cuda" in report["fatal"].lower()
    assert report["device"] is None


BANK_WITH_SETUP = """\
id: demo
title: Demo
{setup}questions:
  - id: q1
    type: true_false
    prompt: p
    answer: true
    explanation: e
"""


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (  # the error on the second line of the block
            "setup: |\n  model = nn.Linear(2, 2)\n  def f(x)\n      return x\n",
            "bank.yaml:5:11: Python syntax error in 'setup': expected ':'",
        ),
        (  # a blank first line and a bracket never closed, in a deeper block
            "setup: |\n\n    a = 1\n    b = (\n",
            "bank.yaml:6:9: Python syntax error in 'setup': '(' was never closed",
        ),
        (  # a chomping indicator
            "setup: |-\n  y = 2\n  z = 3 +\n",
            "bank.yaml:5:10: Python syntax error in 'setup': invalid syntax",
        ),
        (  # on one line, unquoted
            "setup: x = = 1\n",
            "bank.yaml:3:12: Python syntax error in 'setup': invalid syntax",
        ),
    ],
    ids=["block", "deeper-block", "chomped-block", "plain"],
)
def test_a_syntax_error_in_setup_is_reported_at_its_line_in_the_block(setup: str, expected: str) -> None:
    bank, problems = parse_bank(BANK_WITH_SETUP.format(setup=setup), "bank.yaml")
    assert bank is None
    assert [str(problem) for problem in problems] == [expected]


def test_a_syntax_error_in_a_quoted_setup_points_at_its_column() -> None:
    text = BANK_WITH_SETUP.format(setup='setup: "x = = 1"\n')
    assert text.splitlines()[2][12] == "="  # column 13 is the second '='
    _, problems = parse_bank(text, "bank.yaml")
    assert [str(problem) for problem in problems] == ["bank.yaml:3:13: Python syntax error in 'setup': invalid syntax"]


def test_check_reports_a_setup_syntax_error_at_its_line(tmp_path: Path, quiz_home: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(
        BANK_WITH_SETUP.format(setup="setup: |\n  model = nn.Linear(2, 2)\n  def f(x)\n      return x\n"),
        encoding="utf-8",
    )
    result = run_cli("check", str(bank), "--device", "cpu", env=cli_env(quiz_home))
    assert result.returncode == 1
    assert f"{bank}:5:11: Python syntax error in 'setup': expected ':'" in result.stdout.splitlines()
    assert "Traceback" not in result.stdout + result.stderr


def where_lines(env: dict[str, str]) -> list[str]:
    result = run_cli("where", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_where_prints_the_folders_under_quiz_app_home(tmp_path: Path) -> None:
    home = tmp_path / "classroom" / "quiz"
    lines = where_lines(cli_env(home))
    assert lines[:3] == [
        f"data folder:   {home}",
        f"database:      {home / 'progress.sqlite3'}",
        f"banks folder:  {home / 'banks'}",
    ]
    assert "(QUIZ_APP_HOME is set)" in lines
    assert not home.exists()  # asking where is not creating

    user = tmp_path / "user"
    lines = where_lines(cli_env(Path("~/quiz"), HOME=str(user)))
    assert lines[0] == f"data folder:   {user / 'quiz'}"  # ~ is the user's home


def test_where_without_quiz_app_home_uses_the_platform_data_folder(tmp_path: Path) -> None:
    env = cli_env(tmp_path, XDG_DATA_HOME=str(tmp_path / "xdg"))
    del env["QUIZ_APP_HOME"]
    lines = where_lines(env)
    data = tmp_path / "xdg" / "quiz-app"
    assert lines[:3] == [
        f"data folder:   {data}",
        f"database:      {data / 'progress.sqlite3'}",
        f"banks folder:  {data / 'banks'}",
    ]
    assert "(QUIZ_APP_HOME is set)" not in lines


def test_a_closed_pipe_ends_quietly(quiz_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`quiz-app stats | head -2`: once the reader is gone, the command ends without a traceback."""
    from quiz_app import cli

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has left

    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            pass

        def fileno(self) -> int:
            return write_end

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    try:
        assert cli.main(["where"]) == 1
    finally:
        os.close(write_end)


@pytest.mark.parametrize("name", ["", "   ", "ada\x1b]0;pwned\x07", "bob\x9b31m"])
def test_a_player_name_must_be_plain_text(name: str, quiz_home: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "quiz_app", "--player", name], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr == "quiz-app: error: --player needs a name without control or invisible characters\n"


SERVER_STANDIN = """
import os, sys, time
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
open(os.environ["APP_PID_FILE"], "w").write(str(pid))
time.sleep(600)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_served_tab_quits_when_its_server_is_killed(quiz_home: Path, tmp_path: Path) -> None:
    """A tab of `quiz-app serve` is the server's child; SIGKILL the server and the tab's app
    quits (answers flushed, terminal restored) instead of living on with its PyTorch worker."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    pid_file = tmp_path / "app.pid"
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_STANDIN, *QUIZ_APP, "--served", "--player", "x"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=cli_env(quiz_home, TERM="xterm-256color", APP_PID_FILE=str(pid_file)),
        start_new_session=True,
    )
    output = b""
    try:
        deadline = time.monotonic() + 60
        while b"PyTorch ready: " not in output:
            assert time.monotonic() < deadline, output[-2000:]
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                output += os.read(master, 65536)
        app = int(pid_file.read_text())
        server.kill()
        server.wait(10)
        deadline = time.monotonic() + 20
        while alive(app):
            assert time.monotonic() < deadline, "the tab's app outlived its server"
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                output += os.read(master, 65536)
        assert b"Traceback" not in output
    finally:
        if server.poll() is None:
            server.kill()
        try:
            os.killpg(server.pid, signal.SIGKILL)  # the app too, should it have outlived the server
        except ProcessLookupError:
            pass
        if pid_file.exists() and alive(int(pid_file.read_text())):  # it may have left the group
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
        os.close(master)
        os.close(slave)


def test_the_app_quits_when_its_input_hangs_up(quiz_home: Path) -> None:
    """A pseudo-terminal that is not the app's controlling terminal sends no SIGHUP when its
    other side closes; the app still quits, instead of spinning on the end of its input."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    app = subprocess.Popen(
        [*QUIZ_APP, "--player", "x"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=cli_env(quiz_home, TERM="xterm-256color"),
        start_new_session=True,  # a session of its own, with no controlling terminal
    )
    output = b""
    try:
        deadline = time.monotonic() + 60
        while b"PyTorch ready: " not in output:
            assert app.poll() is None and time.monotonic() < deadline, output[-2000:]
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                output += os.read(master, 65536)
        os.close(slave)
        os.close(master)  # the other side hangs up
        assert app.wait(20) == 0
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait(10)
