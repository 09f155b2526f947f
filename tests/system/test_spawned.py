"""Snippet processes spawned as fresh interpreters: how Windows and macOS run snippets. Linux
forks them from a zygote; these tests force spawning there, with real torch, so that the
fallback is proven where it can be run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.processes import JUNK_EVERYWHERE, gone

from quiz_app.runner import SnippetRunner
from quiz_app.runner.channel import PipeChannel, WatchedChannel
from quiz_app.runner.client import default_start_method

pytestmark = pytest.mark.slow  # each snippet process imports torch itself: about a second or two


# -- the channel ------------------------------------------------------------------------------
def _pair() -> tuple[PipeChannel, WatchedChannel]:
    """A snippet process's blocking end, and the app's watched end, over two pipes."""
    to_them_r, to_them_w = os.pipe()
    to_us_r, to_us_w = os.pipe()
    return PipeChannel(to_them_r, to_us_w), WatchedChannel(PipeChannel(to_us_r, to_them_w), 1000)


def test_a_pipe_channel_carries_whole_messages_both_ways() -> None:
    theirs, ours = _pair()
    ours.send_bytes(b"request")
    assert theirs.recv_bytes(1000) == b"request"
    assert not ours.poll(0.05)  # nothing yet: poll waits, then says so
    big = "说".encode() * 300  # 900 bytes, more than one read may bring
    theirs.send_bytes(big)
    assert ours.poll(5.0)
    assert ours.recv_bytes() == big
    theirs.close()
    assert ours.poll(5.0)  # the end of the stream is news too
    with pytest.raises(EOFError):
        ours.recv_bytes()
    ours.close()


def test_a_message_over_the_limit_ends_the_channel_with_an_error() -> None:
    theirs, ours = _pair()
    theirs.send_bytes(b"x" * 1001)
    assert ours.poll(5.0)
    with pytest.raises(OSError, match="bad message length"):
        ours.recv_bytes()
    with pytest.raises(EOFError):  # out of step from here on: nothing more is read
        ours.recv_bytes()
    theirs.close()
    ours.close()


def test_closing_does_not_wait_for_the_other_end_and_its_reader_closes_the_rest() -> None:
    theirs, ours = _pair()
    read_fd = ours._channel.read_fd
    ours.close()  # the process at the other end still runs: nothing waits for it
    with pytest.raises(EOFError):
        theirs.recv_bytes(1000)  # the app's writing end is closed at once
    os.fstat(read_fd)  # the reading end stays open under its waiting reader
    theirs.close()  # the process ends
    ours._reader.join(timeout=5.0)
    assert not ours._reader.is_alive()
    with pytest.raises(OSError):
        os.fstat(read_fd)  # closed by the reader, once nothing could be read from it any more


# -- the runner, spawning ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def spawning() -> Iterator[SnippetRunner]:
    with SnippetRunner("cpu", start_method="spawn") as runner:
        yield runner


def test_every_snippet_runs_in_a_fresh_interpreter_and_leaves_nothing_behind(spawning: SnippetRunner) -> None:
    patch = textwrap.dedent(
        """\
        import os, sys
        torch.no_grad.__enter__ = lambda self: print('patched')
        torch.leftover = 1
        sys.setrecursionlimit(50)
        os.environ['LEFT'] = 'over'
        print(os.getpid())
        """
    )
    first = spawning.run(patch)
    assert first.status == "ok", first.detail
    probe = textwrap.dedent(
        """\
        import os, sys
        with torch.no_grad():
            pass
        print(os.getpid(), hasattr(torch, 'leftover'), sys.getrecursionlimit() > 50, 'LEFT' in os.environ)
        """
    )
    second = spawning.run(probe)
    pid, leftover, limit_ok, env_left = second.stdout.split()
    assert pid != first.stdout.strip()
    assert (leftover, limit_ok, env_left) == ("False", "True", "False")
    assert spawning.zygote_pid is None  # no zygote: each process started on its own


def test_a_spawned_process_reports_its_guards_and_device(spawning: SnippetRunner) -> None:
    info = spawning.wait_ready()
    assert info is not None
    assert info.device == "cpu"
    assert "environment" in info.guards
    outcome = spawning.run("x = torch.ones(3)", holds=("x.sum().item() == 3", "x.requires_grad", "1/0"))
    assert [truth.value for truth in outcome.holds] == [True, False, None]
    assert outcome.holds[2].error is not None and "ZeroDivisionError" in outcome.holds[2].error


def test_junk_on_every_descriptor_crashes_only_its_own_run(spawning: SnippetRunner) -> None:
    junk = spawning.run(JUNK_EVERYWHERE)
    assert junk.status == "crashed"
    assert "could not be read" in junk.text or "not its own" in junk.text
    after = spawning.run("print('mine')")
    assert (after.status, after.stdout) == ("ok", "mine\n")


def test_a_timeout_stops_the_snippet_and_what_it_started(spawning: SnippetRunner, tmp_path: Path) -> None:
    code = (
        "import subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)  # left behind'])\n"
        "while True:\n    pass"
    )
    watcher: list[int] = []

    def find_sleep() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not watcher:
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
                    except OSError:
                        continue
                    if b"# left behind" in cmdline:
                        watcher.append(int(entry))
            time.sleep(0.05)

    finder = threading.Thread(target=find_sleep)
    finder.start()
    outcome = spawning.run(code, timeout=3.0)
    finder.join()
    assert outcome.status == "timeout"
    assert watcher, "the snippet's child was never seen"
    assert gone(watcher[0])
    assert spawning.run("print(1)").stdout == "1\n"


def test_an_exit_is_named_and_the_next_outcome_is_its_own(spawning: SnippetRunner) -> None:
    ended = spawning.run("import os\nos._exit(3)")
    assert ended.status == "crashed" and "exit code 3" in ended.text
    assert spawning.run("print('next')").stdout == "next\n"


def test_a_python_that_cannot_start_gives_a_reason_not_a_hang(tmp_path: Path) -> None:
    with SnippetRunner("cpu", python=str(tmp_path / "no-python"), start_method="spawn") as runner:
        outcome = runner.run("print(1)")
    assert outcome.status == "unavailable"
    assert runner.failure is not None and "could not start" in runner.failure


def test_the_start_method_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIZ_APP_START_METHOD", "spawn")
    assert default_start_method() == "spawn"
    assert SnippetRunner("cpu").start_method == "spawn"
    monkeypatch.setenv("QUIZ_APP_START_METHOD", "fork")
    assert default_start_method() == "fork"
    monkeypatch.delenv("QUIZ_APP_START_METHOD")
    assert default_start_method() == ("fork" if sys.platform.startswith("linux") else "spawn")
    with pytest.raises(ValueError, match="start_method"):
        SnippetRunner("cpu", start_method="thread")


def test_check_proves_a_bank_with_spawned_processes(tmp_path: Path) -> None:
    bank = tmp_path / "bank.yaml"
    bank.write_text(
        textwrap.dedent(
            """\
            id: spawned
            title: Spawned
            questions:
              - id: eval-keeps-grad
                type: predict
                prompt: What does it print?
                snippet: |
                  m = nn.Linear(2, 1).eval()
                  print(m(torch.ones(2)).requires_grad)
                answer: 'True'
                explanation: eval() changes layers, not autograd.
              - id: no-grad-stops-grad
                type: predict
                prompt: What does it print?
                snippet: |
                  with torch.no_grad():
                      print((torch.ones(2, requires_grad=True) * 2).requires_grad)
                answer: 'False'
                explanation: no_grad() records nothing.
            """
        ),
        encoding="utf-8",
    )
    env = dict(os.environ, QUIZ_APP_START_METHOD="spawn")
    result = subprocess.run(
        [sys.executable, "-m", "quiz_app", "check", str(bank), "--device", "cpu", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    report = json.loads(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (report["keys_proven"], report["errors"]) == (2, 0)
