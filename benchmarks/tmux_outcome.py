"""Enter to the live outcome on screen, in a real terminal: the app in tmux at 80x24.

Each launch plays tests/data/banks/play.yaml's first four questions (one of each type) as a learner
would: it waits for the question, gives the answer, presses Enter and watches for "It printed"
on the screen. Then Ctrl+Q and a fresh launch. The clock starts when `tmux send-keys Enter`
returns (the key is in the pane's terminal by then; a prediction in a multi-line field is
submitted with Ctrl+S, which the hint then names). Launches alternate between two ways of
watching, both reported:

- poll: `tmux capture-pane -p` in a tight loop; the clock stops when the capture that shows the
  outcome returns, so each figure is at most one poll late. The loop starts a tmux client every
  few milliseconds, which on two cores takes CPU from the app it measures.
- control: a tmux control-mode client (`tmux -C`) is told of each output the pane receives;
  the clock stops when the output with the outcome arrives, that is when tmux has it on the
  pane's screen. Nothing polls.

Issue 8, Speed: Enter to the outcome on screen, in tmux, at most 50 ms median.

    python benchmarks/tmux_outcome.py [LAUNCHES]
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import median, ms, p95, verdict  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "tests" / "data" / "banks" / "play.yaml"
SOCKET = f"quiz-bench-{os.getpid()}"  # a private tmux server: no other session is touched
SESSION = "bench"
FIRST_WAIT = 6.0  # seconds after the first question shows: torch imported, the spare ready
READ_WAIT = 0.7  # seconds a "learner" spends on each later question (the spare is forked meanwhile)
# Each question: the text that says it is on screen, the keys that answer it, and whether the
# keys are literal text (a prediction) rather than key names.
QUESTIONS = (
    ("to choose, Enter to submit", ["b"], False),
    ("Several may be right", ["a", "c"], False),
    ("Press T for true or F for false", ["f"], False),
    ("Type what it prints", ["2.0"], True),
)
OUTCOME = "It printed"


def tmux(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True)


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION).stdout


def wait_for(text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in screen():
            return
        time.sleep(0.02)
    raise RuntimeError(f"{text!r} did not show within {timeout} s; the screen:\n{screen()}")


def submit_to_outcome(key: str, polls: list[float]) -> float:
    tmux("send-keys", "-t", SESSION, key)
    start = time.perf_counter()
    while True:
        before = time.perf_counter()
        shown = OUTCOME in screen()
        after = time.perf_counter()
        polls.append(after - before)
        if shown:
            return after - start
        if after - start > 30:
            raise RuntimeError(f"no outcome within 30 s; the screen:\n{screen()}")


class ControlClient:
    """A tmux control-mode client on the session: ``%output`` lines tell what the pane receives."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            ["tmux", "-L", SOCKET, "-C", "attach", "-t", SESSION],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        self.fd = self.process.stdout.fileno()
        self.pending = b""

    def drain(self) -> None:
        while select.select([self.fd], [], [], 0)[0]:
            if not os.read(self.fd, 1 << 16):
                break
        self.pending = b""

    def wait_output(self, text: str, start: float) -> float:
        needle = text.encode()
        while True:
            if not select.select([self.fd], [], [], max(0.0, 30 - (time.perf_counter() - start)))[0]:
                raise RuntimeError(f"no outcome within 30 s; the screen:\n{screen()}")
            chunk = os.read(self.fd, 1 << 16)
            now = time.perf_counter()
            if not chunk:
                raise RuntimeError("the control client ended")
            lines = (self.pending + chunk).split(b"\n")
            self.pending = lines.pop()  # an unfinished line waits for the rest
            if any(line.startswith(b"%output") and needle in line for line in lines):
                return now - start

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.kill()
        self.process.wait()


def submit_to_output(control: ControlClient, key: str) -> float:
    control.drain()
    tmux("send-keys", "-t", SESSION, key)
    return control.wait_output(OUTCOME, time.perf_counter())


