"""Load question banks from YAML, reporting every problem as ``path:line:col: message``.

The loader composes the YAML into nodes (never constructing Python objects from tags) and
validates the node tree itself, so that each problem keeps the line and column a teacher
needs, a key given twice is caught (PyYAML would silently keep the last), and a file with
several mistakes reports all of them at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz_app.bank.grading import expect_pattern
from quiz_app.bank.model import (
    FORMAT_VERSION,
    LETTERS,
    MAX_TIMEOUT,
    QUESTION_TYPES,
    Bank,
    LoadResult,
    Problem,
    Question,
)

BANK_KEYS = ("format", "id", "title", "description", "language", "setup", "questions")
QUESTION_KEYS = (
    "id",
    "type",
    "prompt",
    "code",
    "choices",
    "answer",
    "snippet",
    "expect",
    "explanation",
    "tags",
    "timeout",
)
BANK_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
QUESTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
_YAML = "tag:yaml.org,2002:"
ALLOWED_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "seq", "map")}
SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null")}
MAX_NODES = 100_000


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_YAML) :] if tag.startswith(_YAML) else tag


class _Context:
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


def _constructed(node: ScalarNode) -> object:
    """The value of a plain scalar (None for a refused tag, which is reported elsewhere)."""
    if node.tag not in SCALAR_TAGS:
        return None
    return SafeConstructor().construct_object(node, deep=True)


def _check_tags(root: Node, ctx: _Context) -> None:
    """Refuse any tag outside plain YAML (``!!python/...`` above all). Never executes one."""
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
            ctx.at(node, f"YAML tag '{_short_tag(node.tag)}' is not allowed in a bank")
            continue
        if isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


def _mapping(node: Node, what: str, allowed: tuple[str, ...], ctx: _Context) -> dict[str, Node]:
    """A mapping's entries by key, reporting non-mappings, duplicate and unknown keys."""
    if not isinstance(node, MappingNode):
        ctx.at(node, f"{what} must be a mapping of keys to values")
        return {}
    entries: dict[str, Node] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == _YAML + "merge":
            ctx.at(key_node, f"{what} keys must be plain words (merge keys '<<' are not supported)")
            continue
        key = str(key_node.value)
        if key in first_line:
            ctx.at(key_node, f"duplicate key '{key}' (first given at line {first_line[key]})")
            continue
        first_line[key] = key_node.start_mark.line + 1
        if key not in allowed:
            hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            ctx.at(key_node, f"unknown key '{key}' in {what}{suggestion}")
            continue
        entries[key] = value_node
    return entries


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _YAML + "null"


def _text(entries: dict[str, Node], key: str, ctx: _Context, *, required: bool) -> str | None:
    """A text field, taken as written (``yes`` stays ``yes``, ``3`` stays ``3``)."""
    node = entries.get(key)
    if node is None:
        return None
    if not isinstance(node, ScalarNode):
        ctx.at(
            node,
            f"'{key}' must be text, not a {'list' if isinstance(node, SequenceNode) else 'mapping'}",
        )
        return None
    if _is_null(node) or not str(node.value).strip():
        if required:
            ctx.at(node, f"'{key}' must not be empty")
        return None
    return str(node.value)


def _missing(entries: dict[str, Node], keys: Iterable[str], owner: Node, what: str, ctx: _Context) -> None:
    for key in keys:
        if key not in entries:
            ctx.at(owner, f"{what} is missing the required key '{key}'")


def _python(source: str | None, node: Node | None, key: str, ctx: _Context) -> None:
    """Report a Python syntax error in code a bank will run, at its line in the file."""
    if source is None or node is None:
        return
    try:
        compile(source, f"<{key}>", "exec")
    except SyntaxError as error:
        if getattr(node, "style", None) in ("|", ">"):  # the code starts on the next line
            line = node.start_mark.line + 1 + (error.lineno or 1)
            col = ctx.indent(line) + (error.offset or 1)
        else:
            line, col = node.start_mark.line + 1, node.start_mark.column + (error.offset or 1)
        ctx.at_pos(line, col, f"Python syntax error in '{key}': {error.msg}")
    except (ValueError, OverflowError) as error:  # e.g. a NUL byte in the source
        ctx.at(node, f"Python code in '{key}' cannot be compiled: {error}")


