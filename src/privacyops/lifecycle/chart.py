"""The yearly metrics as a bar chart in inline SVG, drawn on the server (no script in the page)."""

from __future__ import annotations

import html

from privacyops.lifecycle.metrics import TypeMetrics

BARS = (("received", "#2753c8"), ("complied", "#2e8b57"), ("denied", "#c0392b"))
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 300, 40, 50, 20
GROUP_GAP, BAR_GAP = 24, 4


def bar_chart(metrics: list[TypeMetrics], year: int) -> str:
    """Return an accessible SVG: per type, bars for received, complied and denied, with their counts."""
    peak = max([1, *(getattr(m, name) for m in metrics for name, _ in BARS)])
    plot_h = HEIGHT - BOTTOM - TOP
    group_w = (WIDTH - LEFT) / max(1, len(metrics))
    bar_w = (group_w - GROUP_GAP - BAR_GAP * (len(BARS) - 1)) / len(BARS)
    title = f"Requests received in {year}, complied with and denied, by type"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="metrics-chart-title" class="metrics-chart">',
        f'<title id="metrics-chart-title">{html.escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" stroke="#888"/>',
    ]
    for index, m in enumerate(metrics):
        x0 = LEFT + index * group_w + GROUP_GAP / 2
        for slot, (name, colour) in enumerate(BARS):
            value = getattr(m, name)
            height = plot_h * value / peak
            x, y = x0 + slot * (bar_w + BAR_GAP), HEIGHT - BOTTOM - height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                f'fill="{colour}"><title>{html.escape(m.type)}: {value} {name}</title></rect>'
            )
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" font-size="11" '
                f'text-anchor="middle">{value}</text>'
            )
        parts.append(
            f'<text x="{x0 + (group_w - GROUP_GAP) / 2:.1f}" y="{HEIGHT - BOTTOM + 18}" font-size="13" '
            f'text-anchor="middle">{html.escape(m.type)}</text>'
        )
    for slot, (name, colour) in enumerate(BARS):
        x = LEFT + slot * 110
        parts.append(
            f'<rect x="{x}" y="{HEIGHT - 18}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="{HEIGHT - 8}" font-size="12">{name}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
