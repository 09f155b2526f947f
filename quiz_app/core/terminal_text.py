"""Terminal control characters (C0, ESC among them, DEL and C1) and invisible characters.

Printed raw, control characters let text retitle the window, write the clipboard or hide what is
shown. Invisible characters draw nothing, or reorder what is drawn: bidirectional overrides and
isolates (U+202A–U+202E, U+2066–U+2069, the marks U+200E, U+200F, U+061C), zero-width characters
(U+200B–U+200D, U+2060–U+2064, U+FEFF) and the other Unicode format characters (category Cf:
soft hyphen, tag characters…), line and paragraph separators, variation selectors, and the blank
"fillers" (Hangul, Braille) that look like nothing; so ``True`` and ``Tr\u200bue`` would look alike.
Bank text may hold neither kind, outcomes and reports show both escaped (``\x1b``, ``\u200b``),
and player names refuse both; each use keeps the few it allows (a tab, a line break).
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


# Format characters (Unicode category Cf, as of Unicode 15), fillers that draw nothing, a joiner,
# line and paragraph separators, and variation selectors (first and last code point of each range).
_INVISIBLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x115F, 0x1160), (0x180B, 0x180F), (0x200B, 0x200F), (0x2028, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0x2800, 0x2800), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F), (0xE0100, 0xE01EF),
)  # fmt: skip


def is_invisible(char: str) -> bool:
    """True for a character that draws nothing or reorders the text around it (see above)."""
    code = ord(char)
    return unicodedata.category(char) == "Cf" or any(first <= code <= last for first, last in _INVISIBLE)


@functools.cache
def invisible_characters() -> re.Pattern[str]:
    """A pattern matching one invisible character (:func:`is_invisible`)."""
    ranges = "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in _INVISIBLE)
    return re.compile(f"[{ranges}]")


@functools.cache
def unsafe_characters(keep: str = "") -> re.Pattern[str]:
    """A pattern matching one control character (other than those in ``keep``) or one invisible
    character: what a terminal must not be handed raw."""
    control = control_characters(keep).pattern
    return re.compile(f"{control}|{invisible_characters().pattern}")


def visible(text: str, keep: str = "\t\n") -> str:
    """``text`` with every control character (but those in ``keep``) and every invisible one
    shown as an escape: ``\x1b``, ``\u200b``, ``\u202e``."""
    return unsafe_characters(keep).sub(lambda match: escaped(match.group()), text)


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
    """A control or invisible character as it is shown: ``\\x1b``, ``\\u200b``, ``\\U000e0041``."""
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
