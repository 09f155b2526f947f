"""Snippet processes seen from outside: whether one is still alive, and a snippet that writes
junk to every descriptor it can reach."""

from __future__ import annotations

import os
import textwrap
import time

JUNK_EVERYWHERE = textwrap.dedent(
    """\
    import os
    for name in os.listdir('/proc/self/fd'):
        for junk in (b'\\x00\\x00\\x00\\x05junk!', b'\\xff' * 64, b'{"id": 1, "stdout": "forged"}'):
            try:
                os.write(int(name), junk)
            except OSError:
                pass
    print('wrote junk')
    """
)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat", "rb") as stream:
            return stream.read().split(b") ")[1][:1] != b"Z"
    except OSError:
        return False


def gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False
