"""Each design capability, switched on alone, moves the outcome it should, and the paired
interval (common random numbers) excludes zero. Small scenarios, a few seconds each.

The pool capabilities (affinity, schedules, routing priorities) are in test_pools.py,
callbacks in test_engine.py.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sim import ScenarioError, compile_world, parse_scenario, resolve_designs
from sim.engine.replication import Replication
from sim.engine.streams import Streams
from sim.experiment.runner import run_experiment
from sim.metrics.stats import paired_difference

EXP = {"dist": "exponential", "mean": "1min"}

BASE: dict[str, Any] = {
    "scenario": {"name": "t", "horizon": "6h", "warmup": "30min", "replications": 6,
                 "seed": 11, "designs": ["siloed", "on"]},
    "arrivals": {"rate": "1/min"},
    "segments": [{"name": "s", "share": 1.0, "start": {"voice": 1.0}}],
    "intents": [{"name": "q", "share": 1.0, "facts": ["identity", "problem"],
                 "handle": {"voice": {"dist": "exponential", "mean": "2min"}}}],
    "facts": {"identity": {"collect": {"dist": "fixed", "value": "30s"}, "scope": "customer"},
              "problem": {"collect": {"dist": "fixed", "value": "1min"}}},
    "pools": [{"name": "p", "agents": 4, "channels": ["voice"]}],
}


def build(**changes: Any) -> Any:
    """BASE with top-level tables replaced (``None`` removes one)."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = copy.deepcopy(value)
    return parse_scenario(data)


def effect(sc: Any, outcome: str, replications: int = 6) -> dict[str, Any]:
    """Paired difference "on" − "siloed" of *outcome* over *replications*."""
    res = run_experiment(compile_world(sc), resolve_designs(sc), replications,
                         sc.scenario.seed, jobs=2)
    return paired_difference([r[outcome] for r in res["on"]],
                             [r[outcome] for r in res["siloed"]])


def lower(diff: dict[str, Any]) -> bool:
    """The interval lies wholly below zero."""
    return diff["ci_high"] is not None and diff["ci_high"] < 0


# --- hand-over within a contact -------------------------------------------------------

IVR = {
    "segments": [{"name": "s", "share": 1.0, "start": {"ivr": 1.0}}],
    "intents": [{**BASE["intents"][0],
                 "self_service": {"ivr": {"success": 0.3,
                                          "time": {"dist": "fixed", "value": "1min"}}}}],
    "journeys": [{"from": "ivr", "after": "failed", "to": {"voice": 1.0}, "transfer": True}],
}


def _ivr(**more: Any) -> dict[str, Any]:
    return {**copy.deepcopy(IVR), **more}


def test_handover_passes_ivr_context_to_the_agent() -> None:
    """An IVR that hands over within the call: the agent asks nothing again."""
    sc = build(**_ivr(designs={"on": {"handover": True}}))
    diff = effect(sc, "repetitions_per_issue")
    assert lower(diff), diff
    on = Replication(compile_world(sc), resolve_designs(sc)[1], Streams(1, 0)).run()
    assert on["repetitions_per_issue"] == 0
    handle = effect(sc, "mean_handle_time")
    assert lower(handle), handle


def test_handover_is_not_history_a_call_back_asks_again() -> None:
    """Hand-over lasts one contact: after a dropped call the IVR's facts are asked again."""
    interrupted = [{"name": "s", "share": 1.0, "start": {"ivr": 1.0},
                    "interruptions": {"rate": "0.5/min",
                                      "duration": {"dist": "fixed", "value": "2min"},
                                      "drop_after": "30s"},
                    "max_contacts": 20}]
    sc = build(**_ivr(segments=interrupted, designs={"on": {"handover": True}},
                      journeys=[*IVR["journeys"],
                                {"from": "voice", "after": "dropped", "to": {"voice": 1.0},
                                 "delay": {"dist": "fixed", "value": "1min"}}]))
    world, design = compile_world(sc), resolve_designs(sc)[1]
    out = Replication(world, design, Streams(3, 0)).run()
    assert out["repetitions_per_issue"] > 0.05


