"""Validators for the fields of a bank and its questions, each reporting at its own node."""

from __future__ import annotations

import re
from collections.abc import Iterable

import regex
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz_app.bank.grading import expect_pattern
from quiz_app.bank.model import LETTERS, MAX_CONTRASTS, MAX_MEMORY_GIB, MAX_TIMEOUT, Choice, Contrast
from quiz_app.bank.yaml_nodes import Context, constructed, did_you_mean, is_null, mapping

CHOICE_KEYS = ("text", "holds", "misconception", "why")
CONTRAST_KEYS = ("label", "snippet")
MISCONCEPTION_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


def text(entries: dict[str, Node], key: str, ctx: Context, *, required: bool) -> str | None:
    """A text field, taken as written (``yes`` stays ``yes``, ``3`` stays ``3``)."""
    node = entries.get(key)
    if node is None:
        return None
    if not isinstance(node, ScalarNode):
        kind = "list" if isinstance(node, SequenceNode) else "mapping"
        ctx.at(node, f"'{key}' must be text, not a {kind}")
        return None
    if is_null(node) or not str(node.value).strip():
        if required:
            ctx.at(node, f"'{key}' must not be empty")
        return None
    return str(node.value)


def missing(entries: dict[str, Node], keys: Iterable[str], owner: Node, what: str, ctx: Context) -> None:
    for key in keys:
        if key not in entries:
            ctx.at(owner, f"{what} is missing the required key '{key}'")


def flag(entries: dict[str, Node], key: str, ctx: Context) -> bool | None:
    """A true/false field (None when it is not given or not true or false, which is reported)."""
    node = entries.get(key)
    if node is None:
        return None
    value = constructed(node) if isinstance(node, ScalarNode) else None
    if not isinstance(value, bool):
        ctx.at(node, f"'{key}' must be true or false")
        return None
    return value


def python(source: str | None, node: Node | None, key: str, ctx: Context, mode: str = "exec", where: str = "") -> None:
    """Report a Python syntax error in code a bank will run, at its line in the file. ``where``
    names the field's owner when the key alone is ambiguous (`` of contrast 2``)."""
    if source is None or node is None:
        return
    try:
        compile(source, f"<{key}>", mode)
    except SyntaxError as error:
        style = getattr(node, "style", None)
        if style in ("|", ">"):  # the code starts on the next line, indented as its first line is
            line = node.start_mark.line + 1 + (error.lineno or 1)
            first = node.start_mark.line + 2
            while first < line and not ctx.lines[first - 1].strip():
                first += 1
            col = ctx.indent(first) + (error.offset or 1)
        else:  # a one-line value; a quoted one starts after its quote
            quote = 1 if style in ('"', "'") else 0
            line, col = node.start_mark.line + 1, node.start_mark.column + quote + (error.offset or 1)
        if mode == "eval":
            ctx.at_pos(line, col, f"'{key}'{where} is not a valid Python expression: {error.msg}")
        else:
            ctx.at_pos(line, col, f"Python syntax error in '{key}'{where}: {error.msg}")
    except (ValueError, OverflowError) as error:  # e.g. a NUL byte in the source
        ctx.at(node, f"Python code in '{key}'{where} cannot be compiled: {error}")


def expect(entries: dict[str, Node], ctx: Context) -> str | None:
    value = text(entries, "expect", ctx, required=True)
    pattern = expect_pattern(value) if value is not None else None
    if pattern is not None:
        try:
            regex.compile(pattern)
        except (regex.error, ValueError) as error:
            ctx.at(entries["expect"], f"'expect' is not a valid regular expression: {error}")
    return value


