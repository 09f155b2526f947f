"""Messages made below the interface, in the interface's language: why a question is dubious
(the class report), what the progress store did to a damaged or busy file (its notices), why it
cannot use the file at all (its errors), why an answers file was refused or a line of it skipped
(export and import, the record checks included), why a report's --since is not a date, and why a
sandbox guard is missing (``quiz-app where``, the consent dialog). English stays the default;
each message is translated when it is made, so that a language switch takes effect."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.progress import rec

from quiz_app import cli
from quiz_app.classroom import ExportRefused, import_file, read_export
from quiz_app.classroom.answers import parse_since
from quiz_app.classroom.stats import Shape, dubious_reasons
from quiz_app.core import i18n, locations
from quiz_app.progress import (
    AnswerJournaled,
    MisconceptionMark,
    ProgressStore,
    StoreError,
    errors,
    journal,
    opening,
    recovery,
    schema,
)
from quiz_app.progress import store as store_module
from quiz_app.progress.errors import Damaged
from quiz_app.progress.records import check_record
from quiz_app.runner import sandbox

STAMP = "2026-11-27T10:00:00.000000+00:00"


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    """The active language is module state: each test here leaves English behind."""
    yield
    i18n.activate("en")


def speak(language: str) -> None:
    """Chinese when asked; English is what a test starts with (tests/conftest.py), untouched."""
    assert i18n.active() == "en"
    if language != "en":
        i18n.activate(language)


# -- why a question deserves a look (quiz_app/classroom/stats.py) ----------------------------------

SINGLE = Shape("letters", "ABCD", frozenset({"A"}))
MULTIPLE = Shape("letters", "ABCD", frozenset({"A", "C"}))

DUBIOUS = {
    "en": [
        ["negative discrimination (-0.30)"],
        ["facility 10% is below 20%: a wrong key, or taught wrong?"],
        ["facility 100% is above 95%: it tells no one apart"],
        ["B (7) was chosen more often than the key A (5)"],
        ["B (4) was chosen more often than the key A, C; C had 3"],
    ],
    "zh": [
        ["区分度为负（-0.30）"],
        ["通过率 10% 低于 20%：是标准答案错了，还是讲错了？"],
        ["通过率 100% 高于 95%：区分不出学生"],
        ["B（7）被选的次数多于标准答案 A（5）"],
        ["B（4）被选的次数多于标准答案 A, C；其中 C 只有 3"],
    ],
}


def all_reasons() -> list[list[str]]:
    return [
        dubious_reasons(SINGLE, 10, 0.5, -0.3, {"A": 5}),
        dubious_reasons(SINGLE, 10, 0.1, None, {"A": 1}),
        dubious_reasons(SINGLE, 20, 1.0, None, {"A": 20}),
        dubious_reasons(SINGLE, 12, 5 / 12, None, {"A": 5, "B": 7}),
        dubious_reasons(MULTIPLE, 9, 0.5, None, {"A": 5, "B": 4, "C": 3}),
    ]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_reasons_a_question_is_dubious_speak_the_language(language: str) -> None:
    speak(language)
    assert all_reasons() == DUBIOUS[language]


def test_the_reasons_follow_a_language_switch() -> None:
    i18n.activate("zh")
    assert all_reasons() == DUBIOUS["zh"]
    i18n.activate("en")
    assert all_reasons() == DUBIOUS["en"]


def test_the_class_report_on_the_command_line_gives_its_reasons_in_chinese(
    quiz_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with ProgressStore.open(locations.database_path()) as store:
        for player, response in [("ann", "A"), ("bob", "B"), ("cem", "B")]:  # no bank installed: key from "A"
            store.record_answer(rec(player=player, answer=response, correct=response == "A"))
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["report"]) == 0
    out = capsys.readouterr().out
    assert "(?) 存疑，值得一看：" in out
    assert "q1: B（2）被选的次数多于标准答案 A（1）" in out
    assert "was chosen more often" not in out


# -- the progress store's notices (quiz_app/progress) ----------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_damaged_file_moved_aside_is_told_in_the_language(tmp_path: Path, db: Path, language: str) -> None:
    db.write_bytes(b"not a database at all\n" * 100)
    speak(language)
    with ProgressStore.open(db) as fresh:
        (aside,) = [p for p in tmp_path.iterdir() if p.name.startswith(db.name + ".corrupt-")]
        expected = {
            "en": f"The progress file {db} could not be used (it does not start like an SQLite database). "
            f"It was moved to {aside}, nothing was deleted, and a new, empty progress file was started at {db}.",
            "zh": f"无法使用进度文件 {db}（它的开头不像 SQLite 数据库）。它已被移到 {aside}，"
            f"没有删除任何内容，并在 {db} 新建了一个空的进度文件。",
        }
        assert fresh.notices == [expected[language]]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_another_programs_database_read_only_is_set_aside_in_the_language(
    tmp_path: Path, db: Path, language: str
) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE answers (something_else TEXT)")
    conn.commit()
    conn.close()
    speak(language)
    with ProgressStore.open(db, readonly=True) as reader:
        (aside,) = [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
        expected = {
            "en": f"The progress file {db} could not be used (it is an SQLite database, but not one quiz_app "
            f"made). It was moved to {aside}, nothing was deleted; quiz_app starts a new one the next time it "
            "opens it to play.",
            "zh": f"无法使用进度文件 {db}（它是 SQLite 数据库，但不是 quiz_app 创建的）。它已被移到 {aside}，"
            "没有删除任何内容；下次 quiz_app 打开它答题时会新建一个。",
        }
        assert reader.notices == [expected[language]]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_answers_committed_from_the_journal_and_lines_kept_aside_are_told_in_the_language(
    tmp_path: Path, db: Path, language: str
) -> None:
    ProgressStore.open(db).close()
    path = journal.journal_path(db)
    journal.append(path, rec(), STAMP)
    with path.open("ab") as handle:
        handle.write(b'not json at all\n{"v": 1, "cut off')
    speak(language)
    with ProgressStore.open(db) as reopened:
        (copy,) = [p for p in tmp_path.iterdir() if ".pending-damaged-" in p.name]
        expected = {
            "en": [
                f"1 answer saved by the last session was committed now (from {path}).",
                f"2 lines of the answer journal {path} could not be read; they were kept in {copy}, "
                "nothing was deleted.",
            ],
            "zh": [
                f"上次会话保存的 1 个回答现已写入数据库（来自 {path}）。",
                f"回答日志 {path} 中有 2 行无法读取；这些行已保存在 {copy}，没有删除任何内容。",
            ],
        }
        assert reopened.notices == expected[language]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_read_only_open_of_an_older_file_with_answers_waiting_says_so_in_the_language(
    db: Path, language: str
) -> None:
    conn = sqlite3.connect(db, isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:2])
    conn.close()
    path = journal.journal_path(db)
    journal.append(path, rec(), STAMP)
    speak(language)
    with ProgressStore.open(db, readonly=True) as reader:
        waiting, older = reader.notices
    latest = schema.LATEST_VERSION
    if language == "en":
        assert waiting == (
            f"Answers saved by an earlier session wait in {path}; they are not counted here, and are "
            "committed the next time quiz_app opens the progress file to play."
        )
        assert older.startswith(
            f"The progress file {db} was written by an older quiz_app (schema version 2; this one uses {latest})."
        )
    else:
        assert waiting == (
            f"之前的会话保存的回答还在 {path} 中等待写入；此处不统计这些回答，"
            "下次 quiz_app 打开进度文件答题时会把它们写入数据库。"
        )
        assert older == (
            f"进度文件 {db} 由较旧版本的 quiz_app 写入（数据库结构版本 2；当前版本使用 {latest}）。"
            "已按原样读取，可能较慢；下次 quiz_app 打开它答题时会升级。"
        )


def test_a_journal_without_its_database_is_told_in_chinese(tmp_path: Path, db: Path) -> None:
    Path(f"{db}-wal").write_bytes(b"\x01" * 9000)
    i18n.activate("zh")
    with ProgressStore.open(db) as fresh:
        (kept,) = [p for p in tmp_path.iterdir() if ".orphaned-" in p.name]
        assert fresh.notices == [
            f"发现了日志文件，却没有对应的进度文件 {db}；日志文件已移到 {kept}，并新建了一个空的进度文件。"
        ]


def test_a_damaged_journal_beside_a_good_file_is_told_in_chinese(tmp_path: Path, db: Path) -> None:
    with ProgressStore.open(db) as first:
        first.record_answer(rec())
    Path(f"{db}-wal").write_bytes(b"\x02" * 9000)  # no WAL header: SQLite would drop it
    i18n.activate("zh")
    with ProgressStore.open(db) as again:
        (copy,) = [p for p in tmp_path.iterdir() if ".damaged-wal-" in p.name]
        assert again.notices == [
            f"进度文件旁的日志 {db}-wal 已损坏，最后保存在其中的回答无法读回；已在 {copy} 保留了一份副本。"
        ]


def test_stats_on_the_command_line_prints_the_stores_notices_in_chinese(
    quiz_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    quiz_home.mkdir(parents=True)
    locations.database_path().write_bytes(b"\x00" * 4096)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["stats"]) == 0
    err = capsys.readouterr().err
    assert f"无法使用进度文件 {locations.database_path()}（它的开头不像 SQLite 数据库）。" in err
    assert "could not be used" not in err


# -- answers files refused or skipped (quiz_app/classroom/export.py) -------------------------------


def answers_file(path: Path, *lines: str, version: int = 1) -> Path:
    head = json.dumps({"format": "quiz-app-answers", "version": version, "exported_at": STAMP, "player": None})
    path.write_text("\n".join([head, *lines]) + "\n", encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(ExportRefused) as refused:
        read_export(path)
    return str(refused.value)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_refused_answers_file_is_told_in_the_language(tmp_path: Path, language: str) -> None:
    odd = tmp_path / "odd.jsonl"
    odd.write_text('{"format": "other"}\n', encoding="utf-8")
    future = answers_file(tmp_path / "future.jsonl", version=9)
    zero = answers_file(tmp_path / "zero.jsonl", version=0)
    missing = tmp_path / "missing.jsonl"
    speak(language)
    refusals = [refusal(odd), refusal(future), refusal(zero), refusal(missing)]
    expected = {
        "en": [
            f"{odd}:1: not a quiz-app answers file (it should start with a 'quiz-app-answers' header line)",
            f"{future}: written by a newer quiz-app (answers format version 9; this one reads up to version 1). "
            "Update quiz-app to read it; nothing was read from it.",
            f"{zero}:1: the header's version must be a whole number from 1, not 0",
            f"{missing}: cannot read it: No such file or directory",
        ],
        "zh": [
            f"{odd}:1: 不是 quiz-app 回答文件（第一行应是 'quiz-app-answers' 文件头）",
            f"{future}：由较新版本的 quiz-app 写入（回答文件格式版本 9；当前版本最多能读取版本 1）。"
            "请更新 quiz-app 后再读取；未从中读取任何内容。",
            f"{zero}:1: 文件头中的版本号必须是从 1 起的整数，而不是 0",
            f"{missing}：无法读取：No such file or directory",  # the OS's words stay as the OS gives them
        ],
    }
    assert refusals == expected[language]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_skipped_line_says_why_in_the_language(tmp_path: Path, language: str) -> None:
    good = {
        "uid": "u1",
        "player": "cem",
        "bank_id": "b",
        "question_id": "q1",
        "question_hash": "ff",
        "answer": "A",
        "correct": True,
        "seconds": 3.0,
        "device": None,
        "answered_at": "2026-09-02T10:00:00+02:00",
        "misconceptions": [],
    }
    path = answers_file(
        tmp_path / "cem.jsonl",
        "not json",
        "[1, 2]",
        json.dumps({k: v for k, v in good.items() if k != "uid"}),
        json.dumps(good | {"misconceptions": "none"}),
        json.dumps(good | {"answered_at": "yesterday"}),
        json.dumps(good | {"correct": 1}),
        json.dumps(good | {"torch": 2}),
        json.dumps(good),
    )
    with path.open("ab") as handle:
        handle.write(b"\xff\xfe\n")  # not UTF-8
    speak(language)
    read = read_export(path)
    assert [a.uid for a in read.answers] == ["u1"]
    problems = [problem.split(": ", 1) for problem in read.problems]
    assert [where for where, _why in problems] == [f"{path}:{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10)]
    expected = {
        "en": [
            "not a JSON object (Expecting value, column 1)",
            "not a JSON object",
            "the answer has no 'uid'",
            "'misconceptions' must be a list of objects",
            "'answered_at' must be a date and time with its time zone, not 'yesterday'",
            "'correct' must be true, false or null, not 1",
            "'torch' must be a version string, not 2",
            "not UTF-8 text",
        ],
        "zh": [
            "不是 JSON 对象（Expecting value，第 1 列）",
            "不是 JSON 对象",
            "该回答缺少 'uid'",
            "'misconceptions' 必须是对象列表",
            "'answered_at' 必须是带时区的日期和时间，而不是 'yesterday'",
            "'correct' 必须是 true、false 或 null，而不是 1",
            "'torch' 必须是版本号字符串，而不是 2",
            "不是 UTF-8 文本",
        ],
    }
    assert [why for _where, why in problems] == expected[language]


def test_import_on_the_command_line_refuses_and_skips_in_chinese(
    quiz_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    future = answers_file(tmp_path / "future.jsonl", version=9)
    damaged = answers_file(tmp_path / "damaged.jsonl", "[1, 2]")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["import", str(future), str(damaged)]) == 1
    captured = capsys.readouterr()
    assert f"{future}：由较新版本的 quiz-app 写入（回答文件格式版本 9" in captured.err
    assert f"{damaged}:2: 不是 JSON 对象（已跳过该行）" in captured.err
    assert f"{damaged}：读取 0 个回答，新增 0 个，0 个已存在" in captured.out


# -- why a sandbox guard is missing (quiz_app/runner/sandbox.py) -----------------------------------


@pytest.fixture
def landlock_abi_3(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A kernel with Landlock ABI 3: files guarded, network and signals not. ``_available`` is
    cached for the process's life: emptied before and after, so that other tests see this machine."""
    monkeypatch.setattr(sandbox, "landlock_abi", lambda: 3)
    sandbox._available.cache_clear()
    yield
    sandbox._available.cache_clear()


