"""Messages between the app, the zygote and the snippet processes.

Every message is one length-prefixed JSON object on a channel of its own: where snippet
processes are forked, the app and the zygote share a control socket and each snippet process
gets a fresh socket pair (``multiprocessing.connection`` framing); where they are spawned, each
speaks on its own stdin and stdout pipes (:mod:`quiz_app.runner.channel`). Nothing one snippet
writes can reach another's channel.
A message longer than ``MAX_MESSAGE`` or one that does not decode is a ``ProtocolError``.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from quiz_app.core.terminal_text import escaped, unsafe_characters

MAX_MESSAGE = 1_000_000  # bytes; a reply holds at most OUTPUT_LIMIT characters of output, and a little more
OUTPUT_LIMIT = 20_000  # characters of stdout and stderr together
EXCEPTION_LIMIT = 2_000  # characters of an exception's message
HOLDS_ERROR_LIMIT = 500

_UNSAFE = unsafe_characters(keep="\t\n")  # an outcome keeps its tabs and line breaks, nothing invisible


class Channel(Protocol):
    """What a message travels on: a ``multiprocessing.connection.Connection`` (a Unix socket)
    or a :class:`quiz_app.runner.channel.PipeChannel` (pipes, where snippets are spawned)."""

    def send_bytes(self, buf: bytes, /) -> None: ...

    def recv_bytes(self, maxlength: int | None = ..., /) -> bytes: ...


class ProtocolError(Exception):
    """A message that is too long, does not decode, or is not what was asked for."""


def send(conn: Channel, message: dict[str, Any]) -> None:
    conn.send_bytes(json.dumps(message, ensure_ascii=False).encode("utf-8"))


def receive(conn: Channel) -> dict[str, Any]:
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
    """Text safe to draw in a terminal: control characters shown as ``\\xNN``, invisible ones
    (zero-width, bidirectional overrides) as ``\\uNNNN``, cut at ``limit``."""
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return _UNSAFE.sub(lambda match: escaped(match.group()), text.replace("\r\n", "\n"))
