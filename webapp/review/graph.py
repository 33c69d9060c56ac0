"""Who republishes whom: sources on a circle, an arrow from each copying source to the
source of the chosen original, as thick as the number of copies. SVG, escaped labels."""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from webapp.review.charts import colour


def _layout(
    names: list[str], cx: float, cy: float, radius: float
) -> dict[str, tuple[float, float]]:
    if len(names) == 1:
        return {names[0]: (cx, cy)}
    return {
        name: (
            cx + radius * math.cos(2 * math.pi * i / len(names) - math.pi / 2),
            cy + radius * math.sin(2 * math.pi * i / len(names) - math.pi / 2),
        )
        for i, name in enumerate(names)
    }


def republish_graph(edges: dict[tuple[str, str], int], *, size: int = 420) -> Markup:
    """The graph of ``edges`` ((copying source, original's source) -> copies) as SVG.

    A source that copies itself (copy and original on one site) is shown as a count
    under its node rather than as a loop.
    """
    if not edges:
        return Markup('<p class="empty">No syndication clusters with an original yet.</p>')
    names = sorted({name for pair in edges for name in pair})
    node_r = 22.0
    pos = _layout(names, size / 2, size / 2, size / 2 - 70)
    heaviest = max(edges.values())
    parts: list[str] = [
        f'<svg class="graph" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        'role="img" aria-labelledby="graph-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="graph-title">Who republishes whom</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="4" '
        'markerHeight="4" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="arrowhead"/></marker></defs>',
    ]
    self_copies: dict[str, int] = {}
    for (copy, original), weight in sorted(edges.items()):
        if copy == original:
            self_copies[copy] = weight
            continue
        (x1, y1), (x2, y2) = pos[copy], pos[original]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        # Two-way pairs: shift each direction sideways so both arrows show.
        shift = 6.0 if (original, copy) in edges else 0.0
        ox, oy = -uy * shift, ux * shift
        sx, sy = x1 + ux * node_r + ox, y1 + uy * node_r + oy
        ex, ey = x2 - ux * (node_r + 4) + ox, y2 - uy * (node_r + 4) + oy
        stroke = 1.5 + 6.5 * weight / heaviest
        tip = escape(
            f"{copy} republished {weight} stor{'y' if weight == 1 else 'ies'} of {original}"
        )
        parts.append(
            f'<g class="edge"><title>{tip}</title>'
            f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" '
            f'stroke-width="{stroke:.1f}" marker-end="url(#arrow)"/>'
            f'<text class="edge-label" x="{(sx + ex) / 2 - uy * (stroke + 8):.1f}" '
            f'y="{(sy + ey) / 2 + ux * (stroke + 8) + 4:.1f}" text-anchor="middle">{weight}</text>'
            "</g>"
        )
    for index, name in enumerate(names):
        x, y = pos[name]
        label = escape(name)
        extra = (
            f'<text class="node-note" x="{x:.1f}" y="{y + node_r + 30:.1f}" '
            f'text-anchor="middle">{self_copies[name]} within site</text>'
            if name in self_copies
            else ""
        )
        parts.append(
            f'<g class="node"><title>{label}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{node_r}" fill="{colour(index)}"/>'
            f'<text class="node-label" x="{x:.1f}" y="{y + node_r + 15:.1f}" '
            f'text-anchor="middle">{label}</text>{extra}</g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