@pytest.mark.usefixtures("landlock_abi_3")
def test_why_a_guard_is_missing_is_translated_when_asked_not_when_cached() -> None:
    _guards, missing = sandbox.available()
    assert missing["network"] == "needs Landlock ABI 4 (Linux 6.7)"
    assert missing["signals"] == "needs Landlock ABI 6 (Linux 6.12)"
    i18n.activate("zh")  # after the reasons were cached in English
    _guards, missing = sandbox.available()
    assert missing["network"] == "需要 Landlock ABI 4（Linux 6.7）"
    assert missing["signals"] == "需要 Landlock ABI 6（Linux 6.12）"
    i18n.activate("en")
    assert sandbox.available()[1]["network"] == "needs Landlock ABI 4 (Linux 6.7)"


@pytest.mark.usefixtures("landlock_abi_3")
def test_where_says_why_a_guard_is_missing_in_chinese(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["where"]) == 0
    out = capsys.readouterr().out
    assert "（需要 Landlock ABI 4（Linux 6.7））；非内置题库运行前会先询问" in out
    assert "needs Landlock" not in out


# -- why the progress file cannot be used (StoreError: quiz_app/progress) --------------------------

# Each action a store error can name (the keys the code passes), with its sentence in each language.
CANNOT = {
    "open": ("cannot open the progress file {path}: {reason}", "无法打开进度文件 {path}：{reason}"),
    "read": ("cannot read the progress file {path}: {reason}", "无法读取进度文件 {path}：{reason}"),
    "start an attempt in": (
        "cannot start an attempt in the progress file {path}: {reason}",
        "无法在进度文件 {path} 中开始新一轮答题：{reason}",
    ),
    "save an answer to": (
        "cannot save an answer to the progress file {path}: {reason}",
        "无法把回答保存到进度文件 {path}：{reason}",
    ),
    "finish an attempt in": (
        "cannot finish an attempt in the progress file {path}: {reason}",
        "无法在进度文件 {path} 中结束本轮答题：{reason}",
    ),
    "update a review card in": (
        "cannot update a review card in the progress file {path}: {reason}",
        "无法更新进度文件 {path} 中的复习卡片：{reason}",
    ),
    "import answers into": (
        "cannot import answers into the progress file {path}: {reason}",
        "无法把回答导入进度文件 {path}：{reason}",
    ),
    "do something new to": ("cannot use the progress file {path}: {reason}", "无法使用进度文件 {path}：{reason}"),
}

