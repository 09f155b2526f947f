"""The schema of a bank and its questions: which keys, which are required, in which format."""

from __future__ import annotations

import re
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from quiz_app.bank import fields
from quiz_app.bank.model import FORMAT_VERSION, LETTERS, QUESTION_TYPES, Bank, Question
from quiz_app.bank.yaml_nodes import Context, constructed, did_you_mean, mapping

BANK_KEYS = ("format", "id", "title", "description", "language", "setup", "shuffle", "misconceptions", "questions")
QUESTION_KEYS = (
    "id",
    "type",
    "title",
    "prompt",
    "code",
    "choices",
    "answer",
    "snippet",
    "holds",
    "expect",
    "explanation",
    "tags",
    "timeout",
    "memory",
    "contrasts",
    "fixed_order",
)
FORMAT_2_BANK_KEYS = ("misconceptions",)
FORMAT_2_QUESTION_KEYS = ("holds", "contrasts")
BANK_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
QUESTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\Z")
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")


def _needs_format_2(entries: dict[str, Node], keys: tuple[str, ...], fmt: int, ctx: Context) -> None:
    if fmt >= 2:
        return
    for key in keys:
        if key in entries:
            ctx.at(entries[key], f"'{key}' needs 'format: 2' at the top of the bank")


def _question_name(node: Node, index: int) -> str:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == "id" and isinstance(value, ScalarNode):
                return f"question '{value.value}'"
    return f"question {index + 1}"


def _type(entries: dict[str, Node], ctx: Context) -> str | None:
    qtype = fields.text(entries, "type", ctx, required=True)
    if qtype is not None and qtype not in QUESTION_TYPES:
        hint = did_you_mean(qtype, QUESTION_TYPES, cutoff=0.6)
        ctx.at(entries["type"], f"unknown question type '{qtype}'{hint}; use one of {', '.join(QUESTION_TYPES)}")
        return None
    return qtype


def question(node: Node, index: int, fmt: int, catalogue: dict[str, str], ctx: Context) -> Question | None:
    before = len(ctx.problems)
    what = _question_name(node, index)
    entries = mapping(node, what, QUESTION_KEYS, ctx)
    if not isinstance(node, MappingNode):
        return None
    _needs_format_2(entries, FORMAT_2_QUESTION_KEYS, fmt, ctx)
    qid = fields.text(entries, "id", ctx, required=True)
    if qid is not None and not QUESTION_ID.match(qid):
        ctx.at(entries["id"], f"question id '{qid}' may hold only letters, digits, '-', '_' and '.'")
    qtype = _type(entries, ctx)
    required = ["id", "type", "prompt", "explanation"]
    if qtype in ("single", "multiple"):
        required += ["choices", "answer"]
    elif qtype == "true_false":
        required.append("answer")
    elif qtype == "predict":
        required.append("snippet")
    fields.missing(entries, required, node, what, ctx)
    prompt = fields.text(entries, "prompt", ctx, required=True)
    explanation = fields.text(entries, "explanation", ctx, required=True)
    title = fields.text(entries, "title", ctx, required=True)
    code = fields.text(entries, "code", ctx, required=False)
    snippet = fields.text(entries, "snippet", ctx, required=qtype == "predict")
    fields.python(snippet, entries.get("snippet"), "snippet", ctx)
    holds = fields.text(entries, "holds", ctx, required=True) if fmt >= 2 else None
    fields.python(holds, entries.get("holds"), "holds", ctx, mode="eval")
    if "holds" in entries and fmt >= 2 and qtype not in (None, "true_false"):
        message = f"a question-level 'holds' is for true_false questions; a {qtype} question puts it on its choices"
        ctx.at(entries["holds"], message)
    expect = fields.expect(entries, ctx)
    tags = fields.tags(entries, ctx)
    timeout = fields.timeout(entries, ctx)
    memory = fields.memory(entries, ctx)
    options = fields.choices(entries, qtype, fmt, catalogue, ctx) if qtype else None
    answer = fields.answer(entries, qtype, options, ctx) if qtype else None
    if options and answer is not None:
        for letter, choice in zip(LETTERS[: len(options)], options, strict=True):
            keyed = answer == letter if isinstance(answer, str) else isinstance(answer, frozenset) and letter in answer
            if keyed and choice.misconception:
                message = f"choice {letter} is keyed as right, so it cannot carry a misconception"
                ctx.at_pos(choice.line, choice.col, message)
    uses_holds = holds is not None or any(choice.holds for choice in options or ())
    if uses_holds and snippet is None and qtype is not None:
        ctx.at(node, f"{what} uses 'holds', which is evaluated after its 'snippet'; add the snippet it tests")
    contrasts = fields.contrasts(entries.get("contrasts"), ctx) if fmt >= 2 else ()
    if "contrasts" in entries and fmt >= 2 and snippet is None:
        message = f"{what} has 'contrasts', each run instead of its 'snippet'; add the snippet they change"
        ctx.at(entries["contrasts"], message)
    fixed_order = fields.flag(entries, "fixed_order", ctx)
    if "fixed_order" in entries and qtype in ("true_false", "predict"):
        ctx.at(entries["fixed_order"], f"'fixed_order' keeps choices in order; a {qtype} question has none")
    if len(ctx.problems) > before:
        return None
    assert qid is not None and qtype is not None and prompt is not None and explanation is not None
    return Question(
        id=qid,
        type=qtype,  # type: ignore[arg-type]
        prompt=prompt,
        explanation=explanation,
        code=code,
        choices=options or (),
        answer=answer,
        snippet=snippet,
        expect=expect,
        tags=tags,
        timeout=timeout if timeout is not None else Question.timeout,
        holds=holds,
        memory=memory,
        title=title,
        contrasts=contrasts,
        fixed_order=bool(fixed_order),
        line=node.start_mark.line + 1,
        col=node.start_mark.column + 1,
    )


