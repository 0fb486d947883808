"""Write the corpus of malformed scenario files: ``python tests/bad_scenarios/generate.py``.

Every file is :data:`FULL` (a valid scenario that uses every table and key) with one thing
broken: each key given a value of the wrong type, a negative, zero, NaN, infinite or absurd
number, a probability outside [0, 1], left out when required, joined by an unknown key;
names empty, duplicated or unsafe; references to names that do not exist; shares that do
not add up; distributions that overflow; work beyond the sane bounds; plus whole-file
mistakes (syntax, encoding, deep nesting). ``expect.json`` maps each file to the field
path the one-line error must name (``""``: the file as a whole) and why it is wrong.

The expectations are written from the file format (docs/scenarios.md), not copied from
what omnisim prints: test_bad_inputs.py checks omnisim against them.
"""

from __future__ import annotations

import copy
import datetime
import json
import math
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"

#: A valid scenario using every table and key (checked by test_bad_inputs.py).
FULL: dict[str, Any] = {
    "scenario": {"name": "full", "description": "every table", "horizon": "2h",
                 "warmup": "10min", "replications": 2, "seed": 3,
                 "designs": ["siloed", "unified", "mine"], "service_level_threshold": "20s",
                 "drain": False},
    "arrivals": {"rate": "1/min"},
    "segments": [
        {"name": "mobile", "share": 0.6, "start": {"app": 0.8, "voice": 0.2},
         "patience": {"dist": "exponential", "mean": "5min"},
         "interruptions": {"rate": "0.1/min", "duration": {"dist": "exponential",
                                                           "mean": "1min"},
                           "drop_after": "30s"},
         "max_contacts": 5, "frustration": 0.1, "devices": {"phone": 0.7, "laptop": 0.3}},
        {"name": "desk", "share": 0.4, "start": {"web": 0.5, "chat": 0.5},
         "patience": {"chat": {"dist": "exponential", "mean": "8min"}, "voice": "5min"}},
    ],
    "intents": [
        {"name": "rebook", "share": 0.7, "facts": ["identity", "booking"],
         "handle": {"voice": {"dist": "lognormal", "mean": "3min", "cv": 1.2},
                    "chat": {"dist": "gamma", "mean": "4min", "cv": 0.5}},
         "resolve": {"voice": 0.8, "chat": 0.7},
         "self_service": {"app": {"success": 0.4, "time": "2min"}, "web": 0.3},
         "reported": 0.1, "reported_facts": ["booking"]},
        {"name": "bill", "share": 0.3, "facts": ["identity"],
         "handle": {"voice": {"dist": "uniform", "low": "1min", "high": "3min"},
                    "chat": {"dist": "empirical", "values": ["1min", "2min"],
                             "weights": [1, 3]}},
         "self_service": {"app": 0.5, "web": 0.2}},
    ],
    "facts": {"identity": {"collect": "40s", "scope": "customer"},
              "booking": {"collect": {"dist": "fixed", "value": "30s"}}},
    "channels": {"voice": {"cost": 8.0, "service_level_threshold": "30s"},
                 "sms": {"synchronous": False, "timeout": "10min"}},
    "pools": [
        {"name": "voice", "agents": 4, "channels": ["voice"], "priority": 1,
         "priorities": {"rebook": 1, "bill": 2}, "cost_per_minute": 0.5},
        {"name": "digital", "channels": ["chat"], "intents": ["rebook", "bill"],
         "concurrency": {"chat": 2}, "concurrency_penalty": 0.1, "priority": 2,
         "schedule": [{"at": "0h", "agents": 2}, {"at": "8h", "agents": 3}]},
    ],
    "journeys": [
        {"from": "app", "after": "failed", "to": {"voice": 0.6, "give_up": 0.4},
         "delay": {"dist": "exponential", "mean": "1min"}},
        {"from": "web", "after": "failed", "to": {"chat": 0.7, "give_up": 0.3},
         "transfer": True},
        {"from": "voice", "after": "dropped", "to": {"retry": 0.9, "give_up": 0.1}},
    ],
    "designs": {"mine": {"base": "siloed", "history": [["voice", "chat"], ["app"]],
                         "history_ttl": "1h", "resumable": True, "callback": True,
                         "affinity": True, "escalation": True, "retention": True,
                         "handover": True, "proactive": True, "mesh": True}},
    "callback": {"offer_after": "1min", "accept": 0.4, "unreachable": 0.1, "attempt": "30s"},
    "escalation": {"app": {"to": "voice", "accept": 0.8}},
    "population": {"customers": 500},
    "events": [{"name": "outage", "at": "30min", "customers": 20, "intent": "rebook",
                "segment": "mobile", "discover": {"dist": "exponential", "mean": "5min"},
                "notify": "app", "notice": "2min", "deflect": 0.3, "respond": "1min",
                "known": ["booking"]}],
    "affinity": {"wait": "2min", "bonus": 0.1},
}

