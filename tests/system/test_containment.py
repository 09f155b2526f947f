"""What a snippet does stays in its process: junk on its channel, children, huge messages,
slow regexes, odd files, escape sequences, and an app that dies mid-snippet."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from helpers.processes import JUNK_EVERYWHERE, alive, gone

from quiz_app.bank import load_banks, matches_expect
from quiz_app.bank.grading import ExpectTooSlow
from quiz_app.check import check
from quiz_app.runner import SnippetRunner


def test_junk_on_every_descriptor_leaves_the_next_outcome_its_own(fresh_runner: SnippetRunner) -> None:
    junk = fresh_runner.run(JUNK_EVERYWHERE)
    assert junk.status == "crashed"
    assert "could not be read" in junk.text or "not its own" in junk.text
    for value in range(3):
        assert fresh_runner.run(f"print({value})").text == f"{value}\n"


def test_check_counts_a_garbled_run_as_an_error_and_never_shows_a_traceback(tmp_path: Path) -> None:
    bank = tmp_path / "junk.yaml"
    bank.write_text(
        "id: junk\ntitle: t\nquestions:\n"
        "  - id: junk\n    type: predict\n    prompt: p\n    snippet: |\n"
        + textwrap.indent(JUNK_EVERYWHERE, "      ")
        + "    answer: wrote junk\n    explanation: x\n"
        "  - id: after\n    type: predict\n    prompt: p\n"
        "    snippet: print(6 * 7)\n    answer: '42'\n    explanation: x\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "quiz_app", "check", str(bank), "--device", "cpu"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert f"{bank}:4:5: question 'junk': the snippet did not run to an end" in result.stdout
    assert "question 'after'" not in result.stdout  # its own outcome, proven
    assert result.stdout.splitlines()[-1].startswith("1 bank, 2 questions, 1 keys proven (0 unproven)")


def test_children_die_with_their_snippet(fresh_runner: SnippetRunner) -> None:
    code = textwrap.dedent(
        """\
        import subprocess, sys
        sleep = [sys.executable, '-c', 'import time; time.sleep(60)']
        a = subprocess.Popen(sleep)
        b = subprocess.Popen(sleep, start_new_session=True)  # leaves the process group
        print(a.pid, b.pid)
        """
    )
    outcome = fresh_runner.run(code)
    assert outcome.status == "ok", outcome.text
    in_group, escaped = (int(pid) for pid in outcome.text.split())
    assert gone(in_group)
    # Handed to the zygote, a child subreaper, which kills it: within 0.1 s, or once the zygote
    # is done importing torch._dynamo after its first fork (seconds, on a loaded machine).
    assert gone(escaped, within=30)


def test_children_die_with_a_snippet_that_times_out(fresh_runner: SnippetRunner) -> None:
    marker = f"{60 + os.getpid() % 1000 / 1000:.3f}"  # a sleep no other process runs
    code = (
        "import subprocess, sys, time\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep({marker})'])\ntime.sleep(60)"
    )
    outcome = fresh_runner.run(code, timeout=1)
    assert outcome.status == "timeout"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pgrep = ["pgrep", "-f", f"time.sleep[(]{marker}[)]"]
        left = subprocess.run(pgrep, capture_output=True, text=True).stdout.split()
        if not left:
            break
        time.sleep(0.05)
    assert left == []
    assert fresh_runner.run("print('next')").text == "next\n"


def test_exception_text_and_output_are_capped(fresh_runner: SnippetRunner) -> None:
    started = time.perf_counter()
    outcome = fresh_runner.run("raise ValueError('x' * 50_000_000)", timeout=60)
    assert outcome.exc_type == "ValueError"
    assert outcome.exc_message is not None and len(outcome.exc_message) <= 2_001
    assert time.perf_counter() - started < 30


def test_escape_sequences_never_reach_the_terminal(runner: SnippetRunner) -> None:
    code = "print('\\x1b]0;pwned\\x07title \\x1b]52;c;cHduZWQ=\\x07 clip \\x9b31m')\nraise ValueError('\\x1b[2J')"
    outcome = runner.run(code)
    assert "\x1b" not in outcome.text and "\x07" not in outcome.text and "\x9b" not in outcome.text
    assert "title" in outcome.text and "clip" in outcome.text


def test_an_expect_regex_runs_under_a_time_limit() -> None:
    started = time.perf_counter()
    with pytest.raises(ExpectTooSlow):
        matches_expect("/^(a|a)+$/", "a" * 40 + "b")
    assert time.perf_counter() - started < 5
    assert matches_expect("/^a+b$/", "a" * 40 + "b")


def test_check_reports_a_slow_expect_regex(tmp_path: Path) -> None:
    bank = tmp_path / "slow.yaml"
    bank.write_text(
        "id: slow\ntitle: t\nquestions:\n  - id: q\n    type: true_false\n    prompt: p\n    answer: true\n"
        "    snippet: print('a' * 40 + 'b')\n    expect: '/^(a|a)+$/'\n    explanation: x\n",
        encoding="utf-8",
    )
    report = check([bank], device="cpu", jobs=1)
    assert [p.message for p in report.problems] == ["question 'q': the 'expect' regex ran for over 1 s; simplify it"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_only_regular_files_are_read_as_banks(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    big = tmp_path / "big.yaml"
    big.write_bytes(b"# " + b"x" * 1_100_000 + b"\n")
    started = time.perf_counter()
    result = load_banks([fifo, Path("/dev/zero"), big])
    assert time.perf_counter() - started < 5
    messages = [str(problem) for problem in result.problems]
    not_regular = "cannot read the file: it is not a regular file (a pipe or a device?); a bank is a .yaml file"
    assert messages[0] == f"{fifo}:1:1: {not_regular}"
    assert messages[1] == f"/dev/zero:1:1: {not_regular}"
    too_big = "cannot read the file: it is 1,100,003 bytes; a bank may be at most 1,000,000"
    assert messages[2].startswith(f"{big}:1:1: {too_big}")


APP_THAT_DIES = textwrap.dedent(
    """\
    import sys, threading, time
    from quiz_app.runner import SnippetRunner
    runner = SnippetRunner('cpu')
    info = runner.wait_ready()
    print(runner.zygote_pid, info.pid, flush=True)
    threading.Thread(target=runner.run, args=('while True:\\n    pass',), kwargs={'timeout': 120}, daemon=True).start()
    time.sleep(120)
    """
)


def test_the_runner_dies_with_the_app_even_while_a_snippet_holds_the_gil(tmp_path: Path) -> None:
    app = subprocess.Popen([sys.executable, "-c", APP_THAT_DIES], stdout=subprocess.PIPE, text=True)
    try:
        assert app.stdout is not None
        zygote, snippet = (int(pid) for pid in app.stdout.readline().split())
        time.sleep(1.0)  # the snippet spins, holding its GIL
        assert alive(snippet)
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait()
    assert gone(zygote)
    assert gone(snippet)


def test_a_zygote_killed_from_outside_is_replaced_and_the_next_snippet_is_not_blamed(
    fresh_runner: SnippetRunner,
) -> None:
    fresh_runner.wait_ready()
    zygote = fresh_runner.zygote_pid
    assert zygote is not None
    os.kill(zygote, signal.SIGKILL)
    assert gone(zygote)
    outcome = fresh_runner.run("print('innocent')")
    assert (outcome.status, outcome.text) == ("ok", "innocent\n")
    assert fresh_runner.zygote_starts == 2
