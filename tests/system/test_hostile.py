"""A hostile bank: each snippet is blocked with a clear outcome, and the next one carries on.

Linux with Landlock (ABI 4 or newer for the network), user namespaces and seccomp is where every
guard is in force; the tests say so and skip elsewhere rather than pretend (``victim`` in
conftest.py). The box's doors (Unix sockets, shared memory, trust) are in test_hostile_box.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from helpers.hostile import CANARY, SECRET

from quiz_app.runner import SnippetRunner

pytestmark = pytest.mark.hostile


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
    # The home folder is not in the snippet's box at all (Landlock would refuse it besides).
    assert (by_path.exc_type, by_path.stopped_by) == ("FileNotFoundError", "box"), by_path.text
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
    assert bashrc.exc_type == outside.exc_type == "FileNotFoundError"  # neither folder is in the box
    assert bashrc.stopped_by == outside.stopped_by == "box"
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


# -- sockets other than Unix ones (the syscalls guard) ---------------------------------------------


def test_mptcp_reaches_no_listener_and_cannot_listen(victim: tuple[SnippetRunner, Path]) -> None:
    """Landlock's TCP rules do not see MPTCP: the system-call filter refuses the socket itself."""
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
        connect = runner.run(
            "import socket\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)  # IPPROTO_MPTCP\n"
            f"s.settimeout(2)\ns.connect(('127.0.0.1', {port}))\ns.sendall(b'stolen')"
        )
        listener.join()
    listen = runner.run(
        "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262)\ns.bind(('127.0.0.1', 0))\ns.listen()"
    )
    assert received == []
    for outcome in (connect, listen):
        assert (outcome.exc_type, outcome.stopped_by) == ("PermissionError", "syscalls"), outcome.text
        assert "refused by the sandbox: the syscalls guard" in outcome.text
    carries_on(runner)


FAMILIES = textwrap.dedent(
    """\
    import socket
    tried = {
        "udp": (socket.AF_INET, socket.SOCK_DGRAM, 0),
        "udp6": (socket.AF_INET6, socket.SOCK_DGRAM, 0),
        "tcp6": (socket.AF_INET6, socket.SOCK_STREAM, 0),
        "sctp": (socket.AF_INET, socket.SOCK_STREAM, 132),
        "raw": (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP),
        "ping": (socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP),
        "packet": (17, socket.SOCK_RAW, 0),
        "netlink": (16, socket.SOCK_RAW, 0),
        "vsock": (40, socket.SOCK_STREAM, 0),
        "bluetooth": (31, socket.SOCK_STREAM, 0),
        "alg": (38, socket.SOCK_SEQPACKET, 0),
        "tipc": (30, socket.SOCK_RDM, 0),
    }
    for name, (family, kind, proto) in tried.items():
        try:
            socket.socket(family, kind, proto).close()
            print(name, "opened")
        except OSError as error:
            print(name, error.errno)
    for name, family in (("pair-inet", socket.AF_INET), ("pair-unix", socket.AF_UNIX)):
        try:
            [end.close() for end in socket.socketpair(family)]
            print(name, "opened")
        except OSError as error:
            print(name, error.errno)
    """
)


def test_no_socket_of_any_family_but_unix(victim: tuple[SnippetRunner, Path]) -> None:
    runner, _ = victim
    outcome = runner.run(FAMILIES)
    lines = dict(line.split(" ", 1) for line in outcome.text.splitlines())
    assert lines.pop("pair-unix") == "opened"  # DataLoader workers and the reply channel need them
    assert lines == dict.fromkeys(lines, "1"), outcome.text  # every other one: EPERM
    carries_on(runner)


def test_no_udp_datagram_reaches_a_local_listener(victim: tuple[SnippetRunner, Path]) -> None:
    runner, _ = victim
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(1)
        port = server.getsockname()[1]
        outcome = runner.run(
            f"import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', {port}))"
        )
        with pytest.raises(TimeoutError):
            server.recv(10)
    assert (outcome.exc_type, outcome.stopped_by) == ("PermissionError", "syscalls"), outcome.text


# -- metadata outside the scratch folder (the box) --------------------------------------------------