def _expect(entries: dict[str, Node], ctx: _Context) -> str | None:
    expect = _text(entries, "expect", ctx, required=True)
    pattern = expect_pattern(expect) if expect is not None else None
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as error:
            ctx.at(entries["expect"], f"'expect' is not a valid regular expression: {error}")
    return expect


def _choices(entries: dict[str, Node], qtype: str, ctx: _Context) -> tuple[str, ...] | None:
    node = entries.get("choices")
    if qtype not in ("single", "multiple"):
        if node is not None:
            ctx.at(node, f"'choices' is not allowed for a {qtype} question")
        return ()
    if node is None:
        return None  # reported as missing by the caller
    bad = f"'choices' must be a list of 2 to {len(LETTERS)} strings"
    if not isinstance(node, SequenceNode) or not 2 <= len(node.value) <= len(LETTERS):
        ctx.at(node, bad)
        return None
    choices = []
    for item in node.value:
        if not isinstance(item, ScalarNode) or _is_null(item) or not str(item.value).strip():
            ctx.at(item, f"{bad}; this choice is empty or not text")
            return None
        choices.append(str(item.value))
    return tuple(choices)


def _letter(node: Node, choices: tuple[str, ...] | None, ctx: _Context) -> str | None:
    if not isinstance(node, ScalarNode) or not re.fullmatch(r"[A-Za-z]", str(node.value)):
        ctx.at(node, "an answer letter must be one letter such as A")
        return None
    letter = str(node.value).upper()
    if choices is not None and letter not in LETTERS[: len(choices)]:
        span = f"A-{LETTERS[len(choices) - 1]}"
        ctx.at(node, f"answer '{letter}' names no choice (choices are {span})")
        return None
    return letter


def _answer(
    entries: dict[str, Node], qtype: str, choices: tuple[str, ...] | None, ctx: _Context
) -> str | frozenset[str] | bool | None:
    node = entries.get("answer")
    if node is None:
        return None
    if qtype == "single":
        return _letter(node, choices, ctx)
    if qtype == "multiple":
        if not isinstance(node, SequenceNode) or not node.value:
            ctx.at(node, "a multiple question's 'answer' must be a list of letters such as [A, C]")
            return None
        letters = [_letter(item, choices, ctx) for item in node.value]
        if None in letters:
            return None
        picked = [letter for letter in letters if letter is not None]
        if len(set(picked)) != len(picked):
            ctx.at(node, "the answer lists a letter twice")
            return None
        return frozenset(picked)
    if qtype == "true_false":
        value = _constructed(node) if isinstance(node, ScalarNode) else None
        if not isinstance(value, bool):
            ctx.at(node, "a true_false question's 'answer' must be true or false")
            return None
        return value
    return _text(entries, "answer", ctx, required=False)  # predict


def _timeout(entries: dict[str, Node], ctx: _Context) -> float | None:
    node = entries.get("timeout")
    if node is None:
        return None
    value = _constructed(node) if isinstance(node, ScalarNode) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMEOUT:
        ctx.at(node, f"'timeout' must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}")
        return None
    return float(value)


def _tags(entries: dict[str, Node], ctx: _Context) -> tuple[str, ...]:
    node = entries.get("tags")
    if node is None:
        return ()
    if not isinstance(node, SequenceNode) or not all(
        isinstance(item, ScalarNode) and str(item.value).strip() for item in node.value
    ):
        ctx.at(node, "'tags' must be a list of short words, such as [dropout, basic]")
        return ()
    return tuple(str(item.value).strip() for item in node.value)