# What SQLite said (its primary result code), and how the error words it.
SQLITE_REASONS = {
    5: (
        "another program holds it locked; close other quiz_app windows and try again",
        "另一个程序锁定了它；请关闭其他 quiz_app 窗口后重试",
    ),
    8: ("it is read-only; check the file's permissions", "它是只读的；请检查文件权限"),
    13: ("the disk is full", "磁盘已满"),
    11: (
        "it is damaged (database disk image is malformed); restart quiz_app to move it aside and start anew",
        "它已损坏（database disk image is malformed）；请重启 quiz_app，把它移到一旁并重新开始",
    ),
}

SQLITE_MESSAGES = {5: "database is locked", 8: "attempt to write a readonly database", 13: "database or disk is full"}


def sqlite_error(code: int) -> sqlite3.Error:
    exc = sqlite3.OperationalError(SQLITE_MESSAGES.get(code, "database disk image is malformed"))
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]
    return exc


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("action", list(CANNOT))
@pytest.mark.parametrize("code", list(SQLITE_REASONS))
def test_each_store_error_is_one_sentence_in_the_language(db: Path, language: str, action: str, code: int) -> None:
    speak(language)
    made = errors.store_error(action, db, sqlite_error(code))
    index = 0 if language == "en" else 1
    assert str(made) == CANNOT[action][index].format(path=db, reason=SQLITE_REASONS[code][index])


