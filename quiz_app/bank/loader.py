"""Load question banks from files, reporting every problem as ``path:line:col: message``.

The work is split by seam: ``yaml_nodes`` decodes and composes YAML into nodes (never
constructing Python objects from tags), ``fields`` validates each field at its node, ``schema``
knows the keys of a bank and a question in each format, and this module reads files: only
regular files, at most ``MAX_BANK_BYTES``, and a broken file never stops the others.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from yaml.constructor import ConstructorError

from quiz_app.bank import schema
from quiz_app.bank.model import Bank, LoadResult, Problem
from quiz_app.bank.yaml_nodes import Context, check_nodes, compose, decode
from quiz_app.core import locations

MAX_BANK_BYTES = 1_000_000  # the bundled banks are about 25 kB each


def parse_bank(raw: bytes | str, path: Path | str = "<text>") -> tuple[Bank | None, list[Problem]]:
    """Parse one bank from its bytes. Returns the bank (None if any problem) and the problems.
    The bank keeps the SHA-256 of these very bytes (``Bank.sha256``), the ones its code comes from."""
    path = Path(path)
    ctx = Context(str(path))
    text = raw if isinstance(raw, str) else decode(raw, ctx)
    if text is None:
        return None, ctx.problems
    ctx.lines = text.splitlines()
    if not text.strip():
        ctx.at_pos(1, 1, "the file is empty; a bank needs at least an id, a title and questions")
        return None, ctx.problems
    root = compose(text, ctx)
    if root is None:
        if not ctx.problems:
            ctx.at_pos(1, 1, "the file holds no YAML document (only comments?)")
        return None, ctx.problems
    check_nodes(root, ctx)
    try:
        bank = schema.bank(root, path, ctx)
    except (ConstructorError, ValueError, RecursionError) as error:  # odd scalars, e.g. bad dates
        ctx.at(root, f"cannot read the bank: {error}")
        bank = None
    if bank is not None:
        data = raw.encode("utf-8") if isinstance(raw, str) else raw
        bank = dataclasses.replace(bank, sha256=hashlib.sha256(data).hexdigest())
    return bank, sorted(ctx.problems, key=lambda problem: (problem.line, problem.col))


def read_bank_bytes(path: Path) -> bytes:
    """A bank file's bytes. Raises ``OSError`` with a plain ``strerror`` for anything that is
    not a regular file of at most ``MAX_BANK_BYTES`` (a FIFO would block, ``/dev/zero`` never ends)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise OSError(0, "it is a folder, not a bank file")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "it is not a regular file (a pipe or a device?); a bank is a .yaml file")
        if info.st_size > MAX_BANK_BYTES:
            raise OSError(0, f"it is {info.st_size:,} bytes; a bank may be at most {MAX_BANK_BYTES:,}")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            raw = stream.read(MAX_BANK_BYTES + 1)
        if len(raw) > MAX_BANK_BYTES:
            raise OSError(0, f"it is over {MAX_BANK_BYTES:,} bytes, the most a bank may be")
        return raw
    finally:
        os.close(fd)


def load_bank(path: Path) -> tuple[Bank | None, list[Problem]]:
    try:
        raw = read_bank_bytes(path)
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
                message = f"bank id '{bank.id}' is already used by {other}; give each bank its own id"
                result.problems.append(Problem(str(file), 1, 1, message))
                continue
            owners[bank.id] = bank
            result.banks.append(bank)
    return result


def installed_folders(bundled: Path | None = None) -> list[Path]:
    """Where the installed banks are: the bundled banks' folder (``bundled``, tests point it
    elsewhere), then the player's banks folder, each where it exists."""
    folders = (bundled if bundled is not None else locations.bundled_banks_dir(), locations.user_banks_dir())
    return [folder for folder in folders if folder.is_dir()]


def load_installed(bundled: Path | None = None) -> LoadResult:
    """The banks installed here (bundled, then the player's folder). Broken files are problems
    of the result (``quiz-app check`` reports them); the other banks load regardless."""
    return load_banks(installed_folders(bundled))
