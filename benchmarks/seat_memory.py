"""Memory per seat of ``quiz-app serve``: one browser tab = its app process, its zygote (torch
imported) and the zygote's spare snippet process.

It starts ``quiz-app serve`` with a temporary data folder, opens tabs as direct websocket
clients (what the page's JavaScript does: the same ``/ws`` endpoint, the same messages), and
in each tab types a name and answers one question whose snippet runs torch, so that every seat
is in the state a class leaves it in (zygote warm, ``torch._dynamo`` imported, the next
snippet process forked and ready). Then, once the numbers stop moving, it reads
``/proc/PID/smaps_rollup`` of every process of every seat and prints:

- per seat: the median PSS (each shared page divided among the processes that map it) and RSS
  (every page the seat's processes map, shared or not: an upper bound), and their spread;
- per role (app, zygote, spare snippet process): the median PSS and RSS;
- the marginal cost of a seat: the growth of the total PSS (server and every seat) from the
  first stage's tabs to the last's, divided by the tabs added. Library code (libtorch) is
  resident once however many seats there are; the marginal cost is what each more seat adds.

    python benchmarks/seat_memory.py [--tabs 1,6] [--idle]

``--tabs 1,6`` measures with 1 tab open, then opens 5 more and measures again (default).
``--idle`` stops each tab at the name prompt instead of playing a question. Linux only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from quiz_app.bank import load_banks  # noqa: E402
from quiz_app.check import trust  # noqa: E402

GIB = 1024**3
MIB = 1024**2
RESERVE = 2 * GIB  # the system, page cache for the database, a browser on the machine
BANK = """\
format: 2
id: seat-memory
title: "Seat memory"
questions:
  - id: matmul
    type: single
    prompt: "What shape has the product of a 3x4 and a 4x5 tensor?"
    choices:
      - text: "(3, 5)"
      - text: "(4, 4)"
    answer: A
    snippet: |
      x = torch.randn(3, 4) @ torch.randn(4, 5)
      print("product shape", tuple(x.shape))
    explanation: "Rows of the first, columns of the second."
"""
ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_=>()][0-9A-Za-z]?")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def parents() -> dict[int, int]:
    """pid -> parent pid, for every process."""
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as stat:
                    found[int(entry.name)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    return found


def descendants(pid: int, tree: dict[int, int]) -> list[int]:
    children = [child for child, parent in tree.items() if parent == pid]
    return children + [grandchild for child in children for grandchild in descendants(child, tree)]


def memory(pid: int) -> dict[str, int]:
    """Bytes: Rss, Pss, and Private (Private_Clean + Private_Dirty), from smaps_rollup."""
    values: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) >= 3 and parts[2] == "kB":
                values[parts[0].rstrip(":")] = int(parts[1]) * 1024
    return {
        "Rss": values.get("Rss", 0),
        "Pss": values.get("Pss", 0),
        "Private": values.get("Private_Clean", 0) + values.get("Private_Dirty", 0),
        "Pss_Anon": values.get("Pss_Anon", 0),
        "File": values.get("Rss", 0) - values.get("Anonymous", 0),
    }


def seats(server: int) -> list[dict[str, list[int]]]:
    """Each tab's processes, by role: the app (the server's child), its zygote, the zygote's children."""
    tree = parents()
    found = []
    for app in (child for child, parent in tree.items() if parent == server):
        zygotes = [child for child, parent in tree.items() if parent == app]
        spares = [child for zygote in zygotes for child in descendants(zygote, tree)]
        found.append({"app": [app], "zygote": zygotes, "spare": spares})
    return found


def seat_ready(seat: dict[str, list[int]]) -> bool:
    return len(seat["zygote"]) == 1 and len(seat["spare"]) == 1


