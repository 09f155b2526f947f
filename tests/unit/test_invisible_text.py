"""Invisible text (issue 20): zero-width characters, bidirectional overrides and the other
format characters would make ``True`` and ``Tr\\u200bue`` look alike. Bank text holding them does
not load, player names refuse them, and outcomes show them escaped."""

from __future__ import annotations

import unicodedata

import pytest

from quiz_app.bank.loader import parse_bank
from quiz_app.core.terminal_text import escaped, invisible_characters, is_invisible, visible
from quiz_app.play.players import valid_player
from quiz_app.runner.protocol import clean_text

BIDI = [chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\u2061", "\u2062", "\u2063", "\u2064", "\ufeff", "\u180e"]
OTHER = ["\u00ad", "\u034f", "\u115f", "\u3164", "\u2800", "\u2028", "\u2029", "\ufe0f", "\U000e0041", "\U000e0100"]
HIDDEN = BIDI + ZERO_WIDTH + OTHER

BANK = """\
id: demo
title: Demo
questions:
  - id: q
    type: true_false
    prompt: "{prompt}"
    answer: true
    explanation: x
"""


@pytest.mark.parametrize("char", HIDDEN, ids=lambda char: f"U+{ord(char):04X}")
def test_each_invisible_character_is_found_and_shown_escaped(char: str) -> None:
    assert is_invisible(char)
    assert invisible_characters().fullmatch(char)
    shown = visible(f"Tr{char}ue")
    assert char not in shown
    assert shown == f"Tr{escaped(char)}ue"
    assert shown != "True"


def test_every_format_character_of_this_python_is_invisible() -> None:
    """The pattern is written out (building it from the Unicode database takes 0.1 s); it covers
    every character this Python calls a format character."""
    pattern = invisible_characters()
    missed = [f"U+{code:04X}" for code in range(0x80, 0x110000) if unicodedata.category(chr(code)) == "Cf"]
    assert [code for code in missed if not pattern.fullmatch(chr(int(code[2:], 16)))] == []


@pytest.mark.parametrize("text", ["True", "中文，标点。", "énoncé", "✔ ✘ → …", "x[i] = 1\ttab\n", "👍", "🇫🇷"])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert visible(text) == text
    assert invisible_characters().search(text) is None


def test_escapes_name_the_code_point() -> None:
    assert escaped("\x1b") == "\\x1b"  # as before, for control characters
    assert escaped("\u202e") == "\\u202e"
    assert escaped("\U000e0041") == "\\U000e0041"
    assert visible("a\x1b[2Jb\n", keep="\n") == "a\\x1b[2Jb\n"


@pytest.mark.parametrize("char", ["\u200b", "\u202e", "\u2066", "\ufeff", "\u00ad", "\U000e0041"])
def test_bank_text_holding_one_does_not_load(char: str) -> None:
    bank, problems = parse_bank(BANK.format(prompt=f"Tr{char}ue"), "bank.yaml")
    assert bank is None
    assert any(
        str(problem).startswith(f"bank.yaml:6:13: this text holds the invisible character U+{ord(char):04X}")
        for problem in problems
    ), problems


@pytest.mark.parametrize("name", ["An\u200bn", "\u202eAnn", "Ann\u2066", "\ufeffAnn", "A\u00adnn", "Ann\U000e0041"])
def test_a_player_name_holding_one_is_refused(name: str) -> None:
    assert valid_player(name) is None


def test_a_name_in_any_script_is_still_a_name() -> None:
    assert valid_player("  张伟 ") == "张伟"
    assert valid_player("Zoë O'Brien") == "Zoë O'Brien"


def test_an_outcome_shows_them_escaped() -> None:
    printed = "Tr\u200bue\n\u202eeurT\nok\tdone\n"
    assert clean_text(printed) == "Tr\\u200bue\n\\u202eeurT\nok\tdone\n"