# An answer as an answers file holds it, that every check accepts.
GOOD_ANSWER = {
    "uid": "u1",
    "player": "cem",
    "bank_id": "b",
    "question_id": "q1",
    "question_hash": "ff",
    "answer": "A",
    "correct": True,
    "seconds": 3.0,
    "device": None,
    "answered_at": "2026-09-02T10:00:00+02:00",
    "misconceptions": [],
}


def opening_error(call: Callable[[], object]) -> str:
    """The message of the StoreError ``call`` raises."""
    with pytest.raises(StoreError) as failed:
        call()
    return str(failed.value)


@contextlib.contextmanager
def write_locked(db: Path) -> Iterator[None]:
    """Another connection holds ``db``'s write lock meanwhile."""
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_answer_kept_in_the_journal_says_so_in_the_language(db: Path, language: str) -> None:
    with ProgressStore.open(db, busy_timeout_s=0.02, lock_patience_s=0.1) as store, write_locked(db):
        speak(language)
        with pytest.raises(AnswerJournaled) as journaled:
            store.record_answer(rec())
    kept = journal.journal_path(db)
    expected = {
        "en": f"cannot save an answer to the progress file {db}: another program holds it locked; close other "
        f"quiz_app windows and try again. Nothing is lost: the answer was kept in {kept} and is saved the next "
        "time quiz_app opens the progress file.",
        "zh": f"无法把回答保存到进度文件 {db}：另一个程序锁定了它；请关闭其他 quiz_app 窗口后重试。"
        f"没有丢失任何内容：该回答已保存在 {kept}，下次 quiz_app 打开进度文件时会写入。",
    }
    assert str(journaled.value) == expected[language]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_answer_the_journal_cannot_keep_either_says_so_in_the_language(
    db: Path, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal, "append", full)
    with ProgressStore.open(db, busy_timeout_s=0.02, lock_patience_s=0.1) as store, write_locked(db):
        speak(language)
        with pytest.raises(StoreError) as failed:
            store.record_answer(rec())
    kept = journal.journal_path(db)
    expected = {
        "en": f"cannot save an answer to the progress file {db}: another program holds it locked; close other "
        f"quiz_app windows and try again; the answer could not be kept in the journal {kept} either: "
        "No space left on device",
        "zh": f"无法把回答保存到进度文件 {db}：另一个程序锁定了它；请关闭其他 quiz_app 窗口后重试；"
        f"该回答也无法保存到日志 {kept}：No space left on device",
    }
    assert not isinstance(failed.value, AnswerJournaled)
    assert str(failed.value) == expected[language]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_import_into_a_locked_file_names_the_import_in_the_language(db: Path, tmp_path: Path, language: str) -> None:
    export = read_export(answers_file(tmp_path / "cem.jsonl", json.dumps(GOOD_ANSWER)))
    with ProgressStore.open(db, busy_timeout_s=0.02, lock_patience_s=0.1) as store, write_locked(db):
        speak(language)
        with pytest.raises(StoreError) as failed:
            import_file(store, export)
    index = 0 if language == "en" else 1
    assert str(failed.value) == CANNOT["import answers into"][index].format(path=db, reason=SQLITE_REASONS[5][index])