class Tab:
    """One browser tab, without the browser: the websocket the page opens, and what it draws."""

    def __init__(self, socket: object) -> None:
        self.socket = socket
        self.output = bytearray()

    def text(self, since: int = 0) -> str:
        return ESCAPES.sub(b"", bytes(self.output[since:])).decode("utf-8", "replace")

    async def read(self) -> None:
        async for message in self.socket:  # type: ignore[attr-defined]
            if isinstance(message.data, bytes):
                self.output += message.data

    async def send(self, text: str) -> None:
        await self.socket.send_json(["stdin", text])  # type: ignore[attr-defined]


async def until(condition, seconds: float, what: str):  # noqa: ANN001, ANN201 - a script
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise SystemExit(f"waited {seconds:.0f} s for {what}")
        await asyncio.sleep(0.1)
    return value


async def play(tab: Tab, name: str, idle: bool) -> None:
    await until(lambda: "Who is playing?" in tab.text(), 180, f"{name}'s name prompt")
    if idle:
        return
    await tab.send(name)
    await until(lambda: name in tab.text(), 30, f"{name} typed")
    mark = len(tab.output)
    await tab.send("\r")
    await until(lambda: "3x4" in tab.text(mark), 60, f"{name}'s question")
    mark = len(tab.output)
    await tab.send("a")
    await tab.send("\r")
    await until(lambda: "product shape (3, 5)" in tab.text(mark), 180, f"{name}'s outcome")


def measure(server: int) -> tuple[list[dict[str, dict[str, int]]], dict[str, int]]:
    """Every seat's memory by role; read again when a process ends while it is read (the snippet
    process that just replied), until one reading sees every process it listed."""
    for _ in range(50):
        try:
            return _measure(server)
        except (ProcessLookupError, FileNotFoundError):
            time.sleep(0.1)
    raise SystemExit("processes kept ending while they were measured")


def _measure(server: int) -> tuple[list[dict[str, dict[str, int]]], dict[str, int]]:
    per_seat = []
    for seat in seats(server):
        per_role = {}
        for role, pids in seat.items():
            total = dict.fromkeys(("Rss", "Pss", "Private", "Pss_Anon", "File"), 0)
            for pid in pids:
                for key, value in memory(pid).items():
                    total[key] += value
            per_role[role] = total
        per_seat.append(per_role)
    return per_seat, memory(server)


async def settle(server: int, count: int) -> tuple[list[dict[str, dict[str, int]]], dict[str, int]]:
    """Wait for ``count`` ready seats, then until the total PSS moves less than 1% in 2 s."""
    await until(lambda: sum(seat_ready(seat) for seat in seats(server)) == count, 240, f"{count} seats ready")
    previous = -1
    deadline = time.monotonic() + 120
    while True:
        per_seat, own = measure(server)
        total = own["Pss"] + sum(role["Pss"] for seat in per_seat for role in seat.values())
        if previous > 0 and abs(total - previous) < 0.01 * previous or time.monotonic() > deadline:
            return per_seat, own
        previous = total
        await asyncio.sleep(2)


def mib(value: float) -> str:
    return f"{value / MIB:,.0f} MiB"


def report(stage: int, per_seat: list[dict[str, dict[str, int]]], own: dict[str, int]) -> tuple[int, float, int, int]:
    """Print one stage; return the total PSS, the median anonymous PSS of a seat, the file-backed
    resident size of one seat's app and zygote, and the server's PSS."""

    def seat_sum(seat: dict[str, dict[str, int]], key: str) -> int:
        return sum(role[key] for role in seat.values())

    pss = [seat_sum(seat, "Pss") for seat in per_seat]
    rss = [seat_sum(seat, "Rss") for seat in per_seat]
    total = own["Pss"] + sum(pss)
    print(f"\n{stage} tab(s) open; server PSS {mib(own['Pss'])}, RSS {mib(own['Rss'])}")
    print(
        f"  per seat: PSS median {mib(statistics.median(pss))} (min {mib(min(pss))}, max {mib(max(pss))}); "
        f"RSS median {mib(statistics.median(rss))}"
    )
    for role in ("app", "zygote", "spare"):
        print(
            f"  {role:>6}: PSS median {mib(statistics.median(seat[role]['Pss'] for seat in per_seat))}, "
            f"RSS median {mib(statistics.median(seat[role]['Rss'] for seat in per_seat))}, "
            f"private median {mib(statistics.median(seat[role]['Private'] for seat in per_seat))}"
        )
    anon = [seat_sum(seat, "Pss_Anon") for seat in per_seat]
    files = [seat["zygote"]["File"] + seat["app"]["File"] for seat in per_seat]
    print(
        f"  per seat: anonymous PSS median {mib(statistics.median(anon))} (a seat's own memory: its anonymous "
        f"pages are shared only between its zygote and its spare process)"
    )
    print(f"  file-backed pages (libraries, shared by every seat), app + zygote: {mib(max(files))}")
    print(f"  total PSS (server and seats): {mib(total)}")
    return total, statistics.median(anon), max(files), own["Pss"]


