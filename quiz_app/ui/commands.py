"""The command palette (Ctrl+P): the app's own commands, in the interface's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand

from quiz_app.core import i18n
from quiz_app.core.i18n import _

if TYPE_CHECKING:
    from quiz_app.bank import Bank
    from quiz_app.ui.app import QuizApp


def app_commands(app: QuizApp) -> Iterable[SystemCommand]:
    """Open a bank, review, stats, the class report, switch player, help, language, quit (only
    quit before the player has said who they are)."""
    quit_command = SystemCommand(_("Quit"), _("Quit; every answer given is already saved"), app.action_quit)
    if not app.player:
        yield quit_command
        return
    for bank in app.banks.banks:
        yield SystemCommand(
            _("Open bank: {title}").format(title=bank.title),
            _("Play '{id}' ({count} questions)").format(id=bank.id, count=len(bank.questions)),
            _opener(app, bank),
        )
    yield SystemCommand(_("Review"), _("Play the questions due for review, across all banks"), app.open_review)
    yield SystemCommand(_("Stats"), _("Your scores over time and what you remember, per tag"), app.open_stats)
    if not app.served:  # a student's seat in the browser shows only the student's own answers
        yield SystemCommand(
            _("Class report"),
            _("Every player's answers: per question, per student, the beliefs shown"),
            app.open_report,
        )
        yield SystemCommand(_("Switch player"), _("Play under another name"), app.switch_player)
    yield SystemCommand(_("Help"), _("Keys and how the quiz works"), app.action_help)
    for code, name in i18n.LANGUAGES.items():
        if code != app.language:
            yield SystemCommand(
                _("Language: {name}").format(name=name),
                _("Show the interface in {name} from now on").format(name=name),
                _switcher(app, code),
            )
    yield quit_command


def _opener(app: QuizApp, bank: Bank):  # type: ignore[no-untyped-def]
    return lambda: app.open_bank(bank)


def _switcher(app: QuizApp, code: str):  # type: ignore[no-untyped-def]
    async def switch() -> None:
        await app.set_language(code)

    return switch
