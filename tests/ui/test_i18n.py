"""The interface in English and Simplified Chinese: every string in the catalog, translated,
the compiled catalog in step with its source, the language chosen by the rules, and the
screens showing it."""

from __future__ import annotations

import gettext
import io
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from helpers.paths import BANKS, DATA
from helpers.pilot import FixedRunner, make_app, settle
from textual.widgets import DataTable, Static

from quiz_app import cli
from quiz_app.bank import Verdict, load_bank
from quiz_app.classroom.render import table
from quiz_app.core import i18n
from quiz_app.core.terminal_text import cells
from quiz_app.play.run import QuizRun, Result
from quiz_app.progress import ProgressStore
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.help import HELP_FILE, help_file
from quiz_app.ui.screens.home import HomeScreen
from quiz_app.ui.screens.quiz import QuizScreen
from quiz_app.ui.screens.summary import SummaryScreen
from quiz_app.ui.widgets.answer_view import line_by_line

PACKAGE = Path(i18n.__file__).resolve().parents[1]  # the quiz_app package
PO = i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"
MO = PO.with_suffix(".mo")
# As `pybabel extract -k _ -k N_ -k ngettext:1,2` (docs/architecture.md, "Translating").
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "N_": None, "ngettext": (1, 2)}
PERCENT_FIELD = re.compile(r"%\([A-Za-z_]\w*\)[-#0 +]*\d*(?:\.\d+)?[sdifgr]")


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    """The active language is module state: each test here leaves English behind."""
    yield
    i18n.activate("en")