# ---- values of each kind that are wrong, and the sub-path the error names ---------------

NAN, INF = math.nan, math.inf
DATE = datetime.date(2026, 11, 30)
WRONG_TYPE = ["ten", 1.5, True, [1], {"a": 1}, DATE]
BAD: dict[str, list[Any]] = {
    "name": ["", "a/b", "..", "x\u200by", " pad", 7, True, ["x"], DATE],
    "text": [7, True, ["x"], DATE],
    "duration>0": ["-1min", "0min", "1e999min", "5", "5 parsecs", "nanmin", 5, True, DATE,
                   ["1min"]],
    "duration>=0": ["-1min", "1e999min", "5", "2 fortnights", 5, 1.5, True, DATE],
    "rate>0": ["-1/min", "0/min", "1e999/min", "5", "5/fortnight", 5, True],
    "rate>=0": ["-1/min", "1e999/min", "5", 5, True],
    "probability": [1.5, -0.1, NAN, INF, -INF, "half", True, [0.5], DATE],
    "weight": [-1, NAN, INF, "heavy", True],
    "int>=1": [0, -1, 1.5, "3", True, NAN, DATE],
    "int>=0": [-1, 1.5, "3", True],
    "int": [1.5, "3", True, NAN],
    "bool": ["yes", 1, 0.0, DATE],
    "number>=0": [-1, NAN, INF, "cheap", True],
    "history": ["partly", 3, [["voice", "fax"]]],
}
# distributions: (bad value, sub-path of the error)
BAD_DISTS: list[tuple[Any, str]] = [
    (5, ""), (True, ""), ("soon", ""), ("-1min", ""), ([1], ""),
    ({"mean": "1min"}, ".dist"), ({"dist": "expo", "mean": "1min"}, ".dist"),
    ({"dist": 3, "mean": "1min"}, ".dist"),
    ({"dist": "exponential"}, ".mean"), ({"dist": "exponential", "mean": "0min"}, ".mean"),
    ({"dist": "exponential", "mean": "-2min"}, ".mean"),
    ({"dist": "exponential", "mean": "1e999min"}, ".mean"),
    ({"dist": "exponential", "mean": 2}, ".mean"),
    ({"dist": "exponential", "mean": "1min", "cv": 1}, ".cv"),
    ({"dist": "lognormal", "mean": "1min"}, ".cv"),
    ({"dist": "lognormal", "mean": "1min", "cv": 1e200}, ".cv"),
    ({"dist": "lognormal", "mean": "1min", "cv": 1e-200}, ".cv"),
    ({"dist": "gamma", "mean": "1min", "cv": 1e-200}, ".cv"),
    ({"dist": "gamma", "mean": "1min", "cv": 1e200}, ".cv"),
    ({"dist": "gamma", "mean": "1min", "cv": 0}, ".cv"),
    ({"dist": "gamma", "mean": "1min", "cv": -1}, ".cv"),
    ({"dist": "gamma", "mean": "1min", "cv": NAN}, ".cv"),
    ({"dist": "gamma", "mean": "1min", "cv": "big"}, ".cv"),
    ({"dist": "fixed", "value": "-1min"}, ".value"), ({"dist": "fixed"}, ".value"),
    ({"dist": "uniform", "low": "2min", "high": "1min"}, ".high"),
    ({"dist": "uniform", "low": "-1min", "high": "1min"}, ".high"),
    ({"dist": "uniform", "low": "1min"}, ".high"),
    ({"dist": "empirical", "values": []}, ".values"),
    ({"dist": "empirical", "values": "1min"}, ".values"),
    ({"dist": "empirical", "values": ["1min", 2]}, ".values[1]"),
    ({"dist": "empirical", "values": ["-1min"]}, ".values"),
    ({"dist": "empirical", "values": ["1min"], "weights": [NAN]}, ".weights[0]"),
    ({"dist": "empirical", "values": ["1min"], "weights": [INF]}, ".weights[0]"),
    ({"dist": "empirical", "values": ["1min", "2min"], "weights": [1e308, 1e308]},
     ".weights"),
    ({"dist": "empirical", "values": ["1min", "2min"], "weights": [0, 0]}, ".weights"),
    ({"dist": "empirical", "values": ["1min", "2min"], "weights": [1]}, ".weights"),
    ({"dist": "empirical", "values": ["1min"], "weights": [-1]}, ".weights[0]"),
    ({"dist": "empirical", "values": ["1min"], "weights": ["a"]}, ".weights[0]"),
    ({"dist": "empirical", "values": ["1min"], "weights": 1}, ".weights"),
]