# --- in-channel escalation ------------------------------------------------------------

APP: dict[str, Any] = {
    "segments": [{"name": "s", "share": 1.0, "start": {"app": 1.0}}],
    "intents": [{**BASE["intents"][0],
                 "self_service": {"app": {"success": 0.4,
                                          "time": {"dist": "fixed", "value": "2min"}}}}],
    "journeys": [{"from": "app", "after": "failed", "to": {"voice": 0.65, "give_up": 0.35},
                  "delay": {"dist": "exponential", "mean": "2min"}}],
    "escalation": {"app": {"to": "voice"}},
    "designs": {"on": {"escalation": True}},
}


def test_in_app_escalation_keeps_customers_who_would_give_up() -> None:
    """Help without leaving the app: fewer give up, fewer change channel."""
    sc = build(**APP)
    assert lower(effect(sc, "give_up_rate"))
    assert lower(effect(sc, "channel_switches_per_issue"))


def test_escalation_without_handover_still_repeats() -> None:
    """Escalating in the app to an agent who cannot see the app session: facts again."""
    sc = build(**APP)
    world, designs = compile_world(sc), resolve_designs(sc)
    on = Replication(world, designs[1], Streams(5, 0)).run()
    assert on["repetitions_per_issue"] > 0.5
    both = resolve_designs(build(**{**APP, "designs": {"on": {"escalation": True,
                                                                  "handover": True}}}))[1]
    assert Replication(world, both, Streams(5, 0)).run()["repetitions_per_issue"] == 0


# --- retention across issues (a finite population) ------------------------------------

RETURNING: dict[str, Any] = {
    "population": {"customers": 150},
    "designs": {"siloed": {"history": "unified"},  # the baseline: unified but forgetful
                "on": {"history": "unified", "retention": True}},
}


def test_retention_recognises_returning_customers() -> None:
    """Kept across issues, a unified history never asks a returning customer who they are."""
    data = copy.deepcopy(RETURNING)
    data["scenario"] = {**BASE["scenario"], "designs": ["forgetful", "on"]}
    data["designs"] = {"forgetful": data["designs"].pop("siloed"), "on": data["designs"]["on"]}
    sc = build(**data)
    res = run_experiment(compile_world(sc), resolve_designs(sc), 6, 11, jobs=2)
    diff = paired_difference([r["repetitions_per_issue"] for r in res["on"]],
                             [r["repetitions_per_issue"] for r in res["forgetful"]])
    assert lower(diff), diff
    assert all(r["repetitions_per_issue"] == 0 for r in res["on"])
    # 150 customers with ~360 issues each run: most come back and are asked again
    assert all(r["repetitions_per_issue"] > 0.5 for r in res["forgetful"])


def test_without_a_population_every_issue_is_a_new_customer() -> None:
    """No [population]: identity is never asked twice, so retention changes nothing."""
    sc = build(designs={"on": {"history": "unified"}})
    world = compile_world(sc)
    designs = resolve_designs(sc)
    import attrs

    a = Replication(world, designs[1], Streams(2, 0)).run()
    b = Replication(world, attrs.evolve(designs[1], retention=True), Streams(2, 0)).run()
    assert a == b


# --- digital mesh: devices and connected-device reports -------------------------------

DEVICES: dict[str, Any] = {
    "segments": [{"name": "s", "share": 1.0, "start": {"chat": 1.0},
                  "devices": {"phone": 0.6, "laptop": 0.3, "watch": 0.1}}],
    "intents": [{**BASE["intents"][0], "handle": {"chat": EXP}, "resolve": {"chat": 0.5}}],
    "pools": [{"name": "p", "agents": 4, "channels": ["chat"]}],
    "journeys": [{"from": "chat", "after": "unresolved", "to": {"retry": 1.0},
                  "delay": {"dist": "exponential", "mean": "10min"}}],
    "scenario": {**BASE["scenario"], "designs": ["unlinked", "on"]},
    "designs": {"unlinked": {"history": "unified"},
                "on": {"history": "unified", "mesh": True}},
}