def store_error_when_opening(db: Path, readonly: bool = False) -> str:
    return opening_error(lambda: ProgressStore.open(db, readonly=readonly))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_file_that_cannot_be_opened_is_told_in_the_language(
    tmp_path: Path, db: Path, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "a-folder.sqlite3"
    folder.mkdir()
    newer = tmp_path / "newer.sqlite3"
    ProgressStore.open(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {schema.LATEST_VERSION + 1}")
    conn.close()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("hello")
    speak(language)
    told = [
        store_error_when_opening(folder),
        store_error_when_opening(newer, readonly=True),
        store_error_when_opening(blocker / "progress.sqlite3"),
    ]
    latest = schema.LATEST_VERSION
    expected = {
        "en": [
            f"cannot open the progress file {folder}: it is a folder",
            f"the progress file {newer} was written by a newer quiz_app (schema version {latest + 1}; this one "
            f"knows up to {latest}). Update quiz_app, or set QUIZ_APP_HOME to use another folder.",
            f"cannot create the data folder {blocker}: a file is in the way (set QUIZ_APP_HOME to use another folder)",
        ],
        "zh": [
            f"无法打开进度文件 {folder}：它是一个文件夹",
            f"进度文件 {newer} 由较新版本的 quiz_app 写入（数据库结构版本 {latest + 1}；当前版本最多支持 {latest}）。"
            "请更新 quiz_app，或设置 QUIZ_APP_HOME 以使用其他文件夹。",
            f"无法创建数据文件夹 {blocker}：该位置已有一个文件（可设置 QUIZ_APP_HOME 以使用其他文件夹）",
        ],
    }
    assert told == expected[language]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_data_folder_or_file_it_cannot_write_is_told_in_the_language(
    tmp_path: Path, db: Path, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ProgressStore.open(db).close()
    speak(language)
    monkeypatch.setattr(opening.os, "access", lambda *_args, **_kwargs: False)
    read_only = store_error_when_opening(db)
    monkeypatch.undo()

    def denied(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(opening.tempfile, "TemporaryFile", denied)
    no_write = store_error_when_opening(db)
    monkeypatch.setattr(Path, "mkdir", denied)
    no_create = store_error_when_opening(tmp_path / "new" / "progress.sqlite3")
    expected = {
        "en": [
            f"cannot write to the progress file {db}: it is read-only; check the file's permissions",
            f"cannot write to the data folder {tmp_path}: Permission denied (set QUIZ_APP_HOME to use another folder)",
            f"cannot create the data folder {tmp_path / 'new'}: Permission denied (set QUIZ_APP_HOME to use "
            "another folder)",
        ],
        "zh": [
            f"无法写入进度文件 {db}：它是只读的；请检查文件权限",
            f"无法写入数据文件夹 {tmp_path}：Permission denied（可设置 QUIZ_APP_HOME 以使用其他文件夹）",
            f"无法创建数据文件夹 {tmp_path / 'new'}：Permission denied（可设置 QUIZ_APP_HOME 以使用其他文件夹）",
        ],
    }
    assert [read_only, no_write, no_create] == expected[language]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_file_that_keeps_changing_or_cannot_be_kept_aside_is_told_in_the_language(
    tmp_path: Path, db: Path, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    speak(language)
    unreadable = opening_error(lambda: opening.check_header(tmp_path))  # a folder: the OS refuses to read it

    def always_damaged(_path: Path) -> bool:
        raise Damaged("it does not start like an SQLite database")

    monkeypatch.setattr(opening, "check_header", always_damaged)
    changing = opening_error(lambda: ProgressStore.open(db))
    monkeypatch.undo()
    db.write_bytes(b"")  # a new, empty database...
    Path(f"{db}-wal").write_bytes(b"\x02" * 9000)  # ...with a journal beside it that has no WAL header

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recovery.shutil, "copy2", refuse)
    no_copy = opening_error(lambda: ProgressStore.open(db))
    monkeypatch.setattr(recovery.os, "rename", refuse)
    no_move = opening_error(lambda: recovery.move_aside(db, ".corrupt"))
    after_damage = opening_error(lambda: ProgressStore(None, db, []).players())
    expected = {
        "en": [
            f"cannot read the progress file {tmp_path}: Is a directory",
            f"cannot open the progress file {db}: it kept changing while it was checked; is another program "
            "writing to it?",
            f"cannot keep a copy of the damaged journal {db}-wal: [Errno 28] No space left on device",
            f"cannot move the damaged file {db} aside: [Errno 28] No space left on device",
            f"cannot use the progress file {db}: it could not be opened again after damage",
        ],
        "zh": [
            f"无法读取进度文件 {tmp_path}：Is a directory",
            f"无法打开进度文件 {db}：检查期间它一直在变化；是否有其他程序正在写入它？",
            f"无法为已损坏的日志 {db}-wal 保留副本：[Errno 28] No space left on device",
            f"无法把已损坏的文件 {db} 移到一旁：[Errno 28] No space left on device",
            f"无法使用进度文件 {db}：发现损坏后无法重新打开它",
        ],
    }
    assert [unreadable, changing, no_copy, no_move, after_damage] == expected[language]


def test_stats_on_the_command_line_says_why_the_file_cannot_be_opened_in_chinese(
    quiz_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    locations.database_path().mkdir(parents=True)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["stats"]) == 2
    err = capsys.readouterr().err
    assert f"quiz-app stats：错误：无法打开进度文件 {locations.database_path()}：它是一个文件夹\n" in err
    assert "cannot open" not in err


def test_import_on_the_command_line_says_why_the_file_cannot_take_the_answers_in_chinese(
    quiz_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    database = locations.database_path()
    with ProgressStore.open(database) as store:
        store.record_answer(rec())
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.02)
    monkeypatch.setattr(store_module, "LOCK_PATIENCE_S", 0.1)
    path = answers_file(tmp_path / "cem.jsonl", json.dumps(GOOD_ANSWER))
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    with write_locked(database):
        assert cli.main(["import", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        f"quiz-app import：错误：无法把回答导入进度文件 {database}：另一个程序锁定了它；"
        "请关闭其他 quiz_app 窗口后重试\n"
    ) in err
    assert "cannot import" not in err


# -- why an answer is refused (quiz_app/progress/records.py check_record) -------------------------


MARK = MisconceptionMark("m1", "a text", True)

REFUSED = [
    (rec(player=""), "player must be a non-empty string, not ''", "player 必须是非空字符串，而不是 ''"),
    (
        rec(question_hash="xyz"),
        "question_hash must be a hex string, not 'xyz'",
        "question_hash 必须是十六进制字符串，而不是 'xyz'",
    ),
    (rec(answer=3), "answer must be a string, not 3", "answer 必须是字符串，而不是 3"),
    (
        rec(correct=1.5),
        "correct must be True, False or None, not 1.5",
        "correct 必须是 True、False 或 None，而不是 1.5",
    ),
    (rec(seconds="3"), "seconds must be a number, not '3'", "seconds 必须是数字，而不是 '3'"),
    (rec(seconds=-1), "seconds must be a finite number >= 0, not -1", "seconds 必须是 >= 0 的有限数，而不是 -1"),
    (rec(device=7), "device must be a string or None, not 7", "device 必须是字符串或 None，而不是 7"),
    (rec(attempt_id="1"), "attempt_id must be an int or None, not '1'", "attempt_id 必须是整数或 None，而不是 '1'"),
    (rec(answered_at="today"), "answered_at must be a timezone-aware datetime", "answered_at 必须是带时区的日期时间"),
    (
        rec(misconceptions=("m1",)),
        "misconceptions must hold MisconceptionMark items, not 'm1'",
        "misconceptions 必须由 MisconceptionMark 项组成，而不是 'm1'",
    ),
    (
        rec(misconceptions=(MisconceptionMark("", "t", True),)),
        "misconception_id must be a non-empty string, not ''",
        "misconception_id 必须是非空字符串，而不是 ''",
    ),
    (
        rec(misconceptions=(MisconceptionMark("m1", "t", 1),)),
        "a misconception needs a text and a revealed flag: MisconceptionMark(id='m1', text='t', revealed=1)",
        "误区需要有文本和 revealed 标志：MisconceptionMark(id='m1', text='t', revealed=1)",
    ),
    (rec(misconceptions=(MARK, MARK)), "misconception 'm1' is marked twice", "误区 'm1' 被标记了两次"),
]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_why_a_record_is_refused_is_told_in_the_language(language: str) -> None:
    speak(language)
    told = []
    for record, _english, _chinese in REFUSED:
        with pytest.raises(ValueError) as refused:
            check_record(record)
        told.append(str(refused.value))
    assert told == [english if language == "en" else chinese for _record, english, chinese in REFUSED]


def test_import_on_the_command_line_says_why_a_line_is_skipped_in_chinese(
    quiz_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = answers_file(
        tmp_path / "cem.jsonl",
        json.dumps(GOOD_ANSWER | {"seconds": -1}),
        json.dumps(GOOD_ANSWER | {"uid": "u2", "question_hash": "not hex"}),
        json.dumps(GOOD_ANSWER | {"uid": "u3", "player": ""}),
        json.dumps(GOOD_ANSWER | {"uid": "u4"}),
    )
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["import", str(path)]) == 1
    captured = capsys.readouterr()
    assert f"{path}:2: seconds 必须是 >= 0 的有限数，而不是 -1（已跳过该行）\n" in captured.err
    assert f"{path}:3: question_hash 必须是十六进制字符串，而不是 'not hex'（已跳过该行）\n" in captured.err
    assert f"{path}:4: player 必须是非空字符串，而不是 ''（已跳过该行）\n" in captured.err
    assert "must be" not in captured.err
    assert f"{path}：读取 1 个回答，新增 1 个，0 个已存在" in captured.out


# -- a report's --since (quiz_app/classroom/answers.py parse_since) -------------------------------


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_date_that_is_not_one_is_told_in_the_language(language: str) -> None:
    speak(language)
    with pytest.raises(ValueError) as refused:
        parse_since("someday")
    expected = {
        "en": "not a date: 'someday' (write it as 2026-09-01, or 2026-09-01T14:30)",
        "zh": "不是日期：'someday'（请写成 2026-09-01 或 2026-09-01T14:30）",
    }
    assert str(refused.value) == expected[language]
    assert parse_since("2026-09-01T14:30Z") == "2026-09-01T14:30:00.000000+00:00"  # a date still reads as one


def test_report_on_the_command_line_says_since_is_not_a_date_in_chinese(
    quiz_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    with pytest.raises(SystemExit) as stop:
        cli.main(["report", "--since", "someday"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--since: 不是日期：'someday'（请写成 2026-09-01 或 2026-09-01T14:30）" in err
    assert "not a date" not in err
