"""Pools: schedules, multi-skill routing with priorities, last-agent affinity."""

from __future__ import annotations

import copy
import math
from typing import Any
from unittest.mock import patch

from faults import OffShiftPool
from hypothesis import given, settings

from sim import compile_world, parse_scenario, resolve_designs, run_experiment
from sim.engine import Replication
from sim.engine.monitors import Monitor
from sim.engine.streams import Streams
from sim.metrics.stats import estimate, paired_difference
from sim.model import Design
from sim.model.staffing import Schedule
from sim.testing import scheduled_scenario_dicts

BASE: dict[str, Any] = {
    "scenario": {"name": "t", "horizon": "10h", "warmup": "30min", "replications": 8,
                 "seed": 11, "designs": ["siloed"]},
    "arrivals": {"rate": "1.5/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"voice": 1.0}}],
    "intents": [{"name": "q", "share": 1.0,
                 "handle": {"voice": {"dist": "exponential", "mean": "1min"}}}],
    "pools": [{"name": "p", "agents": 2, "channels": ["voice"]}],
}


def data(**changes: Any) -> dict[str, Any]:
    """BASE with top-level tables replaced by *changes*."""
    out = copy.deepcopy(BASE)
    out.update(copy.deepcopy(changes))
    return out


def run(d: dict[str, Any], designs: list[str] | None = None,
        replications: int = 8) -> dict[str, list[dict[str, float]]]:
    """Run the scenario dict *d*: results per design."""
    sc = parse_scenario(d)
    return run_experiment(compile_world(sc), resolve_designs(sc, designs), replications,
                          sc.scenario.seed, jobs=2)


def same(a: dict[str, float], b: dict[str, float]) -> bool:
    """Equal outcome dicts, NaN equal to NaN."""
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a
    )


def values(res: list[dict[str, float]], key: str) -> list[float]:
    """One outcome over replications."""
    return [r[key] for r in res]


# --- schedules -----------------------------------------------------------------------


def test_schedule_model() -> None:
    """Headcount, changes and staffed time of a schedule that repeats daily."""
    s = Schedule([(0, 6), (480, 17), (600, 17), (1080, 8)])
    assert s.steps == ((0.0, 6), (480.0, 17), (1080.0, 8))  # the repeated 17 merged
    assert (s.headcount(479.9), s.headcount(480), s.headcount(1440 + 1100)) == (6, 17, 8)
    assert list(s.changes(0, 1440 + 480)) == [(480, 17), (1080, 8), (1440, 6)]
    assert s.staffed(0, 1440) == 6 * 480 + 17 * 600 + 8 * 360
    assert s.staffed(1000, 1100) == 17 * 80 + 8 * 20


def test_constant_schedule_equals_flat_headcount() -> None:
    """A schedule whose headcount never changes gives exactly the flat pool's results."""
    flat = data(segments=[{"name": "s", "share": 1.0, "start": {"voice": 1.0},
                           "patience": {"dist": "exponential", "mean": "2min"}}])
    scheduled = copy.deepcopy(flat)
    del scheduled["pools"][0]["agents"]
    scheduled["pools"][0]["schedule"] = [{"at": "0h", "agents": 2}, {"at": "9h", "agents": 2}]
    a, b = run(flat, replications=3)["siloed"], run(scheduled, replications=3)["siloed"]
    assert all(same(x, y) for x, y in zip(a, b, strict=True))
    assert a[0]["abandonment_rate"] > 0  # a real queue, not an empty comparison


def test_utilization_uses_the_staffed_time() -> None:
    """A pool on shift half the day is measured against that half, not agents × horizon.

    Contacts arrive only in the afternoon (2/min, 1 min each): with 4 agents on shift
    from noon the utilization is ρ = 2/4 = 0.5, where agents × horizon would give 0.25.
    """
    day = {"scenario": {**BASE["scenario"], "horizon": "24h", "warmup": "0h"},
           "arrivals": {"profile": [{"at": "0h", "rate": "0/min"},
                                    {"at": "12h", "rate": "2/min"}]}}
    flat = data(**day, pools=[{"name": "p", "agents": 4, "channels": ["voice"]}])
    half = data(**day, pools=[{"name": "p", "channels": ["voice"],
                               "schedule": [{"at": "0h", "agents": 0},
                                            {"at": "12h", "agents": 4}]}])
    f, h = run(flat)["siloed"], run(half)["siloed"]
    for r in h:
        assert 0 <= r["agent_utilization"] <= 1
        assert r["agent_utilization"] == r["pool.p.agent_utilization"]
        assert r["pool.p.overtime"] == 0  # the day ends with the shift
    est = estimate(values(h, "agent_utilization"))
    assert est["ci_low"] is not None and est["ci_high"] is not None
    assert est["ci_low"] <= 0.5 <= est["ci_high"], est
    for x, y in zip(f, h, strict=True):
        assert y["agent_utilization"] == x["agent_utilization"] * 2  # same busy time, half
        # the staffed time: the same contacts found the same agents


