"""Duplicates per source per day as a stacked bar chart, written as SVG on the server.

Every label is escaped; colours come from attributes and the stylesheet (no inline
style, no script), so the page's Content-Security-Policy holds.
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

PALETTE = (
    "#2563eb",
    "#d97706",
    "#059669",
    "#db2777",
    "#7c3aed",
    "#0891b2",
    "#65a30d",
    "#dc2626",
    "#475569",
    "#ca8a04",
)


def colour(index: int) -> str:
    """The colour of the ``index``-th series."""
    return PALETTE[index % len(PALETTE)]


def _nice_max(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if value <= step * 4:
            return step * 4
    return value


def daily_bars(
    days: list[date],
    by_source: dict[str, list[int]],
    *,
    width: int = 1000,
    height: int = 260,
    legend_columns: int = 4,
    css_class: str = "chart",
) -> Markup:
    """A stacked bar per day, one colour per source, with axis, gridlines and a legend.

    Args:
        days: the days of the window, oldest first.
        by_source: per source, a count per day (same length as ``days``).
        width: the SVG's width in px.
        height: the SVG's height in px.
        legend_columns: legend entries per row.
        css_class: the SVG's class attribute.
    """
    if not days:
        return Markup('<p class="empty">No duplicates flagged yet.</p>')
    left, right, top = 40, 12, 12
    title_id = f"daily-title-{width}"
    legend_rows = -(-len(by_source) // legend_columns) if by_source else 0
    bottom = 34 + 20 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(series[i] for series in by_source.values()) for i in range(len(days))]
    top_value = _nice_max(max(totals, default=0) or 1)
    slot = plot_w / len(days)
    bar_w = max(2.0, slot * 0.72)
    parts: list[str] = [
        f'<svg class="{escape(css_class)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">Duplicates flagged per source per day</title>',
    ]
    for tick in range(5):
        value = top_value * tick // 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )
    label_every = max(1, len(days) // (8 if width >= 700 else 4))
    for i, day in enumerate(days):
        x = left + slot * i + (slot - bar_w) / 2
        y = top + plot_h
        for index, (name, series) in enumerate(by_source.items()):
            count = series[i]
            if not count:
                continue
            h = plot_h * count / top_value
            y -= h
            tip = escape(f"{name}: {count} on {day.isoformat()}")
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour(index)}"><title>{tip}</title></rect>'
            )
        last = i == len(days) - 1 and (len(days) - 1) % label_every > label_every // 2
        if i % label_every == 0 or last:
            parts.append(
                f'<text class="tick" x="{left + slot * i + slot / 2:.1f}" '
                f'y="{top + plot_h + 16}" text-anchor="middle">{day.strftime("%d %b")}</text>'
            )
    legend_y = top + plot_h + 32
    for index, name in enumerate(by_source):
        lx = left + (index % legend_columns) * (plot_w / legend_columns)
        ly = legend_y + 20 * (index // legend_columns)
        total = sum(by_source[name])
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="12" rx="2" '
            f'fill="{colour(index)}"/>'
            f'<text class="legend" x="{lx + 18:.1f}" y="{ly}">{escape(name)} ({total})</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