def misconceptions(node: Node | None, ctx: Context) -> dict[str, str]:
    """The bank's catalogue of false beliefs: id -> one line of text."""
    if node is None:
        return {}
    if not isinstance(node, MappingNode):
        ctx.at(node, "'misconceptions' must map ids to one line of text, e.g. eval-stops-autograd: \"...\"")
        return {}
    found: dict[str, str] = {}
    first_line: dict[str, int] = {}
    for key, value in node.value:
        name = str(key.value) if isinstance(key, ScalarNode) else ""
        if not MISCONCEPTION_ID.match(name):
            ctx.at(key, f"misconception id '{name}' must be lower-case letters, digits and '-'")
            continue
        if name in first_line:
            ctx.at(key, f"duplicate key '{name}' (first given at line {first_line[name]})")
            continue
        first_line[name] = key.start_mark.line + 1
        if not isinstance(value, ScalarNode) or is_null(value) or not str(value.value).strip():
            ctx.at(value, f"misconception '{name}' needs one line of text: the false belief")
            continue
        found[name] = " ".join(str(value.value).split())
    return found


def _choice(item: Node, fmt: int, catalogue: dict[str, str], bad: str, ctx: Context) -> Choice | None:
    where = (item.start_mark.line + 1, item.start_mark.column + 1)
    if isinstance(item, ScalarNode):
        if is_null(item) or not str(item.value).strip():
            ctx.at(item, f"{bad}; this choice is empty")
            return None
        return Choice(str(item.value), line=where[0], col=where[1])
    if not isinstance(item, MappingNode):
        ctx.at(item, f"{bad}; this choice is a list")
        return None
    if fmt < 2:
        ctx.at(item, "a choice with 'text', 'holds', 'misconception' or 'why' needs 'format: 2' at the top of the bank")
        return None
    entries = mapping(item, "a choice", CHOICE_KEYS, ctx)
    missing(entries, ("text",), item, "a choice", ctx)
    body = text(entries, "text", ctx, required=True)
    holds = text(entries, "holds", ctx, required=True)
    python(holds, entries.get("holds"), "holds", ctx, mode="eval")
    why = text(entries, "why", ctx, required=True)
    belief = text(entries, "misconception", ctx, required=True)
    if belief is not None and belief not in catalogue:
        hint = did_you_mean(belief, catalogue)
        known = "; the bank defines none under 'misconceptions'" if not catalogue else ""
        ctx.at(entries["misconception"], f"misconception '{belief}' is not defined in this bank{hint}{known}")
    if body is None:
        return None
    return Choice(body, holds=holds, misconception=belief, why=why, line=where[0], col=where[1])


def choices(
    entries: dict[str, Node], qtype: str, fmt: int, catalogue: dict[str, str], ctx: Context
) -> tuple[Choice, ...] | None:
    node = entries.get("choices")
    if qtype not in ("single", "multiple"):
        if node is not None:
            ctx.at(node, f"'choices' is not allowed for a {qtype} question")
        return ()
    if node is None:
        return None  # reported as missing by the caller
    bad = f"'choices' must be a list of 2 to {len(LETTERS)} strings"
    if fmt >= 2:
        bad = f"'choices' must be a list of 2 to {len(LETTERS)} choices (text, or a mapping with 'text')"
    if not isinstance(node, SequenceNode) or not 2 <= len(node.value) <= len(LETTERS):
        ctx.at(node, bad)
        return None
    found = [_choice(item, fmt, catalogue, bad, ctx) for item in node.value]
    if None in found:
        return None
    return tuple(choice for choice in found if choice is not None)


