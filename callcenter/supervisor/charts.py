"""Charts drawn on the server as inline SVG: no script, prints as drawn, readable offline.

Each chart is a list of bars with one or more stacked segments; colours come from the
series, labels are Vietnamese and escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

PALETTE = {"blue": "#2563eb", "green": "#16a34a", "red": "#dc2626", "amber": "#d97706", "grey": "#9ca3af"}


@dataclass(frozen=True)
class Series:
    name: str
    colour: str


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    step = int(10 ** (len(str(value)) - 1))
    return ((value + step - 1) // step) * step


def _legend(series: Sequence[Series], x: int, y: int) -> list[str]:
    parts = []
    for s in series:
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{s.colour}"/>'
                     f'<text x="{x + 14}" y="{y}" font-size="11">{escape(s.name)}</text>')
        x += 24 + 7 * len(s.name)
    return parts


def column_chart(
    title: str, labels: Sequence[str], values: Sequence[Sequence[int]], series: Sequence[Series],
    *, width: int = 720, height: int = 240, label_every: int = 1,
) -> Markup:
    """Vertical stacked columns: `values[i][j]` is series j of column i."""
    left, right, top, bottom = 40, 10, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((sum(v) for v in values), default=0))
    n = max(1, len(labels))
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.75)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" class="chart">', f"<title>{escape(title)}</title>"]
    parts += _legend(series, left, 14)
    for tick in range(0, 5):
        value = top_value * tick // 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
                     f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{value}</text>')
    for i, (label, stack) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h
        tip = ", ".join(f"{s.name}: {v}" for s, v in zip(series, stack, strict=True))
        for s, v in zip(series, stack, strict=True):
            h = plot_h * v / top_value if top_value else 0
            y -= h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                         f'fill="{s.colour}"><title>{escape(label)} — {escape(tip)}</title></rect>')
        if i % label_every == 0:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height - bottom + 14}" font-size="10" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())


def bar_chart(
    title: str, labels: Sequence[str], values: Sequence[Sequence[int]], series: Sequence[Series],
    *, width: int = 720, row: int = 26, label_width: int = 230,
) -> Markup:
    """Horizontal stacked bars (the funnel): one row per label, counts written at the end."""
    top = 26
    height = top + row * max(1, len(labels)) + 8
    plot_w = width - label_width - 50
    top_value = max((sum(v) for v in values), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" class="chart">', f"<title>{escape(title)}</title>"]
    parts += _legend(series, label_width, 14)
    for i, (label, stack) in enumerate(zip(labels, values, strict=True)):
        y = top + i * row
        parts.append(f'<text x="{label_width - 6}" y="{y + row / 2 + 4:.1f}" font-size="11" '
                     f'text-anchor="end">{escape(label)}</text>')
        x = float(label_width)
        for s, v in zip(series, stack, strict=True):
            w = plot_w * v / top_value
            parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" '
                         f'fill="{s.colour}"><title>{escape(label)} — {escape(s.name)}: {v}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + row / 2 + 4:.1f}" font-size="11">{sum(stack)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text in it went through escape())
