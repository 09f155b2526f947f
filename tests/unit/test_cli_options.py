"""What every command shares (cli/options.py): the language chosen once, one error path, and the
options each command defines alike."""

from __future__ import annotations

import pytest

from quiz_app import cli
from quiz_app.cli import options


@pytest.mark.parametrize("command", ["exam", "serve", "check", "report"])
def test_lang_zh_gives_the_help_of_every_command_in_chinese(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """exam and serve used to reset the language to the locale before parsing."""
    with pytest.raises(SystemExit):
        cli.main(
            [command, "--lang", "zh", "--help"] if command in ("exam", "serve") else ["--lang", "zh", command, "--help"]
        )
    out = capsys.readouterr().out
    assert any("\u4e00" <= char <= "\u9fff" for char in out), out


def test_the_language_is_read_once_before_parsing() -> None:
    assert options.asked_language(["exam", "b.yaml", "--lang", "zh"]) == "zh"
    assert options.asked_language(["--lang=en", "stats"]) == "en"
    assert options.asked_language(["exam", "--", "--lang", "zh"]) is None


@pytest.mark.parametrize("command", [["stats"], ["exam", "eval-vs-no-grad"], []])
@pytest.mark.parametrize("name", ["\udcff\udcfe", "a\x1bb", " "])
def test_a_player_name_no_store_would_keep_is_one_error_line(
    command: list[str], name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bytes that are not UTF-8 (lone surrogates on the command line) crashed stats and exam with
    UnicodeEncodeError; every command now refuses them, and control characters, the same way."""
    program = f"quiz-app {command[0]}" if command else "quiz-app"
    assert cli.main([*command, "--player", name]) == options.EXIT_UNUSABLE
    err = capsys.readouterr().err
    assert err == f"{program}: error: --player needs a name without control or invisible characters\n"


def test_a_command_error_prints_details_then_one_error_line_then_the_hint(capsys: pytest.CaptureFixture[str]) -> None:
    error = options.CommandError("it broke", details=["bank.yaml:3:1: problem"], hint="do this")
    assert options.report_error("report", error) == 2
    assert capsys.readouterr().err == "bank.yaml:3:1: problem\nquiz-app report: error: it broke\ndo this\n"


def test_a_broken_bank_named_on_the_command_line_is_refused_before_any_screen(
    tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: broken\nquestions: [\n", encoding="utf-8")
    assert cli.main([str(broken), "--player", "ada"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(str(broken)) and err[-1].startswith("quiz-app: error: 1 problem in the banks named")


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("command", ["check", "stats", "where", "report", "export", "import", "serve", "exam", None])
def test_every_commands_help_prints_in_both_languages(
    command: str | None, language: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """argparse formats help with %: a translated help text with a bare % crashed --help."""
    with pytest.raises(SystemExit) as done:
        cli.main(["--lang", language, *([command] if command else []), "--help"])
    assert done.value.code == 0
    assert "usage: quiz-app" in capsys.readouterr().out