async def main() -> None:
    import aiohttp

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tabs", default="1,6", help="tabs open at each measurement, increasing (default 1,6)")
    parser.add_argument("--idle", action="store_true", help="leave each tab at the name prompt")
    args = parser.parse_args()
    stages = [int(part) for part in args.tabs.split(",")]
    assert stages == sorted(stages) and stages[0] >= 1, "--tabs: increasing counts"

    home = Path(tempfile.mkdtemp(prefix="seat-memory-"))
    bank_file = home / "seat.yaml"
    bank_file.write_text(BANK, encoding="utf-8")
    env = {**os.environ, "QUIZ_APP_HOME": str(home)}
    os.environ["QUIZ_APP_HOME"] = str(home)
    (bank,) = load_banks([bank_file]).banks
    from quiz_app.core import locations

    trust.TrustBook(locations.trust_path()).remember(bank, trust.digest(bank), True)
    port = free_port()
    command = [sys.executable, "-m", "quiz_app", "serve", "--port", str(port), "--device", "cpu", "--lang", "en"]
    server = subprocess.Popen(
        [*command, str(bank_file)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO
    )
    url = f"http://127.0.0.1:{port}"
    print(f"quiz-app serve on {url}, data folder {home}; {'idle' if args.idle else 'one question played'} per tab")
    print(f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / GIB:.1f} GiB")

    def served() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            return False

    totals = []
    tabs: list[Tab] = []
    readers = []
    try:
        await until(served, 60, "the server")
        async with aiohttp.ClientSession() as session:
            for stage in stages:
                started = time.monotonic()
                opening = []
                while len(tabs) < stage:
                    socket_ = await session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=100&height=30", max_msg_size=0)
                    tab = Tab(socket_)
                    readers.append(asyncio.create_task(tab.read()))
                    tabs.append(tab)
                    opening.append(play(tab, f"seat {len(tabs)}", args.idle))
                await asyncio.gather(*opening)
                per_seat, own = await settle(server.pid, stage)
                print(f"(stage reached in {time.monotonic() - started:.0f} s)")
                total, anon, files, server_pss = report(stage, per_seat, own)
                totals.append((stage, total))
            for tab in tabs:
                await tab.socket.close()  # type: ignore[attr-defined]
    finally:
        for reader in readers:
            reader.cancel()
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)
    usable = 24 * GIB - RESERVE
    print(f"\na 24 GiB machine, {RESERVE // GIB} GiB kept for the system:")
    by_anon = int((usable - server_pss - files) // anon)
    print(
        f"  by each seat's own memory ({mib(anon)}), the libraries once ({mib(files)}) and the server "
        f"({mib(server_pss)}): {by_anon} seats"
    )
    if len(totals) >= 2:
        (first, low), (last, high) = totals[0], totals[-1]
        marginal = (high - low) / (last - first)
        fixed = low - first * marginal
        print(
            f"  by the growth of the total PSS from {first} to {last} tabs ({mib(marginal)} a seat, "
            f"{mib(fixed)} fixed): {int((usable - fixed) // marginal)} seats"
        )
    print(json.dumps({"stages": totals, "seat_anon_pss": anon, "shared_files": files, "server_pss": server_pss}))


if __name__ == "__main__":
    asyncio.run(main())
