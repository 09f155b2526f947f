"""Which names Python code reads and binds, read without running it (for the ``holds`` cues)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

RUN_NAMES = frozenset({"torch", "nn", "F", "device"})  # in every run's namespace, bound by no snippet


def _name_loads(tree: ast.AST) -> set[str]:
    """The names an expression or a block reads, less those it binds inside itself
    (comprehension targets, lambda arguments)."""
    loads = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    inner: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.comprehension):
            inner |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Lambda):
            inner |= {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
    return loads - inner


def _module_level(body: Iterable[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a block outside function and class bodies (what binds the run's names)."""
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))


def snippet_names(source: str) -> set[str]:
    """The names a snippet binds at module level, and every name it reads."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in _module_level(tree.body):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            names |= set(node.names)
    return names - RUN_NAMES


def holds_names(expression: str) -> set[str] | None:
    """The names a ``holds`` expression reads (builtins among them); None if it does not parse."""
    try:
        tree = ast.parse(expression, mode="eval")
    except (SyntaxError, ValueError):
        return None
    return _name_loads(tree)