def _paired(sc: Any, outcome: str, on: str, off: str) -> dict[str, Any]:
    res = run_experiment(compile_world(sc), resolve_designs(sc), 6, 11, jobs=2)
    return paired_difference([r[outcome] for r in res[on]], [r[outcome] for r in res[off]])


def test_mesh_links_a_customers_devices() -> None:
    """Coming back from another device: only a mesh recognises the customer."""
    sc = build(**DEVICES)
    diff = _paired(sc, "repetitions_per_issue", "on", "unlinked")
    assert lower(diff), diff


def test_mesh_uses_what_connected_devices_report() -> None:
    """A device reported the fault: with a mesh nobody asks the customer to describe it."""
    intents = [{**BASE["intents"][0], "reported": 0.7, "reported_facts": ["problem"]}]
    sc = build(intents=intents, scenario={**BASE["scenario"], "designs": ["siloed", "on"]},
               designs={"on": {"mesh": True}})
    assert lower(effect(sc, "mean_handle_time"))


# --- proactive notification -----------------------------------------------------------

OUTAGE: dict[str, Any] = {
    "intents": [{**BASE["intents"][0]},
                {"name": "outage", "share": 0.0, "facts": ["identity", "problem"],
                 "handle": {"voice": {"dist": "exponential", "mean": "2min"}},
                 "self_service": {"sms_bot": {"success": 0.6,
                                              "time": {"dist": "fixed", "value": "1min"}}}}],
    "events": [{"name": "outage", "at": "2h", "customers": 250, "intent": "outage",
                "discover": {"dist": "exponential", "mean": "20min"}, "notify": "sms_bot",
                "notice": "5min", "deflect": 0.4,
                "respond": {"dist": "exponential", "mean": "10min"}}],
    "journeys": [{"from": "sms_bot", "after": "failed", "to": {"voice": 1.0},
                  "delay": {"dist": "exponential", "mean": "5min"}}],
    "designs": {"on": {"proactive": True}},
}


def test_proactive_notification_deflects_and_spares_the_queue() -> None:
    """Notified first, a share needs nothing more and the rest reply by SMS: less waiting."""
    sc = build(**OUTAGE)
    assert lower(effect(sc, "contacts_per_issue"))
    assert lower(effect(sc, "mean_wait"))


def test_unnotified_event_customers_still_arrive() -> None:
    """Without the capability the event's customers find out and call: issues counted."""
    sc = build(**OUTAGE)
    world, designs = compile_world(sc), resolve_designs(sc)
    plain = build(**{**OUTAGE, "events": None, "designs": {"on": {"base": "siloed"}}})
    with_event = Replication(world, designs[0], Streams(1, 0)).run()
    without = Replication(compile_world(plain), designs[0], Streams(1, 0)).run()
    assert with_event["issues"] - without["issues"] == pytest.approx(250, abs=30)


# --- resumable sessions on an asynchronous channel with a timeout ---------------------

SMS: dict[str, Any] = {
    "segments": [{"name": "s", "share": 1.0, "start": {"sms": 1.0},
                  "interruptions": {"rate": "0.3/min",
                                    "duration": {"dist": "exponential", "mean": "10min"}}}],
    "intents": [{**BASE["intents"][0], "handle": {"sms": EXP}}],
    "pools": [{"name": "p", "agents": 3, "channels": ["sms"], "concurrency": {"sms": 3}}],
    "channels": {"sms": {"timeout": "5min"}},
    "designs": {"on": {"resumable": True}},
}


def test_resumable_async_sessions_outlive_the_timeout() -> None:
    """An SMS conversation idle past its timeout is lost unless the design resumes it."""
    sc = build(**SMS)
    assert lower(effect(sc, "contacts_per_issue"))


