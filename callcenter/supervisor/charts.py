"""Charts drawn on the server as inline SVG: no script, prints as drawn, readable offline.

Each chart is a list of bars with one or more stacked segments; colours come from the
series, labels are Vietnamese and escaped, numbers in Vietnamese format (1.234). The
drawing is 480 units wide and scales with the page: on a phone its text stays readable,
and no label is cut (a bar chart writes each label on its own line above the bar).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from callcenter.console.templating import number_vi

PALETTE = {"blue": "#2563eb", "green": "#16a34a", "red": "#dc2626", "amber": "#d97706", "grey": "#9ca3af"}
WIDTH = 480
FONT = 11
# Average advance of a character at FONT, in drawing units (Vietnamese text, a sans face).
CHAR_W = 6.2


@dataclass(frozen=True)
class Series:
    name: str
    colour: str


def nice_ticks(value: int, count: int = 4) -> list[int]:
    """`count + 1` evenly spaced round ticks from 0 covering `value` (0, 5, 10, 15, 20)."""
    needed = max(1, -(-value // count))  # the smallest whole step that reaches the value
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step >= needed:
                return [step * i for i in range(count + 1)]
        magnitude *= 10


def _legend(series: Sequence[Series], x: float, y: float, right: float) -> tuple[list[str], float]:
    """The legend, wrapped onto a new line when it would pass `right`; and where it ends."""
    parts, start = [], x
    for s in series:
        width = 24 + CHAR_W * len(s.name)
        if x + width > right and x > start:
            x, y = start, y + 16
        parts.append(f'<rect x="{x:.0f}" y="{y - 9:.0f}" width="10" height="10" fill="{s.colour}"/>'
                     f'<text x="{x + 14:.0f}" y="{y:.0f}" font-size="{FONT}">{escape(s.name)}</text>')
        x += width
    return parts, y


def _open(title: str, height: float) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
            f'aria-label="{escape(title)}" class="chart">', f"<title>{escape(title)}</title>"]


def column_chart(
    title: str, labels: Sequence[str], values: Sequence[Sequence[int]], series: Sequence[Series],
    *, height: int = 220, label_every: int = 1,
) -> Markup:
    """Vertical stacked columns: `values[i][j]` is series j of column i."""
    ticks = nice_ticks(max((sum(v) for v in values), default=0))
    top_value = ticks[-1]
    legend, legend_end = _legend(series, 0, 14, WIDTH)
    left = 8 + CHAR_W * max(len(number_vi(t)) for t in ticks)
    right, top, bottom = 6, legend_end + 14, 22
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    n = max(1, len(labels))
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.75)
    parts = _open(title, height) + legend
    for i, value in enumerate(ticks):
        y = top + plot_h - plot_h * i / (len(ticks) - 1)
        parts.append(f'<line x1="{left:.0f}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#e5e7eb"/>'
                     f'<text x="{left - 4:.0f}" y="{y + 4:.1f}" font-size="{FONT - 1}" '
                     f'text-anchor="end">{number_vi(value)}</text>')
    for i, (label, stack) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h
        tip = ", ".join(f"{s.name}: {number_vi(v)}" for s, v in zip(series, stack, strict=True))
        for s, v in zip(series, stack, strict=True):
            h = plot_h * v / top_value
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{s.colour}"><title>{escape(label)} — {escape(tip)}</title></rect>')
        if i % label_every == 0:
            # Kept inside the drawing at both ends, so the first and last labels are whole.
            half = CHAR_W * len(label) / 2
            centre = min(max(x + bar_w / 2, half), WIDTH - half)
            parts.append(f'<text x="{centre:.1f}" y="{height - bottom + 14}" font-size="{FONT - 1}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[Sequence[int]], series: Sequence[Series],
    *, row: int = 36,
) -> Markup:
    """Horizontal stacked bars (the funnel): each label whole on its own line, the bar
    below it, its total written at the end."""
    legend, legend_end = _legend(series, 0, 14, WIDTH)
    top = legend_end + 10
    height = top + row * max(1, len(labels)) + 4
    total_w = 8 + CHAR_W * max((len(number_vi(sum(v))) for v in values), default=1)
    plot_w = WIDTH - total_w
    top_value = max((sum(v) for v in values), default=0) or 1
    parts = _open(title, height) + legend
    for i, (label, stack) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        parts.append(f'<text x="0" y="{y + 12}" font-size="{FONT}">{escape(label)}</text>')
        x = 0.0
        for s, v in zip(series, stack, strict=True):
            w = plot_w * v / top_value
            parts.append(f'<rect x="{x:.1f}" y="{y + 16}" width="{w:.1f}" height="{row - 22}" '
                         f'fill="{s.colour}"><title>{escape(label)} — {escape(s.name)}: {number_vi(v)}'
                         f'</title></rect>')
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + row - 9}" font-size="{FONT}">'
                     f'{number_vi(sum(stack))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())
