"""Bars drawn with text: how many picked each option of a question (the classroom report), and
the share bar the stats screen uses for retention. No chart library: block characters in a
``rich.text.Text``, cut to the widget's width cell by cell (CJK text stays aligned)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from quiz_app.core.i18n import _

FILLED, TRACK = "█", "░"


def share_bar(share: float, width: int, style: str = "") -> Text:
    """A bar ``width`` cells wide, filled to ``share`` (0 to 1) on a light track. A share above
    zero shows at least one cell, so that one answer in a hundred is not drawn as none."""
    share = max(0.0, min(1.0, share))
    filled = round(share * width)
    if share > 0 and filled == 0:
        filled = 1
    return Text.assemble((FILLED * filled, style), (TRACK * (width - filled), "dim"))


def one_line(text: str) -> str:
    """Text from a bank or the database on one line: runs of white space (new lines too) as one space."""
    return " ".join(text.split())


def fit(text: str | Text, width: int, style: str = "") -> Text:
    """``text`` on one line, cut to ``width`` terminal cells with an ellipsis (cell-aware)."""
    line = Text(one_line(text), style=style) if isinstance(text, str) else text.copy()
    line.truncate(max(0, width), overflow="ellipsis")
    return line


@dataclass(frozen=True)
class OptionRow:
    """One option of a question, as the bars show it.

    ``label``: a choice letter, ``true``/``false``, or "" (a prediction, whose text is the
    option). ``keyed``: True for the key, False for a wrong option, None when not known.
    ``text``: what the option says (the choice text, or the prediction), from bank or answers.
    """

    label: str
    count: int
    keyed: bool | None = None
    text: str = ""


class OptionBars(Widget):
    """The options of one question, one bar each: how many answers picked it, of ``total``.

    The key is marked ✔ and a wrong option ✘ (not by colour alone); the counts are written
    beside each bar. Shows a hint while no question is chosen.
    """

    DEFAULT_CSS = """
    OptionBars {
        height: auto;
        padding: 0 1;
    }
    """

    BAR_WIDTH = 24  # cells at most; fewer on a narrow screen

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, classes=classes)
        self.title: Text = Text()
        self.rows: tuple[OptionRow, ...] = ()
        self.total = 0
        self.heading: str = ""
        self.note: Text | None = None

    def show(
        self,
        title: Text,
        rows: Sequence[OptionRow],
        total: int,
        heading: str = "",
        note: Text | None = None,
    ) -> None:
        """Draw ``rows`` (counts out of ``total`` answers) under ``title``; ``heading`` says what
        the options are (e.g. the most common wrong predictions); ``note`` follows, wrapped."""
        self.title, self.rows, self.total, self.heading, self.note = title, tuple(rows), total, heading, note
        self.refresh(layout=True)

    def clear(self) -> None:
        self.show(Text(), (), 0)

    def lines(self, width: int) -> list[Text]:
        """The bars as lines of at most ``width`` cells (the note excepted: it wraps)."""
        if not self.title.plain and not self.rows:
            return [Text(_("Highlight a question to see how its options were chosen."), style="dim")]
        lines = [fit(self.title, width)]
        if self.heading:
            lines.append(fit(self.heading, width, style="dim"))
        if not self.rows:
            lines.append(fit(_("No option to show: no answer counted picked one."), width, style="dim"))
        label_width = max((Text(row.label).cell_len for row in self.rows), default=0)
        counts = [str(row.count) for row in self.rows]
        count_width = max((len(c) for c in counts), default=1)
        bar_width = max(6, min(self.BAR_WIDTH, width // 4))
        for row, count in zip(self.rows, counts, strict=True):
            mark = {True: "✔", False: "✘", None: " "}[row.keyed]
            share = row.count / self.total if self.total else 0.0
            line = Text()
            if label_width:
                line.append(row.label.rjust(label_width), style="bold")
                line.append(" ")
            line.append(mark, style="bold green" if row.keyed else "")
            line.append(" ")
            line.append_text(share_bar(share, bar_width, style="green" if row.keyed else ""))
            line.append(f" {count.rjust(count_width)} {share:>4.0%}")
            if row.text:
                line.append("  ")
                line.append_text(fit(row.text, width - line.cell_len))
            line.truncate(width, overflow="ellipsis")
            lines.append(line)
        return lines

    def render(self) -> Text:
        width = max(1, self.content_size.width)
        shown = Text("\n").join(self.lines(width))
        if self.note is not None:
            shown.append("\n")
            shown.append_text(self.note)
        return shown
