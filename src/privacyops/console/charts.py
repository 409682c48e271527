"""Charts as SVG geometry computed on the server; templates draw it (no script, no inline style)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Colour-blind-safe palette (Okabe-Ito), dark enough for the white labels beside it.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8a6d00", "#000000")


@dataclass(frozen=True)
class Rect:
    """One bar segment."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass(frozen=True)
class BarChart:
    """A stacked bar chart: segments, axis labels and a legend."""

    width: int
    height: int
    rects: list[Rect]
    labels: list[tuple[float, str]]  # x, text under each bar
    ticks: list[tuple[float, int]]  # y, value on the left axis
    legend: list[tuple[str, str]]  # colour, name
    top: int
    left: int
    bottom: int


def stacked_bars(
    weeks: list[date], series: dict[str, list[int]], *, width: int = 720, height: int = 260
) -> BarChart:
    """Lay out one stacked bar per week, one colour per series."""
    left, top, bottom = 40, 10, 30
    plot_h = height - top - bottom
    totals = [sum(values[i] for values in series.values()) for i in range(len(weeks))]
    peak = max([*totals, 1])
    step = (width - left - 10) / max(len(weeks), 1)
    rects: list[Rect] = []
    for i, week in enumerate(weeks):
        base: float = top + plot_h
        for n, (name, values) in enumerate(series.items()):
            if not values[i]:
                continue
            h = plot_h * values[i] / peak
            base -= h
            rects.append(
                Rect(
                    left + i * step + 2,
                    base,
                    step - 4,
                    h,
                    PALETTE[n % len(PALETTE)],
                    f"{week.isoformat()}: {values[i]} {name.replace('_', ' ')}",
                )
            )
    labels = [
        (left + i * step + step / 2, f"{week.day:02d}/{week.month:02d}") for i, week in enumerate(weeks)
    ]
    ticks = [(top + plot_h - plot_h * v / peak, v) for v in sorted({0, peak // 2, peak})]
    legend = [(PALETTE[n % len(PALETTE)], name.replace("_", " ")) for n, name in enumerate(series)]
    return BarChart(width, height, rects, labels, ticks, legend, top, left, bottom)
