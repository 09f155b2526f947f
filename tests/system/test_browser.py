"""A real browser plays through ``quiz-app serve``: Debian's headless Chromium, driven over the
DevTools protocol, opens the page, types a name, answers a question and quits; the answer is
then found in ``quiz-app report --json``, read from the same data folder.

The page is an xterm.js terminal drawn on a canvas, so the test reads what the app draws from
the websocket frames the page receives (``Network.webSocketFrameReceived``), escape sequences
removed, and types with ``Input.insertText`` and ``Input.dispatchKeyEvent`` once the terminal
has focus. Every wait is a condition polled under a deadline.

Where Chromium is not installed or cannot start, the test is skipped with the reason (``-ra``
shows it; ``.ci/run`` installs Chromium where it can). With ``QUIZ_APP_REQUIRE_BROWSER=1`` it
fails instead, for a CI that must not pass by skipping. ``QUIZ_APP_CHROMIUM`` names the browser
to run (default: the first of chromium, chromium-browser, google-chrome on the PATH).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import queue
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from quiz_app.bank import load_banks
from quiz_app.check import trust
from quiz_app.core import locations

aiohttp = pytest.importorskip("aiohttp", reason="aiohttp (a dependency of textual-serve) is not installed")

pytestmark = pytest.mark.browser

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PLAYER = "Zoë Browser"
BANK = """\
format: 2
id: browser-class
title: "The browser's bank"
shuffle: false
misconceptions:
  second-is-third: "The second letter of the alphabet is C"
questions:
  - id: second-letter
    type: single
    prompt: "Which letter comes second in the alphabet?"
    choices:
      - text: "A"
      - text: "B"
      - text: "C"
        misconception: second-is-third
    answer: B
    explanation: "A, B, C."
