"""Chinese (and Japanese, Korean) text on a terminal: wrapped by character, and a single line
break inside a paragraph adds no space.

Rich and Textual wrap a line at whitespace only (``rich._wrap.words``, which Textual's
``Content`` also uses): a Chinese sentence has none, so it is moved to the next line whole and
leaves the line before it ragged, or is cut anywhere. :func:`install_wrapping` makes every wide
character a word of its own, with closing punctuation kept on its character's line and opening
punctuation kept with the character after it (the simple rules of Chinese line breaking).
Text without wide characters wraps exactly as before. Textual is pinned to one version, and a
test proves the wrapping at 80 columns, so a change in either library shows at once.

:func:`join_lines` applies the rule browsers use (CSS Text 3, segment breaks): a line break
between two wide characters is removed, not turned into a space.
"""

from __future__ import annotations

import re
import unicodedata

# Wide scripts: CJK radicals and punctuation, kana, Bopomofo, Hangul, ideographs, full-width forms.
WIDE = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f"
)
# Never at the start of a line (kept with the character before) / never at its end.
CLOSING = "，。、；：？！）」』】》〉’”…～·％］｝〕"
OPENING = "（「『【《〈‘“［｛〔"

WORD = re.compile(rf"\s*(?:[{OPENING}]*(?:[{WIDE}]|[^\s{WIDE}]+)[{CLOSING}]*|\S)\s*")

_installed = False


def install_wrapping() -> None:
    """Wrap wide characters one by one, in Rich and in Textual (idempotent)."""
    global _installed
    if _installed:
        return
    import rich._wrap

    rich._wrap.re_word = WORD
    _installed = True


def _wide(character: str) -> bool:
    return unicodedata.east_asian_width(character) in ("W", "F")


_BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#|>|\||```|~~~)")
_FENCE = re.compile(r"^\s*(```|~~~)")


def join_lines(text: str) -> str:
    """Markdown or plain prose with its soft line breaks between two wide characters removed.

    Code blocks, hard breaks (a line ending in two spaces or a backslash), blank lines and lines
    that start a block (a list item, heading, quote, table row or fence) are kept as written.
    """
    if "\n" not in text:
        return text
    lines = text.split("\n")
    out = [lines[0]]
    fenced = bool(_FENCE.match(lines[0]))
    for line in lines[1:]:
        previous = out[-1]
        if _FENCE.match(line):
            fenced = not fenced
            out.append(line)
            continue
        stripped = line.lstrip()
        if (
            not fenced
            and previous.strip()
            and stripped
            and not previous.endswith(("  ", "\\"))
            and not previous.startswith("    ")
            and not _BLOCK_START.match(line)
            and _wide(previous.rstrip()[-1])
            and _wide(stripped[0])
        ):
            out[-1] = previous.rstrip() + stripped
        else:
            out.append(line)
    return "\n".join(out)
