"""Who is playing: asked at start when no --player was given, and from the palette to switch."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from quiz_app.core.i18n import N_, _
from quiz_app.play.players import MAX_LENGTH, valid_player
from quiz_app.ui.screens.base import AppModal


class PlayerScreen(AppModal[str | None]):
    """Dismissed with the name given (trimmed and valid), or None when the player backs out."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="player-cancel", tooltip=N_("Keep playing as before")),
    ]

    def __init__(self, offered: str | None, shared: bool, cancellable: bool = False) -> None:
        super().__init__()
        self.offered = offered
        self.shared = shared
        self.cancellable = cancellable

    def compose(self) -> ComposeResult:
        with Vertical(id="player-body"):
            yield Static(Text(_("Who is playing?"), style="bold"), id="player-title")
            if self.shared:
                about = _(
                    "This data folder keeps the scores of several players: type your own name, "
                    "then Enter. Your answers are kept under it."
                )
            elif self.offered:
                about = _("Enter to play as {name}, or type another name.").format(name=self.offered)
            else:
                about = _("Type your name, then Enter. Your scores are kept under it between sessions.")
            yield Static(Text(about), id="player-about")
            yield Input(
                value=self.offered or "",
                placeholder=_("your name"),
                max_length=MAX_LENGTH,
                id="player-name",
            )
            yield Static(id="player-error")
            keys = _("Esc: keep playing as before · Ctrl+Q: quit") if self.cancellable else _("Ctrl+Q: quit")
            yield Static(Text(keys, style="dim"), id="player-keys")

    def on_mount(self) -> None:
        self.query_one("#player-name", Input).focus()

    @on(Input.Submitted, "#player-name")
    def confirm(self, event: Input.Submitted) -> None:
        name = valid_player(event.value)
        if name is None:
            self.query_one("#player-error", Static).update(
                Text(_("A name is needed, without control or invisible characters."), style="bold")
            )
            return
        self.dismiss(name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel":
            return self.cancellable
        return True

    def action_cancel(self) -> None:
        self.dismiss(None)
