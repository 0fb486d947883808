"""What an issue in flight holds: no more than it needs while it waits for an agent.

The story overloaded (one agent per pool, patience of 10⁵ minutes), so that issues pile
up in agent queues: each waiting issue holds its walk, whose generator waits on the
queue's answer directly (a light answer that wakes the walk itself, no SimPy event), one
contact frame below the issue's, and first draws of its own, not its block's.
"""

from __future__ import annotations

import gc
import os
from array import array

import attrs

import sim
from sim.engine.pools import QueueEntry
from sim.engine.replication import Replication
from sim.engine.state import Draws, Walk, WalkAnswer
from sim.engine.streams import Streams
from sim.scenario.load import read_document

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _waiting(design_name: str, until: float = 45.0) -> tuple[list[QueueEntry], Replication]:
    """The queue entries still waiting at *until* in the overloaded story, and its run."""
    gc.collect()  # no engine objects of an earlier run
    data = read_document(os.path.join(ROOT, "scenarios", "app-to-phone.toml"))
    for segment in data["segments"]:
        segment["patience"] = {"dist": "exponential", "mean": "100000min"}
    for pool in data.get("pools", []):
        pool["agents"] = 1
    scenario = sim.parse_scenario(data)
    world = attrs.evolve(sim.compile_world(scenario), horizon=until + 1.0)
    design = sim.resolve_designs(scenario, [design_name])[0]
    rep = Replication(world, design, Streams(scenario.scenario.seed, 0))
    rep.env.process(rep._arrivals())
    rep.env.run(until=until)
    entries = [o for o in gc.get_objects() if type(o) is QueueEntry and o.waiting]
    return entries, rep


def test_a_waiting_issue_holds_its_walk_and_one_contact_frame() -> None:
    """Every issue waiting for an agent is resumed by its walk itself, through the
    issue's generator and its contact's, which waits on the queue's answer."""
    entries, rep = _waiting("siloed")
    assert len(entries) > 20  # the queues are long: the test looks at something
    for entry in entries:
        answer = entry.event
        assert type(answer) is WalkAnswer  # not a SimPy event and its list of callbacks
        walk = answer.walk
        assert type(walk) is Walk
        issue = walk._generator
        contact = issue.gi_yieldfrom
        assert issue.gi_code.co_name == "_issue"
        assert contact is not None and contact.gi_code.co_name == "_assisted"
        assert contact.gi_yieldfrom is None  # no generator of the queue's below it
    assert rep._in_flight >= len(entries)


def test_an_issue_in_flight_holds_its_own_first_draws() -> None:
    """Each issue's streams read a row of its own first draws, not a block's."""
    entries, _ = _waiting("unified-history", until=30.0)
    draws = [o for o in gc.get_objects() if type(o) is Draws]
    assert len(draws) >= len(entries) > 10
    widths = {len(d._row) for d in draws if d._row is not None}
    assert len(widths) == 1 and isinstance(draws[0]._row, array)
    assert max(widths) < 100  # a row, not a block of 256 issues