def launch(home: str, samples: list[float], polls: list[float], watch: str = "poll") -> None:
    command = f"{sys.executable} -m quiz_app {BANK} --player bench"
    result = tmux(
        "new-session", "-d", "-s", SESSION, "-x", "80", "-y", "24", "-c", str(ROOT),
        "-e", f"QUIZ_APP_HOME={home}", "-e", "LANG=C.UTF-8", command,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    control = ControlClient() if watch == "control" else None
    try:
        for number, (marker, keys, literal) in enumerate(QUESTIONS):
            wait_for(marker, 60)
            time.sleep(FIRST_WAIT if number == 0 else READ_WAIT)
            tmux("send-keys", "-t", SESSION, *(["-l"] if literal else []), *keys)
            time.sleep(0.2)  # the choice or the typed text is drawn
            # A multi-line prediction field submits with Ctrl+S (Enter is a new line there).
            key = "C-s" if "Ctrl+S submits" in screen() else "Enter"
            samples.append(submit_to_outcome(key, polls) if control is None else submit_to_output(control, key))
            time.sleep(0.2)
            tmux("send-keys", "-t", SESSION, "n")
        tmux("send-keys", "-t", SESSION, "C-q")
        deadline = time.monotonic() + 10
        while tmux("has-session", "-t", SESSION).returncode == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        if control is not None:
            control.close()
        tmux("kill-session", "-t", SESSION)


def idle_polls(count: int = 100) -> tuple[list[float], list[float]]:
    """capture-pane and send-keys on a quiet pane: what one poll and one key cost."""
    tmux("new-session", "-d", "-s", SESSION, "-x", "80", "-y", "24", "cat")
    try:
        captures, keys = [], []
        for _ in range(count):
            start = time.perf_counter()
            screen()
            captures.append(time.perf_counter() - start)
        for _ in range(count // 4):
            start = time.perf_counter()
            tmux("send-keys", "-t", SESSION, "x")
            keys.append(time.perf_counter() - start)
        return captures, keys
    finally:
        tmux("kill-session", "-t", SESSION)


def main() -> None:
    if shutil.which("tmux") is None:
        print("tmux is not installed; nothing measured")
        return
    launches = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    samples: list[float] = []
    watched: list[float] = []
    polls: list[float] = []
    try:
        captures, keys = idle_polls()
        with tempfile.TemporaryDirectory() as home:
            for _ in range(launches):  # the two ways alternate, so that both meet the same machine
                launch(home, samples, polls, "poll")
                launch(home, watched, polls, "control")
    finally:
        tmux("kill-server")
    print(
        f"tmux capture-pane -p, quiet pane: median {ms(median(captures))}, p95 {ms(p95(captures))} (poll granularity)"
    )
    print(f"tmux send-keys (one key):         median {ms(median(keys))}")
    print(f"polls while waiting for outcomes: median {ms(median(polls))}, p95 {ms(p95(polls))} ({len(polls)} polls)")
    print(
        f"Enter to outcome on screen, 80x24, poll:    median {ms(median(samples))}, p95 {ms(p95(samples))} "
        f"({len(samples)} samples, {launches} launches; each at most one poll late)"
    )
    print(f"  per question: {', '.join(f'{s * 1000:.0f}' for s in samples)} ms")
    print(
        f"Enter to outcome on screen, 80x24, control: median {ms(median(watched))}, p95 {ms(p95(watched))} "
        f"({len(watched)} samples, {launches} launches; nothing polls)"
    )
    print(f"  per question: {', '.join(f'{s * 1000:.0f}' for s in watched)} ms")
    met = (verdict(median(samples) <= 0.05), verdict(median(watched) <= 0.05))
    print(f"target median <= 50 ms: poll {met[0]}, control {met[1]}")


if __name__ == "__main__":
    main()
