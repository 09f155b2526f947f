"""Opening the progress file: folder checks, connecting, WAL, and a cheap check for damage.

``PRAGMA quick_check`` reads the whole file (380 ms at 1M answers), so an open does not run
it. It reads the 100-byte header, the schema, and the first and last entries of every table
and index (the root and a few pages each): that finds a file that is not a database, an
overwritten header or schema, and damage on the pages every lookup passes through, in about
a millisecond at 1M answers. The full check runs only when the header looks wrong (the file
is shorter than the header says). Damage deeper inside is found when a query or a write
meets it (SQLITE_CORRUPT or SQLITE_NOTADB); the store then moves the file aside as it would
at open, and carries on with a fresh one.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from quiz_app.core import locations
from quiz_app.core.i18n import _
from quiz_app.progress import schema
from quiz_app.progress.errors import Damaged, StoreError, is_corruption, store_error
from quiz_app.progress.journal import journal_path, pending, replay_into
from quiz_app.progress.recovery import check_leftovers, companion, damaged_notice, identity, move_aside
from quiz_app.progress.waiting import Patience, until_free

_OPEN_TRIES = 3

SQLITE_HEADER = b"SQLite format 3\x00"


def prepare_folder(folder: Path) -> None:
    """Create the data folder if needed and prove that a file can be written in it."""
    variable = locations.HOME_ENV
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise StoreError(
            _(
                "cannot create the data folder {folder}: a file is in the way (set {variable} to use another folder)"
            ).format(folder=folder, variable=variable)
        ) from exc
    except OSError as exc:
        raise StoreError(
            # TRANSLATORS: {reason} is the system's reason, in English ("Permission denied")
            _("cannot create the data folder {folder}: {reason} (set {variable} to use another folder)").format(
                folder=folder, reason=exc.strerror or exc, variable=variable
            )
        ) from exc
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".quiz-app-write-test-"):
            pass
    except OSError as exc:
        raise StoreError(
            # TRANSLATORS: {reason} is the system's reason, in English ("Permission denied")
            _("cannot write to the data folder {folder}: {reason} (set {variable} to use another folder)").format(
                folder=folder, reason=exc.strerror or exc, variable=variable
            )
        ) from exc


def check_not_folder(target: Path) -> None:
    if target.is_dir():
        raise StoreError(_("cannot open the progress file {path}: it is a folder").format(path=target))


def check_writable(target: Path) -> None:
    check_not_folder(target)
    if target.exists() and not os.access(target, os.W_OK):
        raise StoreError(
            _("cannot write to the progress file {path}: it is read-only; check the file's permissions").format(
                path=target
            )
        )


def check_header(path: Path) -> bool:
    """Raise :class:`Damaged` if the file cannot be an SQLite database.

    Returns True when it may be one but looks truncated: the caller then runs the full check.
    Runs before SQLite opens the file, because SQLite deletes the journals of an unreadable one.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(100)
            size = os.fstat(handle.fileno()).st_size
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StoreError(
            _("cannot read the progress file {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from exc
    if not head:
        return False  # an empty file is a new, empty database
    if head[: len(SQLITE_HEADER)] != SQLITE_HEADER:
        raise Damaged(_("it does not start like an SQLite database"))
    if len(head) < 100:
        return True
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise Damaged(_("its header gives an impossible page size ({size})").format(size=page_size))
    pages = int.from_bytes(head[28:32], "big")
    header_size_valid = pages > 0 and head[24:28] == head[92:96]
    # Shorter than the header says (mid-checkpoint, or truncated): let SQLite judge.
    return size % page_size != 0 or (header_size_valid and size < pages * page_size)


def connect(path: Path, busy_timeout_s: float, *, readonly: bool = False) -> sqlite3.Connection:
    if readonly:
        return sqlite3.connect(
            f"{path.as_uri()}?mode=ro",
            uri=True,
            timeout=busy_timeout_s,
            isolation_level=None,
            check_same_thread=False,
        )
    return sqlite3.connect(str(path), timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)


def probe(conn: sqlite3.Connection, *, full: bool = False) -> None:
    """Read the schema and both ends of every b-tree; raise :class:`Damaged` on damage found.

    SQLite's own corruption errors propagate as they are (the caller tells them apart).
    """
    if full:
        problems = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise Damaged("; ".join(problems[:3]))
        return
    edges: list[str] = []
    for kind, name, table, sql, first_column in conn.execute(_TREES).fetchall():
        if kind == "index":
            if first_column is not None:  # not an index on an expression
                edges += [
                    f"SELECT {edge}({_quote(first_column)}) FROM {_quote(table)} INDEXED BY {_quote(name)}"
                    for edge in ("min", "max")
                ]
        elif "WITHOUT ROWID" in " ".join(str(sql).upper().split()):
            keys = [
                r[0] for r in conn.execute("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", (name,))
            ]
            if keys:
                edges += [
                    f"SELECT {_quote(keys[0])} FROM {_quote(name)}"
                    f" ORDER BY {', '.join(_quote(key) + order for key in keys)} LIMIT 1"
                    for order in ("", " DESC")
                ]
        else:
            edges += [f"SELECT {edge}(rowid) FROM {_quote(name)}" for edge in ("min", "max")]
    if not edges:
        return
    try:  # one statement in all, so that opening stays around a millisecond
        conn.execute("SELECT " + ", ".join(f"({edge})" for edge in edges)).fetchall()
    except sqlite3.Error as exc:
        if is_corruption(exc):
            raise
        for edge in edges:  # another program's odd schema: each on its own, for what it proves
            _edge(conn, edge)


# Every b-tree, with what its probes need: a table's SQL (WITHOUT ROWID?), an index's first column.
_TREES = """
SELECT m.type, m.name, m.tbl_name, m.sql, (SELECT i.name FROM pragma_index_info(m.name) AS i WHERE i.seqno = 0)
FROM sqlite_master AS m WHERE m.type IN ('table', 'index') AND m.rootpage > 0
"""


def _edge(conn: sqlite3.Connection, sql: str) -> None:
    """Run one probe. Only damage counts: a probe SQLite cannot plan proves nothing either way."""
    try:
        conn.execute(sql).fetchall()
    except sqlite3.Error as exc:
        if is_corruption(exc):
            raise


def setup_for_writing(conn: sqlite3.Connection, patience: Patience) -> None:
    """WAL, durable commits, foreign keys, and the schema brought up to date (waiting if busy)."""
    until_free(lambda: conn.execute("PRAGMA journal_mode = WAL").fetchall(), "open", patience)
    conn.execute("PRAGMA synchronous = FULL")  # a commit is on disk before it returns
    conn.execute("PRAGMA foreign_keys = ON")
    until_free(lambda: schema.migrate(conn), "upgrade", patience)


def setup_for_reading(conn: sqlite3.Connection, path: Path, notices: list[str]) -> int:
    """Refuse writes on this connection and check the schema version, migrating nothing.

    Returns the version found. An older version is read as it is (with a notice); a newer one
    or another program's database raises the errors :func:`schema.migrate` would.
    """
    conn.execute("PRAGMA query_only = ON")
    found = schema.user_version(conn)
    if found > schema.LATEST_VERSION:
        raise schema.NewerSchemaError(found)
    if found == 0:
        if conn.execute("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone()[0]:
            raise schema.ForeignDatabaseError()
    elif found < schema.LATEST_VERSION:
        notices.append(
            _(
                "The progress file {path} was written by an older quiz_app (schema version {found}; "
                "this one uses {latest}). It was read as it is, which may be slower; "
                "it is upgraded the next time quiz_app opens it to play."
            ).format(path=path, found=found, latest=schema.LATEST_VERSION)
        )
    return found


def foreign_reason() -> str:
    """Why another program's SQLite database is moved aside (the reason in its notice)."""
    return _("it is an SQLite database, but not one quiz_app made")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# -- opening, from start to end ------------------------------------------------------------


def newer_error(target: Path, found: int) -> StoreError:
    return StoreError(
        _(
            "the progress file {path} was written by a newer quiz_app (schema version {found}; this one knows up to "
            "{latest}). Update quiz_app, or set {variable} to use another folder."
        ).format(path=target, found=found, latest=schema.LATEST_VERSION, variable=locations.HOME_ENV)
    )


def open_for_writing(target: Path, patience: Patience, notices: list[str]) -> sqlite3.Connection:
    """A connection to an up-to-date database with the journal's answers in it; a damaged
    file is moved aside first (what was done goes to ``notices``)."""
    for _attempt in range(_OPEN_TRIES):
        seen = identity(target)
        try:
            suspect = check_header(target)  # before SQLite: it deletes the journals of an unreadable file
            check_leftovers(target, notices)
            conn = connect(target, patience.busy_timeout_s)
            try:
                probe(conn, full=suspect)
                setup_for_writing(conn, patience)
                replay_into(conn, target, patience, notices)
            except BaseException:
                conn.close()
                raise
            return conn
        except Damaged as damage:
            reason = str(damage)
        except schema.ForeignDatabaseError:
            reason = foreign_reason()
        except schema.NewerSchemaError as exc:
            raise newer_error(target, exc.found) from exc
        except sqlite3.Error as exc:
            if not is_corruption(exc):
                raise store_error("open", target, exc) from exc
            reason = str(exc)
        # Damaged: move it aside unless another process already replaced it.
        if seen is not None and identity(target) == seen:
            aside = move_aside(target, ".corrupt")
            notices.append(damaged_notice(target, aside, reason))
    raise StoreError(
        _(
            "cannot open the progress file {path}: it kept changing while it was checked; "
            "is another program writing to it?"
        ).format(path=target)
    )


def open_for_reading(target: Path, patience: Patience, notices: list[str]) -> tuple[sqlite3.Connection | None, int]:
    """A read-only connection and the schema version found; (None, 0) if there is no database."""
    check_not_folder(target)
    if pending(journal_path(target)):
        notices.append(
            _(
                "Answers saved by an earlier session wait in {path}; they are not "
                "counted here, and are committed the next time quiz_app opens the progress file to play."
            ).format(path=journal_path(target))
        )
    try:
        # An empty file is a new database, unless its first transactions are still in the WAL.
        empty = target.stat().st_size == 0 and not pending(companion(target, "-wal"))
    except FileNotFoundError:
        empty = True
    if empty:
        return None, 0
    seen = identity(target)
    try:
        suspect = check_header(target)
        conn = connect(target, patience.busy_timeout_s, readonly=True)
        try:
            version = setup_for_reading(conn, target, notices)
            probe(conn, full=suspect)
        except BaseException:
            conn.close()
            raise
    except Damaged as damage:
        return set_aside(target, seen, str(damage), notices)
    except schema.ForeignDatabaseError:
        return set_aside(target, seen, foreign_reason(), notices)
    except schema.NewerSchemaError as exc:
        raise newer_error(target, exc.found) from exc
    except sqlite3.Error as exc:
        if is_corruption(exc):
            return set_aside(target, seen, str(exc), notices)
        raise store_error("read", target, exc) from exc
    if version == 0:  # an SQLite file with nothing in it yet
        conn.close()
        return None, 0
    return conn, version


def set_aside(target: Path, seen: tuple[int, int] | None, reason: str, notices: list[str]) -> tuple[None, int]:
    """A file nothing can read is moved aside even by a read-only open (as by any open: it
    is renamed, never written); reading goes on as if there were no database yet, and no new
    file is made."""
    if seen is not None and identity(target) == seen:
        aside = move_aside(target, ".corrupt")
        notices.append(
            _(
                "The progress file {path} could not be used ({reason}). It was moved to {aside}, "
                "nothing was deleted; quiz_app starts a new one the next time it opens it to play."
            ).format(path=target, reason=reason, aside=aside)
        )
    return None, 0
