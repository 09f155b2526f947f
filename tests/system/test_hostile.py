"""A hostile bank: each snippet is blocked with a clear outcome, and the next one carries on.

Linux with Landlock (ABI 4 or newer for the network) is where every guard is in force; the
tests say so and skip elsewhere rather than pretend.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from quiz_app.runner import SnippetRunner, sandbox

pytestmark = pytest.mark.hostile

CANARY = "canary-9f1c2e-do-not-print"
SECRET = "token-5b7d41-do-not-print"


@pytest.fixture(scope="module")
def victim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SnippetRunner, Path]]:
    """A runner started by an app whose HOME holds a private key and whose environment a token."""
    guards, missing = sandbox.available()
    if missing.get("files") or missing.get("network"):
        pytest.skip(f"guards missing on this system: {missing}")
    home = tmp_path_factory.mktemp("home")
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa").write_text(CANARY, encoding="utf-8")
    (home / ".bashrc").write_text("# untouched\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("API_TOKEN", SECRET)
        with SnippetRunner("cpu") as runner:
            runner.wait_ready()
            yield runner, home


def carries_on(runner: SnippetRunner) -> None:
    assert runner.run("print(torch.ones(2).sum().item())").text == "2.0\n"


def test_a_private_key_in_home_cannot_be_read(victim: tuple[SnippetRunner, Path]) -> None:
    runner, home = victim
    by_tilde = runner.run("import os\nprint(open(os.path.expanduser('~/.ssh/id_rsa')).read())")
    by_path = runner.run(f"print(open({str(home / '.ssh' / 'id_rsa')!r}).read())")
    listing = runner.run(f"import os\nprint(os.listdir({str(home)!r}))")
    for outcome in (by_tilde, by_path, listing):
        assert CANARY not in outcome.text
        assert outcome.exc_type in ("FileNotFoundError", "PermissionError"), outcome.text
    assert by_path.exc_type == "PermissionError"
    carries_on(runner)


def test_home_and_tmp_outside_the_scratch_folder_cannot_be_written(
    victim: tuple[SnippetRunner, Path], tmp_path: Path
) -> None:
    runner, home = victim
    bashrc = runner.run(f"open({str(home / '.bashrc')!r}, 'a').write('echo pwned\\n')")
    stray = tmp_path / "stray.txt"
    outside = runner.run(f"open({str(stray)!r}, 'w').write('x')")
    scratch = runner.run(
        "with open('notes.txt', 'w') as f:\n    f.write('fine')\nwith open('notes.txt') as f:\n    print(f.read())"
    )
    assert bashrc.exc_type == outside.exc_type == "PermissionError"
    assert (home / ".bashrc").read_text(encoding="utf-8") == "# untouched\n"
    assert not stray.exists()
    assert scratch.text == "fine\n"  # its own scratch folder is writable
    carries_on(runner)


def test_no_connection_to_a_listener_on_localhost(victim: tuple[SnippetRunner, Path]) -> None:
    runner, _ = victim
    received: list[bytes] = []
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(3)
        port = server.getsockname()[1]

        def accept() -> None:
            try:
                conn, _ = server.accept()
                received.append(conn.recv(100))
                conn.close()
            except OSError:
                pass

        listener = threading.Thread(target=accept)
        listener.start()
        outcome = runner.run(
            f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=2)\ns.sendall(b'x')"
        )
        listener.join()
    assert outcome.exc_type == "PermissionError", outcome.text
    assert received == []
    carries_on(runner)


def test_the_apps_environment_is_not_visible(victim: tuple[SnippetRunner, Path]) -> None:
    runner, _ = victim
    outcome = runner.run(
        f"import os\nprint(os.environ.get('API_TOKEN'))\nprint(open('/proc/{os.getpid()}/environ', 'rb').read())"
    )
    assert SECRET not in outcome.text
    assert outcome.text.startswith("None\n")
    assert outcome.exc_type == "PermissionError"  # another process's /proc is out of reach
    carries_on(runner)


def test_a_long_lived_child_does_not_outlive_its_snippet(victim: tuple[SnippetRunner, Path]) -> None:
    runner, _ = victim
    code = textwrap.dedent(
        """\
        import os, subprocess, sys, time
        child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)'], start_new_session=True)
        if os.fork() == 0:  # a forked one too
            os.setsid()
            time.sleep(300)
        print(child.pid)
        """
    )
    outcome = runner.run(code)
    assert outcome.status == "ok", outcome.text
    pid = int(outcome.text.split()[0])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists()
    assert subprocess.run(["pgrep", "-f", "time.sleep[(]300[)]"], capture_output=True).returncode == 1
    carries_on(runner)


@pytest.mark.skipif(sys.platform != "linux", reason="memory is measured through /proc")
def test_eight_gibibytes_are_stopped_with_a_clear_outcome(victim: tuple[SnippetRunner, Path]) -> None:
    runner, _ = victim
    started = time.monotonic()
    outcome = runner.run("x = torch.ones(2 * 2**30)\nprint(x.sum().item())", timeout=60)
    assert outcome.status == "crashed"
    assert outcome.text == "stopped: it used more than 4 GiB of memory, the limit for a snippet"
    assert time.monotonic() - started < 30
    carries_on(runner)


def test_the_user_name_is_known_without_reading_etc_passwd(tmp_path: Path) -> None:
    """torch.compile names its caches after getpass.getuser(); the sandbox hides /etc/passwd."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("USER", "LOGNAME", "USERNAME", "LNAME"):
            patch.delenv(name, raising=False)
        with SnippetRunner("cpu") as runner:
            outcome = runner.run("import getpass\nprint(bool(getpass.getuser()))")
    assert outcome.text == "True\n"