def contrasts(node: Node | None, ctx: Context) -> tuple[Contrast, ...]:
    """A question's contrasts: 1 to ``MAX_CONTRASTS`` mappings of a one-line ``label`` and a
    ``snippet``, each problem at its own node (a syntax error at its line inside the block)."""
    if node is None:
        return ()
    if not isinstance(node, SequenceNode) or not node.value:
        ctx.at(node, f"'contrasts' must be a list of 1 to {MAX_CONTRASTS} mappings, each with 'label' and 'snippet'")
        return ()
    if len(node.value) > MAX_CONTRASTS:
        extra = node.value[MAX_CONTRASTS]
        ctx.at(extra, f"a question may have at most {MAX_CONTRASTS} contrasts; this is contrast {MAX_CONTRASTS + 1}")
    found: list[Contrast] = []
    first_label: dict[str, int] = {}
    for index, item in enumerate(node.value[:MAX_CONTRASTS]):
        what = f"contrast {index + 1}"
        entries = mapping(item, what, CONTRAST_KEYS, ctx)
        if not isinstance(item, MappingNode):
            continue
        missing(entries, ("label", "snippet"), item, what, ctx)
        label = text(entries, "label", ctx, required=True)
        if label is not None:
            label = label.strip()
            if "\n" in label:
                ctx.at(entries["label"], f"the 'label' of {what} must be one line")
            elif label in first_label:
                ctx.at(entries["label"], f"{what} has the same label as contrast {first_label[label]}: {label!r}")
            first_label.setdefault(label, index + 1)
        code = entries.get("snippet")
        if isinstance(code, ScalarNode) and (is_null(code) or not str(code.value).strip()):
            ctx.at(code, f"the 'snippet' of {what} is empty; write the code that runs instead of the question's")
            continue
        snippet = text(entries, "snippet", ctx, required=True)
        python(snippet, code, "snippet", ctx, where=f" of {what}")
        if label is not None and snippet is not None:
            where = item.start_mark
            found.append(Contrast(label, snippet, line=where.line + 1, col=where.column + 1))
    return tuple(found)


def _letter(node: Node, count: int | None, ctx: Context) -> str | None:
    if not isinstance(node, ScalarNode) or not re.fullmatch(r"[A-Za-z]", str(node.value)):
        ctx.at(node, "an answer letter must be one letter such as A")
        return None
    letter = str(node.value).upper()
    if count is not None and letter not in LETTERS[:count]:
        ctx.at(node, f"answer '{letter}' names no choice (choices are A-{LETTERS[count - 1]})")
        return None
    return letter


def answer(
    entries: dict[str, Node], qtype: str, options: tuple[Choice, ...] | None, ctx: Context
) -> str | frozenset[str] | bool | None:
    node = entries.get("answer")
    if node is None:
        return None
    count = len(options) if options is not None else None
    if qtype == "single":
        return _letter(node, count, ctx)
    if qtype == "multiple":
        if not isinstance(node, SequenceNode) or not node.value:
            ctx.at(node, "a multiple question's 'answer' must be a list of letters such as [A, C]")
            return None
        letters = [_letter(item, count, ctx) for item in node.value]
        if None in letters:
            return None
        picked = [letter for letter in letters if letter is not None]
        if len(set(picked)) != len(picked):
            ctx.at(node, "the answer lists a letter twice")
            return None
        return frozenset(picked)
    if qtype == "true_false":
        value = constructed(node) if isinstance(node, ScalarNode) else None
        if not isinstance(value, bool):
            ctx.at(node, "a true_false question's 'answer' must be true or false")
            return None
        return value
    return text(entries, "answer", ctx, required=False)  # predict


def timeout(entries: dict[str, Node], ctx: Context) -> float | None:
    node = entries.get("timeout")
    if node is None:
        return None
    value = constructed(node) if isinstance(node, ScalarNode) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMEOUT:
        ctx.at(node, f"'timeout' must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}")
        return None
    return float(value)


def memory(entries: dict[str, Node], ctx: Context) -> float | None:
    node = entries.get("memory")
    if node is None:
        return None
    value = constructed(node) if isinstance(node, ScalarNode) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_MEMORY_GIB:
        ctx.at(node, f"'memory' must be a number of GiB above 0 and at most {MAX_MEMORY_GIB:g}")
        return None
    return float(value)


def tags(entries: dict[str, Node], ctx: Context) -> tuple[str, ...]:
    node = entries.get("tags")
    if node is None:
        return ()
    if not isinstance(node, SequenceNode) or not all(
        isinstance(item, ScalarNode) and str(item.value).strip() for item in node.value
    ):
        ctx.at(node, "'tags' must be a list of short words, such as [dropout, basic]")
        return ()
    return tuple(str(item.value).strip() for item in node.value)