def _question(node: Node, index: int, ctx: _Context) -> Question | None:
    before = len(ctx.problems)
    what = f"question {index + 1}"
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == "id" and isinstance(value, ScalarNode):
                what = f"question '{value.value}'"
    entries = _mapping(node, what, QUESTION_KEYS, ctx)
    if not isinstance(node, MappingNode):
        return None
    qid = _text(entries, "id", ctx, required=True)
    if qid is not None:
        if not QUESTION_ID.match(qid):
            ctx.at(
                entries["id"],
                f"question id '{qid}' may hold only letters, digits, '-', '_' and '.'",
            )
    qtype = _text(entries, "type", ctx, required=True)
    if qtype is not None and qtype not in QUESTION_TYPES:
        hint = difflib.get_close_matches(qtype, QUESTION_TYPES, n=1)
        suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
        ctx.at(
            entries["type"],
            f"unknown question type '{qtype}'{suggestion}; use one of {', '.join(QUESTION_TYPES)}",
        )
        qtype = None
    required = ["id", "type", "prompt", "explanation"]
    if qtype in ("single", "multiple"):
        required += ["choices", "answer"]
    elif qtype == "true_false":
        required.append("answer")
    elif qtype == "predict":
        required.append("snippet")
    _missing(entries, required, node, what, ctx)
    prompt = _text(entries, "prompt", ctx, required=True)
    explanation = _text(entries, "explanation", ctx, required=True)
    code = _text(entries, "code", ctx, required=False)
    snippet = _text(entries, "snippet", ctx, required=qtype == "predict")
    _python(snippet, entries.get("snippet"), "snippet", ctx)
    expect = _expect(entries, ctx)
    tags = _tags(entries, ctx)
    timeout = _timeout(entries, ctx)
    choices = _choices(entries, qtype, ctx) if qtype else None
    answer = _answer(entries, qtype, choices, ctx) if qtype else None
    if len(ctx.problems) > before:
        return None
    assert qid is not None and qtype is not None and prompt is not None and explanation is not None
    return Question(
        id=qid,
        type=qtype,  # type: ignore[arg-type]
        prompt=prompt,
        explanation=explanation,
        code=code,
        choices=choices or (),
        answer=answer,
        snippet=snippet,
        expect=expect,
        tags=tags,
        timeout=timeout if timeout is not None else Question.timeout,
        line=node.start_mark.line + 1,
        col=node.start_mark.column + 1,
    )


def _bank(root: Node, path: Path, ctx: _Context) -> Bank | None:
    entries = _mapping(root, "the bank", BANK_KEYS, ctx)
    if not isinstance(root, MappingNode):
        return None
    _missing(entries, ("id", "title", "questions"), root, "the bank", ctx)
    version = FORMAT_VERSION
    if "format" in entries:
        node = entries["format"]
        value = _constructed(node) if isinstance(node, ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            ctx.at(node, "'format' must be a whole number such as 1")
        elif value > FORMAT_VERSION:
            ctx.at(
                node,
                f"format {value} is newer than this quiz-app reads (up to {FORMAT_VERSION}); upgrade quiz-app",
            )
            return None
        else:
            version = value
    bank_id = _text(entries, "id", ctx, required=True)
    if bank_id is not None and not BANK_ID.match(bank_id):
        ctx.at(
            entries["id"],
            f"bank id '{bank_id}' must be lower-case letters, digits and '-' (like 'my-bank')",
        )
    title = _text(entries, "title", ctx, required=True)
    description = _text(entries, "description", ctx, required=False) or ""
    language = _text(entries, "language", ctx, required=True) or "en"
    if "language" in entries and not LANGUAGE.match(language):
        ctx.at(
            entries["language"],
            f"'language' must be a language tag such as en or zh, not '{language}'",
        )
    setup = _text(entries, "setup", ctx, required=False) or ""
    _python(setup or None, entries.get("setup"), "setup", ctx)
    questions: list[Question] = []
    qnode = entries.get("questions")
    if qnode is not None:
        if not isinstance(qnode, SequenceNode) or not qnode.value:
            ctx.at(qnode, "'questions' must be a non-empty list of questions")
        else:
            first_line: dict[str, int] = {}
            for index, item in enumerate(qnode.value):
                question = _question(item, index, ctx)
                if question is None:
                    continue
                if question.id in first_line:
                    ctx.at(
                        item,
                        f"duplicate question id '{question.id}' (first at line {first_line[question.id]})",
                    )
                    continue
                first_line[question.id] = question.line
                questions.append(question)
    if ctx.problems:
        return None
    assert bank_id is not None and title is not None
    return Bank(
        id=bank_id,
        title=title,
        questions=tuple(questions),
        path=path,
        description=description,
        language=language,
        setup=setup,
        format=version,
    )


def _decode(raw: bytes, ctx: _Context) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        ctx.at_pos(
            line,
            col,
            f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x}); save it as UTF-8",
        )
        return None


