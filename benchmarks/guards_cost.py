"""What the guards cost (issues 9 and 20): the box, Landlock, the limits and the system-call
filter, set up in each snippet process.

- first outcome after launch, sandbox on against off (fresh processes, alternating);
- round trip from a ready snippet process, on against off (two runners, alternating);
- back to back (`check`'s pace: each run waits for its process to be forked and guarded);
- `box.enter`, `sandbox.restrict_files`, `sandbox.set_limits` and `syscalls.load` timed directly
  in children forked from a process that imported torch, in the order a snippet process runs them;
- `sandbox.available()` the first time (it tries a box in a throw-away Python).

Target: at most +5 ms on the first outcome, nothing measurable per snippet.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _stats import median, ms, p95, verdict  # noqa: E402

from quiz_app.runner import SnippetRunner, box, sandbox, syscalls  # noqa: E402

HERE = Path(__file__).resolve().parent
LAUNCHES = 9
TRIPS = 100
CHAINED = 60
MICRO = 40
TRIVIAL = "print(1 + 1)"


def first_outcome(guarded: bool) -> float:
    """Wall seconds from spawning a fresh python to its first outcome."""
    flags = [] if guarded else ["--no-sandbox"]
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(HERE / "_first_outcome.py"), *flags], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    elapsed = time.perf_counter() - start
    process.wait(timeout=60)
    assert line.startswith("outcome ok '2'"), line
    return elapsed


def settle(runner: SnippetRunner) -> None:
    runner.wait_ready()
    runner.run(TRIVIAL)
    time.sleep(3.0)  # the zygote's background import of torch._dynamo ends
    runner.run(TRIVIAL)


def ready_trip(runner: SnippetRunner) -> float:
    runner.wait_ready()
    time.sleep(0.02)
    start = time.perf_counter()
    outcome = runner.run(TRIVIAL)
    assert outcome.status == "ok", outcome
    return time.perf_counter() - start


def chained(runner: SnippetRunner, count: int) -> float:
    """Seconds per run() for `count` runs back to back."""
    runner.wait_ready()
    time.sleep(0.05)
    start = time.perf_counter()
    for _ in range(count):
        runner.run(TRIVIAL)
    return (time.perf_counter() - start) / count


def micro() -> dict[str, list[float]]:
    """Each guard's set-up in children forked from a process that has imported torch, as the
    zygote has (no thread of this process runs torch work, so forking is safe), in a snippet
    process's order: box, files (Landlock), limits, syscalls."""
    import torch  # noqa: F401 - the state a snippet process is forked from

    root = tempfile.mkdtemp(prefix="quiz-bench-guards-")
    config = {"sandbox": True, "device": "cpu", "scratch": root, "memory": 4 * 2**30}
    plan = sandbox.box_plan(config)
    program = syscalls.program()
    assert plan is not None, "no box here"
    steps: dict[str, list[float]] = {"box": [], "files": [], "limits": [], "syscalls": [], "all": []}
    for index in range(MICRO):
        scratch = os.path.join(root, str(index))
        os.mkdir(scratch)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            marks = [time.perf_counter()]
            box.enter(plan, scratch)
            marks.append(time.perf_counter())
            guards = sandbox.restrict_files(scratch, cuda=False)
            marks.append(time.perf_counter())
            limited = sandbox.set_limits(600)
            marks.append(time.perf_counter())
            syscalls.load(program)
            marks.append(time.perf_counter())
            ok = "files" in guards and limited
            spans = " ".join(str(marks[i + 1] - marks[i]) for i in range(4))
            os.write(write, f"{spans} {int(ok)}".encode())
            os._exit(0)
        os.close(write)
        *spans, ok = os.read(read, 400).decode().split()
        os.close(read)
        os.waitpid(pid, 0)
        assert ok == "1", "a guard did not go up"
        for name, span in zip(("box", "files", "limits", "syscalls"), spans, strict=True):
            steps[name].append(float(span))
        steps["all"].append(sum(float(span) for span in spans))
    shutil.rmtree(root, ignore_errors=True)
    return steps


def probe() -> float:
    """Seconds ``available()`` takes the first time in a fresh process (a box tried for real)."""
    code = "import time; from quiz_app.runner import sandbox; t = time.perf_counter(); sandbox.available(); "
    code += "print(time.perf_counter() - t)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)


def main() -> None:
    on_first, off_first = [], []
    for _ in range(LAUNCHES):  # alternating, so that drift hits both alike
        on_first.append(first_outcome(True))
        off_first.append(first_outcome(False))
    on_trip, off_trip, on_chain, off_chain = [], [], [], []
    with SnippetRunner("cpu", sandbox=True) as on, SnippetRunner("cpu", sandbox=False) as off:
        settle(on)
        settle(off)
        assert on.info is not None and "files" in on.info.guards, on.info
        assert off.info is not None and "files" not in off.info.guards, off.info
        for _ in range(TRIPS):
            on_trip.append(ready_trip(on))
            off_trip.append(ready_trip(off))
        for _ in range(6):
            on_chain.append(chained(on, CHAINED // 6))
            off_chain.append(chained(off, CHAINED // 6))
        guards = on.info.guards
    steps = micro()
    probes = [probe() for _ in range(5)]
    whole = steps["all"]
    added = median(on_first) - median(off_first)
    trip_added = median(on_trip) - median(off_trip)
    print(f"guards in force with sandbox=True: {', '.join(guards)}")
    print(
        f"first outcome after launch: sandbox on {median(on_first):.3f} s, off {median(off_first):.3f} s, "
        f"difference {added * 1000:+.1f} ms ({LAUNCHES} launches each, alternating; spread max-min "
        f"{(max(on_first) - min(on_first)) * 1000:.0f} / {(max(off_first) - min(off_first)) * 1000:.0f} ms)"
    )
    print(
        f"round trip from a ready child: on {ms(median(on_trip))} (p95 {ms(p95(on_trip))}), "
        f"off {ms(median(off_trip))} (p95 {ms(p95(off_trip))}), difference {trip_added * 1000:+.3f} ms ({TRIPS} each)"
    )
    print(
        f"back to back, per snippet: on {ms(median(on_chain))}, off {ms(median(off_chain))}, "
        f"difference {(median(on_chain) - median(off_chain)) * 1000:+.2f} ms (6 blocks of {CHAINED // 6} each)"
    )
    print(
        "in a forked child: "
        + ", ".join(f"{name} {ms(median(spans))} (p95 {ms(p95(spans))})" for name, spans in steps.items())
        + f" ({MICRO} children)"
    )
    print(f"sandbox.available() the first time, in a fresh process: {ms(median(probes))} (5 processes)")
    print(
        f"target first outcome +5 ms at most: guard set-up {ms(median(whole))} measured directly, "
        f"{(median(on_chain) - median(off_chain)) * 1000:+.2f} ms fork to outcome back to back "
        f"(launches cannot resolve 5 ms here): {verdict(median(whole) <= 0.005)}"
    )
    print(
        f"target nothing measurable per snippet (ready round trip, on adds at most 10% of off): "
        f"{trip_added * 1000:+.3f} ms: {verdict(trip_added <= 0.1 * median(off_trip))}"
    )


if __name__ == "__main__":
    main()
