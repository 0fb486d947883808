"""Rules that span several tables of a scenario (names that must exist, shares that must
add up, channels that customers can reach but no pool serves).

Each rule raises :class:`~sim.errors.ScenarioError` with the path of the field at fault.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from ..errors import ScenarioError, did_you_mean
from ..model.channels import ASSISTED, CHANNELS, SELF_SERVICE, SYNCHRONOUS, TOUCHPOINTS
from ..model.design import BUILTIN_DESIGNS, CAPABILITY_FIELDS, Design
from ..model.history import MAX_DEVICES, SILOED, UNIFIED, Topology
from ..model.journey import GIVE_UP, RETRY, journey_moves, reachable
from . import schema
from .names import check_distinct, check_name, key_path

__all__ = [
    "check_names",
    "design_from_spec",
    "reachable_touchpoints",
    "resolve_designs",
    "validate",
]

_TOLERANCE = 1e-6


def _check_names(path: str, names: Iterable[str], allowed: Sequence[str], what: str) -> None:
    """Every name is allowed; a wrong key of a table is named in the path (``start.vioce``)."""
    for name in names:
        if name not in allowed:
            raise ScenarioError(
                f"{path}.{name}" if isinstance(names, Mapping) else path,
                f"unknown {what} {name!r}{did_you_mean(name, allowed)} "
                f"(allowed: {', '.join(allowed)})",
            )


def _check_sum(path: str, values: Iterable[float], what: str) -> None:
    total = math.fsum(values)
    if abs(total - 1.0) > _TOLERANCE:
        raise ScenarioError(path, f"{what} add up to {total:g} (they must add up to 1)")


def _check_unique(path: str, names: Sequence[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            raise ScenarioError(f"{path}[{i}].name", f"duplicate name {name!r} (names must differ)")
        seen.add(name)


def _check_arrivals(arrivals: schema.Arrivals) -> None:
    if (arrivals.rate is None) == (arrivals.profile is None):
        raise ScenarioError("arrivals", "give exactly one of 'rate' or 'profile'")
    if arrivals.profile is not None:
        steps = arrivals.profile
        if not steps:
            raise ScenarioError("arrivals.profile", "must have at least one step")
        if steps[0].at != 0:
            raise ScenarioError("arrivals.profile[0].at", "the first step must start at '0h'")
        for i in range(1, len(steps)):
            if not steps[i - 1].at < steps[i].at < 1440:
                raise ScenarioError(
                    f"arrivals.profile[{i}].at",
                    "steps must be in increasing time of day, below '24h'",
                )
        if not any(s.rate > 0 for s in steps):
            raise ScenarioError("arrivals.profile", "at least one step must have a rate > 0")


def reachable_touchpoints(scenario: schema.Scenario) -> set[str]:
    """Touchpoints some customer can reach: first touchpoints and where journeys lead."""
    starts = {tp for seg in scenario.segments for tp, w in seg.start.items() if w > 0}
    starts |= {e.notify for e in scenario.events if e.notify is not None}
    starts |= {i.device_dialog.touchpoint for i in scenario.intents
               if i.device_dialog is not None}
    moves = list(journey_moves(TOUCHPOINTS, scenario.journeys))
    moves += [(source, esc.to) for source, esc in scenario.escalation.items()]  # some design
    reached = reachable(moves, starts)
    reached.discard(GIVE_UP)
    return reached


def _check_journeys(scenario: schema.Scenario) -> None:
    targets = [*TOUCHPOINTS, GIVE_UP, RETRY]
    seen: set[tuple[str, str]] = set()
    for i, j in enumerate(scenario.journeys):
        path = f"journeys[{i}]"
        _check_names(f"{path}.from", [j.source], list(TOUCHPOINTS), "touchpoint")
        _check_names(f"{path}.to", j.to, targets, "target")
        if not j.to:
            raise ScenarioError(f"{path}.to", "must name at least one target")
        _check_sum(f"{path}.to", j.to.values(), "shares")
        is_self = j.source in SELF_SERVICE
        if is_self and j.after in ("abandoned", "unresolved"):
            raise ScenarioError(
                f"{path}.after",
                f"{j.after!r} does not happen at self-service touchpoint {j.source!r}"
                " (allowed: 'failed', 'dropped')",
            )
        if not is_self and j.after == "failed":
            raise ScenarioError(
                f"{path}.after",
                f"'failed' happens only at self-service, not at {j.source!r}"
                " (allowed: 'abandoned', 'unresolved', 'dropped')",
            )
        if (j.source, j.after) in seen:
            raise ScenarioError(path, f"a second rule for {j.source!r} after {j.after!r}")
        seen.add((j.source, j.after))
        if j.transfer:
            _check_transfer(j, path)


def _check_transfer(j: schema.Journey, path: str) -> None:
    """A transfer hands a self-service session to an agent on the spot: nothing else."""
    if j.source not in SELF_SERVICE or j.after != "failed":
        raise ScenarioError(f"{path}.transfer",
                            "only a failed self-service session can be transferred"
                            " (allowed: transfer = true with after = 'failed' from one of: "
                            f"{', '.join(SELF_SERVICE)})")
    if j.delay.mean > 0:
        raise ScenarioError(f"{path}.delay", "a transfer happens at once (allowed: no delay)")
    for target in j.to:
        if target not in ASSISTED and target != GIVE_UP:
            raise ScenarioError(f"{path}.to.{target}",
                                "a transfer goes to an agent or gives up (allowed: "
                                f"{', '.join([*ASSISTED, GIVE_UP])})")


def _check_capability_tables(scenario: schema.Scenario) -> None:
    """The tables capabilities act on: escalation, population, events, devices."""
    intents = {i.name: i for i in scenario.intents}
    for source, esc in scenario.escalation.items():
        _check_names("escalation", {source: esc}, list(SELF_SERVICE), "self-service touchpoint")
        _check_names(f"escalation.{source}.to", [esc.to], list(ASSISTED), "assisted touchpoint")
    segments = [s.name for s in scenario.segments]
    for i, event in enumerate(scenario.events):
        path = f"events[{i}]"
        _check_names(f"{path}.intent", [event.intent], list(intents), "intent")
        if event.segment is not None:
            _check_names(f"{path}.segment", [event.segment], segments, "segment")
        if event.notify is not None:
            _check_names(f"{path}.notify", [event.notify], list(TOUCHPOINTS), "touchpoint")
        if event.known is not None:
            _check_names(f"{path}.known", event.known, intents[event.intent].facts,
                         f"fact of intent {event.intent!r}")
        if event.at >= scenario.scenario.horizon:
            raise ScenarioError(f"{path}.at", f"is at or after the end of the horizon"
                                f" ({event.at:g} min; allowed: below"
                                f" {scenario.scenario.horizon:g})")
    for k, intent in enumerate(scenario.intents):
        if intent.reported_facts is not None:
            _check_names(f"intents[{k}].reported_facts", intent.reported_facts, intent.facts,
                         f"fact of intent {intent.name!r}")
        if intent.device_dialog is not None:
            _check_device_dialog(intent, f"intents[{k}].device_dialog")
    for i, seg in enumerate(scenario.segments):
        if seg.interruptions is not None and seg.interruptions.missed == "callback" \
                and scenario.callback is None:
            raise ScenarioError(f"segments[{i}].interruptions.missed",
                                "'callback' needs a [callback] table (add one, or allowed:"
                                " 'requeue', 'abandon')")
        if seg.devices is not None:
            if not seg.devices or not any(w > 0 for w in seg.devices.values()):
                raise ScenarioError(f"segments[{i}].devices",
                                    "must give at least one device a weight > 0")
            if len(seg.devices) > MAX_DEVICES:
                raise ScenarioError(f"segments[{i}].devices",
                                    f"names {len(seg.devices)} devices (allowed: at most"
                                    f" {MAX_DEVICES})")


def _check_device_dialog(intent: schema.Intent, path: str) -> None:
    """A device dialog opens on a touchpoint, for an intent that devices report."""
    assert intent.device_dialog is not None
    _check_names(f"{path}.touchpoint", [intent.device_dialog.touchpoint], list(TOUCHPOINTS),
                 "touchpoint")
    if intent.reported <= 0:
        raise ScenarioError(path, f"intent {intent.name!r} is never reported by a device, so"
                            " no device opens it (allowed: with reported > 0)")


#: The most exchanges one conversation may have (a conversation must end).
MAX_EXCHANGES = 1000


def _check_conversations(scenario: schema.Scenario) -> None:
    """Conversations of several exchanges happen only on asynchronous channels, pause
    for the customer's reply, and end."""
    for name, spec in scenario.channels.items():
        synchronous = name in SYNCHRONOUS if spec.synchronous is None else spec.synchronous
        path = f"channels.{name}"
        if spec.exchanges > 1 and synchronous:
            raise ScenarioError(f"{path}.exchanges",
                                f"{name!r} is synchronous: a conversation of exchanges needs"
                                " an asynchronous channel (allowed: 1, or set synchronous ="
                                " false)")
        if spec.exchanges > MAX_EXCHANGES:
            raise ScenarioError(f"{path}.exchanges",
                                f"{spec.exchanges} exchanges: such a conversation never ends"
                                f" in practice (allowed: 1 to {MAX_EXCHANGES})")
        if spec.exchanges > 1 and spec.reply_gap.mean <= 0:
            raise ScenarioError(f"{path}.reply_gap",
                                "is 0: a conversation of exchanges whose customer replies at"
                                " once never pauses, and with no handle time never moves on"
                                " (allowed: a reply_gap with mean > 0, or exchanges = 1)")