def test_agents_leaving_finish_their_sessions_then_stop() -> None:
    """When headcount falls, busy agents finish (overtime) and no one off shift works.

    Long calls (20 min) and a drop from 6 agents to 1 at 2h: the sessions running at 2h
    finish after the shift, the busy time beyond the headcount is overtime, and the queue
    grows while only one agent takes work.
    """
    d = data(
        scenario={**BASE["scenario"], "horizon": "4h", "warmup": "0h"},
        arrivals={"rate": "0.5/min"},
        intents=[{"name": "q", "share": 1.0, "handle": {"voice": "20min"}}],
        pools=[{"name": "p", "channels": ["voice"],
                "schedule": [{"at": "0h", "agents": 6}, {"at": "2h", "agents": 1}]}],
    )
    sc = parse_scenario(d)
    monitor = Monitor(unified=False, resumable=False)
    rep = Replication(compile_world(sc), resolve_designs(sc)[0], Streams(1, 0), monitor)
    out = rep.run()
    assert monitor.violations == {}
    assert out["pool.p.overtime"] > 0
    assert 0 <= out["agent_utilization"] <= 1
    assert rep.pools[0].headcount == 1
    assert sum(a.on_shift for a in rep.pools[0].agents) == 1


@settings(max_examples=25)
@given(scheduled_scenario_dicts())
def test_schedules_keep_capacity_and_shifts(d: dict[str, Any]) -> None:
    """Under random schedules no agent exceeds its concurrency, nobody off shift is given
    work, and utilization stays in [0, 1] with overtime >= 0."""
    sc = parse_scenario(d)
    world = compile_world(sc)
    for design in resolve_designs(sc):
        monitor = Monitor(unified=design.topology.is_unified, resumable=design.resumable)
        rep = Replication(world, design, Streams(sc.scenario.seed, 0), monitor)
        out = rep.run()
        assert "capacity" not in monitor.violations, monitor.violations
        util = out["agent_utilization"]
        assert math.isnan(util) or 0 <= util <= 1, util
        for pool in rep.pools:
            assert sum(a.on_shift for a in pool.agents) == pool.headcount
            for key in ("agent_utilization", "slot_utilization"):
                u = out[f"pool.{pool.spec.name}.{key}"]
                assert math.isnan(u) or 0 <= u <= 1, (key, u)
            assert not out.get(f"pool.{pool.spec.name}.overtime", 0) < 0


def test_monitor_catches_an_off_shift_agent_at_work() -> None:
    """A pool that puts off-shift agents to work is caught by the capacity monitor."""
    d = data(pools=[{"name": "p", "channels": ["voice"],
                     "schedule": [{"at": "0h", "agents": 1}, {"at": "2h", "agents": 3}]}])
    sc = parse_scenario(d)
    monitor = Monitor(unified=False, resumable=False)
    with patch("sim.engine.replication.Pool", OffShiftPool):
        Replication(compile_world(sc), resolve_designs(sc)[0], Streams(1, 0), monitor).run()
    assert "off shift" in monitor.violations["capacity"].seen


# --- routing: overflow pools and intent priorities ------------------------------------


def test_a_schedule_that_follows_demand_waits_less() -> None:
    """The same staffed hours, put where the calls are, lower the wait (interval < 0).

    Calls come at 3/min for the first 8 hours of each day and 0.5/min after; a flat 3
    agents and a schedule of 5 then 2 staff the same 72 agent-hours a day.
    """
    profile = {"profile": [{"at": "0h", "rate": "3/min"}, {"at": "8h", "rate": "0.5/min"}]}
    scenario = {**BASE["scenario"], "horizon": "24h", "warmup": "0h"}
    flat = data(arrivals=profile, scenario=scenario,
                pools=[{"name": "p", "agents": 3, "channels": ["voice"]}])
    shifts = data(arrivals=profile, scenario=scenario,
                  pools=[{"name": "p", "channels": ["voice"], "schedule": [
                      {"at": "0h", "agents": 5}, {"at": "8h", "agents": 2}]}])
    a, b = run(flat)["siloed"], run(shifts)["siloed"]
    diff = paired_difference(values(b, "mean_wait"), values(a, "mean_wait"))
    assert diff["ci_high"] is not None and diff["ci_high"] < 0, diff