def _format(entries: dict[str, Node], ctx: Context) -> int | None:
    """The bank's format version; None when it is newer than this quiz_app reads."""
    node = entries.get("format")
    if node is None:
        return 1
    value = constructed(node) if isinstance(node, ScalarNode) else None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        ctx.at(node, f"'format' must be a whole number such as {FORMAT_VERSION}")
        return 1
    if value > FORMAT_VERSION:
        ctx.at(node, f"format {value} is newer than this quiz-app reads (up to {FORMAT_VERSION}); upgrade quiz-app")
        return None
    return value


def bank(root: Node, path: Path, ctx: Context) -> Bank | None:
    entries = mapping(root, "the bank", BANK_KEYS, ctx)
    if not isinstance(root, MappingNode):
        return None
    fields.missing(entries, ("id", "title", "questions"), root, "the bank", ctx)
    fmt = _format(entries, ctx)
    if fmt is None:
        return None
    _needs_format_2(entries, FORMAT_2_BANK_KEYS, fmt, ctx)
    bank_id = fields.text(entries, "id", ctx, required=True)
    if bank_id is not None and not BANK_ID.match(bank_id):
        ctx.at(entries["id"], f"bank id '{bank_id}' must be lower-case letters, digits and '-' (like 'my-bank')")
    title = fields.text(entries, "title", ctx, required=True)
    description = fields.text(entries, "description", ctx, required=False) or ""
    language = fields.text(entries, "language", ctx, required=True) or "en"
    if "language" in entries and not LANGUAGE.match(language):
        ctx.at(entries["language"], f"'language' must be a language tag such as en or zh, not '{language}'")
    setup = fields.text(entries, "setup", ctx, required=False) or ""
    fields.python(setup or None, entries.get("setup"), "setup", ctx)
    shuffle = fields.flag(entries, "shuffle", ctx)  # None: not given (see Bank.shuffle)
    catalogue = fields.misconceptions(entries.get("misconceptions"), ctx) if fmt >= 2 else {}
    questions: list[Question] = []
    qnode = entries.get("questions")
    if qnode is not None:
        if not isinstance(qnode, SequenceNode) or not qnode.value:
            ctx.at(qnode, "'questions' must be a non-empty list of questions")
        else:
            first_line: dict[str, int] = {}
            for index, item in enumerate(qnode.value):
                found = question(item, index, fmt, catalogue, ctx)
                if found is None:
                    continue
                if found.id in first_line:
                    ctx.at(item, f"duplicate question id '{found.id}' (first at line {first_line[found.id]})")
                    continue
                first_line[found.id] = found.line
                questions.append(found)
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
        format=fmt,
        misconceptions=catalogue,
        shuffle=shuffle,
    )
