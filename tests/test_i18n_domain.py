"""Messages made below the interface, in the interface's language: why a question is dubious
(the class report), what the progress store did to a damaged or busy file (its notices), why an
answers file was refused or a line of it skipped (export and import), and why a sandbox guard is
missing (``quiz-app where``, the consent dialog). English stays the default; each message is
translated when it is made, so that a language switch takes effect."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from progress_helpers import rec

from quiz_app import cli, i18n, locations
from quiz_app.classroom import ExportRefused, read_export
from quiz_app.classroom.stats import Shape, dubious_reasons
from quiz_app.progress import ProgressStore, journal, schema
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
