"""What the guards cost (issue 9): Landlock and the limits, set up in each snippet process.

- first outcome after launch, sandbox on against off (fresh processes, alternating);
- round trip from a ready snippet process, on against off (two runners, alternating);
- back to back (`check`'s pace: each run waits for its process to be forked and guarded);
- `sandbox.restrict_files` and `sandbox.set_limits` timed directly in forked children.

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

from quiz_app.runner import SnippetRunner, sandbox  # noqa: E402

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


def micro() -> tuple[list[float], list[float], list[float]]:
    """restrict_files and set_limits in children forked from a process that has imported torch,
    as the zygote has (no thread of this process runs torch work, so forking is safe)."""
    import torch  # noqa: F401 - the state a snippet process is forked from

    files, limits, whole = [], [], []
    root = tempfile.mkdtemp(prefix="quiz-bench-guards-")
    for index in range(MICRO):
        scratch = os.path.join(root, str(index))
        os.mkdir(scratch)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            start = time.perf_counter()
            guards = sandbox.restrict_files(scratch, cuda=False)
            middle = time.perf_counter()
            limited = sandbox.set_limits(600)
            end = time.perf_counter()
            ok = "files" in guards and limited
            os.write(write, f"{middle - start} {end - middle} {int(ok)}".encode())
            os._exit(0)
        os.close(write)
        first, second, ok = os.read(read, 200).decode().split()
        os.close(read)
        os.waitpid(pid, 0)
        assert ok == "1", "a guard did not go up"
        files.append(float(first))
        limits.append(float(second))
        whole.append(float(first) + float(second))
    shutil.rmtree(root, ignore_errors=True)
    return files, limits, whole


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
    files, limits, whole = micro()
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
        f"in a forked child: restrict_files {ms(median(files))} (p95 {ms(p95(files))}), "
        f"set_limits {ms(median(limits))} (p95 {ms(p95(limits))}), both {ms(median(whole))} ({MICRO} children)"
    )
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
