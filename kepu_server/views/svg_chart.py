"""A small horizontal bar chart as SVG, drawn on the server (no script, prints as it shows)."""

from __future__ import annotations

from markupsafe import Markup, escape

ROW, LABEL_W, BAR_W = 26, 220, 360


def bar_chart(title: str, rows: list[tuple[str, float]], number=lambda v: f"{v:g}") -> Markup:
    """``rows`` of ``(label, value)``; bars scale to the largest value; labels are escaped."""
    top = max((v for _, v in rows), default=0) or 1
    height = ROW * len(rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{LABEL_W + BAR_W + 70}" height="{height}" '
        f'viewBox="0 0 {LABEL_W + BAR_W + 70} {height}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(rows):
        y = 5 + i * ROW
        width = round(BAR_W * (value or 0) / top, 1)
        parts.append(
            f'<text x="{LABEL_W - 8}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="#111">{escape(label[:32])}</text>'
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{width}" height="{ROW - 8}" fill="#1d5fa8" '
            f'stroke="#000" stroke-width="0.5"/>'
            f'<text x="{LABEL_W + width + 6}" y="{y + 17}" font-size="13" '
            f'fill="#111">{escape(number(value or 0))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