METADATA = textwrap.dedent(
    """\
    import os, shutil
    target = {target!r}
    calls = {{
        "chmod": lambda: os.chmod(target, 0o777),
        "lchmod-at": lambda: os.chmod(target, 0o777, follow_symlinks=False),
        "chown": lambda: os.chown(target, os.getuid(), os.getgid()),
        "lchown": lambda: os.lchown(target, os.getuid(), os.getgid()),
        "utime": lambda: os.utime(target, (0, 0)),
        "touch": lambda: os.utime(target),
        "setxattr": lambda: os.setxattr(target, "user.pwned", b"1"),
        "removexattr": lambda: os.removexattr(target, "user.kept"),
        "truncate": lambda: os.truncate(target, 0),
        "rename": lambda: os.rename(target, target + ".moved"),
        "unlink": lambda: os.unlink(target),
    }}
    for name, call in calls.items():
        try:
            call()
            print(name, "done")
        except OSError as error:
            print(name, error.errno)
    os.symlink(target, "link")  # a link in the scratch folder to the file outside
    try:
        os.chmod("link", 0o777)
        print("chmod-through-link", "done")
    except OSError as error:
        print("chmod-through-link", error.errno)
    open("mine", "w").close()
    os.chmod("mine", 0o600)
    shutil.copy2("mine", "copy")  # copymode and copystat call chmod and utime: inside scratch, fine
    print("scratch", oct(os.stat("copy").st_mode & 0o777))
    """
)


def _state(path: Path) -> tuple[int, int, int, int, list[str]]:
    info = path.stat()
    return info.st_mode, info.st_uid, info.st_gid, info.st_mtime_ns, sorted(os.listxattr(path))


@pytest.mark.parametrize("where", ["home", "library"])
def test_no_metadata_changes_outside_the_scratch_folder(victim: tuple[SnippetRunner, Path], where: str) -> None:
    """chmod, chown, utime, xattrs: on a file in the home folder (outside the box), and on a file
    a snippet may read (a folder on PYTHONPATH, shown read-only)."""
    runner, home = victim
    target = home / ".bashrc" if where == "home" else (home / "lib" / "shared.txt").resolve()
    os.chmod(target, 0o644)
    os.setxattr(target, "user.kept", b"1")
    before = _state(target)
    outcome = runner.run(METADATA.format(target=str(target)))
    assert outcome.status == "ok", outcome.text
    results = dict(line.split(" ", 1) for line in outcome.text.splitlines())
    assert results.pop("scratch") == "0o600"
    refused = "2" if where == "home" else "30"  # not in the box (ENOENT), or read-only there (EROFS)
    assert results == dict.fromkeys(results, refused), outcome.text
    assert _state(target) == before
    assert target.exists()
    carries_on(runner)


def test_a_read_only_refusal_names_the_box(victim: tuple[SnippetRunner, Path]) -> None:
    runner, home = victim
    outcome = runner.run(f"import os\nos.chmod({str((home / 'lib' / 'shared.txt').resolve())!r}, 0o777)")
    assert (outcome.exc_type, outcome.stopped_by) == ("OSError", "box"), outcome.text
    assert "[Errno 30] Read-only file system" in outcome.text


# -- other processes: their limits and priority (the syscalls guard) -------------------------------


def test_another_processs_limits_and_priority_stay_its_own(victim: tuple[SnippetRunner, Path]) -> None:
    """prlimit, setpriority and sched_setaffinity on another process of the user's (a stand-in for
    the app: a sleeping process, so that a failure here hurts nothing)."""
    import resource

    runner, _ = victim
    with subprocess.Popen(["sleep", "60"]) as other:
        try:
            before = (
                resource.prlimit(other.pid, resource.RLIMIT_NOFILE),
                os.getpriority(os.PRIO_PROCESS, other.pid),
                os.sched_getaffinity(other.pid),
            )
            outcome = runner.run(
                "import os, resource\n"
                "for name, call in (\n"
                f"    ('prlimit', lambda: resource.prlimit({other.pid}, resource.RLIMIT_NOFILE, (3, 3))),\n"
                f"    ('setpriority', lambda: os.setpriority(os.PRIO_PROCESS, {other.pid}, 19)),\n"
                f"    ('affinity', lambda: os.sched_setaffinity({other.pid}, {{0}})),\n"
                "    ('own', lambda: resource.prlimit(0, resource.RLIMIT_NOFILE)),\n"
                "):\n"
                "    try:\n"
                "        call()\n"
                "        print(name, 'done')\n"
                "    except OSError as error:\n"
                "        print(name, error.errno)"
            )
            after = (
                resource.prlimit(other.pid, resource.RLIMIT_NOFILE),
                os.getpriority(os.PRIO_PROCESS, other.pid),
                os.sched_getaffinity(other.pid),
            )
        finally:
            other.kill()
    assert after == before
    results = dict(line.split(" ", 1) for line in outcome.text.splitlines())
    assert results == {"prlimit": "1", "setpriority": "1", "affinity": "1", "own": "done"}, outcome.text


def test_invisible_output_is_shown_escaped(victim: tuple[SnippetRunner, Path]) -> None:
    """A snippet that prints 'Tr\\u200bue' must not look as if it printed 'True'."""
    runner, _ = victim
    outcome = runner.run("print('Tr\\u200bue', '\\u202eeurT', 'ok\\u2066')\nraise ValueError('Fal\\ufeffse')")
    assert outcome.text == "Tr\\u200bue \\u202eeurT ok\\u2066\nValueError: Fal\\ufeffse"
