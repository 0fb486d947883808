"""Every outcome's definition, recomputed by hand from the records a test collects.

A recorder that also logs each agent-queue entry, agent session and issue ending runs a
small but busy scenario (self-service, two agent channels with their own thresholds and
patience, concurrency, interruptions that drop sessions, call backs, agent cost per
minute); the test then applies the catalogue's formulas to the log and compares them
with what the replication reports. A few quantities are also checked against a second
path through the engine (the pool's own books, the issue's agent-minute counter).
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from typing import Any

import pytest

from sim import compile_world, parse_scenario, resolve_designs
from sim.engine.replication import Replication
from sim.engine.streams import Streams
from sim.metrics.outcomes import CATALOGUE, HEADLINE, OUTCOMES, unit_of
from sim.metrics.recorder import Ending, IssueState, Recorder
from sim.model.design import ALIASES, BUILTIN_DESIGNS, CAPABILITY_FIELDS

BUSY: dict[str, Any] = {
    "scenario": {"name": "busy", "horizon": "3h", "warmup": "20min", "replications": 2,
                 "seed": 5, "designs": ["siloed", "all"], "service_level_threshold": "20s"},
    "arrivals": {"rate": "2.5/min"},
    "segments": [
        {"name": "mobile", "share": 0.7, "start": {"app": 0.8, "chat": 0.2},
         "patience": {"voice": {"dist": "exponential", "mean": "3min"},
                      "chat": {"dist": "exponential", "mean": "5min"}},
         "interruptions": {"rate": "0.2/min",
                           "duration": {"dist": "exponential", "mean": "1min"},
                           "drop_after": "30s"}},
        {"name": "desk", "share": 0.3, "start": {"voice": 1.0},
         "patience": {"dist": "exponential", "mean": "4min"}},
    ],
    "intents": [{
        "name": "q", "share": 1.0, "facts": ["identity", "problem"],
        "handle": {"voice": {"dist": "exponential", "mean": "3min"},
                   "chat": {"dist": "exponential", "mean": "4min"}},
        "resolve": {"voice": 0.8, "chat": 0.7},
        "self_service": {"app": {"success": 0.4, "time": "1min"}},
    }],
    "facts": {"identity": {"collect": "30s", "scope": "customer"},
              "problem": {"collect": "1min"}},
    "channels": {"voice": {"service_level_threshold": "20s"},
                 "chat": {"service_level_threshold": "1min", "cost": 0.5},
                 "app": {"cost": 0.1}},
    "journeys": [
        {"from": "app", "after": "failed", "to": {"voice": 0.7, "give_up": 0.3}},
        {"from": "app", "after": "dropped", "to": {"app": 0.8, "give_up": 0.2}},
        {"from": "voice", "after": "abandoned", "to": {"voice": 0.5, "give_up": 0.5}},
        {"from": "voice", "after": "unresolved", "to": {"voice": 0.6, "give_up": 0.4}},
        {"from": "voice", "after": "dropped", "to": {"voice": 0.7, "give_up": 0.3}},
        {"from": "chat", "after": "abandoned", "to": {"voice": 0.5, "give_up": 0.5}},
        {"from": "chat", "after": "unresolved", "to": {"chat": 0.5, "give_up": 0.5}},
        {"from": "chat", "after": "dropped", "to": {"chat": 1.0}},
    ],
    "callback": {"offer_after": "1min", "accept": 0.4, "unreachable": 0.2, "attempt": "30s"},
    "pools": [{"name": "voice", "agents": 6, "channels": ["voice"], "cost_per_minute": 1.5},
              {"name": "chat", "agents": 2, "channels": ["chat"], "concurrency": {"chat": 2},
               "cost_per_minute": 1.0}],
}


class LoggingRecorder(Recorder):
    """A recorder that also keeps one record per entry, session and ended issue."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.entries: list[dict[str, Any]] = []
        self.sessions: list[dict[str, Any]] = []
        self.ended: list[dict[str, Any]] = []
        self.arrived: list[IssueState] = []
        self.gave_up_at: dict[int, str] = {}

    def issue_arrived(self, issue: IssueState) -> None:
        super().issue_arrived(issue)
        if issue.measured:
            self.arrived.append(issue)

    def flow(self, issue: IssueState, source: str, target: str) -> None:
        super().flow(issue, source, target)
        if target == "abandoned":
            self.gave_up_at[issue.index] = source

    def queue_left(self, issue: IssueState, pool: str, channel: str, entered: float,
                   now: float, answered: bool, callback: bool = False) -> None:
        super().queue_left(issue, pool, channel, entered, now, answered, callback)
        if entered >= self.start:
            self.entries.append({"issue": issue.index, "channel": channel, "pool": pool,
                                 "segment": issue.segment, "wait": now - entered,
                                 "answered": answered, "callback": callback, "at": now})

    def session_ended(self, issue: IssueState, pool: str, channel: str, started: float,
                      duration: float) -> None:
        super().session_ended(issue, pool, channel, started, duration)
        if started >= self.start:
            self.sessions.append({"issue": issue.index, "pool": pool, "channel": channel,
                                  "duration": duration, "at": started + duration})

    def issue_ended(self, issue: IssueState, ending: Ending, now: float) -> None:
        super().issue_ended(issue, ending, now)
        if issue.measured:
            self.ended.append({"issue": issue.index, "ending": ending,
                               "ttr": now - issue.arrived, "contacts": issue.contacts})