"""
ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1bP[^\x1b]*\x1b\\|\x1b[@-Z\\-_=>()][0-9A-Za-z]?"
)


def unavailable(reason: str) -> None:
    """Skip loudly, or fail where CI said a browser must run."""
    if os.environ.get("QUIZ_APP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"QUIZ_APP_REQUIRE_BROWSER=1, but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stop_group(process: subprocess.Popen[Any], first: int = signal.SIGTERM, patience: float = 10.0) -> None:
    """Stop a process this test started in its own session, then anything left in its group."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, first)
        try:
            process.wait(timeout=patience)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def group_members(pgid: int) -> list[int]:
    """The processes still in a process group (read from /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
    except OSError:
        return f"{pid} (gone)"


@contextlib.contextmanager
def chromium(profile: Path) -> Iterator[str]:
    """Start headless Chromium; yield its DevTools websocket URL (read from its stderr)."""
    binary = os.environ.get("QUIZ_APP_CHROMIUM") or next(filter(None, map(shutil.which, BROWSERS)), None)
    if binary is None:
        unavailable("Chromium is not installed (apt-get install chromium; .ci/run installs it when it runs as root)")
    command = [
        str(binary),
        "--headless=new",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-gpu",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-dev-shm-usage",
        "--window-size=1100,700",
        "about:blank",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
    except OSError as error:
        unavailable(f"Chromium ({binary}) cannot start: {error}")
    lines: queue.Queue[bytes] = queue.Queue()
    assert process.stderr is not None
    stderr = process.stderr
    threading.Thread(target=lambda: [lines.put(line) for line in iter(stderr.readline, b"")], daemon=True).start()
    seen: list[str] = []
    url = None
    deadline = time.monotonic() + 30
    try:
        while url is None and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2).decode("utf-8", "replace")
            except queue.Empty:
                if process.poll() is not None and lines.empty():
                    break
                continue
            seen.append(line.rstrip())
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            url = found.group(1) if found else None
        if url is None:
            tail = " | ".join(seen[-5:]) or "nothing on stderr"
            status = f"exit code {process.poll()}" if process.poll() is not None else "no DevTools URL within 30 s"
            unavailable(f"Chromium ({binary}) did not start ({status}): {tail}")
        yield url
    finally:
        stop_group(process, patience=5)


class DevTools:
    """A minimal DevTools-protocol client on one page target (aiohttp's websocket client)."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.output = bytearray()  # what the app drew: every binary frame the page received
        self.reader = asyncio.create_task(self.read())

    async def read(self) -> None:
        async for message in self.socket:
            data = json.loads(message.data)
            if "id" in data:
                future = self.pending.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_result(data)
            elif data.get("method") == "Network.webSocketFrameReceived":
                frame = data["params"]["response"]
                if frame.get("opcode") == 2:
                    self.output += base64.b64decode(frame["payloadData"])

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self.ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[ident] = future
        await self.socket.send_json({"id": ident, "method": method, "params": params})
        reply = await asyncio.wait_for(future, timeout=15)
        if "error" in reply:
            raise AssertionError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def text(self, since: int = 0) -> str:
        """What the app drew since ``since`` (an offset into the output), escape sequences removed."""
        return ESCAPES.sub(b"", bytes(self.output[since:])).decode("utf-8", "replace")

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def type(self, text: str) -> None:
        await self.send("Input.insertText", text=text)

    async def key(self, key: str, code: str, keycode: int, text: str = "", modifiers: int = 0) -> None:
        event = {"key": key, "code": code, "windowsVirtualKeyCode": keycode, "modifiers": modifiers}
        await self.send("Input.dispatchKeyEvent", type="keyDown", text=text, unmodifiedText=text, **event)
        await self.send("Input.dispatchKeyEvent", type="keyUp", **event)

    async def enter(self) -> None:
        await self.key("Enter", "Enter", 13, text="\r")


async def until(condition: Callable[[], Awaitable[Any] | Any], seconds: float, what: str) -> Any:
    """Poll ``condition`` until it returns something true; fail, saying ``what``, at the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:.0f} s for {what}")
        await asyncio.sleep(0.05)


def answers(database: Path) -> list[tuple[str, str, str, str]]:
    """The answers in the database (read-only; none while it does not exist yet)."""
    if not database.exists():
        return []
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute("SELECT player, bank_id, question_id, answer FROM answers").fetchall()
    except sqlite3.OperationalError:  # the schema is being created
        return []
    finally:
        connection.close()


@contextlib.asynccontextmanager
async def page(devtools_url: str) -> AsyncIterator[DevTools]:
    port = re.search(r"://[^/]+:(\d+)/", devtools_url)
    assert port, devtools_url
    async with aiohttp.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port.group(1)}/json/list") as response:
            targets = await response.json(content_type=None)
        target = next(target for target in targets if target.get("type") == "page")
        async with session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as socket:
            tools = DevTools(socket)
            try:
                yield tools
            finally:
                tools.reader.cancel()


async def test_a_browser_tab_plays_and_the_answer_reaches_the_report(tmp_path: Path, quiz_home: Path) -> None:
    started = time.monotonic()
    bank_file = tmp_path / "browser.yaml"
    bank_file.write_text(BANK, encoding="utf-8")
    loaded = load_banks([bank_file])
    assert not loaded.problems, loaded.problems
    (bank,) = loaded.banks
    # Where a guard is missing, a bank that is not bundled asks first: say yes in advance, as a teacher would.
    trust.TrustBook(locations.trust_path()).remember(bank, trust.digest(bank), True)

    with chromium(tmp_path / "chromium-profile") as devtools_url:
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "quiz_app", "serve", "--port", str(port), "--lang", "en", str(bank_file)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env={**os.environ, "QUIZ_APP_HOME": str(quiz_home)},
            start_new_session=True,
        )
        server_output: list[bytes] = []
        assert server.stdout is not None
        stdout = server.stdout
        threading.Thread(target=lambda: server_output.extend(iter(stdout.readline, b"")), daemon=True).start()
        drawn: DevTools | None = None
        try:
            url = f"http://127.0.0.1:{port}"
            printed = await until(lambda: any(url.encode() in line for line in server_output), 30, "the URL printed")
            assert printed
            await until(lambda: _answers_http(url), 15, "the page served")

            async with page(devtools_url) as tools:
                drawn = tools
                await tools.send("Network.enable")
                await tools.send("Page.enable")
                await tools.send("Page.navigate", url=url)
                await until(lambda: "Who is playing?" in tools.text(), 30, "the name prompt, drawn in the page")
                await until(
                    lambda: tools.evaluate("document.body.classList.contains('-first-byte')"), 10, "the terminal shown"
                )
                await tools.send(
                    "Input.dispatchMouseEvent", type="mousePressed", x=300, y=300, button="left", clickCount=1
                )
                await tools.send(
                    "Input.dispatchMouseEvent", type="mouseReleased", x=300, y=300, button="left", clickCount=1
                )
                await until(
                    lambda: tools.evaluate("document.activeElement?.classList.contains('xterm-helper-textarea')"),
                    10,
                    "the terminal focused",
                )
                await tools.type(PLAYER)
                await until(lambda: "Browser" in tools.text(), 10, "the name typed, echoed in the input")
                mark = len(tools.output)
                await tools.enter()
                # One bank named: it opens at once after the name.
                await until(lambda: "comes second" in tools.text(mark), 20, "the question")
                await tools.type("b")
                await tools.enter()
                database = locations.database_path()
                given = await until(lambda: answers(database), 20, "the answer in the database")
                assert given == [(PLAYER, "browser-class", "second-letter", "B")]
                await tools.key("q", "KeyQ", 81, modifiers=2)  # Ctrl+Q quits from any screen
                await until(
                    lambda: tools.evaluate("document.body.classList.contains('-closed')"),
                    20,
                    "the tab's app to quit (the page says the session ended)",
                )

            report = subprocess.run(
                [sys.executable, "-m", "quiz_app", "report", "--json"],
                capture_output=True,
                text=True,
                env={**os.environ, "QUIZ_APP_HOME": str(quiz_home)},
                timeout=60,
            )
            assert report.returncode == 0, report.stderr
            data = json.loads(report.stdout)
            (reported,) = [entry for entry in data["banks"] if entry["id"] == "browser-class"]
            (question,) = reported["questions"]
            assert question["id"] == "second-letter"
            assert question["answered"] == 1
            assert question["options"]["B"] == 1  # the bank lies outside the data folder: the answers' letters
            assert question["facility"] == 1.0
            assert reported["players"][0]["player"] == PLAYER
            assert reported["players"][0]["correct"] == 1
        except AssertionError as error:
            screen = drawn.text()[-1500:] if drawn is not None else "(no page)"
            log = b"".join(server_output).decode("utf-8", "replace")[-3000:]
            raise AssertionError(
                f"{error}\n--- the page drew last:\n{screen}\n--- the server printed:\n{log}"
            ) from None
        finally:
            stopping = time.monotonic()
            stop_group(server, first=signal.SIGINT)
            stopped_in = time.monotonic() - stopping
        log = b"".join(server_output).decode("utf-8", "replace")
        assert stopped_in < 10, f"the server took {stopped_in:.1f} s to stop on Ctrl+C"
        assert server.returncode == 0, log
        assert "Traceback" not in log, log
        # The tab's app may still be closing its runner and database when the server is gone.
        deadline = time.monotonic() + 15
        while (left := group_members(server.pid)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left == [], f"processes outlived the server by 15 s: {[command_line(pid) for pid in left]}"
    assert time.monotonic() - started < 90


def _answers_http(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - a local test server
            return response.status == 200
    except OSError:
        return False
