"""The data map as a picture: systems, the categories they hold, and the subprocessors that receive them.

Three columns laid out on the server (systems, categories, subprocessors) with a line for each
"holds" and "receives"; the template draws it as SVG.
"""

from __future__ import annotations

from dataclasses import dataclass

from privacyops.manifest.schema import Manifest
from privacyops.manifest.systems import System

ROW, GAP, NODE_W, WIDTH = 22, 6, 230, 900
COLUMNS = (10, 335, 660)
COLOURS = ("#dbe9f6", "#fff1d6", "#e3f3e7")


@dataclass(frozen=True)
class Node:
    """A box with its label."""

    key: str
    label: str
    x: int
    y: int
    fill: str


@dataclass(frozen=True)
class Edge:
    """A line from the right edge of one box to the left edge of another."""

    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class Graph:
    """Everything the template draws."""

    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]
    node_width: int = NODE_W
    row: int = ROW


def system_categories(system: System) -> list[str]:
    """Return the categories a system's tables hold, sorted."""
    return sorted(
        {c for table in system.tables.values() for f in table.fields.values() for c in f.categories}
    )


def build(manifest: Manifest) -> Graph:
    """Lay out the data map of a manifest."""
    held = {name: system_categories(system) for name, system in manifest.systems.items()}
    received = {f"{p.name} ({p.service})": list(p.categories) for p in manifest.subprocessors}
    categories = sorted({c for values in [*held.values(), *received.values()] for c in values})
    columns = [list(held), categories, list(received)]
    places: dict[tuple[int, str], tuple[int, int]] = {}
    nodes: list[Node] = []
    for column, keys in enumerate(columns):
        for index, key in enumerate(keys):
            x, y = COLUMNS[column], 30 + index * (ROW + GAP)
            places[(column, key)] = (x, y)
            nodes.append(Node(key, _label(key), x, y, COLOURS[column]))
    edges = [_edge(places[(0, name)], places[(1, c)]) for name, cats in held.items() for c in cats]
    edges += [_edge(places[(1, c)], places[(2, name)]) for name, cats in received.items() for c in cats]
    height = 40 + max(len(keys) for keys in columns) * (ROW + GAP)
    return Graph(WIDTH, height, nodes, edges)


def _edge(start: tuple[int, int], end: tuple[int, int]) -> Edge:
    return Edge(start[0] + NODE_W, start[1] + ROW // 2, end[0], end[1] + ROW // 2)


def _label(text: str) -> str:
    return text if len(text) <= 34 else text[:33] + "…"
