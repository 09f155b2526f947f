"""A hostile bank against the box: Unix sockets, shared memory, the memory cap, and what trust is
decided on. Each door here stayed open before the box and the system-call filter (issue 20).

Linux with Landlock, user namespaces and seccomp is where every guard is in force; elsewhere
these tests skip and say why (``victim`` in conftest.py).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.hostile import needs_every_guard

from quiz_app.bank import load_bank
from quiz_app.check.trust import REQUIRED, TrustBook, decide
from quiz_app.core import locations
from quiz_app.runner import SnippetRunner

pytestmark = pytest.mark.hostile

CHECKOUT = Path(__file__).resolve().parents[2]


def carries_on(runner: SnippetRunner) -> None:
    assert runner.run("print(torch.ones(2).sum().item())").text == "2.0\n"


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[tuple[str, list[bytes]]]:
    """A stand-in for ssh-agent, D-Bus or docker.sock: a pathname Unix socket of the user's that
    answers whoever connects (and keeps what it was sent)."""
    path = str(tmp_path / "agent.sock")
    received: list[bytes] = []
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(4)
    server.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    received.append(conn.recv(100))
                    conn.sendall(b"SSH_AGENT_IDENTITIES_ANSWER")
                except OSError:
                    pass

    thread = threading.Thread(target=serve)
    thread.start()
    yield path, received
    stop.set()
    thread.join()
    server.close()


# -- Unix sockets outside the box ------------------------------------------------------------------


def test_a_users_unix_socket_cannot_be_reached(
    victim: tuple[SnippetRunner, Path], agent: tuple[str, list[bytes]]
) -> None:
    runner, _ = victim
    path, received = agent
    for kind in ("SOCK_STREAM", "SOCK_SEQPACKET"):
        outcome = runner.run(
            f"import socket\ns = socket.socket(socket.AF_UNIX, socket.{kind})\ns.settimeout(2)\n"
            f"s.connect({path!r})\ns.sendall(b'sign this')\nprint(s.recv(100))"
        )
        assert b"sign this" not in b"".join(received)
        assert "IDENTITIES" not in outcome.text
        assert (outcome.exc_type, outcome.stopped_by) == ("FileNotFoundError", "box"), outcome.text
    datagram = runner.run(f"import socket\nsocket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'x', {path!r})")
    assert datagram.exc_type == "FileNotFoundError", datagram.text
    assert received == []
    carries_on(runner)


def test_a_link_in_the_scratch_folder_leads_nowhere(
    victim: tuple[SnippetRunner, Path], agent: tuple[str, list[bytes]]
) -> None:
    runner, _ = victim
    path, received = agent
    outcome = runner.run(
        f"import os, socket\nos.symlink({path!r}, 'agent')\ns = socket.socket(socket.AF_UNIX)\ns.connect('agent')"
    )
    assert outcome.exc_type == "FileNotFoundError", outcome.text
    assert received == []


def test_no_way_out_through_another_processs_root(
    victim: tuple[SnippetRunner, Path], agent: tuple[str, list[bytes]]
) -> None:
    """/proc/<pid>/root of a process outside the box (the app, the zygote) leads to the machine's
    file tree: the files guard refuses it (another process's /proc entries are out of reach)."""
    runner, home = victim
    path, received = agent
    zygote = runner.zygote_pid
    for pid in (os.getpid(), zygote):
        outcome = runner.run(
            f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('/proc/{pid}/root{path}')\ns.sendall(b'sign')"
        )
        assert outcome.exc_type == "PermissionError", outcome.text
        key = runner.run(f"print(open('/proc/{pid}/root{home}/.ssh/id_rsa').read())")
        assert key.exc_type == "PermissionError" and "canary" not in key.text, key.text
    assert received == []


def test_an_abstract_unix_socket_cannot_be_reached(victim: tuple[SnippetRunner, Path]) -> None:
    runner, _ = victim
    name = f"\0quiz-hostile-{secrets.token_hex(4)}"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(name)
        server.listen(1)
        outcome = runner.run(f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({name!r})")
    assert outcome.exc_type in ("ConnectionRefusedError", "PermissionError"), outcome.text


def test_proc_net_shows_none_of_the_machines_sockets(
    victim: tuple[SnippetRunner, Path], agent: tuple[str, list[bytes]]
) -> None:
    runner, _ = victim
    path, _ = agent
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = f"{listener.getsockname()[1]:04X}"
        outcome = runner.run(
            "for name in ('unix', 'tcp', 'tcp6', 'udp', 'raw', 'netlink', 'packet', 'route', 'dev'):\n"
            "    try:\n"
            "        with open('/proc/self/net/' + name) as stream:\n"
            "            print(stream.read())\n"
            "    except OSError as error:\n"
            "        print(name, error)\n"
        )
    assert path not in outcome.text
    assert f":{port} " not in outcome.text
    assert "eth" not in outcome.text and "lo:" in outcome.text  # a namespace with a loopback only
    assert "agent.sock" not in outcome.text


# -- shared memory and the memory cap --------------------------------------------------------------


@pytest.fixture(scope="module")
def small(victim: tuple[SnippetRunner, Path]) -> Iterator[SnippetRunner]:
    """A runner whose snippets may use 256 MiB."""
    needs_every_guard()
    with SnippetRunner("cpu", memory_limit=256 * 2**20) as runner:
        runner.wait_ready()
        yield runner


def host_shm() -> set[str]:
    return set(os.listdir("/dev/shm"))


def test_dev_shm_counts_toward_the_memory_cap_and_stays_in_the_box(small: SnippetRunner) -> None:
    """1.25 GiB into /dev/shm under a 256 MiB cap, in files of 128 MiB (each under the file size
    limit): the snippet is stopped, and the machine's /dev/shm never sees them."""
    before = host_shm()
    name = f"hoard-{secrets.token_hex(4)}"
    try:
        outcome = small.run(
            "chunk = b'x' * 2**24\n"
            "for part in range(10):\n"
            f"    with open(f'/dev/shm/{name}-{{part}}', 'wb') as f:\n"
            "        for _ in range(8):\n"
            "            f.write(chunk)\n"
            "            f.flush()\n"
            "print('wrote it all')",
            timeout=30,
        )
        leaked = host_shm() - before
    finally:
        for leftover in host_shm() - before:  # where the box is missing, what the snippet left
            if leftover.startswith(name):
                os.unlink(f"/dev/shm/{leftover}")
    assert "wrote it all" not in outcome.text
    stopped = outcome.status == "crashed" and "more than 256 MiB of memory" in outcome.text
    full = outcome.exc_type == "OSError" and "No space left on device" in outcome.text  # the box's tmpfs
    assert stopped or full, outcome.text
    assert leaked == set()
    carries_on(small)


def test_files_in_the_scratch_folder_count_too(small: SnippetRunner) -> None:
    outcome = small.run(
        "chunk = b'x' * 2**24\nfiles = []\n"
        "for index in range(40):  # 640 MiB in files of 16 MiB, each under the file size limit\n"
        "    with open(f'part{index}', 'wb') as f:\n"
        "        f.write(chunk)\n"
        "print('wrote it all')",
        timeout=30,
    )
    assert "wrote it all" not in outcome.text, outcome.text


def test_shared_memory_does_not_outlive_its_snippet(small: SnippetRunner) -> None:
    name = f"quiz-hostile-{secrets.token_hex(4)}"
    first = small.run(
        f"from multiprocessing import shared_memory\nm = shared_memory.SharedMemory({name!r}, create=True, size=4096)\n"
        "m.buf[:5] = b'state'\nm.close()\nimport os\nprint(os.listdir('/dev/shm'))"
    )
    try:
        assert first.status == "ok" and name in first.text, first.text
        second = small.run(f"print(open('/dev/shm/{name}', 'rb').read(5))")
        assert second.exc_type == "FileNotFoundError", second.text  # each snippet's /dev/shm is its own
        assert name not in host_shm()
    finally:
        if name in host_shm():  # where the box is missing, the segment outlived its snippet
            os.unlink(f"/dev/shm/{name}")


def test_another_programs_segment_cannot_be_read_or_written(small: SnippetRunner) -> None:
    name = f"quiz-hostile-{secrets.token_hex(4)}"
    segment = Path("/dev/shm") / name
    segment.write_bytes(b"the other program's data")
    try:
        outcome = small.run(
            f"with open('/dev/shm/{name}', 'r+b') as f:\n    print(f.read())\n    f.seek(0)\n    f.write(b'overwritten')"
        )
        assert "other program" not in outcome.text
        assert outcome.exc_type == "FileNotFoundError", outcome.text
        assert segment.read_bytes() == b"the other program's data"
    finally:
        segment.unlink()


SHARED = textwrap.dedent(
    """\
    import ctypes, mmap, os
    libc = ctypes.CDLL(None, use_errno=True)
    def attempt(name, call):
        try:
            result = call()
            print(name, "done" if result is None or not isinstance(result, int) or result >= 0 else ctypes.get_errno())
        except OSError as error:
            print(name, error.errno)
    attempt("memfd", lambda: os.memfd_create("hoard"))
    attempt("anonymous-shared", lambda: mmap.mmap(-1, 2**20))
    attempt("anonymous-private", lambda: mmap.mmap(-1, 2**20, flags=mmap.MAP_PRIVATE).close())
    attempt("sysv-shm", lambda: libc.shmget(0, 2**20, 0o1600))  # IPC_PRIVATE, IPC_CREAT
    attempt("sysv-msg", lambda: libc.msgget(0, 0o1600))
    attempt("posix-mq", lambda: libc.mq_open(b"/hoard", 0o100 | 2, 0o600, None))
    attempt("dev-zero-shared", lambda: mmap.mmap(os.open("/dev/zero", os.O_RDWR), 2**20))
    """
)


def test_memory_the_box_cannot_count_is_refused(small: SnippetRunner) -> None:
    """memfd, anonymous shared mappings, System V and POSIX IPC hold memory outside the box's
    tmpfs: refused (EPERM), so a snippet cannot hold memory past its cap that way."""
    outcome = small.run(SHARED)
    results = dict(line.split(" ", 1) for line in outcome.text.splitlines())
    assert results.pop("anonymous-private") == "done"
    assert results.pop("dev-zero-shared") == "2", outcome.text  # shared /dev/zero is anonymous: not in the box
    assert results == dict.fromkeys(results, "1"), outcome.text
    memfd = small.run("import os\nos.memfd_create('hoard')")
    assert (memfd.exc_type, memfd.stopped_by) == ("PermissionError", "syscalls"), memfd.text


def test_dataloader_workers_and_torch_compile_work_in_the_box(victim: tuple[SnippetRunner, Path]) -> None:
    """Both sharing strategies pass tensors through the box's own /dev/shm; compile caches go to
    the scratch folder."""
    runner, _ = victim
    for strategy in ("file_descriptor", "file_system"):
        outcome = runner.run(
            "import torch\nfrom torch.utils.data import DataLoader, TensorDataset\n"
            f"torch.multiprocessing.set_sharing_strategy({strategy!r})\n"
            "data = TensorDataset(torch.arange(20.0).view(10, 2))\n"
            "print(sum(batch[0].sum().item() for batch in DataLoader(data, batch_size=2, num_workers=2)))",
            timeout=60,
        )
        assert outcome.text == "190.0\n", outcome.text
    compiled = runner.run(
        "calls = []\ndef counting(gm, example):\n    calls.append(1)\n    return gm.forward\n"
        "f = torch.compile(lambda x: x * 2 + 1, backend=counting)\nprint(f(torch.ones(2)).tolist(), len(calls))",
        timeout=60,
    )
    assert compiled.text == "[3.0, 3.0] 1\n", compiled.text


# -- what trust is decided on ----------------------------------------------------------------------

BANK = """\
id: foreign
title: A bank from a stranger
questions:
  - id: q
    type: predict
    prompt: p
    snippet: print({code})
    answer: "42"
    explanation: x
"""
NO_FILES = tuple(guard for guard in REQUIRED if guard != "files")  # where a stranger's bank asks first


def test_a_bank_swapped_after_loading_is_asked_about(tmp_path: Path) -> None:
    """The player approved one content; the file is swapped for another between loading and
    playing: what runs is what was loaded, and its digest is the one asked about."""
    book = TrustBook(tmp_path / "trusted.json")
    path = tmp_path / "bank.yaml"
    path.write_text(BANK.format(code="6 * 7"), encoding="utf-8")
    approved, _ = load_bank(path)
    assert approved is not None
    book.remember(approved, decide(approved, NO_FILES, locations.bundled_banks_dir(), book).digest, True)
    path.write_text(BANK.format(code="__import__('os').system('echo pwned')"), encoding="utf-8")
    loaded, _ = load_bank(path)  # what will run
    assert loaded is not None
    swapped = tmp_path / "swap.yaml"
    swapped.write_text(BANK.format(code="6 * 7"), encoding="utf-8")
    os.replace(swapped, path)  # the approved bytes are back on disk before the gate looks
    decision = decide(loaded, NO_FILES, locations.bundled_banks_dir(), book)
    assert decision.needed and not decision.refused_before


def test_a_link_re_pointed_at_a_bundled_bank_is_not_bundled(tmp_path: Path) -> None:
    bundled = locations.bundled_banks_dir()
    evil = tmp_path / "evil.yaml"
    evil.write_text(BANK.format(code="__import__('os').system('echo pwned')"), encoding="utf-8")
    link = tmp_path / "bank.yaml"
    link.symlink_to(evil)
    loaded, _ = load_bank(link)
    assert loaded is not None
    link.unlink()
    link.symlink_to(next(bundled.glob("*.yaml")))  # after loading, before the gate
    decision = decide(loaded, NO_FILES, bundled, TrustBook(tmp_path / "trusted.json"))
    assert decision.needed, decision.reason
    inside = tmp_path / "copy"
    inside.mkdir()
    shipped = next(bundled.glob("*.yaml"))
    (inside / shipped.name).write_bytes(shipped.read_bytes())  # the same bytes elsewhere: bundled
    copy, _ = load_bank(inside / shipped.name)
    assert copy is not None and not decide(copy, (), bundled, TrustBook(tmp_path / "trusted.json")).needed


def test_no_module_from_beside_a_bank_or_the_checkout(victim: tuple[SnippetRunner, Path], tmp_path: Path) -> None:
    """A module beside a bank is outside the box; so is the rest of a checkout that puts its
    whole folder on sys.path (an editable install): only the quiz_app package is shown."""
    runner, _ = victim
    (tmp_path / "helper.py").write_text("print('helper ran')\n", encoding="utf-8")
    beside = runner.run(f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport helper")
    assert "helper ran" not in beside.text
    assert beside.exc_type == "ModuleNotFoundError", beside.text
    helpers = CHECKOUT / "tests" / "helpers"
    checkout = runner.run(f"import sys\nsys.path.insert(0, {str(helpers)!r})\nimport hostile\nprint('imported')")
    assert "imported" not in checkout.text and checkout.exc_type == "ModuleNotFoundError", checkout.text
    readme = runner.run(f"print(open({str(CHECKOUT / 'pyproject.toml')!r}).read()[:20])")
    assert readme.exc_type in ("FileNotFoundError", "PermissionError"), readme.text
    package = runner.run("import quiz_app.runner.protocol as p\nprint(p.MAX_MESSAGE)")
    assert package.status == "ok", package.text


def test_a_module_beside_a_bank_checked_from_its_folder_is_not_imported(tmp_path: Path) -> None:
    needs_every_guard()
    (tmp_path / "helper.py").write_text("ANSWER = 42\n", encoding="utf-8")
    bank = tmp_path / "bank.yaml"
    bank.write_text(BANK.format(code="__import__('helper').ANSWER"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "quiz_app", "check", "--strict", "--device", "cpu", str(bank)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert done.returncode != 0
    assert "ModuleNotFoundError" in done.stdout, done.stdout
