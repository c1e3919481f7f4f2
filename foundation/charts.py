"""Chart primitives: the font every chart is drawn in and a horizontal bar chart, as plain
SVG strings (no JavaScript, no chart library), so that WeasyPrint lays them out in a paper
and a page shows them as they are.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that say what it
shows in words, and every bar carries its name and number as text: the colour is never the
only way to tell bars apart. What the bars mean (RAG, and its colours) is the caller's:
actionplans.charts draws the RAG bar chart with :func:`bar_chart`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"


@dataclass(frozen=True)
class Bar:
    """One bar: ``key`` names it in its CSS class (``bar bar-<key>``), ``label`` is the
    text beside it, ``n`` its number and ``fill`` its colour."""

    key: str
    label: str
    n: int
    fill: str


def bar_chart(
    bars: Sequence[Bar], *, title: str, description: str, chart_id: str, width: int = 520, css_class: str = "bar-chart"
) -> str:
    """A horizontal bar chart as an accessible ``<svg role="img">`` string: each bar with its
    label, its number and its share of the total.

    WeasyPrint takes a tagged PDF's alternative text from the ``<title>``, so a chart for
    print should carry the figures in its title."""
    total = sum(bar.n for bar in bars)
    biggest = max((bar.n for bar in bars), default=0) or 1
    label_width, value_width, row, gap, top = 130, 90, 26, 8, 6
    bar_area = width - label_width - value_width
    height = top + len(bars) * (row + gap)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="{css_class}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{title_id}" aria-describedby="{desc_id}" font-family={quoteattr(FONT)} font-size="12">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    for i, bar in enumerate(bars):
        n = bar.n
        y = top + i * (row + gap)
        length = round(bar_area * n / biggest) if n else 0
        share = f" ({round(100 * n / total)}%)" if total else ""
        mid = y + row / 2 + 4
        out.append(f'<g class="bar bar-{bar.key}">')
        out.append(
            f'<text x="{label_width - 8}" y="{mid}" text-anchor="end" fill="#0b0c0c">{escape(bar.label)}</text>'
        )
        # A thin outline keeps a pale bar visible on white paper.
        out.append(
            f'<rect x="{label_width}" y="{y}" width="{max(length, 2)}" height="{row}" fill="{bar.fill}" '
            f'stroke="#505a5f" stroke-width="0.5"/>'
        )
        out.append(
            f'<text x="{label_width + max(length, 2) + 6}" y="{mid}" fill="#0b0c0c" font-weight="bold">{n}{share}</text>'
        )
        out.append("</g>")
    out.append(f'<line x1="{label_width}" y1="0" x2="{label_width}" y2="{height}" stroke="#0b0c0c" stroke-width="1"/>')
    out.append("</svg>")
    return "".join(out)