# ---- every key of FULL: (path as keys and indexes, kind, required?) ---------------------

Path_ = tuple[str | int, ...]
FIELDS: list[tuple[Path_, str, bool]] = [
    (("scenario", "name"), "text", True),
    (("scenario", "description"), "text", False),
    (("scenario", "horizon"), "duration>0", True),
    (("scenario", "warmup"), "duration>=0", False),
    (("scenario", "replications"), "int>=1", False),
    (("scenario", "seed"), "int>=0", False),
    (("scenario", "service_level_threshold"), "duration>=0", False),
    (("scenario", "drain"), "bool", False),
    (("segments", 1, "patience", "chat"), "dist", False),
    (("pools", 0, "cost_per_minute"), "number>=0", False),
    (("channels", "voice", "service_level_threshold"), "duration>=0", False),
    (("arrivals", "rate"), "rate>0", False),
    (("segments", 0, "name"), "name", True),
    (("segments", 0, "share"), "probability", True),
    (("segments", 0, "patience"), "dist", False),
    (("segments", 0, "interruptions", "rate"), "rate>=0", True),
    (("segments", 0, "interruptions", "duration"), "dist", True),
    (("segments", 0, "interruptions", "drop_after"), "duration>=0", False),
    (("segments", 0, "max_contacts"), "int>=1", False),
    (("segments", 0, "frustration"), "probability", False),
    (("segments", 0, "start", "app"), "weight", False),
    (("segments", 0, "devices", "phone"), "weight", False),
    (("intents", 0, "name"), "name", True),
    (("intents", 0, "share"), "probability", True),
    (("intents", 0, "handle", "voice"), "dist", False),
    (("intents", 1, "handle", "chat"), "dist", False),
    (("intents", 0, "resolve", "voice"), "probability", False),
    (("intents", 0, "self_service", "app", "success"), "probability", True),
    (("intents", 0, "self_service", "app", "time"), "dist", False),
    (("intents", 1, "self_service", "web"), "probability", False),
    (("intents", 0, "reported"), "probability", False),
    (("facts", "identity", "collect"), "dist", False),
    (("channels", "voice", "cost"), "number>=0", False),
    (("channels", "sms", "synchronous"), "bool", False),
    (("channels", "sms", "timeout"), "duration>0", False),
    (("pools", 0, "name"), "name", True),
    (("pools", 0, "agents"), "int>=1", False),
    (("pools", 0, "priority"), "int", False),
    (("pools", 0, "priorities", "rebook"), "int", False),
    (("pools", 1, "concurrency", "chat"), "int>=1", False),
    (("pools", 1, "concurrency_penalty"), "number>=0", False),
    (("pools", 1, "schedule", 1, "at"), "duration>=0", True),
    (("pools", 1, "schedule", 1, "agents"), "int>=0", True),
    (("journeys", 0, "delay"), "dist", False),
    (("journeys", 0, "to", "voice"), "weight", False),
    (("journeys", 1, "transfer"), "bool", False),
    (("designs", "mine", "history"), "history", False),
    (("designs", "mine", "history_ttl"), "duration>0", False),
    (("designs", "mine", "resumable"), "bool", False),
    (("designs", "mine", "mesh"), "bool", False),
    (("callback", "offer_after"), "duration>=0", False),
    (("callback", "accept"), "probability", False),
    (("callback", "unreachable"), "probability", False),
    (("callback", "attempt"), "duration>=0", False),
    (("escalation", "app", "accept"), "probability", False),
    (("population", "customers"), "int>=1", True),
    (("events", 0, "at"), "duration>=0", True),
    (("events", 0, "customers"), "int>=1", True),
    (("events", 0, "discover"), "dist", False),
    (("events", 0, "notice"), "duration>=0", False),
    (("events", 0, "deflect"), "probability", False),
    (("events", 0, "respond"), "dist", False),
    (("affinity", "wait"), "duration>=0", False),
    (("affinity", "bonus"), "probability", False),
]
#: Tables (by path) that take a fixed set of keys: an unknown key is an error there.
TABLES: list[Path_] = [
    (), ("scenario",), ("arrivals",), ("segments", 0), ("segments", 0, "interruptions"),
    ("intents", 0), ("intents", 0, "self_service", "app"), ("facts", "identity"),
    ("channels", "voice"), ("pools", 0), ("pools", 1, "schedule", 0), ("journeys", 0),
    ("designs", "mine"), ("callback",), ("escalation", "app"), ("population",),
    ("events", 0), ("affinity",), ("segments", 0, "patience"),
]


