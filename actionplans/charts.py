"""Server-side SVG charts for the dashboards: the RAG trend (stacked columns) and a measure
against its baseline, target and benchmarks.

The plain RAG bar chart (``rag_bar_chart``, drawn with foundation.charts.bar_chart) serves
the papers and the dashboards' headline counts alike, in the RAG colours defined here; the
trend and measure charts add what the dashboards need beyond it, with its colours and font. Like it, each chart is an ``<svg role="img">`` with a ``<title>`` and
a ``<desc>`` that says what it shows in words, text on the marks (counts, values, line
names), and no JavaScript. Colour is never the only cue: every RAG colour and every line
carries its name as text, and reference lines differ by dash pattern too. The page puts
the data table behind each chart next to it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from actionplans.choices import RAG, Direction, MeasureUnit
from actionplans.rag import RAG_ORDER
from foundation.charts import FONT, Bar, bar_chart

if TYPE_CHECKING:
    from actionplans.measures import MeasureProgress

INK = "#0b0c0c"
MUTED = "#505a5f"
GRID = "#b1b4b6"
LINE = "#1d70b8"

# Fill and the text colour that reads on it (at least 4.5:1), per RAG value. The same
# pairs colour RAG cells in the PDF tables and the Word tables.
RAG_COLOURS: dict[str, tuple[str, str]] = {
    RAG.RED: ("#d4351c", "#ffffff"),
    RAG.AMBER: ("#f47738", "#0b0c0c"),
    RAG.GREEN: ("#00703c", "#ffffff"),
    RAG.BLUE: ("#1d70b8", "#ffffff"),
    RAG.NOT_RATED: ("#dcdcdc", "#0b0c0c"),
}


def _plural(n: int) -> str:
    return f"{n} action" if n == 1 else f"{n} actions"


def rag_description(counts: dict[str, int]) -> str:
    """The chart in words: "Red: 3 actions (10%); Amber: ..."."""
    total = sum(counts.values())
    parts = []
    for rag in RAG_ORDER:
        n = counts.get(rag.value, 0)
        share = f" ({round(100 * n / total)}%)" if total else ""
        parts.append(f"{rag.label}: {_plural(n)}{share}")
    return "; ".join(parts) + f". Total: {_plural(total)}."


def rag_bar_chart(
    counts: dict[str, int],
    *,
    title: str,
    description: str | None = None,
    chart_id: str = "rag-chart",
    width: int = 520,
) -> str:
    """A horizontal bar chart of RAG counts as an accessible ``<svg role="img">`` string, a
    bar per RAG value in RAG_ORDER, each with its name, count and share.

    WeasyPrint takes a tagged PDF's alternative text from the ``<title>``, so a chart for
    print should carry the figures in its title (see the committee paper)."""
    bars = [Bar(rag.value, rag.label, counts.get(rag.value, 0), RAG_COLOURS[rag][0]) for rag in RAG_ORDER]
    return bar_chart(
        bars, title=title, description=description or rag_description(counts), chart_id=chart_id, width=width,
        css_class="rag-chart",
    )


def _svg_open(width: int, height: int, chart_id: str, title: str, description: str, css_class: str) -> list[str]:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="{css_class}" id="{chart_id}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{title_id} {desc_id}" font-family={quoteattr(FONT)} font-size="13">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", fill: str = INK, bold: bool = False,
    size: int | None = None, halo: bool = False,
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    font_size = f' font-size="{size}"' if size else ""
    # A white outline painted under the letters keeps a label legible where it crosses a line.
    outline = ' stroke="#ffffff" stroke-width="3" paint-order="stroke"' if halo else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{weight}{font_size}{outline}>'
        f"{escape(text)}</text>"
    )


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values spanning ``low``..``high`` (1, 2 or 5 times a power of ten apart)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _spread(positions: list[tuple[float, int]], gap: float, low: float, high: float) -> dict[int, float]:
    """Move label positions (y, key) apart by at least ``gap``, within ``low``..``high``."""
    placed: dict[int, float] = {}
    last = None
    for y, key in sorted(positions):
        y = max(y, low)
        if last is not None and y - last < gap:
            y = last + gap
        placed[key] = y
        last = y
    overflow = (last or 0) - high
    if overflow > 0:
        placed = {k: v - overflow for k, v in placed.items()}
    return placed


# --- RAG trend: stacked columns ---------------------------------------------------------------


@dataclass(frozen=True)
class StackedColumn:
    label: str  # "Dec 2025"
    counts: dict[str, int]


def rag_trend_description(columns: Sequence[StackedColumn]) -> str:
    if not columns:
        return "No months to show yet."
    first, last = columns[0], columns[-1]

    def words(column: StackedColumn) -> str:
        return ", ".join(f"{rag.label} {column.counts.get(rag.value, 0)}" for rag in RAG_ORDER)

    return (
        f"Number of actions by RAG rating, from {first.label} to {last.label}. "
        f"{first.label}: {words(first)}. {last.label}: {words(last)}. "
        "The table that follows the chart gives every month."
    )


def rag_stacked_chart(
    columns: Sequence[StackedColumn], *, title: str, description: str | None = None, chart_id: str = "rag-trend"
) -> str:
    """Columns of RAG counts stacked red at the bottom, each segment labelled with its count
    where it has room, the total above each column and the RAG names beside the last one."""
    n = len(columns)
    left, right, top, bottom, plot_h = 44, 130, 28, 44, 240
    band = max(34, min(72, 640 // max(n, 1)))
    width = left + band * n + right
    height = top + plot_h + bottom
    biggest = max((sum(c.counts.values()) for c in columns), default=0)
    ticks = nice_ticks(0, max(biggest, 1), 5)
    y_max = ticks[-1]

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * value / y_max

    out = _svg_open(width, height, chart_id, title, description or rag_trend_description(columns), "rag-trend-chart")
    for tick in ticks:
        y = y_of(tick)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + band * n}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        out.append(_text(left - 6, y + 4, f"{tick:g}", anchor="end", fill=MUTED, size=12))
    out.append(_text(4, top - 12, "Actions", fill=MUTED, size=12))
    bar_w = band * 0.7
    for i, column in enumerate(columns):
        x = left + band * i + (band - bar_w) / 2
        running = 0
        out.append(f'<g class="column"><title>{escape(column.label)}</title>')
        segments = []
        for rag in RAG_ORDER:
            count = column.counts.get(rag.value, 0)
            if not count:
                continue
            fill, ink = RAG_COLOURS[rag]
            y_top, y_bottom = y_of(running + count), y_of(running)
            segments.append((rag, (y_top + y_bottom) / 2))
            out.append(
                f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{bar_w:.1f}" height="{y_bottom - y_top:.1f}" '
                f'fill="{fill}" stroke="#ffffff" stroke-width="1"><title>{escape(rag.label)}: {count}</title></rect>'
            )
            if y_bottom - y_top >= 15:
                out.append(_text(x + bar_w / 2, (y_top + y_bottom) / 2 + 4.5, str(count), anchor="middle", fill=ink, bold=True, size=12))
            running += count
        out.append(_text(x + bar_w / 2, y_of(running) - 5, str(running), anchor="middle", bold=True, size=12))
        month, _, year = column.label.rpartition(" ")
        out.append(_text(x + bar_w / 2, top + plot_h + 17, month or column.label, anchor="middle", size=12))
        if month:
            out.append(_text(x + bar_w / 2, top + plot_h + 32, year, anchor="middle", fill=MUTED, size=12))
        out.append("</g>")
        if i == n - 1:
            # Name each segment of the latest column, so no colour needs a legend to read.
            placed = _spread([(mid, k) for k, (_, mid) in enumerate(segments)], 15, top, top + plot_h)
            for k, (rag, mid) in enumerate(segments):
                label_y = placed[k]
                out.append(
                    f'<line x1="{x + bar_w + 2:.1f}" y1="{mid:.1f}" x2="{x + bar_w + 10:.1f}" y2="{label_y:.1f}" stroke="{MUTED}"/>'
                )
                out.append(_text(x + bar_w + 13, label_y + 4.5, rag.label, size=12))
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + band * n}" y2="{top + plot_h}" stroke="{INK}" stroke-width="1"/>'
    )
    out.append("</svg>")
    return "".join(out)


# --- A measure against its baseline, target and benchmarks -----------------------------------


@dataclass(frozen=True)
class Point:
    day: dt.date
    value: Decimal
    label: str  # the value as text, with its unit


@dataclass(frozen=True)
class ReferenceLine:
    name: str  # "Target", "England average"
    value: Decimal
    label: str  # "Target 90% by 31 Aug 2027"
    dash: str  # SVG stroke-dasharray; "" is solid


def measure_chart(
    *,
    values: Sequence[Point],
    baseline: Point | None,
    target: Point | None,
    references: Sequence[ReferenceLine],
    projection: Point | None,
    direction_label: str,
    title: str,
    description: str,
    chart_id: str = "measure-chart",
    clamp: tuple[float, float] | None = None,
) -> str:
    """Values as a line of labelled points; baseline and target as labelled markers; the
    target and benchmarks as labelled horizontal lines; the linear projection dashed."""
    left, right, top, bottom = 56, 200, 40, 56
    plot_w, plot_h = 560, 280
    width, height = left + plot_w + right, top + plot_h + bottom

    days = [p.day for p in values]
    numbers = [float(p.value) for p in values]
    for extra in (baseline, target, projection):
        if extra is not None:
            days.append(extra.day)
            numbers.append(float(extra.value))
    numbers.extend(float(r.value) for r in references)
    out = _svg_open(width, height, chart_id, title, description, "measure-chart")
    if not days:
        out.append(_text(width / 2, height / 2, "No values or targets recorded yet", anchor="middle", fill=MUTED))
        out.append("</svg>")
        return "".join(out)
    first_day, last_day = min(days), max(days)
    span = max((last_day - first_day).days, 1)
    pad_days = span * 0.04
    low, high = min(numbers), max(numbers)
    margin = (high - low) * 0.1 or max(abs(high) * 0.1, 1)
    low, high = low - margin, high + margin
    if clamp:
        low, high = max(low, clamp[0]), min(high, clamp[1])
    ticks = nice_ticks(low, high, 5)
    if clamp:
        ticks = [t for t in ticks if clamp[0] <= t <= clamp[1]] or ticks
    y_low, y_high = min(ticks[0], low), max(ticks[-1], high)

    def x_of(day: dt.date) -> float:
        return left + plot_w * ((day - first_day).days + pad_days) / (span + 2 * pad_days)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * (value - y_low) / ((y_high - y_low) or 1)

    # Axes and grid.
    for tick in ticks:
        y = y_of(tick)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        out.append(_text(left - 6, y + 4, f"{tick:g}", anchor="end", fill=MUTED, size=12))
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{INK}"/>')
    out.append(_text(left, 18, direction_label, bold=True, size=13))

    # Period labels along the bottom, skipping any that would overlap the one before.
    marks = sorted({p.day for p in values} | {p.day for p in (baseline, target) if p is not None})
    last_x = -1000.0
    for day in marks:
        x = x_of(day)
        if x - last_x < 62:
            continue
        out.append(f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 5}" stroke="{INK}"/>')
        out.append(_text(x, top + plot_h + 19, f"{day:%b}", anchor="middle", size=12))
        out.append(_text(x, top + plot_h + 34, f"{day:%Y}", anchor="middle", fill=MUTED, size=12))
        last_x = x

    # Target and benchmarks: horizontal lines named at the right.
    label_positions = []
    for k, ref in enumerate(references):
        y = y_of(float(ref.value))
        dash = f' stroke-dasharray="{ref.dash}"' if ref.dash else ""
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{INK}" stroke-width="1.5"{dash}>'
            f"<title>{escape(ref.label)}</title></line>"
        )
        label_positions.append((y, k))
    placed = _spread(label_positions, 16, top, top + plot_h)
    for k, ref in enumerate(references):
        y = y_of(float(ref.value))
        out.append(f'<line x1="{left + plot_w}" y1="{y:.1f}" x2="{left + plot_w + 8}" y2="{placed[k]:.1f}" stroke="{MUTED}"/>')
        out.append(_text(left + plot_w + 11, placed[k] + 4.5, ref.label, size=12))

    # The projection, dashed, from the latest value to the target date.
    if projection is not None and values:
        last = values[-1]
        x1, y1 = x_of(last.day), y_of(float(last.value))
        x2, y2 = x_of(projection.day), y_of(float(projection.value))
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{LINE}" stroke-width="2" '
            f'stroke-dasharray="5 4"/>'
        )
        out.append(
            f'<circle cx="{x2:.1f}" cy="{y2:.1f}" r="4" fill="#ffffff" stroke="{LINE}" stroke-width="2"/>'
        )
        # Named on the side the line is heading, clear of the target line it is read against.
        out.append(_text(x2 - 8, y2 + (-10 if y2 <= y1 else 20), f"Projected {projection.label}", anchor="end", fill=LINE, bold=True, size=12, halo=True))

    # Baseline and target as markers at their dates.
    if baseline is not None:
        x, y = x_of(baseline.day), y_of(float(baseline.value))
        out.append(
            f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{MUTED}" transform="rotate(45 {x:.1f} {y:.1f})"/>'
        )
        # Named on the side away from the first value, so the two labels do not collide.
        first_below = bool(values) and float(values[0].value) < float(baseline.value)
        out.append(_text(x + 2, y + (-10 if first_below else 20), f"Baseline {baseline.label}", size=12, halo=True))
    if target is not None:
        x, y = x_of(target.day), y_of(float(target.value))
        # The target line is named at the right; the ring marks its date.
        out.append(
            f'<g class="target"><title>Target {escape(target.label)} by {target.day:%-d %B %Y}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="none" stroke="{INK}" stroke-width="2"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{INK}"/></g>'
        )

    # The values: a line through labelled points.
    if values:
        path = " ".join(f"{x_of(p.day):.1f},{y_of(float(p.value)):.1f}" for p in values)
        out.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="3"/>')
        for p in values:
            x, y = x_of(p.day), y_of(float(p.value))
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{LINE}" stroke="#ffffff" stroke-width="1.5">'
                f"<title>{escape(p.label)} for the period from {p.day:%-d %B %Y}</title></circle>"
            )
            out.append(_text(x, y - 10, p.label, anchor="middle", fill=INK, bold=True, size=12, halo=True))
    out.append("</svg>")
    return "".join(out)


def measure_progress_chart(progress: MeasureProgress) -> str:
    """A measure's chart and its description in words, from its progress (actionplans.measures)."""
    measure = progress.measure
    fmt = progress.fmt
    values = [Point(v.period_start, v.value, fmt(v.value)) for v in progress.values]
    baseline = (
        Point(measure.baseline_date, measure.baseline_value, fmt(measure.baseline_value))
        if measure.baseline_value is not None and measure.baseline_date
        else None
    )
    target = (
        Point(measure.target_date, measure.target_value, fmt(measure.target_value))
        if measure.target_value is not None and measure.target_date
        else None
    )
    references = []
    if measure.target_value is not None:
        by = f" by {measure.target_date:%b %Y}" if measure.target_date else ""
        references.append(ReferenceLine("Target", measure.target_value, f"Target {fmt(measure.target_value)}{by}", "8 4"))
    if measure.england_average is not None:
        references.append(ReferenceLine("England", measure.england_average, f"England average {fmt(measure.england_average)}", "2 3"))
    if measure.statistical_neighbours is not None:
        references.append(
            ReferenceLine(
                "Statistical neighbours", measure.statistical_neighbours,
                f"Statistical neighbours {fmt(measure.statistical_neighbours)}", "10 3 2 3",
            )
        )
    projection = (
        Point(measure.target_date, progress.projection, fmt(progress.projection))
        if progress.projection is not None
        else None
    )
    arrow = "▲" if measure.direction == Direction.HIGHER_IS_BETTER else "▼"
    parts = [f"{measure.get_direction_display()}."]
    if baseline:
        parts.append(f"Baseline {baseline.label} on {measure.baseline_date:%-d %B %Y}.")
    if values:
        parts.append("Values: " + "; ".join(f"{v.day:%b %Y} {v.label}" for v in values) + ".")
    else:
        parts.append("No values recorded yet.")
    if measure.target_value is not None:
        parts.append(f"Target {fmt(measure.target_value)}" + (f" by {measure.target_date:%-d %B %Y}." if measure.target_date else "."))
    for ref in references[1:]:
        parts.append(f"{ref.label}.")
    parts.append(f"{progress.standing_label}: {progress.explanation}")
    return measure_chart(
        values=values,
        baseline=baseline,
        target=target,
        references=references,
        projection=projection,
        direction_label=f"{arrow} {measure.get_direction_display()}",
        title=f"{measure.name}: values against baseline, target and benchmarks",
        description=" ".join(parts),
        clamp=(0.0, 100.0) if measure.unit == MeasureUnit.PERCENT else None,
    )