def _run(data: dict[str, Any], design: str, replication: int = 0,
         ) -> tuple[dict[str, float], LoggingRecorder, Replication]:
    sc = parse_scenario(data)
    world = compile_world(sc)
    rep = Replication(world, resolve_designs(sc, [design])[0], Streams(sc.scenario.seed,
                                                                       replication))
    rec = LoggingRecorder(world.warmup, world.end, world.thresholds)
    rep.recorder = rec
    return rep.run(), rec, rep


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else math.nan


@pytest.fixture(scope="module", params=["siloed", "all"])
def busy(request: pytest.FixtureRequest) -> tuple[dict[str, float], LoggingRecorder,
                                                  Replication]:
    """The busy scenario under one design, with its records."""
    return _run(BUSY, request.param)


def test_queue_outcomes_follow_their_formulas(busy: Any) -> None:
    """abandonment_rate, asa, mean_wait, the three service levels, handle time."""
    out, rec, _ = busy
    entries = rec.entries
    assert len(entries) > 200 and any(not e["answered"] for e in entries)
    t = {"voice": 20 / 60, "chat": 1.0}
    answered = [e for e in entries if e["answered"]]
    abandoned = [e for e in entries if not e["answered"]]
    in_time = [e for e in answered if e["wait"] <= t[e["channel"]]]
    late_abandoned = [e for e in abandoned if e["wait"] > t[e["channel"]]]
    assert out["abandonment_rate"] == pytest.approx(len(abandoned) / len(entries))
    assert out["asa"] == pytest.approx(_mean([e["wait"] for e in answered]))
    assert out["mean_wait"] == pytest.approx(_mean([e["wait"] for e in entries]))
    assert out["service_level"] == pytest.approx(
        len(in_time) / (len(answered) + len(late_abandoned)))
    assert out["service_level_answered"] == pytest.approx(len(in_time) / len(answered))
    assert out["service_level_offered"] == pytest.approx(len(in_time) / len(entries))
    assert out["mean_handle_time"] == pytest.approx(
        _mean([s["duration"] for s in rec.sessions]))


def test_call_backs_count_as_entries_with_the_time_to_the_call(busy: Any) -> None:
    """Call-back entries are in every queue measure; unanswered ones count as abandoned."""
    out, rec, _ = busy
    callbacks = [e for e in rec.entries if e["callback"]]
    if not callbacks:  # the design has no call back
        assert out["callback_rate"] == 0
        return
    assert out["callback_rate"] == pytest.approx(len(callbacks) / len(rec.entries))
    assert out["callback_wait"] == pytest.approx(_mean([e["wait"] for e in callbacks]))
    assert out["callback_unreachable_rate"] == pytest.approx(
        sum(not e["answered"] for e in callbacks) / len(callbacks))


def test_mean_wait_agrees_with_the_pools_own_books(busy: Any) -> None:
    """The pools count waits on their own path: the same entries, the same sum."""
    out, rec, _ = busy
    for pool in ("voice", "chat"):
        waits = [e["wait"] for e in rec.entries if e["pool"] == pool]
        assert out[f"pool.{pool}.mean_wait"] == pytest.approx(_mean(waits))
        assert out[f"by.pool.{pool}.mean_wait"] == pytest.approx(_mean(waits))


