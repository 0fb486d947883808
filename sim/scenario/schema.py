"""The scenario file as attrs classes: one class per TOML table.

Field names are the file's keys. Durations are stored in minutes, rates per minute,
distributions as :mod:`sim.model.dists` objects. Local rules (a rate is positive, a
probability lies in [0, 1]) are attrs validators; rules across tables live in
:mod:`sim.scenario.validate`.
"""

from __future__ import annotations

from typing import Any, Literal, NewType

import attrs

from ..errors import ScenarioError
from ..model.dists import Distribution, Fixed

__all__ = [
    "AffinitySpec",
    "Arrivals",
    "CallbackSpec",
    "ChannelSpec",
    "DesignSpec",
    "Duration",
    "EscalationSpec",
    "Event",
    "FactSpec",
    "Intent",
    "Interruptions",
    "Journey",
    "Pool",
    "Population",
    "ProfileStep",
    "Rate",
    "RoutingSpec",
    "Scenario",
    "ScenarioSection",
    "Segment",
    "SelfServiceSpec",
    "ShiftStep",
]

#: A duration in minutes, written ``"90s"``, ``"2min"``... in files.
Duration = NewType("Duration", float)
#: A rate per minute, written ``"48/min"`` in files.
Rate = NewType("Rate", float)

#: What a journey edge starts from: the outcome of a contact at a touchpoint.
AFTER = ("failed", "abandoned", "unresolved", "dropped")


