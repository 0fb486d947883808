"""The observed journeys of the issues as a flow graph, one panel per design.

:func:`journey_graph` builds a :class:`networkx.DiGraph` from journeys.csv (counts summed
over replications); :func:`journey_layout` places it left to right: arrival, self-service
touchpoints, assisted touchpoints, then how the issues ended (resolved, abandoned, open).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import ArrowStyle, FancyArrowPatch

from ..errors import SimError
from ..model.channels import SELF_SERVICE
from .data import Columns, designs_of
from .style import new_figure, style, titled

__all__ = ["END_NODES", "START", "journey_graph", "journey_layout", "journeys_figure"]

#: The node every journey starts from.
START = "arrival"
#: The nodes journeys end in, top to bottom.
END_NODES: tuple[str, ...] = ("resolved", "abandoned", "open")

_END_COLORS = {"resolved": "#009E73", "abandoned": "#D55E00", "open": "#888888"}
_MOVE_COLOR = "#0072B2"
_NODE_COLORS = {"start": "#eeeeee", "self_service": "#d6e9f8", "assisted": "#fbe3c0",
                "end": "#ffffff"}
_X_GAP = 2.6
_Y_GAP = 1.5


def _kind(node: str) -> str:
    if node == START:
        return "start"
    if node in END_NODES:
        return "end"
    return "self_service" if node in SELF_SERVICE else "assisted"


def journey_graph(journeys: Columns, design: str) -> nx.DiGraph:
    """The journeys of *design* as a graph: counts summed over replications.

    Edges carry ``count`` and ``share`` (count over the issues that arrived, which is the
    total leaving ``arrival``); nodes carry ``kind`` (start, self_service, assisted, end)
    and ``visits`` (steps into the node). A self-loop is a retry at the same touchpoint.
    """
    col = {k: np.asarray(journeys[k]) for k in ("design", "replication", "source", "target",
                                               "count")}
    mask = col["design"] == design
    if not mask.any():
        raise SimError(f"journeys.csv: no rows for design {design!r}")
    graph = nx.DiGraph(design=design, replications=int(np.unique(col["replication"][mask]).size))
    for source, target, count in zip(col["source"][mask], col["target"][mask],
                                     col["count"][mask].astype(float), strict=True):
        s, t = str(source), str(target)
        if graph.has_edge(s, t):
            graph[s][t]["count"] += count
        else:
            graph.add_edge(s, t, count=count)
    if START not in graph:
        raise SimError(f"journeys.csv: design {design!r} has no journey from {START!r}")
    issues = sum(d["count"] for _, _, d in graph.out_edges(START, data=True))
    graph.graph["issues"] = issues
    for _, _, d in graph.edges(data=True):
        d["share"] = d["count"] / issues if issues else math.nan
    for node in graph:
        graph.nodes[node]["kind"] = _kind(node)
        graph.nodes[node]["visits"] = sum(d["count"] for _, _, d in graph.in_edges(node, data=True))
    return graph


def journey_layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Positions left to right: arrival, self-service, assisted, the ends (top to bottom)."""
    kinds = ("start", "self_service", "assisted", "end")
    columns: dict[str, list[str]] = {k: [] for k in kinds}
    for node, kind in graph.nodes(data="kind"):
        columns[kind].append(node)
    columns["end"] = [n for n in END_NODES if n in graph]
    for kind in ("self_service", "assisted"):  # busiest first, at the top
        columns[kind].sort(key=lambda n: (-graph.nodes[n]["visits"], n))
    # every column with more than one node spans the height of the tallest one, so that
    # edges between columns keep clear of the nodes in between
    height = (max(len(c) for c in columns.values()) - 1) * _Y_GAP
    pos: dict[str, tuple[float, float]] = {}
    x = 0.0
    for kind in kinds:
        nodes = columns[kind]
        if not nodes:
            continue
        gap = height / (len(nodes) - 1) if len(nodes) > 1 else 0.0
        for i, node in enumerate(nodes):
            pos[node] = (x, ((len(nodes) - 1) / 2 - i) * gap)
        x += _X_GAP
    return pos


def _node_label(graph: nx.DiGraph, node: str) -> str:
    if node in END_NODES:
        return f"{node}\n{graph.nodes[node]['visits'] / graph.graph['issues']:.1%}"
    return node


# Sizes in data units: the figure is drawn at _SCALE inches per unit (equal aspect).
_SCALE = 0.72
_CHAR = 0.62 / 72 / _SCALE  # width of a character per point of font size
_LOOP_HALF_WIDTH = 0.36
_LOOP_HEIGHT = 0.42


