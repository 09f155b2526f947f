"""YAML plumbing for the loader: decode, compose to nodes, refuse tags, locate problems.

The loader validates PyYAML's node tree rather than constructed objects, so that every
problem keeps its line and column, a key given twice is caught, and no tag is ever executed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz_app.bank.model import Problem
from quiz_app.core.terminal_text import control_characters, invisible_characters

YAML_TAG = "tag:yaml.org,2002:"
ALLOWED_TAGS = {YAML_TAG + t for t in ("str", "int", "float", "bool", "null", "seq", "map")}
SCALAR_TAGS = {YAML_TAG + t for t in ("str", "int", "float", "bool", "null")}
MAX_NODES = 100_000
# A bank may hold tabs and line breaks, and no other terminal control character.
CONTROL = control_characters(keep="\t\n\r")
INVISIBLE = invisible_characters()


class Context:
    """Collects the problems of one file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.lines: list[str] = []

    def indent(self, line: int) -> int:
        """The indentation of a 1-based line of the file."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text) - len(text.lstrip(" "))

    def at(self, node: Node | None, message: str) -> None:
        line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
        self.problems.append(Problem(self.path, line, col, message))

    def at_pos(self, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, col, message))


def did_you_mean(word: str, options: Iterable[str], cutoff: float = 0.6) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or nothing."""
    hint = difflib.get_close_matches(word, list(options), n=1, cutoff=cutoff)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


def line_col(text: str | bytes, offset: int) -> tuple[int, int]:
    """The 1-based line and column of an offset into a file's text or bytes."""
    newline = "\n" if isinstance(text, str) else b"\n"
    line = text.count(newline, 0, offset) + 1  # type: ignore[arg-type]
    col = offset - (text.rfind(newline, 0, offset) + 1) + 1  # type: ignore[arg-type]
    return line, col


def short_tag(tag: str) -> str:
    return "!!" + tag[len(YAML_TAG) :] if tag.startswith(YAML_TAG) else tag


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == YAML_TAG + "null"


def constructed(node: ScalarNode) -> object:
    """The value of a plain scalar (None for a refused tag, which is reported elsewhere)."""
    if node.tag not in SCALAR_TAGS:
        return None
    return SafeConstructor().construct_object(node, deep=True)


def check_nodes(root: Node, ctx: Context) -> None:
    """Refuse any tag outside plain YAML (``!!python/...`` above all; never executed one) and
    any terminal control character in a scalar, written raw or as an escape such as ``\\e``."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            ctx.at(root, f"the file has more than {MAX_NODES} YAML nodes; is it a bank?")
            return
        if node.tag not in ALLOWED_TAGS:
            ctx.at(node, f"YAML tag '{short_tag(node.tag)}' is not allowed in a bank")
            continue
        if isinstance(node, ScalarNode):
            bad = CONTROL.search(str(node.value))
            if bad:
                ctx.at(
                    node,
                    f"this text holds the terminal control character U+{ord(bad.group()):04X}; "
                    "banks may hold tabs and line breaks, but no other control characters",
                )
            hidden = INVISIBLE.search(str(node.value))
            if hidden:
                ctx.at(
                    node,
                    f"this text holds the invisible character U+{ord(hidden.group()):04X} (zero-width, "
                    "a bidirectional override or another format character), which would make different "
                    "text look the same; remove it",
                )
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


def mapping(node: Node, what: str, allowed: tuple[str, ...], ctx: Context) -> dict[str, Node]:
    """A mapping's entries by key, reporting non-mappings, duplicate and unknown keys."""
    if not isinstance(node, MappingNode):
        ctx.at(node, f"{what} must be a mapping of keys to values")
        return {}
    entries: dict[str, Node] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == YAML_TAG + "merge":
            ctx.at(key_node, f"{what} keys must be plain words (merge keys '<<' are not supported)")
            continue
        key = str(key_node.value)
        if key in first_line:
            ctx.at(key_node, f"duplicate key '{key}' (first given at line {first_line[key]})")
            continue
        first_line[key] = key_node.start_mark.line + 1
        if key not in allowed:
            ctx.at(key_node, f"unknown key '{key}' in {what}{did_you_mean(key, allowed)}")
            continue
        entries[key] = value_node
    return entries


def decode(raw: bytes, ctx: Context) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, col = line_col(raw, error.start)
        ctx.at_pos(line, col, f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x}); save it as UTF-8")
        return None


# libyaml composes several times faster; its error messages are terser, so a file it refuses is
# composed again by the pure-Python loader, whose messages the problems quote.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def compose(text: str, ctx: Context) -> Node | None:
    if _FAST_LOADER is not None:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except (yaml.YAMLError, RecursionError):
            pass
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context or "invalid YAML"
        if error.context and error.problem and error.context_mark is not None:
            message += f" ({error.context} started at line {error.context_mark.line + 1})"
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        ctx.at_pos(line, col, f"YAML syntax error: {message}")
    except yaml.reader.ReaderError as error:
        line, col = line_col(text, error.position)
        ctx.at_pos(line, col, f"the file holds a character YAML does not allow ({error.character!r})")
    except yaml.YAMLError as error:
        ctx.at_pos(1, 1, f"YAML error: {error}")
    except RecursionError:
        ctx.at_pos(1, 1, "the YAML nests too deeply to be a bank")
    return None
