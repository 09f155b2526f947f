"""The keys that choose an answer, the same on the quiz and the exam: A–H or 1–8, T and F, the
arrows and Space. One list, so that a keymap (``App.set_keymap``) remaps both by binding id."""

from __future__ import annotations

from textual.binding import Binding

from quiz_app.core.i18n import N_

LETTER_KEYS = "abcdefgh"
# Written out, one per letter, so that each is in the catalog (a Binding holds its text untranslated).
CHOOSE_LABELS = (
    N_("Choose A"),
    N_("Choose B"),
    N_("Choose C"),
    N_("Choose D"),
    N_("Choose E"),
    N_("Choose F"),
    N_("Choose G"),
    N_("Choose H"),
)
CHOOSE_TOOLTIPS = (
    N_("Choose (or, for several answers, toggle) choice A"),
    N_("Choose (or, for several answers, toggle) choice B"),
    N_("Choose (or, for several answers, toggle) choice C"),
    N_("Choose (or, for several answers, toggle) choice D"),
    N_("Choose (or, for several answers, toggle) choice E"),
    N_("Choose (or, for several answers, toggle) choice F"),
    N_("Choose (or, for several answers, toggle) choice G"),
    N_("Choose (or, for several answers, toggle) choice H"),
)


def _letter_bindings() -> list[Binding]:
    return [
        Binding(
            f"{key},{index + 1}",
            f"pick('{key.upper()}')",
            CHOOSE_LABELS[index],
            show=False,
            id=f"choose-{key}",
            tooltip=CHOOSE_TOOLTIPS[index],
        )
        for index, key in enumerate(LETTER_KEYS)
    ]


CHOICE_BINDINGS = [
    Binding(
        "up",
        "move(-1)",
        N_("Previous choice"),
        show=False,
        id="choice-up",
        tooltip=N_("Move to the choice above"),
    ),
    Binding("down", "move(1)", N_("Next choice"), show=False, id="choice-down", tooltip=N_("Move to the choice below")),
    Binding(
        "space",
        "toggle_choice",
        N_("Choose"),
        show=False,
        id="choice-toggle",
        tooltip=N_("Choose (or toggle) the choice under ›"),
    ),
    Binding("t", "pick('T')", N_("True"), show=False, id="choose-true", tooltip=N_("Answer true")),
    Binding("f", "pick('F')", N_("False"), show=False, id="choose-false", tooltip=N_("Answer false")),
    *_letter_bindings(),
]
