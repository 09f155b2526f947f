"""Textual's Sparkline on a fixed scale: scores from 0 to 100 %.

The stock Sparkline stretches its data's own minimum and maximum over the bar heights, which
suits a trend of unknown range; for scores it lies: 50 % after 100 % is drawn as nothing, and a
run of perfect scores as the lowest bar. This one keeps the widget (its CSS, its two colour
component classes, its summary function) and draws each value against 0 and 1.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.renderables.sparkline import Sparkline as SparklineRenderable
from textual.widgets import Sparkline

BARS = SparklineRenderable.BARS  # "▁▂▃▄▅▆▇█"


class ScoreSparkline(Sparkline):
    """Shares (0 to 1), oldest first; each column is the summary (``max``) of its bucket."""

    def render(self) -> Text:
        data = [max(0.0, min(1.0, float(value))) for value in self.data or []]
        width = max(1, self.size.width)
        if not data:
            return Text(" " * width)
        _, base = self.background_colors
        low = base + (
            self.get_component_styles("sparkline--min-color").color if self.min_color is None else self.min_color
        )
        high = base + (
            self.get_component_styles("sparkline--max-color").color if self.max_color is None else self.max_color
        )
        count = len(data)
        line = Text()
        for column in range(width):  # each column summarises its share of the data
            start = column * count // width
            value = self.summary_function(data[start : max(start + 1, (column + 1) * count // width)])
            bar = BARS[round(value * (len(BARS) - 1))]
            line.append(bar, Style.from_color(low.blend(high, value).rich_color))
        return line