def dotted(path: Path_) -> str:
    """The field path as omnisim prints it: ``pools[1].schedule[0].at``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else json.dumps(part)
            out += f".{key}" if out else key
    return out


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: Path_, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _delete(data: Any, path: Path_) -> None:
    del _get(data, path[:-1])[path[-1]]


Case = tuple[str, Any, str, str]  # (file stem, document or bytes, field, why)


def _with(path: Path_, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(FULL)
    _set(data, path, value)
    return data


def _without(path: Path_) -> dict[str, Any]:
    data = copy.deepcopy(FULL)
    _delete(data, path)
    return data


def field_cases() -> Iterator[Case]:
    """Each key: every wrong value of its kind; left out when it is required."""
    for path, kind, required in FIELDS:
        stem = dotted(path).replace("[", "-").replace("]", "").replace(".", "-")
        if kind == "dist":
            for i, (value, sub) in enumerate(BAD_DISTS):
                yield (f"{stem}-dist{i:02d}", _with(path, value), dotted(path) + sub,
                       f"distribution {value!r}")
        else:
            for i, value in enumerate(BAD[kind]):
                yield (f"{stem}-bad{i:02d}", _with(path, value), dotted(path),
                       f"{kind}: {value!r}")
        if required:
            yield (f"{stem}-missing", _without(path), dotted(path), "required key left out")


def table_cases() -> Iterator[Case]:
    """An unknown key in each table; each table given a value that is not a table."""
    for path in TABLES:
        stem = dotted(path).replace("[", "-").replace("]", "").replace(".", "-") or "top"
        data = copy.deepcopy(FULL)
        _get(data, path)["colour"] = "blue"
        yield f"{stem}-unknown-key", data, dotted((*path, "colour")), "unknown key"
        if path and path != ("segments", 0, "patience"):
            yield (f"{stem}-not-a-table", _with(path, "a string"), dotted(path),
                   "a string where a table belongs")
    for table in ("scenario", "arrivals", "segments", "intents"):
        yield f"{table}-missing", _without((table,)), table, "required table left out"


def _edit(**changes: Any) -> dict[str, Any]:
    """FULL with dotted-path keys (``pools.0.agents``) set, ``None`` meaning deleted."""
    data = copy.deepcopy(FULL)
    for key, value in changes.items():
        path = tuple(int(p) if p.isdigit() else p for p in key.split("__"))
        if value is None:
            _delete(data, path)
        else:
            _set(data, path, value)
    return data


def _appended(table: str, item: Any, **changes: Any) -> dict[str, Any]:
    data = _edit(**changes)
    data[table].append(item)
    return data


_e = _edit
_SEG2 = copy.deepcopy(FULL["segments"][1])
#: Names that do not exist, shares that do not add up, journeys with no way out,
#: duplicated names, rules across tables.
REFERENCE_CASES: list[Case] = [
    ("start-unknown-touchpoint", _e(segments__0__start={"vioce": 0.8, "voice": 0.2}),
     "segments[0].start.vioce", "unknown touchpoint"),
    ("start-weights-sum", _e(segments__0__start={"app": 0.5, "voice": 0.2}),
     "segments[0].start", "start weights add up to 0.7"),
    ("start-empty", _e(segments__0__start={}), "segments[0].start", "no start"),
    ("segment-shares", _e(segments__0__share=0.5), "segments", "shares add up to 0.9"),
    ("intent-shares", _e(intents__0__share=0.8), "intents", "shares add up to 1.1"),
    ("segments-none", _e(segments=[]), "segments", "no segment"),
    ("intents-none", _e(intents=[]), "intents", "no intent"),
    ("segment-duplicate", _appended("segments", {**_SEG2, "name": "mobile", "share": 0.0}),
     "segments[2].name", "duplicate name"),
    ("intent-duplicate", _e(intents__1__name="rebook"), "intents[1].name", "duplicate"),
    ("pool-duplicate", _e(pools__1__name="voice"), "pools[1].name", "duplicate"),
    ("handle-unknown-channel", _e(intents__0__handle__fax={"dist": "fixed",
                                                          "value": "1min"}),
     "intents[0].handle.fax", "unknown channel"),
    ("resolve-unknown-channel", _e(intents__0__resolve__fax=0.5),
     "intents[0].resolve.fax", "unknown channel"),
    ("self-service-on-agent", _e(intents__0__self_service__voice=0.5),
     "intents[0].self_service.voice", "voice is not self-service"),
    ("facts-twice", _e(intents__0__facts=["identity", "identity"]), "intents[0].facts",
     "a fact twice"),
    ("facts-not-list", _e(intents__0__facts="identity"), "intents[0].facts", "a string"),
    ("facts-item-type", _e(intents__0__facts=["identity", 3]), "intents[0].facts[1]",
     "an integer"),
    ("reported-facts-unknown", _e(intents__0__reported_facts=["nope"]),
     "intents[0].reported_facts", "not a fact of the intent"),
    ("patience-unknown-channel", _e(segments__1__patience={"fax": "5min"}),
     "segments[1].patience.fax", "unknown channel"),
    ("fact-unused", _e(facts__nope={"collect": "1min"}), "facts.nope", "no intent needs it"),
    ("fact-scope", _e(facts__identity__scope="planet"), "facts.identity.scope",
     "unknown scope"),
    ("channel-unknown", _e(channels__fax={"cost": 1.0}), "channels.fax", "unknown channel"),
    ("pool-channels-unknown", _e(pools__0__channels=["fax"]), "pools[0].channels",
     "unknown channel"),
    ("pool-channels-self-service", _e(pools__0__channels=["app"]), "pools[0].channels",
     "self-service is no agent channel"),
    ("pool-channels-empty", _e(pools__0__channels=[]), "pools[0].channels", "none"),
    ("pool-intents-unknown", _e(pools__1__intents=["nope"]), "pools[1].intents",
     "unknown intent"),
    ("pool-concurrency-other-channel", _e(pools__1__concurrency={"voice": 2}),
     "pools[1].concurrency.voice", "not the pool's channel"),
    ("pool-priorities-unknown", _e(pools__0__priorities={"nope": 1}),
     "pools[0].priorities.nope", "unknown intent"),
    ("pool-agents-and-schedule", _e(pools__1__agents=3), "pools[1]", "both"),
    ("pool-no-headcount", _e(pools__0__agents=None), "pools[0].agents", "neither"),
    ("schedule-empty", _e(pools__1__schedule=[]), "pools[1].schedule", "no step"),
    ("schedule-late-start", _e(pools__1__schedule__0__at="1h"), "pools[1].schedule[0].at",
     "first step after 0h"),
    ("schedule-order", _e(pools__1__schedule__1__at="0h"), "pools[1].schedule[1].at",
     "not increasing"),
    ("schedule-after-midnight", _e(pools__1__schedule__1__at="25h"),
     "pools[1].schedule[1].at", "beyond 24h"),
    ("schedule-nobody", _e(pools__1__schedule=[{"at": "0h", "agents": 0}]),
     "pools[1].schedule", "nobody ever on shift"),
    ("voice-unserved", _e(pools=[copy.deepcopy(FULL["pools"][1])]), "pools",
     "no pool serves voice"),
    ("journey-from-unknown", _e(journeys__0__from="fax"), "journeys[0].from",
     "unknown touchpoint"),
    ("journey-to-unknown", _e(journeys__0__to={"fax": 1.0}), "journeys[0].to.fax",
     "unknown target"),
    ("journey-no-way-out", _e(journeys__0__to={}), "journeys[0].to", "no target"),
    ("journey-all-zero", _e(journeys__0__to={"voice": 0.0, "give_up": 0.0}),
     "journeys[0].to", "shares add up to 0: no way out"),
    ("journey-shares", _e(journeys__0__to={"voice": 0.6, "give_up": 0.3}),
     "journeys[0].to", "shares add up to 0.9"),
    ("journey-after-unknown", _e(journeys__0__after="vanished"), "journeys[0].after",
     "unknown outcome"),
    ("journey-after-abandoned-self", _e(journeys__0__after="abandoned"),
     "journeys[0].after", "no queue at self-service"),
    ("journey-after-failed-agent", _e(journeys__2__after="failed"), "journeys[2].after",
     "only self-service fails"),
    ("journey-twice", _appended("journeys", copy.deepcopy(FULL["journeys"][0])),
     "journeys[3]", "a second rule"),
    ("journey-transfer-delay", _e(journeys__1__delay="1min"), "journeys[1].delay",
     "a transfer takes no time"),
    ("journey-transfer-from-agent", _e(journeys__2__transfer=True),
     "journeys[2].transfer", "only self-service transfers"),
    ("journey-from-missing", _e(journeys__0__from=None), "journeys[0].from", "required"),
    ("design-base-unknown", _e(designs__mine__base="nope"), "designs.mine.base",
     "unknown design"),
    ("designs-list-unknown", _e(scenario__designs=["siloed", "nope"]),
     "scenario.designs[1]", "unknown design"),
    ("designs-list-empty", _e(scenario__designs=[]), "scenario.designs", "none"),
    ("designs-list-twice", _e(scenario__designs=["siloed", "siloed"]), "scenario.designs",
     "twice"),
    ("design-capability-without-table", _e(callback=None), "designs.mine.callback",
     "callback on, no [callback]"),
    ("escalation-from-agent", _e(escalation__voice={"to": "chat"}), "escalation.voice",
     "voice is not self-service"),
    ("escalation-to-self-service", _e(escalation__app__to="web"), "escalation.app.to",
     "web is not an agent channel"),
    ("escalation-to-missing", _e(escalation__app__to=None), "escalation.app.to",
     "required"),
    ("event-intent-unknown", _e(events__0__intent="nope"), "events[0].intent",
     "unknown intent"),
    ("event-segment-unknown", _e(events__0__segment="nope"), "events[0].segment",
     "unknown segment"),
    ("event-notify-unknown", _e(events__0__notify="fax"), "events[0].notify",
     "unknown touchpoint"),
    ("event-known-unknown", _e(events__0__known=["nope"]), "events[0].known",
     "not a fact of the intent"),
    ("event-after-horizon", _e(events__0__at="3h"), "events[0].at", "after the horizon"),
    ("devices-empty", _e(segments__0__devices={}), "segments[0].devices", "no device"),
    ("devices-all-zero", _e(segments__0__devices={"phone": 0.0}), "segments[0].devices",
     "no device with weight"),
    ("devices-too-many", _e(segments__0__devices={f"d{i}": 1.0 for i in range(17)}),
     "segments[0].devices", "more than 16"),
    ("arrivals-both", _e(arrivals={"rate": "1/min", "profile": [{"at": "0h",
                                                                "rate": "1/min"}]}),
     "arrivals", "rate and profile"),
    ("arrivals-neither", _e(arrivals={}), "arrivals", "neither rate nor profile"),
    ("profile-empty", _e(arrivals={"profile": []}), "arrivals.profile", "no step"),
    ("profile-late", _e(arrivals={"profile": [{"at": "1h", "rate": "1/min"}]}),
     "arrivals.profile[0].at", "first step after 0h"),
    ("profile-zero", _e(arrivals={"profile": [{"at": "0h", "rate": "0/min"}]}),
     "arrivals.profile", "nobody ever arrives"),
    ("profile-negative", _e(arrivals={"profile": [{"at": "0h", "rate": "-1/min"}]}),
     "arrivals.profile[0].rate", "negative rate"),
    ("profile-order", _e(arrivals={"profile": [{"at": "0h", "rate": "1/min"},
                                              {"at": "0h", "rate": "2/min"}]}),
     "arrivals.profile[1].at", "not increasing"),
    ("profile-key", _e(arrivals={"profile": [{"at": "0h", "rat": "1/min"}]}),
     "arrivals.profile[0].rat", "unknown key"),
]


def reference_cases() -> Iterator[Case]:
    """The cases of :data:`REFERENCE_CASES`."""
    yield from REFERENCE_CASES


def runaway_cases() -> Iterator[Case]:
    """Valid files asking for work or memory beyond the sane bounds (refused unless
    --force), and parameters that overflow."""
    e = _edit
    yield from [
        ("runaway-arrivals", e(arrivals__rate="1e12/min"), "arrivals",
         "10^12 arrivals a minute"),
        ("runaway-horizon", e(scenario__horizon=f"{1e9 * 525960:g}min"), "scenario.horizon",
         "a horizon of 10^9 years"),
        ("runaway-agents", e(pools__0__agents=10**8), "pools", "10^8 agents"),
        ("runaway-event", e(events__0__customers=10**9), "events", "10^9 event customers"),
        ("runaway-retries", e(segments__0__max_contacts=10**9, journeys__2__to={"retry": 1.0}),
         "segments", "zero-time retry loop with 10^9 contacts"),
        ("runaway-population", e(population__customers=10**9), "population.customers",
         "10^9 customers"),
        ("runaway-replications", e(scenario__replications=10**7), "scenario.replications",
         "10^7 replications"),
        ("huge-integer", e(scenario__seed=2**63 - 1, scenario__replications=2**63 - 1),
         "scenario.replications", "the largest TOML integer"),
    ]


def _nest(depth: int, open_: str, close: str) -> str:
    return open_ * depth + close * depth


def file_cases() -> Iterator[Case]:
    """Mistakes of the file as a whole: encoding, syntax, nesting, TOML's own types."""
    text = to_toml(FULL)
    raw = text.encode()
    syntax = {
        "double-equals": text.replace("agents = 4", "agents = = 4"),
        "unclosed-string": text.replace('name = "full"', 'name = "full'),
        "unclosed-table": text.replace("[scenario]", "[scenario"),
        "duplicate-key": text.replace('name = "full"', 'name = "full"\nname = "again"'),
        "duplicate-table": text + "\n[scenario]\nname = 'x'\n",
        "bad-escape": text.replace('name = "full"', 'name = "f\\qull"'),
        "trailing-comma": text.replace('rate = "1/min"', 'rate = "1/min",'),
        "key-without-value": text.replace('name = "full"', "name ="),
        "value-without-key": text.replace('name = "full"', '= "full"'),
        "newline-in-inline-table": text.replace('{ dist = "exponential", mean = "5min" }',
                                                '{ dist = "exponential",\nmean = "5min" }'),
        "unclosed-array": text.replace('["siloed", "unified", "mine"]', '["siloed", "unified"'),
        "bare-word": text.replace('name = "full"', "name = full"),
        "nul-byte": text.replace('name = "full"', 'name = "fu\x00ll"'),
        "deep-arrays": "x = " + _nest(2000, "[", "]") + "\n" + text,
        "deep-tables": "x = " + "{ a = " * 2000 + "1" + " }" * 2000 + "\n" + text,
        "deep-array-1000": "x = " + _nest(1000, "[", "]") + "\n" + text,
    }
    for name, body in syntax.items():
        yield f"syntax-{name}", body.encode(), "", "not valid TOML"
    yield "empty", b"", "scenario", "an empty file"
    yield "only-comments", b"# nothing here\n", "scenario", "comments only"
    yield "not-utf8", b"\xff\xfe" + raw, "", "not UTF-8"
    yield "utf16", text.encode("utf-16"), "", "UTF-16, not UTF-8"
    yield "latin1", text.replace("full", "f\xfcll").encode("latin-1"), "", "Latin-1 text"
    yield "binary", bytes(range(256)) * 4, "", "binary junk"
    yield "date-as-name", _edit(scenario__name=DATE), "scenario.name", "a date"
    yield ("datetime-as-horizon", _edit(scenario__horizon=datetime.datetime(2026, 1, 1, 8)),
           "scenario.horizon", "a date and time")
    yield ("time-as-warmup", _edit(scenario__warmup=datetime.time(7, 30)), "scenario.warmup",
           "a time of day")
    yield ("date-in-designs", _edit(scenario__designs=[DATE]), "scenario.designs[0]",
           "a date")