def _check_pools(scenario: schema.Scenario, intents: list[str]) -> None:
    _check_unique("pools", [p.name for p in scenario.pools])
    for i, pool in enumerate(scenario.pools):
        path = f"pools[{i}]"
        if not pool.channels:
            raise ScenarioError(f"{path}.channels", "must name at least one assisted channel")
        _check_names(f"{path}.channels", pool.channels, list(ASSISTED), "assisted channel")
        if pool.intents is not None:
            _check_names(f"{path}.intents", pool.intents, intents, "intent")
        for channel in pool.concurrency:
            if channel not in pool.channels:
                raise ScenarioError(
                    f"{path}.concurrency.{channel}",
                    f"channel {channel!r} is not one of this pool's channels"
                    f" ({', '.join(pool.channels)})",
                )
        _check_headcount(pool, path)
        served = intents if pool.intents is None else pool.intents
        _check_names(f"{path}.priorities", pool.priorities, served,
                     "intent of this pool" if pool.intents is not None else "intent")


def _check_headcount(pool: schema.Pool, path: str) -> None:
    """A pool has exactly one of ``agents`` or a valid daily ``schedule``."""
    if pool.agents is None and pool.schedule is None:
        raise ScenarioError(f"{path}.agents",
                            "missing (this field is required, unless the pool has a 'schedule')")
    if pool.agents is not None and pool.schedule is not None:
        raise ScenarioError(path, "give exactly one of 'agents' or 'schedule'")
    if pool.schedule is None:
        return
    steps = pool.schedule
    if not steps:
        raise ScenarioError(f"{path}.schedule", "must have at least one step")
    if steps[0].at != 0:
        raise ScenarioError(f"{path}.schedule[0].at", "the first step must start at '0h'")
    for i in range(1, len(steps)):
        if not steps[i - 1].at < steps[i].at < 1440:
            raise ScenarioError(f"{path}.schedule[{i}].at",
                                "steps must be in increasing time of day, below '24h'")
    if not any(s.agents > 0 for s in steps):
        raise ScenarioError(f"{path}.schedule", "at least one step must have agents >= 1")