def extracted() -> dict[str | tuple[str, str], str]:
    """Every message in the code today, with the file it was found in."""
    found: dict[str | tuple[str, str], str] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        PACKAGE, [("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        key = message if isinstance(message, str) else (message[0], message[1])
        found.setdefault(key, filename)
    return found


def fields(text: str) -> list[str]:
    """The placeholders of a message, as written: ``{count}``, ``{minutes:g}``, ``%(default)s``."""
    shown = [
        "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
        for _literal, name, spec, conversion in string.Formatter().parse(text)
        if name is not None
    ]
    return sorted(shown + PERCENT_FIELD.findall(text))


def catalog():  # type: ignore[no-untyped-def]
    with PO.open("rb") as stream:
        return read_po(stream, locale="zh")


def test_every_message_in_the_code_has_a_chinese_translation_with_the_same_placeholders() -> None:
    messages = extracted()
    assert len(messages) > 300  # the extractor found the interface
    zh = catalog()
    problems = []
    for key, filename in sorted(messages.items(), key=lambda item: str(item[0])):
        singular = key if isinstance(key, str) else key[0]
        entry = zh.get(singular)
        if entry is None or not entry.string or (not isinstance(entry.string, str) and not all(entry.string)):
            problems.append(f"{filename}: not translated: {key!r}")
            continue
        if entry.fuzzy:
            problems.append(f"{filename}: fuzzy: {key!r}")
        if isinstance(key, tuple) != isinstance(entry.id, tuple):
            problems.append(f"{filename}: plural in one and not the other: {key!r}")
            continue
        source = key if isinstance(key, str) else key[1]
        for translated in [entry.string] if isinstance(entry.string, str) else entry.string:
            if fields(translated) != fields(source):
                problems.append(f"{filename}: placeholders differ: {source!r} -> {translated!r}")
    assert not problems, "Update the catalog (docs/architecture.md, 'Translating'):\n" + "\n".join(problems)


def test_the_compiled_catalog_is_the_source_catalog() -> None:
    compiled = io.BytesIO()
    write_mo(compiled, catalog())
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    with MO.open("rb") as stream:
        shipped = gettext.GNUTranslations(stream)
    assert shipped._catalog == expected._catalog, "run: pybabel compile -D quiz_app -d quiz_app/locale"  # type: ignore[attr-defined]


def test_the_chinese_catalog_declares_one_plural_form() -> None:
    with MO.open("rb") as stream:
        shipped = gettext.GNUTranslations(stream)
    assert shipped.info()["language"] == "zh"
    assert shipped.ngettext("{count} quiz", "{count} quizzes", 1) == shipped.ngettext(
        "{count} quiz", "{count} quizzes", 5
    )


def test_a_translation_follows_the_active_language() -> None:
    i18n.activate("zh")
    assert i18n._("Play") == "开始"
    assert i18n.ngettext("{count} quiz", "{count} quizzes", 3).format(count=3) == "3 次测验"
    i18n.activate("en")
    assert i18n._("Play") == "Play"
    assert i18n.ngettext("{count} quiz", "{count} quizzes", 1).format(count=1) == "1 quiz"


# -- which language --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "bank", "environ", "expected"),
    [
        ("zh", "en", {"LANG": "en_US.UTF-8"}, "zh"),  # --lang beats the bank and the locale
        ("en", "zh", {"LANG": "zh_CN.UTF-8"}, "en"),
        (None, "zh", {"LANG": "en_US.UTF-8"}, "zh"),  # the bank's language beats the locale
        (None, "zh-Hans", {}, "zh"),
        (None, "en", {"LANG": "zh_CN.UTF-8"}, "en"),
        (None, None, {"LANG": "zh_CN.UTF-8"}, "zh"),  # then the locale
        (None, None, {"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        (None, None, {"LANGUAGE": "zh_CN:en", "LC_ALL": "en_US.UTF-8"}, "zh"),  # LANGUAGE first, as gettext
        (None, None, {"LANGUAGE": "fr:zh_CN"}, "zh"),  # its first shipped language
        (None, None, {"LC_MESSAGES": "zh_CN.UTF-8"}, "zh"),
        (None, None, {"LANG": "C"}, "en"),
        (None, None, {"LANG": "C.UTF-8"}, "en"),
        (None, None, {"LC_ALL": "POSIX", "LANG": "zh_CN.UTF-8"}, "en"),  # the first variable set decides
        (None, None, {}, "en"),
        ("fr", None, {"LANG": "zh_CN.UTF-8"}, "zh"),  # a language not shipped falls back
        ("fr", "de", {"LANG": "ja_JP.UTF-8"}, "en"),
        ("klingon-tlh", "not a tag", {"LANG": "???"}, "en"),
    ],
)
def test_the_language_is_chosen_by_lang_then_bank_then_locale(
    override: str | None, bank: str | None, environ: dict[str, str], expected: str
) -> None:
    assert i18n.choose(override, bank, environ) == expected


def test_activating_an_unknown_language_gives_english() -> None:
    assert i18n.activate("fr") == "en"
    assert i18n.active() == "en"
    assert i18n.activate("zh_CN.UTF-8") == "zh"


# -- the command line ------------------------------------------------------------------------


def test_the_command_line_speaks_the_locales_language_or_lang(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert cli.main(["where"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("数据文件夹：") and "（已设置 QUIZ_APP_HOME）" in out
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    with pytest.raises(SystemExit):
        cli.main(["--lang", "zh", "--help"])
    assert "终端里的 PyTorch model.eval() 与 torch.no_grad() 测验" in capsys.readouterr().out
    assert cli.main(["where"]) == 0
    assert capsys.readouterr().out.startswith("data folder:   ")


def test_report_tables_line_up_chinese_headings_by_cell() -> None:
    lines = table(("题目", "已答", "通过率"), [("eval-only", "12", "50%"), ("grad", "3", "-")])
    # "题目" takes four cells, like "grad": the numbers end under the end of "已答".
    assert lines == ["  题目       已答  通过率", "  eval-only    12  50%", "  grad          3  -"]
    assert cells(lines[0][: lines[0].index("已答") + 2]) == len(lines[1][: lines[1].index("12") + 2])


# -- help ------------------------------------------------------------------------------------


def test_the_help_is_shipped_in_both_languages() -> None:
    assert help_file("en") == HELP_FILE
    assert help_file("zh").name == "help.zh.md"
    chinese = help_file("zh").read_text(encoding="utf-8")
    assert chinese.startswith("# quiz-app 帮助")
    # Every key the English help names, in the Chinese help too (Chinese reads as lists there:
    # Markdown tables measure wide characters as narrow ones and wrap them one a line).
    for key in ("↑ ↓", "Enter", "F5", "V", "A–H", "1–8", "Space", "T / F", "Ctrl+S", "N", "X", "R", "Esc", "F1"):
        assert key in chinese, key
    for key in ("Ctrl+P", "Ctrl+Q"):
        assert key in chinese and key in HELP_FILE.read_text(encoding="utf-8"), key


# -- on screen -------------------------------------------------------------------------------


def app_in(store: ProgressStore, language: str) -> QuizApp:
    return make_app(store, FixedRunner(), [BANKS], language=language)


def footer(app: QuizApp) -> list[str]:
    """The labels the footer shows (each key a FooterKey widget, Textual's own)."""
    return [key.description for key in app.screen.query("FooterKey") if getattr(key, "description", "")]  # type: ignore[attr-defined]


def text_of(app: QuizApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def home(pilot) -> HomeScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    for _ in range(200):
        await settle(pilot)
        if isinstance(app.screen, HomeScreen) and app.screen.query_one("#banks", DataTable).row_count:
            return app.screen
    raise AssertionError("the home screen never listed its banks")


def headings(table: DataTable) -> list[str]:  # type: ignore[type-arg]
    return [str(column.label) for column in table.columns.values()]


HOME = {
    "zh": (["题库", "题数", "上次", "最佳", "最近答题"], "答题者：ada", ["统计", "报告", "帮助", "退出"]),
    "en": (["Bank", "Qs", "Last", "Best", "Played"], "Player: ada", ["Stats", "Report", "Help", "Quit"]),
}


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_the_home_screen_speaks_the_language(store: ProgressStore, language: str) -> None:
    columns, player, keys = HOME[language]
    app = app_in(store, language)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await home(pilot)
        assert headings(screen.query_one("#banks", DataTable)) == columns
        assert text_of(app, "#player").startswith(player)
        assert ("PyTorch 已就绪" if language == "zh" else "PyTorch ready") in text_of(app, "#worker-status")
        assert ("沙箱防护：文件、网络、内存" if language == "zh" else "sandboxed: files, network, memory") in text_of(
            app, "#worker-status"
        )
        shown = footer(app)
        assert set(keys) <= set(shown), shown
        assert ("命令面板" in shown) == (language == "zh")


QUESTION = {
    "zh": ("第 1/5 题 · 得分 0/0", "按 A–", ["提交", "返回", "帮助", "退出"]),
    "en": ("Question 1 of 5 · Score 0/0", "Press A–", ["Submit", "Home", "Help", "Quit"]),
}
ANSWER = {
    "zh": ("✘ 错误。你的回答：C", "答案是 B", "实时结果", "输出：", ["下一题", "返回"]),
    "en": ("✘ Wrong. You answered: C", "The answer is B", "Live outcome", "It printed:", ["Next", "Home"]),
}


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_a_question_and_its_answer_speak_the_language(store: ProgressStore, language: str) -> None:
    progress, hint, keys = QUESTION[language]
    verdict, key, panel, printed, next_keys = ANSWER[language]
    app = app_in(store, language)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        assert text_of(app, "#progress").startswith(progress)
        assert text_of(app, "#hint").startswith(hint)
        assert set(keys) <= set(footer(app)), footer(app)
        await pilot.press("c", "enter")
        await settle(pilot)
        assert text_of(app, "#verdict").startswith(verdict)
        assert key in text_of(app, "#verdict")
        assert app.screen.query_one("#outcome").border_title == panel
        assert text_of(app, "#outcome-status") == printed
        assert set(next_keys) <= set(footer(app)), footer(app)
        assert ("提交" in footer(app)) is False and ("Submit" in footer(app)) is False


SUMMARY = {
    "zh": (
        "已完成：",
        "得分：3/5（60%）· 用时：1 分 35 秒",
        ["标签", "答对", "共"],
        "答错的题（按 R 重做）：",
        ["重做错题", "返回"],
    ),
    "en": (
        "Finished ",
        "Score: 3 of 5 (60%) · time taken: 1 min 35 s",
        ["Tag", "Right", "Of"],
        "Missed (press R to retry them):",
        ["Retry missed", "Home"],
    ),
}


def test_a_chinese_verdict_keeps_its_lines() -> None:
    """The answer given and the key stay on lines of their own between Chinese characters."""
    assert line_by_line("✘ 错误。你的回答：对\n该陈述是错的。").plain == "✘ 错误。你的回答：对\n该陈述是错的。"
    assert (
        line_by_line("✔ 正确。答案是 B：`model.eval()` 返回模型本身").plain
        == "✔ 正确。答案是 B：model.eval() 返回模型本身"
    )


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_the_summary_speaks_the_language(store: ProgressStore, language: str) -> None:
    finished, score, columns, missed, keys = SUMMARY[language]
    bank, _problems = load_bank(BANKS / "play.yaml")
    assert bank is not None
    run = QuizRun(bank, started=100.0)
    verdicts = [Verdict.CORRECT, Verdict.WRONG, Verdict.CORRECT, Verdict.CORRECT, Verdict.WRONG]
    for question, verdict in zip(bank.questions, verdicts, strict=True):
        run.record(Result(question, "x", verdict, 3.0))
    run.index, run.ended = run.total, 195.0
    app = app_in(store, language)
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await app.push_screen(SummaryScreen(run))
        await settle(pilot)
        lines = text_of(app, "#score").splitlines()
        assert lines[0].startswith(finished) and lines[1] == score
        assert headings(app.screen.query_one("#tags", DataTable)) == columns
        assert text_of(app, "#missed").startswith(missed)
        assert set(keys) <= set(footer(app)), footer(app)


async def test_the_help_opens_in_the_active_language(store: ProgressStore) -> None:
    app = app_in(store, "zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await home(pilot)
        await pilot.press("f1")
        await settle(pilot)
        markdown = app.screen.query_one("#help")
        assert "按键" in markdown.source  # type: ignore[attr-defined]
        labels = [binding.description for _node, binding, _enabled, _tip in app.screen.active_bindings.values()]
        assert "关闭帮助" in labels  # a dialog's keys are in the language too


async def test_home_returns_to_the_apps_language_after_a_bank_in_another(store: ProgressStore) -> None:
    """An English interface plays a Chinese bank in Chinese, and its banks list in English after."""
    zh_bank = DATA / "banks_zh"
    app = make_app(store, FixedRunner(), [BANKS, zh_bank])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await home(pilot)
        table = screen.query_one("#banks", DataTable)
        row = next(i for i, bank in enumerate(screen.banks) if bank.language == "zh")
        table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, QuizScreen)
        assert text_of(app, "#progress").startswith("第 1/")
        await pilot.press("escape")
        await home(pilot)
        assert "Stats" in footer(app)
        assert text_of(app, "#player").startswith("Player: ada")


def test_a_snippet_stopped_by_its_time_limit_says_so_in_chinese(fresh_runner) -> None:  # type: ignore[no-untyped-def]
    """The live outcome panel shows the runner's own words: they follow the language too."""
    i18n.activate("zh")
    outcome = fresh_runner.run("while True: pass", timeout=0.5)
    assert outcome.status == "timeout"
    assert outcome.detail == "代码片段运行超过了 0.5 秒的时限，已被停止"
    i18n.activate("en")
    assert fresh_runner.run("while True: pass", timeout=0.5).detail == (
        "the snippet ran past its 0.5 s limit and was stopped"
    )