def test_overflow_pool_lowers_the_wait() -> None:
    """A second eligible pool, tried after the first, lowers mean_wait (interval < 0)."""
    one = data(arrivals={"rate": "1.8/min"})
    two = data(arrivals={"rate": "1.8/min"},
               pools=[{"name": "p", "agents": 2, "channels": ["voice"]},
                      {"name": "overflow", "agents": 1, "channels": ["voice", "chat"],
                       "priority": 2}])
    a, b = run(one)["siloed"], run(two)["siloed"]
    diff = paired_difference(values(b, "mean_wait"), values(a, "mean_wait"))
    assert diff["ci_high"] is not None and diff["ci_high"] < 0, diff
    # the first pool is tried first: it is busier than the overflow
    assert all(r["pool.p.agent_utilization"] > r["pool.overflow.agent_utilization"] for r in b)


def test_pool_priority_decides_the_first_pool_tried() -> None:
    """With the overflow pool given priority 0 it is tried first and becomes the busier."""
    d = data(pools=[{"name": "p", "agents": 2, "channels": ["voice"]},
                    {"name": "first", "agents": 2, "channels": ["voice"], "priority": 0}])
    res = run(d, replications=3)["siloed"]
    assert all(r["pool.first.agent_utilization"] > r["pool.p.agent_utilization"] for r in res)


class _Waits(Monitor):
    """A monitor that also keeps each measured wait, by intent, as an agent takes it."""

    def __init__(self) -> None:
        super().__init__(unified=False, resumable=False, strict=True)
        self.waits: list[tuple[str, float, float]] = []

    def took(self, issue: int, entered: float, pool: Any, agent: Any, tp: str, intent: str,
             now: float) -> None:
        """Keep the wait, then check it as usual."""
        self.waits.append((intent, entered, now - entered))
        super().took(issue, entered, pool, agent, tp, intent, now)


def _mean_wait_by_intent(d: dict[str, Any], replication: int) -> dict[str, float]:
    sc = parse_scenario(d)
    monitor = _Waits()
    rep = Replication(compile_world(sc), resolve_designs(sc)[0],
                      Streams(sc.scenario.seed, replication), monitor)
    rep.run()
    sums: dict[str, list[float]] = {}
    for intent, entered, wait in monitor.waits:
        if entered >= sc.scenario.warmup:
            sums.setdefault(intent, []).append(wait)
    return {k: sum(v) / len(v) for k, v in sums.items()}


def test_intent_priority_waits_less() -> None:
    """In one pool, the intent with priority 1 waits less than the one with priority 2."""
    handle = {"voice": {"dist": "exponential", "mean": "1min"}}
    d = data(arrivals={"rate": "1.8/min"},
             intents=[{"name": "billing", "share": 0.5, "handle": handle},
                      {"name": "rebook", "share": 0.5, "handle": handle}],
             pools=[{"name": "p", "agents": 2, "channels": ["voice"],
                     "priorities": {"billing": 1, "rebook": 2}}])
    fcfs = copy.deepcopy(d)
    del fcfs["pools"][0]["priorities"]
    high, low, plain_high, plain_low = [], [], [], []
    for r in range(8):
        w = _mean_wait_by_intent(d, r)
        high.append(w["billing"])
        low.append(w["rebook"])
        p = _mean_wait_by_intent(fcfs, r)
        plain_high.append(p["billing"])
        plain_low.append(p["rebook"])
    diff = paired_difference(low, high)
    assert diff["ci_low"] is not None and diff["ci_low"] > 0, diff
    # without priorities the two intents wait alike: the difference is the priorities'
    plain = paired_difference(plain_low, plain_high)
    assert plain["ci_low"] is not None and plain["ci_high"] is not None
    assert plain["ci_low"] < diff["ci_low"]


