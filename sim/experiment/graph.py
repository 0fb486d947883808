"""Journey graphs to take away: the designed one of a scenario, the observed ones of a run.

Both use the node names of journeys.csv: ``arrival``, the touchpoints, ``event`` (the
customers an event touches), and the ends ``resolved``, ``abandoned`` (the customer gave
up) and ``open``. :func:`write_graph` saves a graph as GraphML (``networkx.write_graphml``)
and as Graphviz DOT, with attributes GraphML accepts: strings, numbers and booleans only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import SimError
from ..model.channels import SELF_SERVICE, TOUCHPOINTS
from ..model.journey import GIVE_UP, build_journey_graph
from ..scenario.schema import Scenario
from ..scenario.validate import reachable_touchpoints

__all__ = ["ENDS", "designed_graph", "observed_graph", "plain_graph", "to_dot", "write_graph",
           "write_graphs"]

#: Nodes a journey ends in: nothing leaves them.
ENDS: tuple[str, ...] = ("resolved", "abandoned", "open")
_START = "arrival"
_EVENT = "event"
#: Outcomes that can happen at each kind of touchpoint.
_AFTER = {"self_service": ("failed", "dropped"),
          "assisted": ("abandoned", "unresolved", "dropped")}


def _kind(node: str) -> str:
    if node == _START:
        return "start"
    if node == _EVENT:
        return "event"
    if node in ENDS:
        return "end"
    return "self_service" if node in SELF_SERVICE else "assisted"


def _add(graph: nx.DiGraph, source: str, target: str, **attrs: Any) -> None:
    """Add or update an edge, joining its ``after`` list."""
    if graph.has_edge(source, target):
        data = graph.edges[source, target]
        after = attrs.pop("after", None)
        if after:
            data["after"] = ",".join(filter(None, [data.get("after", ""), after]))
        data.update(attrs)
    else:
        graph.add_edge(source, target, **attrs)


def _arrivals(graph: nx.DiGraph, scenario: Scenario) -> None:
    """arrival -> first touchpoints, with the share of issues that start there."""
    for seg in scenario.segments:
        total = sum(seg.start.values())
        for tp, w in seg.start.items():
            if w > 0:
                old = graph.edges[_START, tp]["p"] if graph.has_edge(_START, tp) else 0.0
                _add(graph, _START, tp, p=old + seg.share * w / total)
    for event in scenario.events:
        old = graph.edges[_START, _EVENT]["customers"] if graph.has_edge(_START, _EVENT) else 0
        _add(graph, _START, _EVENT, customers=old + event.customers)
        segments = [s for s in scenario.segments if event.segment in (None, s.name)]
        for tp in {tp for s in segments for tp, w in s.start.items() if w > 0}:
            _add(graph, _EVENT, tp, after="discovered")
        if event.notify is not None:
            _add(graph, _EVENT, event.notify, after="notified", proactive=True)


def _resolutions(graph: nx.DiGraph, scenario: Scenario, reached: set[str]) -> None:
    """touchpoint -> resolved, with the share of contacts there that resolve (over intents).

    Self-service resolves with the intent's *success* there; an agent with its *resolve*
    (1 when the scenario does not say), before the facts still missing are counted.
    """
    for tp in sorted(reached):
        if tp in SELF_SERVICE:
            p = sum(i.share * (i.self_service[tp].success if tp in i.self_service else 0.0)
                    for i in scenario.intents)
        else:
            p = sum(i.share * i.resolve.get(tp, 1.0) for i in scenario.intents)
        if p > 0:
            _add(graph, tp, "resolved", after="resolved", p_resolved=p)


def designed_graph(scenario: Scenario) -> nx.DiGraph:
    """The journeys *scenario* designs, over the touchpoints customers can reach.

    Built from :func:`sim.model.journey.build_journey_graph` (the scenario's journeys and
    their defaults) and ``[escalation]``. Edges carry ``after`` (the outcomes that take
    that way, comma-separated), ``p_OUTCOME`` (the probability of the way after it),
    ``delay_OUTCOME_min`` (the mean delay), ``p`` on the ways out of ``arrival`` (the share
    of issues that start there), ``p_resolved`` into ``resolved``, and ``escalation``,
    ``escalation_accept`` where a design with in-channel escalation offers an agent. Only
    the outcomes that can happen at a touchpoint are drawn ('failed' at self-service, not
    at an agent).
    """
    reached = reachable_touchpoints(scenario)
    graph = nx.DiGraph(name=scenario.scenario.name, journeys="designed")
    graph.add_node(_START)
    _arrivals(graph, scenario)
    routes = build_journey_graph(TOUCHPOINTS, scenario.journeys)
    rules = {(j.source, j.after): j for j in scenario.journeys}
    for source, target, data in sorted(routes.edges(data=True)):
        if source not in reached:
            continue
        dest = "abandoned" if target == GIVE_UP else target
        for after, p in sorted(data["p"].items()):
            if after not in _AFTER[_kind(source)]:
                continue
            extra: dict[str, Any] = {f"p_{after}": p}
            rule = rules.get((source, after))
            if rule is not None:
                extra[f"delay_{after}_min"] = rule.delay.mean
                if rule.transfer:
                    extra["transfer"] = True
            _add(graph, source, dest, after=after, **extra)
    _resolutions(graph, scenario, reached)
    for source, esc in sorted(scenario.escalation.items()):
        if source in reached:
            _add(graph, source, esc.to, after="escalated", escalation=True,
                 escalation_accept=esc.accept)
    for node in graph:
        graph.nodes[node]["kind"] = _kind(node)
    return graph


def observed_graph(journeys: Any, design: str) -> nx.DiGraph:
    """The journeys of *design* in a run (journeys.csv's columns), summed over replications.

    Edges carry ``count`` (whole issues) and ``share`` (of the issues that arrived); nodes
    ``kind`` and ``visits``; the graph ``design``, ``replications`` and ``issues``.
    See :func:`sim.plots.journeys.journey_graph`.
    """
    from ..plots.journeys import journey_graph

    graph = journey_graph(journeys, design)
    graph.graph.update(name=design, journeys="observed", issues=round(graph.graph["issues"]))
    for node in graph:
        graph.nodes[node].update(kind=_kind(node), visits=round(graph.nodes[node]["visits"]))
    for _, _, data in graph.edges(data=True):
        data["count"] = round(data["count"])
    return graph


def _plain(value: Any) -> Any:
    """*value* as a GraphML-ready scalar (str, int, float, bool), or None to drop it."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return value if isinstance(value, int) or not math.isinf(value) else repr(value)
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(str(_plain(v)) for v in value)
    return str(value)


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in ((str(k), _plain(v)) for k, v in attrs.items()) if v is not None}


