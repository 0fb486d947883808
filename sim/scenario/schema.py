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

    name: str
    horizon: Duration = attrs.field(validator=_positive)
    warmup: Duration = attrs.field(default=Duration(0.0), validator=_non_negative)
    replications: int = attrs.field(default=10, validator=_at_least_one)
    seed: int = attrs.field(default=0, validator=_non_negative_int)
    designs: list[str] = attrs.field(factory=lambda: ["siloed", "unified"])
    service_level_threshold: Duration = attrs.field(
        default=Duration(20 / 60), validator=_non_negative
    )
    description: str = ""
    drain: bool = False


@attrs.frozen
class ProfileStep:
    """One step of a daily arrival profile: from time of day *at*, the *rate*."""

    at: Duration = attrs.field(validator=_non_negative)
    rate: Rate = attrs.field(validator=_non_negative)


@attrs.frozen
class Arrivals:
    """``[arrivals]``: a constant Poisson *rate*, or a piecewise daily *profile*."""

    rate: Rate | None = attrs.field(default=None, validator=_positive)
    profile: list[ProfileStep] | None = None


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

    rate: Rate = attrs.field(validator=_non_negative)
    duration: Distribution
    drop_after: Duration = attrs.field(default=Duration(0.5), validator=_non_negative)
    talking: Rate | None = attrs.field(default=None, validator=_non_negative)
    waiting: Rate = attrs.field(default=Rate(0.0), validator=_non_negative)
    ring: Duration = attrs.field(default=Duration(1 / 3), validator=_non_negative)
    missed: Literal["requeue", "callback", "abandon"] = "requeue"


@attrs.frozen
class Segment:
    """``[[segments]]``: a kind of customer.

    *patience* is one distribution for every agent channel, or a table of one per
    channel (``{ voice = {...}, email = "2d" }``); a channel it does not name is waited
    on for ever.
    """

    name: str
    share: float = attrs.field(validator=_probability)
    start: dict[str, float] = attrs.field(validator=_weights)
    patience: Distribution | dict[str, Distribution] | None = None
    interruptions: Interruptions | None = None
    max_contacts: int = attrs.field(default=20, validator=_at_least_one)
    frustration: float = attrs.field(default=0.0, validator=_probability)
    devices: dict[str, float] | None = attrs.field(default=None, validator=_optional_weights)


@attrs.frozen
class SelfServiceSpec:
    """Self-service of an intent on one touchpoint: *success* probability, *time* taken."""

    success: float = attrs.field(validator=_probability)
    time: Distribution = Fixed(0.0)


@attrs.frozen
class DeviceDialog:
    """An intent's ``device_dialog``: a connected device that reports the issue opens it.

    Under a design with ``proactive`` and ``mesh``, an issue a device reported opens at
    once as a two-way dialog on *touchpoint* (the customer's chosen channel), with the
    reported facts known; the customer answers after *respond*. Otherwise the customer
    notices the fault *discover* after it happened and contacts the service as usual.
    """

    touchpoint: str
    discover: Distribution = Fixed(0.0)
    respond: Distribution = Fixed(0.0)


@attrs.frozen
class Intent:
    """``[[intents]]``: a kind of issue, the facts it needs, how it is handled."""

    name: str
    share: float = attrs.field(validator=_probability)
    facts: list[str] = attrs.field(factory=list)
    handle: dict[str, Distribution] = attrs.field(factory=dict)
    resolve: dict[str, float] = attrs.field(factory=dict, validator=_probabilities)
    self_service: dict[str, SelfServiceSpec] = attrs.field(factory=dict)
    reported: float = attrs.field(default=0.0, validator=_probability)
    reported_facts: list[str] | None = None
    device_dialog: DeviceDialog | None = None


@attrs.frozen
class FactSpec:
    """``[facts.NAME]``: how long collecting the fact takes, and what it belongs to.

    *read* is how long an agent takes to read the fact where the history (a hand-over,
    a device report) shows it; ``None`` means a tenth of the collection time drawn for
    the contact. With *reauthenticate*, every new agent contact collects the fact
    whatever the history holds (an identity check), and that is not a repetition.
    """

    collect: Distribution = Fixed(0.0)
    scope: Literal["issue", "customer"] = "issue"
    read: Distribution | None = None
    reauthenticate: bool = False


@attrs.frozen
class ChannelSpec:
    """``[channels.NAME]``: overrides of a channel's nature, its cost per contact, the
    time an idle asynchronous session lasts, its service-level threshold, and how long
    an interruption of a resumable agent session may hold the agent idle
    (*release_after*; none: through every interruption).

    On an asynchronous channel, *exchanges* > 1 makes an agent contact a conversation:
    the agent works an exchange, then is free while the customer takes a *reply_gap* to
    answer (or keeps a concurrency slot with *hold_slot*)."""

    synchronous: bool | None = None
    cost: float = attrs.field(default=0.0, validator=_non_negative)
    timeout: Duration | None = attrs.field(default=None, validator=_positive)
    service_level_threshold: Duration | None = attrs.field(default=None,
                                                           validator=_non_negative)
    release_after: Duration | None = attrs.field(default=None, validator=_non_negative)
    exchanges: int = attrs.field(default=1, validator=_at_least_one)
    reply_gap: Distribution = Fixed(0.0)
    hold_slot: bool = False


