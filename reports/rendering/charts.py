"""Server-side charts for the printed papers.

The RAG chart is a plain SVG drawn here (no JavaScript, no chart library), so WeasyPrint
can lay it out and a screen reader reads its title and description. Every bar carries
its RAG name and count as text: the colour is never the only way to tell bars apart.
Word cannot take SVG, so the Word paper shows the same numbers as a table instead.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from actionplans.choices import RAG
from actionplans.rag import RAG_ORDER

# Fill and the text colour that reads on it (at least 4.5:1), per RAG value. The same
# pairs colour RAG cells in the PDF tables and the Word tables.
RAG_COLOURS: dict[str, tuple[str, str]] = {
    RAG.RED: ("#d4351c", "#ffffff"),
    RAG.AMBER: ("#f47738", "#0b0c0c"),
    RAG.GREEN: ("#00703c", "#ffffff"),
    RAG.BLUE: ("#1d70b8", "#ffffff"),
    RAG.NOT_RATED: ("#dcdcdc", "#0b0c0c"),
}

FONT = "Arial, 'Liberation Sans', Helvetica, sans-serif"


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
    """A horizontal bar chart of RAG counts as an accessible ``<svg role="img">`` string.

    WeasyPrint takes a tagged PDF's alternative text from the ``<title>``, so a chart for
    print should carry the figures in its title (see the committee paper)."""
    total = sum(counts.values())
    biggest = max(counts.values(), default=0) or 1
    label_width, value_width, row, gap, top = 130, 90, 26, 8, 6
    bar_area = width - label_width - value_width
    height = top + len(RAG_ORDER) * (row + gap)
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="rag-chart" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{title_id}" aria-describedby="{desc_id}" font-family={quoteattr(FONT)} font-size="12">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description or rag_description(counts))}</desc>',
    ]
    for i, rag in enumerate(RAG_ORDER):
        n = counts.get(rag.value, 0)
        fill, _ = RAG_COLOURS[rag]
        y = top + i * (row + gap)
        bar = round(bar_area * n / biggest) if n else 0
        share = f" ({round(100 * n / total)}%)" if total else ""
        mid = y + row / 2 + 4
        out.append(f'<g class="bar bar-{rag.value}">')
        out.append(
            f'<text x="{label_width - 8}" y="{mid}" text-anchor="end" fill="#0b0c0c">{escape(rag.label)}</text>'
        )
        # A thin outline keeps a pale bar (not yet rated) visible on white paper.
        out.append(
            f'<rect x="{label_width}" y="{y}" width="{max(bar, 2)}" height="{row}" fill="{fill}" '
            f'stroke="#505a5f" stroke-width="0.5"/>'
        )
        out.append(
            f'<text x="{label_width + max(bar, 2) + 6}" y="{mid}" fill="#0b0c0c" font-weight="bold">{n}{share}</text>'
        )
        out.append("</g>")
    out.append(f'<line x1="{label_width}" y1="0" x2="{label_width}" y2="{height}" stroke="#0b0c0c" stroke-width="1"/>')
    out.append("</svg>")
    return "".join(out)