def all_cases() -> list[Case]:
    """Every case of the corpus, each with a distinct file stem."""
    cases = [*field_cases(), *table_cases(), *reference_cases(), *runaway_cases(),
             *file_cases()]
    stems = [c[0] for c in cases]
    assert len(stems) == len(set(stems)), "file stems must differ"
    return cases


# ---- a small TOML writer (the standard library reads TOML but does not write it) --------

def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    raise TypeError(type(value))


def to_toml(data: dict[str, Any]) -> str:
    """*data* as TOML: top-level tables as ``[name]``, lists of tables as ``[[name]]``."""
    head, body = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            body.append(f"\n[{_key(key)}]")
            body.extend(f"{_key(k)} = {_value(v)}" for k, v in value.items())
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                body.append(f"\n[[{_key(key)}]]")
                body.extend(f"{_key(k)} = {_value(v)}" for k, v in item.items())
        else:
            head.append(f"{_key(key)} = {_value(value)}")
    return "\n".join([*head, *body]) + "\n"


def content(case: Case) -> bytes:
    """The bytes of *case*'s file."""
    document = case[1]
    return document if isinstance(document, bytes) else to_toml(document).encode()


def main() -> int:
    """Write every case into cases/ and the expectations into expect.json."""
    cases = all_cases()
    CASES.mkdir(exist_ok=True)
    for old in CASES.glob("*.toml"):
        old.unlink()
    expect = {}
    for case in cases:
        (CASES / f"{case[0]}.toml").write_bytes(content(case))
        expect[f"{case[0]}.toml"] = {"field": case[2], "why": case[3]}
    (HERE / "expect.json").write_text(json.dumps(expect, indent=1, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    print(f"{len(cases)} bad scenario files in {CASES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
