"""Terminal control characters: C0 (ESC among them), DEL and C1.

Printed raw, they let text retitle the window, write the clipboard or hide what is shown. Bank
text may not hold them, outcomes and reports show them escaped, and player names refuse them;
each use keeps the few it allows (a tab, a line break).
"""

from __future__ import annotations

import functools
import re
import unicodedata


@functools.cache
def control_characters(keep: str = "") -> re.Pattern[str]:
    """A pattern matching one control character other than those in ``keep`` (e.g. ``"\\t\\n"``)."""
    allowed = "".join(re.escape(char) for char in keep)
    return re.compile(f"(?![{allowed}])[\\x00-\\x1f\\x7f-\\x9f]" if keep else "[\\x00-\\x1f\\x7f-\\x9f]")


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes: wide characters (Chinese, full-width forms) take two."""
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in text)


def ljust(text: str, width: int) -> str:
    """``str.ljust`` by terminal cells."""
    return text + " " * (width - cells(text))


def rjust(text: str, width: int) -> str:
    """``str.rjust`` by terminal cells."""
    return " " * (width - cells(text)) + text


def escaped(char: str) -> str:
    """A control character as it is shown: ``\\x1b``."""
    return f"\\x{ord(char):02x}"
