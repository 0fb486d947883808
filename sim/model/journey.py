"""The journey graph: where a customer goes after each outcome of a contact.

Nodes are touchpoints plus ``give_up``; an edge ``a -> b`` carries, per outcome
(``failed``, ``abandoned``, ``unresolved``, ``dropped``), the probability of going from
*a* to *b* after it and the delay before the next contact. Outcomes a scenario does not
route take the neutral default: a failed self-service or an abandoned queue ends in
giving up; an unresolved or dropped contact comes back to the same touchpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, Protocol

import attrs

from .dists import Distribution, Fixed

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "DEFAULT_AFTER",
    "GIVE_UP",
    "RETRY",
    "Route",
    "build_journey_graph",
    "journey_moves",
    "reachable",
    "routes_from",
]

#: Target name: the customer stops trying.
GIVE_UP = "give_up"
#: Target name: the same touchpoint again.
RETRY = "retry"
#: Where an outcome leads when the scenario does not say.
DEFAULT_AFTER: dict[str, str] = {
    "failed": GIVE_UP,
    "abandoned": GIVE_UP,
    "unresolved": RETRY,
    "dropped": RETRY,
}


class JourneyLike(Protocol):
    """What a journey rule provides (``sim.scenario.schema.Journey`` does)."""

    @property
    def source(self) -> str:
        """The touchpoint the rule starts from."""

    @property
    def after(self) -> str:
        """The outcome it follows."""

    @property
    def to(self) -> Mapping[str, float]:
        """Targets and their shares."""

    @property
    def delay(self) -> Distribution:
        """Time before the next contact."""

    @property
    def transfer(self) -> bool:
        """Whether the move happens within the contact."""


@attrs.frozen
class Route:
    """The choices after one outcome at one touchpoint: *targets* with cumulative weights."""

    targets: tuple[str, ...]
    cumulative: tuple[float, ...]
    delay: Distribution = Fixed(0.0)
    #: the move happens within the contact (a self-service session handed to an agent)
    transfer: bool = False

    def pick(self, u: float) -> str:
        """The target for a uniform draw *u* in [0, 1)."""
        for target, c in zip(self.targets, self.cumulative, strict=True):
            if u < c:
                return target
        return self.targets[-1]


def journey_moves(
    touchpoints: Iterable[str], journeys: Sequence[JourneyLike]
) -> dict[tuple[str, str], dict[str, float]]:
    """Every move the journeys allow, ``(a, b) -> {after: p}``, in the order they are named.

    ``retry`` targets become moves to the same touchpoint; defaults fill outcomes no
    journey names.
    """
    moves: dict[tuple[str, str], dict[str, float]] = {}
    named = {(j.source, j.after) for j in journeys}
    for j in journeys:
        for target, p in j.to.items():
            if p > 0:
                dest = j.source if target == RETRY else target
                moves.setdefault((j.source, dest), {})[j.after] = p
    for tp in touchpoints:
        for after, target in DEFAULT_AFTER.items():
            if (tp, after) not in named:
                dest = tp if target == RETRY else target
                moves.setdefault((tp, dest), {})[after] = 1.0
    return moves


def reachable(moves: Iterable[tuple[str, str]], starts: Iterable[str]) -> set[str]:
    """The nodes reached from *starts* (included) along the moves ``(a, b)``.

    A walk over a dict rather than :func:`networkx.descendants`: validating a scenario
    then needs no networkx, whose import (about 0.15 s) every run and worker would pay.
    """
    after: dict[str, list[str]] = {}
    for a, b in moves:
        after.setdefault(a, []).append(b)
    reached = set(starts)
    todo = list(reached)
    while todo:
        for b in after.get(todo.pop(), ()):
            if b not in reached:
                reached.add(b)
                todo.append(b)
    return reached


def build_journey_graph(
    touchpoints: Iterable[str], journeys: Sequence[JourneyLike]
) -> nx.DiGraph:
    """A DiGraph of touchpoints with one edge attribute per outcome: ``{after: p}``.

    ``retry`` targets become self-loops; defaults fill outcomes no journey names
    (:func:`journey_moves`).
    """
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_node(GIVE_UP)
    tps = list(touchpoints)
    graph.add_nodes_from(tps)
    for (a, b), p in journey_moves(tps, journeys).items():
        graph.add_edge(a, b, p=p)
    return graph


def routes_from(journeys: Sequence[JourneyLike], touchpoints: Iterable[str]) -> dict[
    tuple[str, str], Route
]:
    """The :class:`Route` for every (touchpoint, outcome), defaults included."""
    routes: dict[tuple[str, str], Route] = {}
    for j in journeys:
        total = sum(j.to.values())
        targets = tuple(j.source if t == RETRY else t for t in j.to)
        cumulative = tuple(c / total for c in accumulate(j.to.values()))
        routes[j.source, j.after] = Route(targets, cumulative, j.delay, j.transfer)
    for tp in touchpoints:
        for after, target in DEFAULT_AFTER.items():
            if (tp, after) not in routes:
                routes[tp, after] = Route((tp if target == RETRY else target,), (1.0,))
    return routes