def _half_size(label: str, fontsize: float = 9.0, pad: float = 0.45) -> tuple[float, float]:
    """Half width and height of a text box of *label*, in data units."""
    lines = label.split("\n")
    pad_units = pad * fontsize / 72 / _SCALE
    half_w = _CHAR * fontsize * max(len(s) for s in lines) / 2 + pad_units
    half_h = 1.25 * fontsize / 72 / _SCALE * len(lines) / 2 + pad_units
    return half_w, half_h


def _bezier(p0: np.ndarray, p2: np.ndarray, rad: float, t: np.ndarray) -> np.ndarray:
    """Points of matplotlib's ``arc3,rad=RAD`` curve from *p0* to *p2* (equal aspect)."""
    mid = (p0 + p2) / 2
    d = p2 - p0
    c = mid + rad * np.array([d[1], -d[0]])
    t = t[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t**2 * p2


Box = tuple[np.ndarray, tuple[float, float]]


def _clearance(points: np.ndarray, boxes: list[Box], margin: float = 0.0) -> float:
    """How far *points* stay outside the *boxes* grown by *margin* (negative: inside)."""
    best = math.inf
    for centre, (hw, hh) in boxes:
        d = np.abs(points - centre) - np.array([hw + margin, hh + margin])
        best = min(best, float(np.min(np.max(d, axis=1))))
    return best


def _edge_rad(p0: np.ndarray, p2: np.ndarray, others: list[Box]) -> float:
    """The least curvature that keeps an edge off the other nodes (0 when straight is fine)."""
    if not others:
        return 0.0
    t = np.linspace(0.0, 1.0, 60)
    best_rad, best = 0.0, -math.inf
    for rad in (0.0, 0.12, -0.12, 0.24, -0.24, 0.36, -0.36, 0.5, -0.5):
        clear = _clearance(_bezier(p0, p2, rad, t), others, margin=0.12)
        if clear > 0:
            return rad
        if clear > best:
            best_rad, best = rad, clear
    return best_rad


def _label_spot(p0: np.ndarray, p2: np.ndarray, rad: float, size: tuple[float, float],
                taken: list[Box]) -> np.ndarray:
    """Where along the edge its label overlaps no node or label placed so far."""
    best, best_clear = None, -math.inf
    for t in (0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.2):
        spot = _bezier(p0, p2, rad, np.array([t]))[0]
        grown = [(c, (hw + size[0], hh + size[1])) for c, (hw, hh) in taken]
        clear = _clearance(spot[None, :], grown, margin=0.03)
        if clear > 0:
            return spot
        if clear > best_clear:
            best, best_clear = spot, clear
    assert best is not None
    return best


def _arrow_style(share: float) -> ArrowStyle:
    """A filled arrow whose shaft is proportional to *share* (points, mutation_scale 1)."""
    tail = 0.6 + 11.0 * share
    head = tail + min(max(tail, 5.0), 8.0)
    return ArrowStyle.Simple(head_length=min(0.6 * head + 2.0, 10.0), head_width=head,
                             tail_width=tail)


def _draw(ax: Axes, graph: nx.DiGraph, pos: dict[str, tuple[float, float]], title: str) -> None:
    labels = {n: _node_label(graph, n) for n in graph}
    boxes: dict[str, Box] = {n: (np.array(pos[n]), _half_size(labels[n])) for n in graph}
    # what edges and labels keep clear of: the nodes, grown upwards over their loops
    obstacles = dict(boxes)
    for node in nx.nodes_with_selfloops(graph):
        centre, (hw, hh) = boxes[node]
        obstacles[node] = (centre + np.array([0.0, _LOOP_HEIGHT / 2]),
                           (max(hw, _LOOP_HALF_WIDTH), hh + _LOOP_HEIGHT / 2))
    taken: list[Box] = list(obstacles.values())
    texts = {}
    for node in graph:
        kind = graph.nodes[node]["kind"]
        texts[node] = ax.text(*pos[node], labels[node], ha="center", va="center", fontsize=9,
                              fontweight="bold" if kind != "end" else "normal", zorder=4,
                              bbox={"boxstyle": "round,pad=0.45", "facecolor": _NODE_COLORS[kind],
                                    "edgecolor": _END_COLORS.get(node, "0.35"),
                                    "linewidth": 1.2})
    edges = sorted(graph.edges(data=True), key=lambda e: -e[2]["share"])
    for source, target, data in edges:
        share = data["share"]
        color = _END_COLORS.get(target, _MOVE_COLOR)
        text = f"{share:.0%}" if share >= 0.095 else f"{share:.1%}"
        size = _half_size(text, fontsize=8, pad=0.15)
        common: dict[str, Any] = {"arrowstyle": _arrow_style(share), "mutation_scale": 1.0,
                  "facecolor": color, "edgecolor": "none", "alpha": 0.6, "zorder": 2,
                  "shrinkA": 1.0, "shrinkB": 1.0}
        if source == target:  # a retry: a loop over the node
            (x, y), hh = pos[source], boxes[source][1][1]
            a = _LOOP_HALF_WIDTH
            ax.add_patch(FancyArrowPatch((x - a, y + hh), (x + a, y + hh),
                                         connectionstyle=f"arc3,rad={-_LOOP_HEIGHT / a}",
                                         **common))
            spot = np.array([x, y + hh + _LOOP_HEIGHT + size[1] + 0.02])
        else:
            p0, p2 = np.array(pos[source]), np.array(pos[target])
            others = [b for n, b in obstacles.items() if n not in (source, target)]
            rad = _edge_rad(p0, p2, others)
            ax.add_patch(FancyArrowPatch(pos[source], pos[target],
                                         connectionstyle=f"arc3,rad={rad}",
                                         patchA=texts[source].get_bbox_patch(),
                                         patchB=texts[target].get_bbox_patch(), **common))
            spot = _label_spot(p0, p2, rad, size, taken)
        taken.append((spot, size))
        ax.text(spot[0], spot[1], text, ha="center", va="center", fontsize=8, color=color, zorder=5,
                fontweight="bold",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                      "alpha": 0.85})
    ax.set_xlim(*_extent(pos)[0])
    ax.set_ylim(*_extent(pos)[1])
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    ax.set_title(title)


