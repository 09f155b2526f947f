"""Chinese text wraps by character, and a single line break between Chinese characters adds no space."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.content import Content

from quiz_app.ui.patches.cjk import CLOSING, OPENING, WORD, install_wrapping, join_lines

PARAGRAPH = (
    "很多人以为 model.eval() 会关闭梯度计算，其实它只是把 Dropout 和 BatchNorm 等层切换到推理模式；"
    "真正停止记录计算图的是 torch.no_grad()，两者作用不同，经常需要一起使用，才能既得到确定的输出又节省显存。"
)


def wrapped(text: str, width: int) -> list[str]:
    install_wrapping()
    return [line.plain.rstrip() for line in Text(text).wrap(Console(width=width), width)]


def test_a_chinese_paragraph_fills_every_line_at_80_columns() -> None:
    lines = wrapped(PARAGRAPH, 80)
    assert "".join(line.replace(" ", "") for line in lines) == PARAGRAPH.replace(" ", "")
    assert len(lines) >= 3
    for line in lines[:-1]:
        assert cell_len(line) >= 78, line  # full to within one wide character, not ragged
        assert line[0] not in CLOSING  # closing punctuation never starts a line
        assert line[-1] not in OPENING


def test_textual_content_wraps_the_same_way() -> None:
    install_wrapping()
    lines = [line.plain for line in Content(PARAGRAPH).wrap(40)]
    assert "".join(lines).replace(" ", "") == PARAGRAPH.replace(" ", "")
    for line, following in zip(lines, lines[1:], strict=False):
        first = WORD.match(following)
        assert first is not None
        # Each line is full: the next line's first word (one Chinese character, or a Latin word) did not fit.
        assert cell_len(line) + cell_len(first.group().rstrip()) > 40, (line, following)


def test_english_wraps_at_spaces_exactly_as_before() -> None:
    english = "model.eval() switches Dropout and BatchNorm to inference; torch.no_grad() stops recording the graph."
    assert wrapped(english, 30) == [
        "model.eval() switches Dropout",
        "and BatchNorm to inference;",
        "torch.no_grad() stops",
        "recording the graph.",
    ]


@given(st.text(alphabet="ab 中文，。（）x\n", max_size=60), st.integers(min_value=4, max_value=30))
def test_wrapping_keeps_every_character_and_the_width(text: str, width: int) -> None:
    lines = wrapped(text.replace("\n", " "), width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_a_line_break_between_chinese_characters_joins_them() -> None:
    assert join_lines("梯度仍然\n会被计算。") == "梯度仍然会被计算。"
    assert join_lines("它切换\n  BatchNorm") == "它切换\n  BatchNorm"  # Latin on one side: a space, as before
    assert join_lines("第一段。\n\n第二段。") == "第一段。\n\n第二段。"  # a paragraph break stays
    assert join_lines("列表：\n- 第一项\n- 第二项") == "列表：\n- 第一项\n- 第二项"  # block starts stay
    assert join_lines("```\n中文\n注释\n```") == "```\n中文\n注释\n```"  # code is as written
    assert join_lines("硬换行  \n保留") == "硬换行  \n保留"