def test_issue_outcomes_follow_their_formulas(busy: Any) -> None:
    """give_up_rate and its split, resolution, FCR, time to resolution, per issue."""
    out, rec, _ = busy
    ended = rec.ended
    n = len(ended)
    count = defaultdict(int)
    for e in ended:
        count[e["ending"]] += 1
    assert all(count[e] > 0 for e in Ending)  # every way of ending happens here
    given_up = n - count[Ending.RESOLVED]
    assert out["give_up_rate"] == pytest.approx(given_up / n)
    assert out["give_up_in_self_service"] == pytest.approx(count[Ending.IN_SELF_SERVICE] / n)
    assert out["give_up_in_queue"] == pytest.approx(count[Ending.IN_QUEUE] / n)
    assert out["give_up_after_contact"] == pytest.approx(count[Ending.AFTER_CONTACT] / n)
    split = sum(out[o] for o in ("give_up_in_self_service", "give_up_in_queue",
                                 "give_up_after_contact"))
    assert split == pytest.approx(out["give_up_rate"])
    resolved = [e for e in ended if e["ending"] is Ending.RESOLVED]
    assert out["resolution_rate"] == pytest.approx(len(resolved) / n)
    assert out["first_contact_resolution"] == pytest.approx(
        sum(e["contacts"] <= 1 for e in resolved) / n)
    assert out["time_to_resolution"] == pytest.approx(_mean([e["ttr"] for e in resolved]))
    assert out["open_issues"] == len(rec.arrived) - n
    assert out["issues"] == len(rec.arrived)


def test_where_a_customer_gave_up_is_where_their_last_contact_was(busy: Any) -> None:
    """In self-service: the last touchpoint was app; in the queue: the last entry was not
    answered; after a contact: the last agent event was a session."""
    _, rec, _ = busy
    last_agent_event: dict[int, tuple[float, str]] = {}
    for e in rec.entries:
        kind = "answered" if e["answered"] else "unanswered"
        last_agent_event[e["issue"]] = max(last_agent_event.get(e["issue"], (-1.0, "")),
                                           (e["at"], kind))
    for s in rec.sessions:
        last_agent_event[s["issue"]] = max(last_agent_event.get(s["issue"], (-1.0, "")),
                                           (s["at"], "session"))
    for e in rec.ended:
        where = rec.gave_up_at.get(e["issue"])
        if e["ending"] is Ending.IN_SELF_SERVICE:
            assert where == "app"
        elif e["ending"] is Ending.IN_QUEUE:
            assert where in ("voice", "chat")
            assert last_agent_event[e["issue"]][1] == "unanswered"
        elif e["ending"] is Ending.AFTER_CONTACT:
            assert where in ("voice", "chat")
            assert last_agent_event[e["issue"]][1] == "session"


def test_agent_minutes_and_cost_count_every_session(busy: Any) -> None:
    """Agent minutes = session lengths × the share of the agent each held (1/concurrency),
    plus unanswered call-back attempts; agent cost = minutes × the pool's rate."""
    out, rec, _rep = busy
    share = {"voice": 1.0, "chat": 0.5}
    rate = {"voice": 1.5, "chat": 1.0}
    measured = {i.index for i in rec.arrived}
    minutes = cost = 0.0
    for s in rec.sessions:
        if s["issue"] in measured:
            minutes += s["duration"] * share[s["pool"]]
            cost += s["duration"] * share[s["pool"]] * rate[s["pool"]]
    attempts = [e for e in rec.entries if e["callback"] and not e["answered"]
                and e["issue"] in measured]
    minutes += 0.5 * len(attempts)
    cost += 0.5 * 1.5 * len(attempts)
    # sessions of measured issues that began in the warm-up or are still going at the
    # horizon are not in the log: the issue's own counter (a second path) is the measure
    by_issue = sum(i.agent_minutes for i in rec.arrived)
    assert by_issue == pytest.approx(out["agent_minutes_per_issue"] * len(rec.arrived))
    assert minutes == pytest.approx(by_issue, rel=0.02)
    agent_cost = sum(i.agent_cost for i in rec.arrived)
    assert out["agent_cost_per_issue"] * len(rec.arrived) == pytest.approx(agent_cost)
    assert cost == pytest.approx(agent_cost, rel=0.02)
    contact_cost = sum(i.cost for i in rec.arrived)
    assert out["cost_per_issue"] == pytest.approx((contact_cost + agent_cost) / len(rec.arrived))
    assert contact_cost > 0 and agent_cost > 0


def test_breakdowns_add_up_to_the_whole(busy: Any) -> None:
    """Per channel and per segment, recomputed from the records; one pool = the whole."""
    out, rec, rep = busy
    for channel in ("voice", "chat"):
        mine = [e for e in rec.entries if e["channel"] == channel]
        assert out[f"by.channel.{channel}.abandonment_rate"] == pytest.approx(
            sum(not e["answered"] for e in mine) / len(mine))
    names = [s.name for s in rep.world.segments]
    for k, segment in enumerate(names):
        mine = [e for e in rec.entries if e["segment"] == k]
        assert out[f"by.segment.{segment}.mean_wait"] == pytest.approx(
            _mean([e["wait"] for e in mine]))
        issues = [i for i in rec.arrived if i.segment == k]
        assert out[f"by.segment.{segment}.contacts_per_issue"] == pytest.approx(
            _mean([i.contacts for i in issues]))
    hours = {k.split(".")[2] for k in out if k.startswith("by.hour.")}
    assert hours == {"00", "01", "02", "03"}