def test_without_a_timeout_async_sessions_never_drop() -> None:
    """No timeout on the channel: an asynchronous session waits however long it takes."""
    sc = build(**{**SMS, "channels": None})
    world, designs = compile_world(sc), resolve_designs(sc)
    a = Replication(world, designs[0], Streams(4, 0)).run()
    b = Replication(world, designs[1], Streams(4, 0)).run()
    assert a == b
    assert a["contacts_per_issue"] == 1.0


# --- impossible combinations ----------------------------------------------------------

@pytest.mark.parametrize(("changes", "match"), [
    ({"designs": {"on": {"escalation": True}}}, r"designs\.on\.escalation: is on .*\[escal"),
    ({"designs": {"on": {"retention": True}}}, r"designs\.on\.retention: .*\[population\]"),
    ({"designs": {"on": {"proactive": True}}}, r"designs\.on\.proactive: .*\[\[events\]\]"),
    ({"designs": {"on": {"mesh": True}}}, r"designs\.on\.mesh: .*devices"),
    ({"designs": {"on": {"handover": True}}}, r"designs\.on\.handover: .*transfer"),
    ({**APP, "escalation": {"app": {"to": "web"}}}, r"escalation\.app\.to: unknown"),
    ({**APP, "escalation": {"voice": {"to": "voice"}}}, r"escalation.voice: unknown"),
    ({**_ivr(), "journeys": [{**IVR["journeys"][0],
                              "delay": {"dist": "fixed", "value": "1min"}}]},
     r"journeys\[0\]\.delay: a transfer happens at once"),
    ({**OUTAGE, "events": [{**OUTAGE["events"][0], "intent": "outgae"}]},
     r"events\[0\]\.intent: unknown .*'outage'"),
    ({**OUTAGE, "events": [{**OUTAGE["events"][0], "at": "9h"}]}, r"events\[0\]\.at: "),
])
def test_capabilities_that_cannot_act_are_scenario_errors(changes: dict[str, Any],
                                                         match: str) -> None:
    """Switching a capability on with nothing to act on, or a malformed table: an error."""
    with pytest.raises(ScenarioError, match=match):
        build(**changes)


# --- history topology between the poles: channel groups and a context cookie ----------

MOVERS: dict[str, Any] = {
    "segments": [{"name": "s", "share": 1.0, "start": {"chat": 1.0}}],
    "intents": [{**BASE["intents"][0], "handle": {"chat": EXP, "sms": EXP, "voice": EXP},
                 "resolve": {"chat": 0.4, "sms": 0.4}}],
    "pools": [{"name": "p", "agents": 6, "channels": ["chat", "sms", "voice"]}],
    "journeys": [
        {"from": "chat", "after": "unresolved", "to": {"sms": 1.0},
         "delay": {"dist": "exponential", "mean": "20min"}},
        {"from": "sms", "after": "unresolved", "to": {"voice": 1.0},
         "delay": {"dist": "exponential", "mean": "20min"}},
    ],
}


def test_a_channel_group_shares_history_within_the_group_only() -> None:
    """chat and sms share a store, voice does not: fewer repetitions, but not none."""
    sc = build(**MOVERS, designs={"on": {"history": [["chat", "sms"]]}})
    assert lower(effect(sc, "repetitions_per_issue"))
    on = Replication(compile_world(sc), resolve_designs(sc)[1], Streams(6, 0)).run()
    assert on["repetitions_per_issue"] > 0  # voice still asks again


def test_a_context_cookie_forgets_after_its_time_to_live() -> None:
    """A unified history kept 10 minutes repeats more than one kept for ever."""
    sc = build(**MOVERS, scenario={**BASE["scenario"], "designs": ["cookie", "on"]},
               designs={"cookie": {"history": "unified", "history_ttl": "10min"},
                        "on": {"history": "unified"}})
    assert lower(_paired(sc, "repetitions_per_issue", "on", "cookie"))