# libyaml composes several times faster; its error messages are terser, so a file it refuses is
# composed again by the pure-Python loader, whose messages the problems quote.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose(text: str, ctx: _Context) -> Node | None:
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
        line = text.count("\n", 0, error.position) + 1
        col = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        ctx.at_pos(line, col, f"the file holds a character YAML does not allow ({error.character!r})")
    except yaml.YAMLError as error:
        ctx.at_pos(1, 1, f"YAML error: {error}")
    except RecursionError:
        ctx.at_pos(1, 1, "the YAML nests too deeply to be a bank")
    return None


def parse_bank(raw: bytes | str, path: Path | str = "<text>") -> tuple[Bank | None, list[Problem]]:
    """Parse one bank from its bytes. Returns the bank (None if any problem) and the problems."""
    path = Path(path)
    ctx = _Context(str(path))
    text = raw if isinstance(raw, str) else _decode(raw, ctx)
    if text is None:
        return None, ctx.problems
    ctx.lines = text.splitlines()
    if not text.strip():
        ctx.at_pos(1, 1, "the file is empty; a bank needs at least an id, a title and questions")
        return None, ctx.problems
    root = _compose(text, ctx)
    if root is None:
        if not ctx.problems:
            ctx.at_pos(1, 1, "the file holds no YAML document (only comments?)")
        return None, ctx.problems
    _check_tags(root, ctx)
    try:
        bank = _bank(root, path, ctx)
    except (ConstructorError, ValueError, RecursionError) as error:  # odd scalars, e.g. bad dates
        ctx.at(root, f"cannot read the bank: {error}")
        bank = None
    return bank, sorted(ctx.problems, key=lambda problem: (problem.line, problem.col))


def load_bank(path: Path) -> tuple[Bank | None, list[Problem]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, [Problem(str(path), 1, 1, f"cannot read the file: {error.strerror or error}")]
    return parse_bank(raw, path)


def bank_files(path: Path) -> list[Path]:
    """The bank files a path names: the file itself, or every .yaml/.yml under a folder."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [path]


def load_banks(paths: Iterable[Path]) -> LoadResult:
    """Load every bank the paths name. A broken file never stops the others."""
    result = LoadResult()
    owners: dict[str, Bank] = {}
    for root in paths:
        if not root.exists():
            result.problems.append(Problem(str(root), 1, 1, "no such file or folder"))
            continue
        for file in bank_files(root):
            bank, problems = load_bank(file)
            result.problems.extend(problems)
            if bank is None:
                continue
            if bank.id in owners:
                if owners[bank.id].path.resolve() == bank.path.resolve():
                    continue  # the same file named twice
                other = owners[bank.id].path
                result.problems.append(
                    Problem(
                        str(file),
                        1,
                        1,
                        f"bank id '{bank.id}' is already used by {other}; give each bank its own id",
                    )
                )
                continue
            owners[bank.id] = bank
            result.banks.append(bank)
    return result