def _check_reachable(scenario: schema.Scenario) -> None:
    reached = reachable_touchpoints(scenario)
    for tp in sorted(reached & set(ASSISTED)):
        for k, intent in enumerate(scenario.intents):
            served = any(
                tp in p.channels and (p.intents is None or intent.name in p.intents)
                for p in scenario.pools
            )
            if not served:
                raise ScenarioError(
                    "pools",
                    f"no pool serves channel {tp!r} for intent {intent.name!r}, yet customers"
                    " can reach it (add it to a pool's channels, or route customers elsewhere)",
                )
            if tp not in intent.handle:
                raise ScenarioError(
                    f"intents[{k}].handle",
                    f"no handle time for channel {tp!r}, which customers can reach"
                    f" (give one for each of: {', '.join(sorted(reached & set(ASSISTED)))})",
                )


def design_from_spec(name: str, spec: schema.DesignSpec, path: str) -> Design:
    """Build the :class:`Design` a ``[designs.NAME]`` table describes."""
    if spec.base not in BUILTIN_DESIGNS:
        raise ScenarioError(
            f"{path}.base",
            f"unknown design {spec.base!r}{did_you_mean(spec.base, BUILTIN_DESIGNS)}"
            f" (allowed: {', '.join(BUILTIN_DESIGNS)})",
        )
    base = BUILTIN_DESIGNS[spec.base]
    topology = base.topology
    if spec.history == "siloed":
        topology = SILOED
    elif spec.history == "unified":
        topology = UNIFIED
    elif isinstance(spec.history, str):
        raise ScenarioError(
            f"{path}.history",
            f"unknown topology {spec.history!r} (allowed: 'siloed', 'unified', or a list of"
            " channel groups)",
        )
    elif spec.history is not None:
        for group in spec.history:
            _check_names(f"{path}.history", group, CHANNELS, "channel")
        try:
            topology = Topology(groups=spec.history)
        except ValueError as e:
            raise ScenarioError(f"{path}.history", str(e)) from None
    if spec.history_ttl is not None:
        topology = Topology(groups=topology.groups, ttl=spec.history_ttl)
    switches = {
        field: getattr(spec, field)
        for field in CAPABILITY_FIELDS.values()
        if field != "topology" and getattr(spec, field) is not None
    }
    return attrs.evolve(base, name=name, topology=topology, **switches)


