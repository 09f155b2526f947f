"""Messages between the app, the zygote and the snippet processes.

Every message is one length-prefixed JSON object (``multiprocessing.connection`` framing) on a
Unix socket of its own: the app and the zygote share a control socket, and each snippet
process gets a fresh socket pair, so nothing one snippet writes can reach another's channel.
A message longer than ``MAX_MESSAGE`` or one that does not decode is a ``ProtocolError``.
"""

from __future__ import annotations

import json
from multiprocessing.connection import Connection
from typing import Any

from quiz_app.terminal_text import control_characters, escaped

MAX_MESSAGE = 1_000_000  # bytes; a reply holds at most OUTPUT_LIMIT characters of output, and a little more
OUTPUT_LIMIT = 20_000  # characters of stdout and stderr together
EXCEPTION_LIMIT = 2_000  # characters of an exception's message
HOLDS_ERROR_LIMIT = 500

_CONTROL = control_characters(keep="\t\n")  # an outcome keeps its tabs and line breaks


class ProtocolError(Exception):
    """A message that is too long, does not decode, or is not what was asked for."""


def send(conn: Connection, message: dict[str, Any]) -> None:
    conn.send_bytes(json.dumps(message, ensure_ascii=False).encode("utf-8"))


def receive(conn: Connection) -> dict[str, Any]:
    """The next message. Raises ``EOFError`` when the peer is gone, ``ProtocolError`` for junk."""
    try:
        raw = conn.recv_bytes(MAX_MESSAGE)
    except OSError as error:  # 'bad message length': longer than MAX_MESSAGE, or a garbled header
        raise ProtocolError(f"unreadable message ({error})") from error
    try:
        message = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ProtocolError("a message that is not JSON") from error
    if not isinstance(message, dict):
        raise ProtocolError("a message that is not a JSON object")
    return message


def clean_text(text: str, limit: int | None = None) -> str:
    """Text safe to draw in a terminal: control characters shown as ``\\xNN``, cut at ``limit``."""
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return _CONTROL.sub(lambda match: escaped(match.group()), text.replace("\r\n", "\n"))