def test_a_contact_waiting_in_two_queues_is_served_once() -> None:
    """Two pools share a waiting contact: served once, counted in both pools' books.

    Little's law holds per pool (L >= λW on a finite window, as in test_littles_law),
    and the overall entries are not double counted.
    """
    d = data(arrivals={"rate": "2.4/min"},
             segments=[{"name": "s", "share": 1.0, "start": {"voice": 1.0},
                        "patience": {"dist": "exponential", "mean": "3min"}}],
             pools=[{"name": "a", "agents": 1, "channels": ["voice"]},
                    {"name": "b", "agents": 1, "channels": ["voice"]}])
    sc = parse_scenario(d)
    monitor = Monitor(unified=False, resumable=False)
    rep = Replication(compile_world(sc), resolve_designs(sc)[0], Streams(2, 0), monitor)
    out = rep.run()
    assert monitor.violations == {}
    for name in ("a", "b"):
        lam, w, q = (out[f"pool.{name}.{k}"] for k in
                     ("arrival_rate", "mean_wait", "mean_queue_length"))
        assert q >= lam * w - 1e-9 and q - lam * w < 0.05 * q, (name, q, lam * w)
    assert all(p.waiting == len([e for q in p.queues for e in q if e.waiting]) for p in rep.pools)


# --- last-agent affinity ---------------------------------------------------------------

AFFINITY: dict[str, Any] = {
    "scenario": {**BASE["scenario"], "designs": ["siloed", "affine"]},
    "arrivals": {"rate": "1.2/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"voice": 1.0},
                  "patience": {"dist": "exponential", "mean": "4min"}, "max_contacts": 2}],
    "intents": [{"name": "q", "share": 1.0, "resolve": {"voice": 0.5},
                 "handle": {"voice": {"dist": "exponential", "mean": "2min"}}}],
    "pools": [{"name": "p", "agents": 4, "channels": ["voice"]}],
    "journeys": [{"from": "voice", "after": "unresolved", "to": {"retry": 1.0},
                  "delay": {"dist": "exponential", "mean": "3min"}}],
    "affinity": {"wait": "2min", "bonus": 0.2},
    "designs": {"affine": {"affinity": True}},
}


def test_affinity_raises_resolution() -> None:
    """Routing a returning contact to its last agent raises resolution_rate (interval > 0)."""
    res = run(AFFINITY)
    diff = paired_difference(values(res["affine"], "resolution_rate"),
                             values(res["siloed"], "resolution_rate"))
    assert diff["ci_low"] is not None and diff["ci_low"] > 0, diff


def test_affinity_without_its_table_or_switch_changes_nothing() -> None:
    """Without the [affinity] table, or without the capability, results are unchanged."""
    without_table = {k: v for k, v in AFFINITY.items() if k not in ("affinity", "designs")}
    without_table["scenario"] = {**AFFINITY["scenario"], "designs": ["siloed"]}
    sc_plain = parse_scenario(without_table)
    sc_table = parse_scenario({**AFFINITY, "scenario": without_table["scenario"]})
    switched_on = Design("on", affinity=True)
    for r in range(3):
        base = Replication(compile_world(sc_plain), Design("siloed"), Streams(11, r)).run()
        on = Replication(compile_world(sc_plain), switched_on, Streams(11, r)).run()
        table = Replication(compile_world(sc_table), Design("siloed"), Streams(11, r)).run()
        assert same(base, on) and same(base, table)
        both = Replication(compile_world(sc_table), switched_on, Streams(11, r)).run()
        assert not same(base, both)  # the comparison can fail


def test_affinity_keeps_monitors_quiet() -> None:
    """Under affinity with schedules and an overflow pool, every invariant holds."""
    d = copy.deepcopy(AFFINITY)
    d["pools"] = [{"name": "p", "channels": ["voice"],
                   "schedule": [{"at": "0h", "agents": 4}, {"at": "3h", "agents": 1},
                                {"at": "5h", "agents": 3}]},
                  {"name": "o", "agents": 1, "channels": ["voice"], "priority": 2}]
    sc = parse_scenario(d)
    for design in resolve_designs(sc):
        monitor = Monitor(unified=False, resumable=False)
        out = Replication(compile_world(sc), design, Streams(3, 0), monitor).run()
        assert monitor.violations == {}, monitor.violations
        assert 0 <= out["agent_utilization"] <= 1