#: For each capability that acts only through a scenario table: the table, and a test of
#: whether the scenario has it.
NEEDS: dict[str, tuple[str, Callable[[schema.Scenario], bool]]] = {
    "callback": ("a [callback] table", lambda sc: sc.callback is not None),
    "retention": ("a [population] table", lambda sc: sc.population is not None),
    "handover": ("an [escalation] table or a transfer journey",
                 lambda sc: bool(sc.escalation) or any(j.transfer for j in sc.journeys)),
    "escalation": ("an [escalation] table", lambda sc: bool(sc.escalation)),
    "proactive": ("an [[events]] table with notify, or an intent with device_dialog",
                  lambda sc: any(e.notify is not None for e in sc.events)
                  or any(i.device_dialog is not None for i in sc.intents)),
    "mesh": ("segment devices or intents reported by devices",
             lambda sc: any(s.devices for s in sc.segments)
             or any(i.reported > 0 for i in sc.intents)),
    "affinity": ("an [affinity] table", lambda sc: sc.affinity is not None),
}


def _check_capabilities_apply(scenario: schema.Scenario, spec: schema.DesignSpec,
                              path: str) -> None:
    """A design may not switch on a capability the scenario gives nothing to act on.

    Built-in designs may (``unified`` has everything on, and a switch without its table
    is neutral), but a ``[designs.NAME]`` table that says ``callback = true`` in a
    scenario without a ``[callback]`` table asks for something impossible.
    """
    for capability, (table, present) in NEEDS.items():
        if getattr(spec, capability) and not present(scenario):
            raise ScenarioError(f"{path}.{capability}",
                                f"is on but the scenario gives it nothing to act on (it needs"
                                f" {table}: add one, or leave {capability} out)")


def resolve_designs(scenario: schema.Scenario, names: Sequence[str] | None = None) -> list[Design]:
    """The designs to compare: *names* (default: the scenario's list), built-ins or tables.

    Raises :class:`ScenarioError` for a name that is neither.
    """
    wanted = list(names) if names else list(scenario.scenario.designs)
    allowed = [*BUILTIN_DESIGNS, *scenario.designs]
    designs = []
    for i, name in enumerate(wanted):
        if name in scenario.designs:
            designs.append(design_from_spec(name, scenario.designs[name], f"designs.{name}"))
        elif name in BUILTIN_DESIGNS:
            designs.append(BUILTIN_DESIGNS[name])
        else:
            where = "scenario.designs" if names is None else "--design"
            raise ScenarioError(
                f"{where}[{i}]" if names is None else where,
                f"unknown design {name!r}{did_you_mean(name, allowed)} "
                f"(allowed: {', '.join(allowed)})",
            )
    return designs