def test_patience_per_channel_and_none_means_waiting_for_ever() -> None:
    """A channel the segment's patience table leaves out is waited on for ever."""
    data = copy.deepcopy(BUSY)
    data["segments"][0]["patience"] = {"voice": {"dist": "exponential", "mean": "3min"}}
    data["segments"][0]["start"] = {"chat": 1.0}
    data["segments"][1]["start"] = {"chat": 1.0}
    data["segments"][1]["patience"] = {"voice": {"dist": "exponential", "mean": "3min"}}
    data["pools"][1]["agents"] = 1
    _out, rec, _ = _run(data, "siloed")
    chat = [e for e in rec.entries if e["channel"] == "chat"]
    assert chat and all(e["answered"] for e in chat)
    assert max(e["wait"] for e in chat) > 5  # they did wait, and long


def test_drain_lets_every_issue_end() -> None:
    """With drain = true nothing is open at the end; without, the cut leaves some open."""
    data = copy.deepcopy(BUSY)
    data["scenario"]["warmup"] = "0min"
    cut, _, _ = _run(data, "siloed")
    data["scenario"]["drain"] = True
    drained, _rec, rep = _run(data, "siloed")
    assert cut["open_issues"] > 0
    assert drained["open_issues"] == 0 and drained["issues"] == cut["issues"]
    assert rep.env.now > rep.world.end  # it went on past the horizon


def test_catalogue_names_every_outcome_with_unit_and_definition() -> None:
    """One row per outcome; headline outcomes say which way is better."""
    assert set(OUTCOMES) == set(CATALOGUE)
    out, _, _ = _run(BUSY, "siloed")
    assert [k for k in out if not k.startswith(("pool.", "by."))] == list(OUTCOMES)
    for name in HEADLINE:
        assert name in CATALOGUE
    for o in CATALOGUE.values():
        assert o.unit and o.definition and o.label
    assert unit_of("pool.voice.mean_wait") == "min"


def test_built_in_designs_isolate_what_they_compare() -> None:
    """unified-history is the history only; mobile-first adds its tenets; unified = all."""
    on = {name: {f for f in CAPABILITY_FIELDS.values() if f != "topology"
                 and getattr(d, f)} for name, d in BUILTIN_DESIGNS.items()}
    assert on["siloed"] == set()
    assert on["unified-history"] == {"retention", "mesh"}
    assert BUILTIN_DESIGNS["unified-history"].topology.is_unified
    assert on["mobile-first"] == {"retention", "mesh", "resumable", "escalation", "handover"}
    assert on["all"] == set(CAPABILITY_FIELDS.values()) - {"topology"}
    assert ALIASES == {"unified": "all"}
    import attrs
    assert attrs.evolve(BUILTIN_DESIGNS["unified"], name="all") == BUILTIN_DESIGNS["all"]


@pytest.mark.parametrize(("change", "message"), [
    ({"segments": {0: {"patience": {"vioce": "2min"}}}},
     "segments[0].patience.vioce: unknown assisted channel 'vioce'"),
    ({"channels": {"voice": {"service_level_threshold": "-1s"}}},
     "channels.voice.service_level_threshold"),
    ({"pools": {0: {"cost_per_minute": -1.0}}}, "pools[0].cost_per_minute: must be >= 0"),
    ({"scenario": {"drain": "yes"}}, "scenario.drain: must be true or false"),
])
def test_new_keys_are_validated(change: dict[str, Any], message: str) -> None:
    """A mistake in a new key is one line naming the field."""
    from sim import ScenarioError

    data = copy.deepcopy(BUSY)
    for table, edit in change.items():
        for key, value in edit.items():
            if isinstance(value, dict):
                data[table][key].update(value)
            else:
                data[table][key] = value
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert message in str(info.value)


def test_model_page_carries_the_catalogue() -> None:
    """docs/model.md shows the catalogue exactly as the code defines it."""
    from pathlib import Path

    from sim.metrics.outcomes import catalogue_markdown

    page = (Path(__file__).resolve().parent.parent / "docs" / "model.md").read_text()
    inside = page.split("<!-- catalogue:start -->\n")[1].split("<!-- catalogue:end -->")[0]
    assert inside == catalogue_markdown()


def test_drained_story_leaves_nothing_open() -> None:
    """The shipped story with drain = true: every issue ends, none is open."""
    import tomllib
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scenarios" / "app-to-phone.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data["scenario"]["drain"] = True
    data["scenario"]["horizon"] = "4h"
    data.pop("uncertain", None)
    for design in ("siloed", "mobile-first"):
        out, _, _ = _run(data, design)
        assert out["issues"] > 500 and out["open_issues"] == 0
