"""The command palette offers the app's own commands, and each one does what it says."""

from __future__ import annotations

from helpers.paths import BANKS
from helpers.pilot import make_app, settle
from textual.command import CommandPalette
from textual.widgets import Static

from quiz_app.progress import ProgressStore
from quiz_app.runner import SnippetRunner
from quiz_app.ui.app import QuizApp
from quiz_app.ui.screens.help import HelpScreen
from quiz_app.ui.screens.home import HomeScreen
from quiz_app.ui.screens.player import PlayerScreen
from quiz_app.ui.screens.quiz import QuizScreen
from quiz_app.ui.screens.report import ReportScreen
from quiz_app.ui.screens.stats import StatsScreen


async def command(pilot, words: str, wait: bool = True) -> None:  # type: ignore[no-untyped-def]
    """Open the palette, type, and run the first match (``wait``: for the workers it starts)."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*words)
    for _ in range(50):
        await pilot.pause(0.02)
        if pilot.app.screen.query("CommandList Option, CommandList .option-list--option"):
            break
    await pilot.press("enter")
    await pilot.pause()
    if wait:
        await settle(pilot)


def titles(app: QuizApp) -> list[str]:
    return [cmd.title for cmd in app.get_system_commands(app.screen)]


async def test_the_palette_lists_the_apps_commands(store: ProgressStore, runner: SnippetRunner) -> None:
    app = make_app(store, runner, [BANKS, BANKS.parent / "banks_zh"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("escape")  # the one named bank opened at once: back to the list
        await settle(pilot)
        found = titles(app)
        assert {"Review", "Stats", "Class report", "Switch player", "Help", "Language: 中文（简体）", "Quit"} <= set(
            found
        )
        assert [t for t in found if t.startswith("Open bank: ")] == [f"Open bank: {b.title}" for b in app.banks.banks]
        assert "Language: English" not in found  # the language in use is not offered


async def test_palette_commands_open_their_screens(store: ProgressStore, runner: SnippetRunner) -> None:
    app = make_app(store, runner, [BANKS])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await command(pilot, "Stats")
        assert isinstance(app.screen, StatsScreen)
        await command(pilot, "Class report")
        assert isinstance(app.screen, ReportScreen)
        await command(pilot, "Help")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await command(pilot, "Open bank: Every question type")  # from the report: home, then the bank
        assert isinstance(app.screen, QuizScreen)
        assert [type(s) for s in app.screen_stack[1:]] == [HomeScreen, QuizScreen]
        await command(pilot, "Switch player", wait=False)  # the prompt's worker waits for the name
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, PlayerScreen):
                break
        assert isinstance(app.screen, PlayerScreen)
        await pilot.press("escape")  # cancellable here: still ada
        await pilot.pause()
        assert app.player == "ada"
        assert isinstance(app.screen, HomeScreen)  # the run was left first: answers stay under who gave them


async def test_switching_player_shows_the_new_players_home(store: ProgressStore, runner: SnippetRunner) -> None:
    app = make_app(store, runner, [BANKS])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.switch_player()
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, PlayerScreen) and app.screen.query("#player-name"):
                break
        await pilot.press("ctrl+a", "ctrl+k", *"mei", "enter")
        for _ in range(50):
            await pilot.pause(0.02)
            if isinstance(app.screen, HomeScreen) and "mei" in str(app.screen.query_one("#player", Static).render()):
                break
        assert app.player == "mei"
        assert "Player: mei" in str(app.screen.query_one("#player", Static).render())


async def test_a_seat_of_quiz_app_serve_shows_no_other_players_answers(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    app = make_app(store, runner, [BANKS], served=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert not {"Class report", "Switch player"} & set(titles(app))
        assert "report" not in {b.binding.action for b in app.screen.active_bindings.values()}
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_the_language_command_redraws_the_banks_in_chinese(store: ProgressStore, runner: SnippetRunner) -> None:
    from textual.widgets import DataTable

    from quiz_app.core import i18n

    app = make_app(store, runner, [BANKS])
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await command(pilot, "Language: 中文")
        assert i18n.active() == "zh"
        assert isinstance(app.screen, HomeScreen)
        assert "答题者：ada" in str(app.screen.query_one("#player", Static).render())
        assert app.screen.query_one("#banks", DataTable).row_count == 1
        assert "帮助" in {b.binding.description for b in app.screen.active_bindings.values()}
        await command(pilot, "语言：English")  # and back, from the Chinese palette
        assert i18n.active() == "en"
        assert "Player: ada" in str(app.screen.query_one("#player", Static).render())


async def test_switching_language_mid_question_gives_the_answer_in_the_new_language(
    store: ProgressStore, runner: SnippetRunner
) -> None:
    """The answer is built while the question is asked; a language switched meanwhile builds it
    again, so that its panels speak the language now active."""
    from quiz_app.core import i18n
    from quiz_app.ui.widgets.outcome import OutcomePanel

    app = make_app(store, runner, [BANKS / "play.yaml"])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, QuizScreen) and screen.prepared is not None
        assert screen.prepared.query_one(OutcomePanel).border_title == "Live outcome"
        await command(pilot, "Language: 中文")
        assert i18n.active() == "zh" and app.screen is screen
        await pilot.press("b", "enter")
        await settle(pilot)
        assert screen.answer is not None
        assert screen.answer.query_one(OutcomePanel).border_title == "实时结果"
        assert screen.answer.query_one("#snippet", Static).border_title == "代码片段"
        assert len(screen.query("#answer-body")) == 1  # the one built in English is gone