def check_names(scenario: schema.Scenario) -> None:
    """Every name the scenario defines is a safe name (:mod:`sim.scenario.names`).

    Design names become file names, so two designs (built-ins included) may not differ
    only in case or Unicode form; nor may two pools, segments or intents.
    """
    check_name("scenario.name", scenario.scenario.name, "scenario", file_name=False)
    for i, name in enumerate(scenario.scenario.designs):
        check_name(f"scenario.designs[{i}]", name, "design")
    for name in scenario.designs:
        check_name(key_path("designs", name), name, "design")
    check_distinct([(key_path("designs", n), n) for n in (*BUILTIN_DESIGNS, *scenario.designs)],
                   "design")
    tables: list[tuple[str, str, Sequence[str]]] = [
        ("pools", "pool", [p.name for p in scenario.pools]),
        ("segments", "segment", [s.name for s in scenario.segments]),
        ("intents", "intent", [i.name for i in scenario.intents]),
        ("events", "event", [e.name for e in scenario.events]),
    ]
    for table, what, names in tables:
        for i, name in enumerate(names):
            check_name(f"{table}[{i}].name", name, what)
        if table != "events":
            check_distinct([(f"{table}[{i}].name", n) for i, n in enumerate(names)], what)
    _check_keys(scenario)


def _check_keys(scenario: schema.Scenario) -> None:
    """The names that are keys of tables: facts, channels, devices, escalation."""
    for table, keys, what in (("facts", scenario.facts, "fact"),
                              ("channels", scenario.channels, "channel"),
                              ("escalation", scenario.escalation, "touchpoint")):
        for key in keys:
            check_name(key_path(table, key), key, what)
    for i, seg in enumerate(scenario.segments):
        for key in seg.devices or {}:
            check_name(key_path(f"segments[{i}].devices", key), key, "device")
        for key in seg.start:
            check_name(key_path(f"segments[{i}].start", key), key, "touchpoint")
    for i, intent in enumerate(scenario.intents):
        for k, fact in enumerate(intent.facts):
            check_name(f"intents[{i}].facts[{k}]", fact, "fact")


def validate(scenario: schema.Scenario) -> None:
    """Check every rule across tables; raise :class:`ScenarioError` at the first broken one."""
    check_names(scenario)
    if not scenario.scenario.designs:
        raise ScenarioError("scenario.designs", "must name at least one design")
    if len(set(scenario.scenario.designs)) != len(scenario.scenario.designs):
        raise ScenarioError("scenario.designs", "names a design twice")
    _check_arrivals(scenario.arrivals)
    if not scenario.segments:
        raise ScenarioError("segments", "at least one [[segments]] table is needed")
    if not scenario.intents:
        raise ScenarioError("intents", "at least one [[intents]] table is needed")
    _check_unique("segments", [s.name for s in scenario.segments])
    _check_unique("intents", [s.name for s in scenario.intents])
    _check_sum("segments", [s.share for s in scenario.segments], "segments' shares")
    _check_sum("intents", [s.share for s in scenario.intents], "intents' shares")
    for i, seg in enumerate(scenario.segments):
        _check_names(f"segments[{i}].start", seg.start, list(TOUCHPOINTS), "touchpoint")
        _check_sum(f"segments[{i}].start", seg.start.values(), "start weights")
        if isinstance(seg.patience, dict):
            _check_names(f"segments[{i}].patience", seg.patience, list(ASSISTED),
                         "assisted channel")
    used_facts: set[str] = set()
    for i, intent in enumerate(scenario.intents):
        path = f"intents[{i}]"
        _check_names(f"{path}.handle", intent.handle, list(ASSISTED), "assisted channel")
        _check_names(f"{path}.resolve", intent.resolve, list(ASSISTED), "assisted channel")
        _check_names(
            f"{path}.self_service", intent.self_service, list(SELF_SERVICE),
            "self-service touchpoint",
        )
        if len(set(intent.facts)) != len(intent.facts):
            raise ScenarioError(f"{path}.facts", "names a fact twice")
        used_facts |= set(intent.facts)
    for fact in scenario.facts:
        if fact not in used_facts:
            raise ScenarioError(
                f"facts.{fact}",
                f"no intent needs fact {fact!r}{did_you_mean(fact, used_facts)}"
                f" (facts of the intents: {', '.join(sorted(used_facts)) or 'none'})",
            )
    _check_names("channels", scenario.channels, CHANNELS, "channel")
    _check_conversations(scenario)
    _check_pools(scenario, [i.name for i in scenario.intents])
    _check_journeys(scenario)
    _check_capability_tables(scenario)
    _check_reachable(scenario)
    for name, spec in scenario.designs.items():
        design_from_spec(name, spec, f"designs.{name}")
        _check_capabilities_apply(scenario, spec, f"designs.{name}")
    resolve_designs(scenario)