def _extent(pos: dict[str, tuple[float, float]]) -> tuple[tuple[float, float],
                                                          tuple[float, float]]:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    return (min(xs) - 0.7, max(xs) + 0.8), (min(ys) - 0.6, max(ys) + 1.0)


def journeys_figure(journeys: Columns, designs: Sequence[str] | None = None,
                    title: str = "") -> Figure:
    """The journeys of each design as a flow graph, one panel per design.

    Edge width and label: the steps between two nodes as a share of the issues that
    arrived (summed over replications); a loop is a retry at the same touchpoint.
    """
    names = designs_of(journeys, designs)
    graphs = [journey_graph(journeys, d) for d in names]
    layouts = [journey_layout(g) for g in graphs]
    (x0, x1), (y0, y1) = _extent({f"{i}{n}": p for i, pos in enumerate(layouts)
                                  for n, p in pos.items()})
    cols = 1 if len(graphs) == 1 else 2
    rows = math.ceil(len(graphs) / cols)
    with style():
        width = max((x1 - x0) * _SCALE * cols + 0.3, 8.0)
        fig = new_figure(width, ((y1 - y0) * _SCALE + 0.45) * rows + 1.0)
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax in axes[len(graphs):]:
            ax.set_visible(False)
        for ax, graph, pos in zip(axes, graphs, layouts, strict=False):
            reps = graph.graph["replications"]
            issues = graph.graph["issues"] / max(reps, 1)
            _draw(ax, graph, pos, f"{graph.graph['design']}: {issues:,.0f} issues per "
                  f"replication, {reps} replication{'s' if reps != 1 else ''}")
            ax.set_xlim(x0, x1)
            ax.set_ylim(y0, y1)
        handles: list[Any] = [
            Line2D([], [], color=_MOVE_COLOR, alpha=0.6, linewidth=4, label="to a touchpoint"),
            *(Line2D([], [], color=c, alpha=0.6, linewidth=4, label=f"to {n}")
              for n, c in _END_COLORS.items()),
            *(Line2D([], [], color="0.4", alpha=0.6, linewidth=0.6 + 11.0 * s,
                     label=f"{s:.0%} of issues") for s in (0.1, 0.5)),
        ]
        fig.legend(handles=handles, loc="outside lower center",
                   ncols=len(handles) if cols > 1 else 3, frameon=False, handlelength=2.5,
                   title_fontsize=8,
                   title="edge width and label: steps between two nodes as % of the issues "
                   "that arrived" + (" " if cols > 1 else "\n") + "(counts summed over the "
                   "replications); a loop is a retry at the same touchpoint")
        fig.suptitle(titled(title, "journeys of the issues"))
    return fig
