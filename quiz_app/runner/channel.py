"""A message channel over a pair of pipes, for systems where snippet processes are spawned.

Where there is ``fork`` (Linux), each snippet process gets a Unix socket and speaks through
``multiprocessing.connection.Connection``. A spawned process (Windows, macOS) speaks through
its own stdin and stdout pipes instead, which every system has. Both ends frame messages the
same way: a 4-byte big-endian length, then the bytes. The app's end reads on a thread of its
own, so that it can wait with a timeout even where ``select`` cannot watch a pipe (Windows).
"""

from __future__ import annotations

import os
import queue
import struct
import threading

_HEADER = struct.Struct("!I")


def _read_exactly(fd: int, count: int) -> bytes:
    parts: list[bytes] = []
    while count:
        part = os.read(fd, min(count, 1 << 16))
        if not part:
            raise EOFError("the other end closed the channel")
        parts.append(part)
        count -= len(part)
    return b"".join(parts)


class PipeChannel:
    """The blocking end of a framed channel: ``send_bytes``, ``recv_bytes`` and ``close``, as
    ``Connection`` has them (to wait with a timeout, wrap it in a ``WatchedChannel``)."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd = read_fd
        self.write_fd = write_fd

    def send_bytes(self, data: bytes) -> None:
        view = memoryview(_HEADER.pack(len(data)) + data)
        while view:
            view = view[os.write(self.write_fd, view) :]

    def recv_bytes(self, maxlength: int | None = None) -> bytes:
        (length,) = _HEADER.unpack(_read_exactly(self.read_fd, _HEADER.size))
        if maxlength is not None and length > maxlength:
            raise OSError("bad message length")  # what Connection says; the stream is lost
        return _read_exactly(self.read_fd, length)

    def close(self) -> None:
        for fd in {self.read_fd, self.write_fd}:
            try:
                os.close(fd)
            except OSError:
                pass


class WatchedChannel:
    """The app's end of a pipe channel: a thread reads whole messages as they come, so that
    ``poll(timeout)`` works on every system. After a message that cannot be read (too long, or
    cut off), the channel says so once and then reads as closed."""

    def __init__(self, channel: PipeChannel, maxlength: int) -> None:
        self._channel = channel
        self._maxlength = maxlength
        self._messages: queue.Queue[bytes | BaseException] = queue.Queue()
        self._next: bytes | BaseException | None = None
        self._lock = threading.Lock()
        self._closing = False
        self._reading = True
        self._reader = threading.Thread(target=self._read, daemon=True, name="quiz-app-channel")
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                self._messages.put(self._channel.recv_bytes(self._maxlength))
            except (EOFError, OSError) as error:
                self._messages.put(error)
                break
        with self._lock:
            self._reading = False
            if self._closing:
                _close(self._channel.read_fd)

    def send_bytes(self, data: bytes) -> None:
        self._channel.send_bytes(data)

    def poll(self, timeout: float = 0.0) -> bool:
        if self._next is None:
            try:
                self._next = self._messages.get(timeout=timeout) if timeout > 0 else self._messages.get_nowait()
            except queue.Empty:
                return False
        return True

    def recv_bytes(self, maxlength: int | None = None) -> bytes:
        if self._next is None:
            self._next = self._messages.get()
        message = self._next
        if isinstance(message, BaseException):
            # Every later read ends the same way: the stream is gone or out of step.
            self._next = EOFError("the channel is closed")
            raise message
        self._next = None
        return message

    def close(self) -> None:
        """Close the app's ends without waiting. The reading end is closed by the reader once
        the process at the other end has closed its own (it exits, or is killed): closing it
        under a reader still waiting could hand its number to another file meanwhile."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            _close(self._channel.write_fd)
            if not self._reading:
                _close(self._channel.read_fd)


def _close(fd: int) -> None:
    try:
        os.close(fd)
    except OSError:
        pass