def _positive(_inst: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value > 0:
        raise ScenarioError(attribute.name, f"must be > 0 (got {value:g})")


def _non_negative(_inst: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    if value is not None and not value >= 0:
        raise ScenarioError(attribute.name, f"must be >= 0 (got {value:g})")


def _at_least_one(_inst: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if value < 1:
        raise ScenarioError(attribute.name, f"must be >= 1 (got {value})")


def _at_least_one_or_none(_inst: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and value < 1:
        raise ScenarioError(attribute.name, f"must be >= 1 (got {value})")


def _non_negative_int(_inst: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if value < 0:
        raise ScenarioError(attribute.name, f"must be >= 0 (got {value})")


def _probability(_inst: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ScenarioError(attribute.name, f"must be a probability in [0, 1] (got {value:g})")


def _probabilities(_inst: Any, attribute: attrs.Attribute[Any], value: dict[str, float]) -> None:
    for key, p in value.items():
        if not 0.0 <= p <= 1.0:
            raise ScenarioError(
                f"{attribute.name}.{key}", f"must be a probability in [0, 1] (got {p:g})"
            )


def _weights(_inst: Any, attribute: attrs.Attribute[Any], value: dict[str, float]) -> None:
    for key, w in value.items():
        if not w >= 0:
            raise ScenarioError(f"{attribute.name}.{key}", f"must be >= 0 (got {w:g})")


def _optional_weights(inst: Any, attribute: attrs.Attribute[Any],
                      value: dict[str, float] | None) -> None:
    if value is not None:
        _weights(inst, attribute, value)


def _counts(_inst: Any, attribute: attrs.Attribute[Any], value: dict[str, int]) -> None:
    for key, n in value.items():
        if n < 1:
            raise ScenarioError(f"{attribute.name}.{key}", f"must be >= 1 (got {n})")


@attrs.frozen
class ScenarioSection:
    """``[scenario]``: name, horizon, warm-up, replications, seed and designs to compare."""

    name: str = attrs.field(
        metadata={"doc": (
            "shown in tables; the default results folder is `results/<name as a slug>/`"
        )},
    )
    horizon: Duration = attrs.field(
        validator=_positive,
        metadata={"doc": "simulated time that is measured, after the warm-up"},
    )
    warmup: Duration = attrs.field(
        default=Duration(0.0), validator=_non_negative,
        metadata={"doc": "simulated first and not measured; the run ends at warm-up + horizon"},
    )
    replications: int = attrs.field(
        default=10, validator=_at_least_one,
        metadata={"doc": "independent replications per design; `--replications` overrides"},
    )
    seed: int = attrs.field(
        default=0, validator=_non_negative_int,
        metadata={"doc": "the seed of every random stream; `--seed` overrides"},
    )
    designs: list[str] = attrs.field(
        factory=lambda: ["siloed", "unified"],
        metadata={"doc": (
            "designs to compare: built-in `siloed`, `unified-history`, `mobile-first`, `all` "
            "(`unified` is its old name), or `[designs.NAME]` tables. The first is the "
            "baseline of the paired differences. At least one, no repeats. `--design` "
            "overrides."
        )},
    )
    service_level_threshold: Duration = attrs.field(
        default=Duration(20 / 60), validator=_non_negative,
        metadata={"doc": (
            "T of the service levels: a queue entry answered within this wait counts as "
            "answered in time (the common 80/20 voice standard; a channel may set its own)"
        )},
    )
    description: str = attrs.field(
        default="",
        metadata={"doc": "free text"},
    )
    drain: bool = attrs.field(
        default=False,
        metadata={"doc": (
            "stop arrivals at the horizon and run on until every issue has ended, so that no "
            "per-issue outcome is cut (see the model)"
        )},
    )


@attrs.frozen
class ProfileStep:
    """One step of a daily arrival profile: from time of day *at*, the *rate*."""

    at: Duration = attrs.field(
        validator=_non_negative,
        metadata={"doc": "time of day from which this step's rate holds"},
    )
    rate: Rate = attrs.field(
        validator=_non_negative,
        metadata={"doc": "arrival rate from `at` until the next step"},
    )


@attrs.frozen
class Arrivals:
    """``[arrivals]``: a constant Poisson *rate*, or a piecewise daily *profile*."""

    rate: Rate | None = attrs.field(
        default=None, validator=_positive,
        metadata={"doc": "a constant rate"},
    )
    profile: list[ProfileStep] | None = attrs.field(
        default=None,
        metadata={"doc": "a rate that is constant between steps and repeats every day"},
    )


@attrs.frozen
class Interruptions:
    """Interruptions of a mobile session: *rate* per minute of session, *duration*.

    An interruption longer than *drop_after* drops a synchronous session (unless the
    design makes sessions resumable). *rate* holds in self-service and in agent sessions
    in writing; on a call with an agent (voice, video) the rate is *talking*, by default
    a twentieth of *rate* (a phone call holds attention far better than an app).

    On hold the rate is *waiting* (default 0: nobody is interrupted on hold). A customer
    away when an agent answers misses the answer: the agent spends *ring*, then the
    contact is *missed*: back to the queue, a call back, or abandoned.
    """

    rate: Rate = attrs.field(
        validator=_non_negative,
        metadata={"doc": (
            "interruptions per minute of session time (Poisson) in self-service and in agent "
            "sessions in writing"
        )},
    )
    duration: Distribution = attrs.field(
        metadata={"doc": "length of one interruption"},
    )
    drop_after: Duration = attrs.field(
        default=Duration(0.5), validator=_non_negative,
        metadata={"doc": (
            "an interruption longer than this drops a synchronous session, unless the design "
            "is resumable"
        )},
    )
    talking: Rate | None = attrs.field(
        default=None, validator=_non_negative,
        metadata={"doc": (
            "interruptions per minute on a call with an agent (voice, video). Source: "
            "assumption — a call holds attention far better than an app, and the sources of "
            "`rate` measure attention to apps"
        )},
    )
    waiting: Rate = attrs.field(
        default=Rate(0.0), validator=_non_negative,
        metadata={"doc": (
            "interruptions per minute while waiting on hold for an agent. A customer away "
            "when the agent answers misses the answer. Source: assumption (none measures it)"
        )},
    )
    ring: Duration = attrs.field(
        default=Duration(1 / 3), validator=_non_negative,
        metadata={"doc": (
            "the agent's time spent on an answer the customer missed (ringing, \"hello?\"); "
            "agent time charged to the issue. Source: assumption"
        )},
    )
    missed: Literal["requeue", "callback", "abandon"] = attrs.field(
        default="requeue",
        metadata={"doc": (
            "what becomes of a missed answer: the contact queues again (a new queue entry, "
            "patience drawn anew), waits as a call back (under a design with `callback`; "
            "needs a [`[callback]`](#callback) table, and without the capability it queues "
            "again), or ends `abandoned` (the journey's `abandoned` rule follows). The missed"
            " entry counts as an unanswered (abandoned) queue entry"
        )},
    )


@attrs.frozen
class Segment:
    """``[[segments]]``: a kind of customer.

    *patience* is one distribution for every agent channel, or a table of one per
    channel (``{ voice = {...}, email = "2d" }``); a channel it does not name is waited
    on for ever.
    """

    name: str = attrs.field(
        metadata={"doc": "unique"},
    )
    share: float = attrs.field(
        validator=_probability,
        metadata={"doc": "the shares of all segments add up to 1"},
    )
    start: dict[str, float] = attrs.field(
        validator=_weights,
        metadata={"doc": "weights of the first touchpoint; they add up to 1"},
    )
    patience: Distribution | dict[str, Distribution] | None = attrs.field(
        default=None,
        metadata={"doc": (
            "time the customer waits in an agent queue before leaving it; a new draw for each"
            " queue entry. A table gives one per assisted channel (`{ voice = { dist = "
            "\"exponential\", mean = \"6min\" }, email = \"2d\" }`); a channel it leaves out is "
            "waited on for ever. Nobody waits for an email answer with a caller's patience."
        )},
    )
    interruptions: Interruptions | None = attrs.field(
        default=None,
        metadata={"doc": "interruptions during sessions"},
    )
    max_contacts: int = attrs.field(
        default=20, validator=_at_least_one,
        metadata={"doc": "most contacts per issue; an issue not resolved by then ends abandoned"},
    )
    frustration: float = attrs.field(
        default=0.0, validator=_probability,
        metadata={"doc": (
            "patience is multiplied by (1 − frustration)^n, where n = repetitions so far + "
            "earlier contacts that ended failed, abandoned or unresolved"
        )},
    )
    devices: dict[str, float] | None = attrs.field(
        default=None, validator=_optional_weights,
        metadata={"doc": (
            "the customer's devices (at most 16; names are free: `phone`, `laptop`, "
            "`watch`...); each contact starts on one drawn by weight. Without a `mesh` design"
            " the history knows the customer per device."
        )},
    )


@attrs.frozen
class SelfServiceSpec:
    """Self-service of an intent on one touchpoint: *success* probability, *time* taken."""

    success: float = attrs.field(
        validator=_probability,
        metadata={"doc": "chance that the flow resolves the issue"},
    )
    time: Distribution = attrs.field(
        default=Fixed(0.0),
        metadata={"doc": "time the flow takes, apart from collecting facts"},
    )


@attrs.frozen
class DeviceDialog:
    """An intent's ``device_dialog``: a connected device that reports the issue opens it.

    Under a design with ``proactive`` and ``mesh``, an issue a device reported opens at
    once as a two-way dialog on *touchpoint* (the customer's chosen channel), with the
    reported facts known; the customer answers after *respond*. Otherwise the customer
    notices the fault *discover* after it happened and contacts the service as usual.
    """

    touchpoint: str = attrs.field(
        metadata={"doc": "the touchpoint the dialog opens on (the customer's chosen channel)"},
    )
    discover: Distribution = attrs.field(
        default=Fixed(0.0),
        metadata={"doc": "without the capability, how long after the fault the customer "
                         "notices it"},
    )
    respond: Distribution = attrs.field(
        default=Fixed(0.0),
        metadata={"doc": "with it, how long the customer takes to answer the dialog"},
    )


@attrs.frozen
class Intent:
    """``[[intents]]``: a kind of issue, the facts it needs, how it is handled."""

    name: str = attrs.field(
        metadata={"doc": "unique"},
    )
    share: float = attrs.field(
        validator=_probability,
        metadata={"doc": "the shares of all intents add up to 1"},
    )
    facts: list[str] = attrs.field(
        factory=list,
        metadata={"doc": "facts every contact must have, asked in this order; no name twice"},
    )
    handle: dict[str, Distribution] = attrs.field(
        factory=dict,
        metadata={"doc": (
            "the agent's work time, apart from collecting facts. Required for every assisted "
            "touchpoint customers can reach."
        )},
    )
    resolve: dict[str, float] = attrs.field(
        factory=dict, validator=_probabilities,
        metadata={"doc": "chance that a completed agent contact resolves the issue"},
    )
    self_service: dict[str, SelfServiceSpec] = attrs.field(
        factory=dict,
        metadata={"doc": (
            "per self-service touchpoint, a success probability (`app = 0.4`) or a table "
            "`{ success, time }` (below); at a touchpoint with no entry the session fails "
            "at once, asking no facts and taking no time"
        )},
    )
    reported: float = attrs.field(
        default=0.0, validator=_probability,
        metadata={"doc": (
            "share of this intent's issues that a connected device reports (a fault it "
            "detected)"
        )},
    )
    reported_facts: list[str] | None = attrs.field(
        default=None,
        metadata={"doc": (
            "what the device report carries; under a `mesh` design these are known everywhere"
            " and never asked"
        )},
    )
    device_dialog: DeviceDialog | None = attrs.field(
        default=None,
        metadata={"doc": (
            "`{ touchpoint, discover, respond }`: under a design with `proactive` and `mesh`, "
            "an issue a device reported opens at once as a two-way dialog on `touchpoint`, and "
            "the customer answers after `respond`; otherwise the customer notices the fault "
            "`discover` after it happened and contacts the service as usual"
        )},
    )


@attrs.frozen
class FactSpec:
    """``[facts.NAME]``: how long collecting the fact takes, and what it belongs to.

    *read* is how long an agent takes to read the fact where the history (a hand-over,
    a device report) shows it; ``None`` means a tenth of the collection time drawn for
    the contact. With *reauthenticate*, every new agent contact collects the fact
    whatever the history holds (an identity check), and that is not a repetition.
    """

    collect: Distribution = attrs.field(
        default=Fixed(0.0),
        metadata={"doc": "time to ask for and give the fact; added to the session time"},
    )
    scope: Literal["issue", "customer"] = attrs.field(
        default="issue",
        metadata={"doc": (
            "`customer`: the fact holds for every issue of the customer (identity). While "
            "each customer has one issue, both scopes behave the same."
        )},
    )
    read: Distribution | None = attrs.field(
        default=None,
        metadata={"doc": (
            "an agent's time to read the fact where the history, a hand-over or a device "
            "report shows it; added to the session time (self-service reads cost nothing). "
            "Source: assumption (a glance at a screen against a question, an answer and a "
            "check)"
        )},
    )
    reauthenticate: bool = attrs.field(
        default=False,
        metadata={"doc": (
            "every new agent contact collects the fact whatever the history shows (an "
            "identity check); not counted as a repetition. An agent taking over within the "
            "contact does not ask it again. Source: a scenario choice"
        )},
    )


@attrs.frozen
class ChannelSpec:
    """``[channels.NAME]``: overrides of a channel's nature, its cost per contact, the
    time an idle asynchronous session lasts, its service-level threshold, and how long
    an interruption of a resumable agent session may hold the agent idle
    (*release_after*; none: through every interruption).

    On an asynchronous channel, *exchanges* > 1 makes an agent contact a conversation:
    the agent works an exchange, then is free while the customer takes a *reply_gap* to
    answer (or keeps a concurrency slot with *hold_slot*)."""

    synchronous: bool | None = attrs.field(
        default=None,
        metadata={"doc": "whether a long interruption drops a session on this channel"},
    )
    cost: float = attrs.field(
        default=0.0, validator=_non_negative,
        metadata={"doc": (
            "cost of each contact on this channel, charged when the contact starts, whether "
            "it is served, abandoned or dropped"
        ), "unit": "currency per contact"},
    )
    timeout: Duration | None = attrs.field(
        default=None, validator=_positive,
        metadata={"doc": (
            "an asynchronous session idle (the customer interrupted) for longer than this is "
            "lost, unless the design is resumable"
        )},
    )
    service_level_threshold: Duration | None = attrs.field(
        default=None, validator=_non_negative,
        metadata={"doc": (
            "T of the service levels for entries on this channel. Common targets (assumptions"
            " to adapt): voice 20 s, chat 60 s, email 24 h (the most common email target in "
            "EPIC/ICMI surveys), social 1 h (the reply most Twitter users expect, Lithium "
            "2013)."
        )},
    )
    release_after: Duration | None = attrs.field(
        default=None, validator=_non_negative,
        metadata={"doc": (
            "under a resumable design, an interruption of an agent session on this channel "
            "longer than this frees the agent; the customer, back, waits for an agent again "
            "(a call back where the design calls back) and the session resumes with the facts"
            " given. Source: a design choice (assumption)"
        )},
    )
    exchanges: int = attrs.field(
        default=1, validator=_at_least_one,
        metadata={"doc": (
            "on an asynchronous channel, an agent contact is a conversation of this many "
            "exchanges: the agent works each (an equal share of the handle time; the facts in"
            " the first) and is free while the customer replies. Only on asynchronous "
            "channels (chat with `synchronous = false`). Source: a scenario choice "
            "(assumption)"
        )},
    )
    reply_gap: Distribution = attrs.field(
        default=Fixed(0.0),
        metadata={"doc": (
            "the customer's time to reply between exchanges, lengthened by every interruption"
            " (at the segment's `rate`) that starts in it; a reply later than `timeout` "
            "closes the conversation unresolved. Source: assumption (no source measures it; "
            "email expectations of 1 h and 24 h, reference §3, bound it for email)"
        )},
    )
    hold_slot: bool = attrs.field(
        default=False,
        metadata={"doc": (
            "between exchanges the agent keeps the conversation's concurrency slot (busy for "
            "utilization, but only worked time is charged to the issue)"
        )},
    )


@attrs.frozen
class ShiftStep:
    """One step of a pool's daily schedule: from time of day *at*, *agents* on shift."""

    at: Duration = attrs.field(
        validator=_non_negative,
        metadata={"doc": "time of day from which this step's headcount holds"},
    )
    agents: int = attrs.field(
        validator=_non_negative_int,
        metadata={"doc": "agents on shift from `at` until the next step"},
    )


@attrs.frozen(kw_only=True)
class Pool:
    """``[[pools]]``: agents with the same skills.

    The headcount is *agents*, or a daily *schedule* (exactly one of the two). A contact
    can go to every pool whose skills include it, lower *priority* first; within the
    pool, waiting contacts are taken by the intent *priorities* (lower first).
    """

    name: str = attrs.field(
        metadata={"doc": "unique; used in the per-pool outcomes `pool.NAME.…`"},
    )
    agents: int | None = attrs.field(
        default=None, validator=_at_least_one_or_none,
        metadata={"doc": "headcount, constant over the run"},
    )
    channels: list[str] = attrs.field(
        metadata={"doc": "channels the agents serve"},
    )
    intents: list[str] | None = attrs.field(
        default=None,
        metadata={"doc": "intents the agents serve"},
    )
    concurrency: dict[str, int] = attrs.field(
        factory=dict, validator=_counts,
        metadata={"doc": (
            "sessions of that channel one agent can hold at once; each session takes 1/c of "
            "the agent. The channel must be one of the pool's channels."
        )},
    )
    concurrency_penalty: float = attrs.field(
        default=0.0, validator=_non_negative,
        metadata={"doc": (
            "handle and collection times of a session are multiplied by 1 + penalty × (k − "
            "1), where k is the agent's number of sessions when this one starts"
        )},
    )
    schedule: list[ShiftStep] | None = attrs.field(
        default=None,
        metadata={"doc": (
            "headcount by time of day, instead of `agents` (give exactly one of the two); see"
            " below"
        )},
    )
    priority: int = attrs.field(
        default=1,
        metadata={"doc": (
            "routing order among the pools that can serve a contact: lower is tried first; "
            "ties in file order"
        )},
    )
    priorities: dict[str, int] = attrs.field(
        factory=dict,
        metadata={"doc": (
            "the order in which this pool's agents take waiting contacts: lower first, first "
            "come first served within a level. An intent not named has priority `1`. Names "
            "must be intents the pool serves."
        )},
    )
    cost_per_minute: float = attrs.field(
        default=0.0, validator=_non_negative,
        metadata={"doc": (
            "loaded cost of one agent-minute. A session costs its length × this × 1/c (its "
            "share of the agent); the sum is `agent_cost_per_issue`, added to the contact "
            "costs in `cost_per_issue`"
        ), "unit": "currency per agent-minute"},
    )


@attrs.frozen
class Journey:
    """``[[journeys]]``: where customers go from touchpoint *source* after an outcome."""

    source: str = attrs.field(
        metadata={"doc": "where the contact took place"},
    )
    after: Literal["failed", "abandoned", "unresolved", "dropped"] = attrs.field(
        metadata={"doc": "default when no rule routes it"},
    )
    to: dict[str, float] = attrs.field(
        validator=_weights,
        metadata={"doc": (
            "targets: touchpoints, `retry` (the same touchpoint again) or `give_up` (the "
            "issue ends abandoned); shares add up to 1"
        )},
    )
    delay: Distribution = attrs.field(
        default=Fixed(0.0),
        metadata={"doc": "time before the next contact"},
    )
    transfer: bool = attrs.field(
        default=False,
        metadata={"doc": (
            "the move happens within the contact: a failed self-service session handed to an "
            "agent on the spot (an IVR passing the call). Only with `after = \"failed\"`, "
            "targets that are agents or `give_up`, and no delay. Under a `handover` design "
            "the agent sees the self-service context."
        )},
    )


@attrs.frozen
class DesignSpec:
    """``[designs.NAME]``: a design built from *base* with some capabilities changed."""

    base: str = attrs.field(
        default="siloed",
        metadata={"doc": "the built-in design to start from"},
    )
    history: str | list[list[str]] | None = attrs.field(
        default=None,
        metadata={"doc": (
            "which channels share a history store; in a list like `[[\"web\", \"chat\"], "
            "[\"voice\", \"ivr\"]]` each group shares one store and a channel in no group keeps "
            "its own. Groups may not overlap."
        )},
    )
    history_ttl: Duration | None = attrs.field(
        default=None, validator=_positive,
        metadata={"doc": (
            "a history event is visible for this long after it was written (a context "
            "\"cookie\" with a time-to-live)"
        )},
    )
    retention: bool | None = attrs.field(
        default=None,
        metadata={"doc": (
            "the history outlives the issue: a returning customer is recognised (needs "
            "[`[population]`](#population))"
        )},
    )
    handover: bool | None = attrs.field(
        default=None,
        metadata={"doc": (
            "self-service context passes to the agent within the same contact (needs "
            "[`[escalation]`](#escalation) or a journey with `transfer = true`)"
        )},
    )
    escalation: bool | None = attrs.field(
        default=None,
        metadata={"doc": (
            "a failed self-service session reaches an agent without leaving the channel "
            "(needs [`[escalation]`](#escalation))"
        )},
    )
    resumable: bool | None = attrs.field(
        default=None,
        metadata={"doc": "an interruption pauses the session instead of dropping it"},
    )
    callback: bool | None = attrs.field(
        default=None,
        metadata={"doc": "offer a call back instead of hold (needs [`[callback]`](#callback))"},
    )
    affinity: bool | None = attrs.field(
        default=None,
        metadata={"doc": (
            "a returning issue goes back to the agent who handled it (needs "
            "[`[affinity]`](#affinity))"
        )},
    )
    proactive: bool | None = attrs.field(
        default=None,
        metadata={"doc": (
            "customers an event touches are notified first (needs [`[[events]]`](#events) "
            "with `notify`)"
        )},
    )
    mesh: bool | None = attrs.field(
        default=None,
        metadata={"doc": (
            "a customer's devices and what connected devices report share one identity (needs"
            " segment `devices` or intent `reported`)"
        )},
    )


@attrs.frozen
class CallbackSpec:
    """``[callback]``: when a call back is offered and how customers respond.

    Offered when the expected wait on joining a queue exceeds *offer_after*; taken with
    probability *accept*; the customer keeps their place without holding (no patience
    runs out), and when an agent is free the agent calls: with probability *unreachable*
    nobody answers, the attempt takes *attempt* of the agent's time, and the contact ends
    like an abandoned one.
    """

    offer_after: Duration = attrs.field(
        default=Duration(1.0), validator=_non_negative,
        metadata={"doc": "offer when the expected wait exceeds this"},
    )
    accept: float = attrs.field(
        default=0.37, validator=_probability,
        metadata={"doc": "share of offers taken (Hathaway et al., reference §6)"},
    )
    unreachable: float = attrs.field(
        default=0.07, validator=_probability,
        metadata={"doc": "share of call backs nobody answers (§6)"},
    )
    attempt: Duration = attrs.field(
        default=Duration(0.5), validator=_non_negative,
        metadata={"doc": "agent time of an unanswered call back (assumption)"},
    )


@attrs.frozen
class EscalationSpec:
    """One entry of ``[escalation]``: a failed self-service session reaches agent *to*.

    The customer accepts the offer with probability *accept*; who declines follows the
    journey graph as without the capability.
    """

    to: str = attrs.field(
        metadata={"doc": "the agent the customer reaches"},
    )
    accept: float = attrs.field(
        default=1.0, validator=_probability,
        metadata={"doc": (
            "share of customers who take the offer; the others follow the journey graph"
        )},
    )


@attrs.frozen
class Population:
    """``[population]``: a finite number of *customers*, who come back with later issues."""

    customers: int = attrs.field(
        validator=_at_least_one,
        metadata={"doc": "how many customers there are"},
    )


@attrs.frozen
class Event:
    """``[[events]]``: something that happens to *customers* at once (an outage, a delay).

    At *at* (after the warm-up) the event touches *customers* customers (of *segment*,
    or drawn by segment shares), each with an issue of *intent*. Unnotified, each finds
    out after a *discover* time and contacts the service as usual. Under a proactive
    design the service notifies them on touchpoint *notify* after *notice*: a share
    *deflect* needs nothing more, the rest reply on *notify* after *respond*, with the
    facts *known* (default: all the intent's facts) already in the history there.
    """

    name: str = attrs.field(
        metadata={"doc": "for reports"},
    )
    at: Duration = attrs.field(
        validator=_non_negative,
        metadata={"doc": "when, after the warm-up (before the end of the horizon)"},
    )
    customers: int = attrs.field(
        validator=_at_least_one,
        metadata={"doc": "how many customers it touches"},
    )
    intent: str = attrs.field(
        metadata={"doc": "the intent of their issues"},
    )
    segment: str | None = attrs.field(
        default=None,
        metadata={"doc": "their segment"},
    )
    discover: Distribution = attrs.field(
        default=Fixed(0.0),
        metadata={"doc": (
            "unnotified, how long until the customer finds out and contacts the service as "
            "usual"
        )},
    )
    notify: str | None = attrs.field(
        default=None,
        metadata={"doc": (
            "where a `proactive` design notifies them; without it, nobody is notified"
        )},
    )
    notice: Duration = attrs.field(
        default=Duration(0.0), validator=_non_negative,
        metadata={"doc": "from the event to the notification"},
    )
    deflect: float = attrs.field(
        default=0.0, validator=_probability,
        metadata={"doc": "share the notification settles (no contact)"},
    )
    respond: Distribution = attrs.field(
        default=Fixed(0.0),
        metadata={"doc": "from the notification to the reply, on `notify`"},
    )
    known: list[str] | None = attrs.field(
        default=None,
        metadata={"doc": "facts the notification carries, written to the history of its channel"},
    )


@attrs.frozen
class AffinitySpec:
    """``[affinity]``: how a design with last-agent affinity routes a returning contact.

    The contact waits up to *wait* for the agent who handled the issue's previous
    assisted contact, then for anyone; served by that agent, its resolution probability
    rises by *bonus* (capped at 1).
    """

    wait: Duration = attrs.field(
        default=Duration(2.0), validator=_non_negative,
        metadata={"doc": (
            "how long a returning contact waits for its last agent before taking anyone "
            "(assumption)"
        )},
    )
    bonus: float = attrs.field(
        default=0.1, validator=_probability,
        metadata={"doc": (
            "added to the resolution probability when the same agent serves again "
            "(assumption: no source measures it; SQM's −14 % FCR after a transfer, reference "
            "§5, points the same way)"
        )},
    )


@attrs.frozen
class RoutingSpec:
    """``[routing]``: the menu a customer goes through to reach an agent.

    A customer who leaves self-service for an agent without a hand-over is sent to the
    wrong agent with probability *misroute*; that agent spends *transfer* (besides asking
    what it cannot see) and transfers the customer, who waits again for the right one.
    """

    misroute: float = attrs.field(
        default=0.0, validator=_probability,
        metadata={"doc": (
            "share of assisted contacts that follow a self-service session **without a "
            "hand-over** which the menu sends to the wrong agent. With a hand-over the "
            "self-service context carries the intent and nothing is misrouted. Source: about "
            "19% of calls are transferred (SQM, via a vendor blog; reference §5) — an upper "
            "bound, since not every transfer is a misroute"
        )},
    )
    transfer: Distribution = attrs.field(
        default=Fixed(1.0),
        metadata={"doc": (
            "the wrong agent's time to find out and transfer, besides asking what it cannot "
            "see. Source: assumption"
        )},
    )


@attrs.frozen
class Scenario:
    """A whole scenario file."""

    scenario: ScenarioSection = attrs.field(
        metadata={"doc": "name, horizon, warm-up, replications, seed and designs"},
    )
    arrivals: Arrivals = attrs.field(
        metadata={"doc": "when issues arrive"},
    )
    segments: list[Segment] = attrs.field(
        metadata={"doc": "the kinds of customer"},
    )
    intents: list[Intent] = attrs.field(
        metadata={"doc": "the kinds of issue"},
    )
    pools: list[Pool] = attrs.field(
        factory=list,
        metadata={"doc": "the agent pools"},
    )
    facts: dict[str, FactSpec] = attrs.field(
        factory=dict,
        metadata={"doc": "how long collecting each fact takes, and its scope"},
    )
    channels: dict[str, ChannelSpec] = attrs.field(
        factory=dict,
        metadata={"doc": "per-channel overrides: nature, cost, timeouts, conversations"},
    )
    journeys: list[Journey] = attrs.field(
        factory=list,
        metadata={"doc": "where customers go after an outcome at a touchpoint"},
    )
    designs: dict[str, DesignSpec] = attrs.field(
        factory=dict,
        metadata={"doc": "the scenario's own designs, built from a built-in one"},
    )
    callback: CallbackSpec | None = attrs.field(
        default=None,
        metadata={"doc": "when a call back is offered (designs with `callback`)"},
    )
    escalation: dict[str, EscalationSpec] = attrs.field(
        factory=dict,
        metadata={"doc": (
            "where a failed self-service session escalates (designs with `escalation`)"
        )},
    )
    population: Population | None = attrs.field(
        default=None,
        metadata={"doc": "a finite population of returning customers"},
    )
    events: list[Event] = attrs.field(
        factory=list,
        metadata={"doc": "things that happen to many customers at once (an outage, a delay)"},
    )
    affinity: AffinitySpec | None = attrs.field(
        default=None,
        metadata={"doc": "routing back to the last agent (designs with `affinity`)"},
    )
    routing: RoutingSpec | None = attrs.field(
        default=None,
        metadata={"doc": "the menu in front of the agents: misrouting and transfers"},
    )