@attrs.frozen
class ShiftStep:
    """One step of a pool's daily schedule: from time of day *at*, *agents* on shift."""

    at: Duration = attrs.field(validator=_non_negative)
    agents: int = attrs.field(validator=_non_negative_int)


@attrs.frozen(kw_only=True)
class Pool:
    """``[[pools]]``: agents with the same skills.

    The headcount is *agents*, or a daily *schedule* (exactly one of the two). A contact
    can go to every pool whose skills include it, lower *priority* first; within the
    pool, waiting contacts are taken by the intent *priorities* (lower first).
    """

    name: str
    agents: int | None = attrs.field(default=None, validator=_at_least_one_or_none)
    channels: list[str]
    intents: list[str] | None = None
    concurrency: dict[str, int] = attrs.field(factory=dict, validator=_counts)
    concurrency_penalty: float = attrs.field(default=0.0, validator=_non_negative)
    schedule: list[ShiftStep] | None = None
    priority: int = 1
    priorities: dict[str, int] = attrs.field(factory=dict)
    cost_per_minute: float = attrs.field(default=0.0, validator=_non_negative)


@attrs.frozen
class Journey:
    """``[[journeys]]``: where customers go from touchpoint *source* after an outcome."""

    source: str
    after: Literal["failed", "abandoned", "unresolved", "dropped"]
    to: dict[str, float] = attrs.field(validator=_weights)
    delay: Distribution = Fixed(0.0)
    transfer: bool = False


@attrs.frozen
class DesignSpec:
    """``[designs.NAME]``: a design built from *base* with some capabilities changed."""

    base: str = "siloed"
    history: str | list[list[str]] | None = None
    history_ttl: Duration | None = attrs.field(default=None, validator=_positive)
    retention: bool | None = None
    handover: bool | None = None
    escalation: bool | None = None
    resumable: bool | None = None
    callback: bool | None = None
    affinity: bool | None = None
    proactive: bool | None = None
    mesh: bool | None = None


@attrs.frozen
class CallbackSpec:
    """``[callback]``: when a call back is offered and how customers respond.

    Offered when the expected wait on joining a queue exceeds *offer_after*; taken with
    probability *accept*; the customer keeps their place without holding (no patience
    runs out), and when an agent is free the agent calls: with probability *unreachable*
    nobody answers, the attempt takes *attempt* of the agent's time, and the contact ends
    like an abandoned one.
    """

    offer_after: Duration = attrs.field(default=Duration(1.0), validator=_non_negative)
    accept: float = attrs.field(default=0.37, validator=_probability)
    unreachable: float = attrs.field(default=0.07, validator=_probability)
    attempt: Duration = attrs.field(default=Duration(0.5), validator=_non_negative)


@attrs.frozen
class EscalationSpec:
    """One entry of ``[escalation]``: a failed self-service session reaches agent *to*.

    The customer accepts the offer with probability *accept*; who declines follows the
    journey graph as without the capability.
    """

    to: str
    accept: float = attrs.field(default=1.0, validator=_probability)


@attrs.frozen
class Population:
    """``[population]``: a finite number of *customers*, who come back with later issues."""

    customers: int = attrs.field(validator=_at_least_one)


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

    name: str
    at: Duration = attrs.field(validator=_non_negative)
    customers: int = attrs.field(validator=_at_least_one)
    intent: str
    segment: str | None = None
    discover: Distribution = Fixed(0.0)
    notify: str | None = None
    notice: Duration = attrs.field(default=Duration(0.0), validator=_non_negative)
    deflect: float = attrs.field(default=0.0, validator=_probability)
    respond: Distribution = Fixed(0.0)
    known: list[str] | None = None


@attrs.frozen
class AffinitySpec:
    """``[affinity]``: how a design with last-agent affinity routes a returning contact.

    The contact waits up to *wait* for the agent who handled the issue's previous
    assisted contact, then for anyone; served by that agent, its resolution probability
    rises by *bonus* (capped at 1).
    """

    wait: Duration = attrs.field(default=Duration(2.0), validator=_non_negative)
    bonus: float = attrs.field(default=0.1, validator=_probability)


@attrs.frozen
class RoutingSpec:
    """``[routing]``: the menu a customer goes through to reach an agent.

    A customer who leaves self-service for an agent without a hand-over is sent to the
    wrong agent with probability *misroute*; that agent spends *transfer* (besides asking
    what it cannot see) and transfers the customer, who waits again for the right one.
    """

    misroute: float = attrs.field(default=0.0, validator=_probability)
    transfer: Distribution = Fixed(1.0)


@attrs.frozen
class Scenario:
    """A whole scenario file."""

    scenario: ScenarioSection
    arrivals: Arrivals
    segments: list[Segment]
    intents: list[Intent]
    pools: list[Pool] = attrs.field(factory=list)
    facts: dict[str, FactSpec] = attrs.field(factory=dict)
    channels: dict[str, ChannelSpec] = attrs.field(factory=dict)
    journeys: list[Journey] = attrs.field(factory=list)
    designs: dict[str, DesignSpec] = attrs.field(factory=dict)
    callback: CallbackSpec | None = None
    escalation: dict[str, EscalationSpec] = attrs.field(factory=dict)
    population: Population | None = None
    events: list[Event] = attrs.field(factory=list)
    affinity: AffinitySpec | None = None
    routing: RoutingSpec | None = None