def plain_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """A copy of *graph* whose node names are strings and whose attributes GraphML accepts."""
    out = nx.DiGraph(**_clean(graph.graph))
    for node, data in graph.nodes(data=True):
        out.add_node(str(node), **_clean(data))
    for a, b, data in graph.edges(data=True):
        out.add_edge(str(a), str(b), **_clean(data))
    return out


def _quote(value: Any) -> str:
    """A DOT ID: always a double-quoted string, with backslashes, quotes and newlines escaped."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _attrs(data: dict[str, Any]) -> str:
    if not data:
        return ""
    return " [" + ", ".join(f"{_quote(k)}={_quote(v)}" for k, v in data.items()) + "]"


def _edge_label(data: dict[str, Any]) -> str:
    if "count" in data:
        return f"{data['count']:g}"
    if "p" in data:
        return f"{data['p']:.3g}"
    if "customers" in data:
        return f"{data['customers']} customers"
    return str(data.get("after", ""))


def to_dot(graph: nx.DiGraph) -> str:
    """*graph* as Graphviz DOT text (every ID quoted; edges labelled by count or outcome)."""
    g = plain_graph(graph)
    lines = [f"digraph {_quote(g.graph.get('name', 'journeys'))} {{", "  rankdir=\"LR\";"]
    if g.graph:
        lines.append(f"  graph{_attrs(g.graph)};")
    for node, data in g.nodes(data=True):
        lines.append(f"  {_quote(node)}{_attrs(data)};")
    for a, b, data in g.edges(data=True):
        lines.append(f"  {_quote(a)} -> {_quote(b)}{_attrs({'label': _edge_label(data), **data})};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_graph(graph: nx.DiGraph, stem: Path) -> list[Path]:
    """Write *graph* as ``STEM.graphml`` and ``STEM.dot``; return the two paths.

    Raises :class:`~sim.errors.SimError` when the folder cannot be written.
    """
    graphml, dot = stem.with_suffix(".graphml"), stem.with_suffix(".dot")
    try:
        stem.parent.mkdir(parents=True, exist_ok=True)
        nx.write_graphml(plain_graph(graph), graphml)
        dot.write_text(to_dot(graph), encoding="utf-8")
    except OSError as e:
        raise SimError(f"{stem.parent}: cannot write the graph ({e.strerror})") from None
    return [graphml, dot]


def _file_name(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name) or "design"


def write_graphs(path: Path, out: Path | None = None) -> list[Path]:
    """The graphs of *path*: a scenario file's designed one, a results folder's observed ones.

    A scenario's go to *out* (default ``results/<name>-graph/``) as ``designed.*``; a
    results folder's to *out* (default ``DIR/graphs/``) as ``observed-DESIGN.*``, one per
    design. Raises :class:`~sim.errors.ScenarioError` for a bad scenario and
    :class:`~sim.errors.SimError` for a folder that is not a results folder.
    """
    from ..plots.data import read_table
    from ..scenario import load_scenario

    if path.is_dir():
        if not (path / "journeys.csv").is_file():
            raise SimError(f"{path}: not the results folder of a run (expected journeys.csv, "
                           "written by `omnisim run`)")
        journeys = read_table(path / "journeys.csv")
        designs: Sequence[str] = list(dict.fromkeys(str(d) for d in journeys["design"]))
        target = out or path / "graphs"
        return [p for d in designs for p in write_graph(
            observed_graph(journeys, d), target / f"observed-{_file_name(d)}")]
    scenario = load_scenario(path)
    slug = "".join(c if c.isalnum() else "-" for c in scenario.scenario.name.lower())
    target = out or Path("results") / f"{slug.strip('-') or 'scenario'}-graph"
    return write_graph(designed_graph(scenario), target / "designed")
