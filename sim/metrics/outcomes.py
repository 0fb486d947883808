"""The outcome catalogue: every outcome's name, unit, label, direction and definition.

One table that result files, printed tables, figures, the API and docs/model.md all read,
so that an outcome means the same thing wherever it appears. The names follow the
contact-center field: ``abandonment_rate`` is the agent queue's abandonment, as a
workforce-management report states it; what the customer lives across a whole issue is
``give_up_rate``, split by where they gave up.

Queue-side outcomes count *agent-queue entries*: every time a contact joins the queue of
an agent pool (a call back included, its wait being the time until the agent's call).
Issue-side outcomes count *issues*: one need of one customer, over all its contacts.
"""

from __future__ import annotations

from typing import Literal

import attrs

__all__ = [
    "CATALOGUE",
    "HEADLINE",
    "OUTCOMES",
    "POOL_OUTCOMES",
    "Outcome",
    "catalogue_markdown",
    "unit_of",
]

Better = Literal["lower", "higher"] | None


@attrs.frozen
class Outcome:
    """One outcome: its *name*, *unit*, readable *label*, which way is *better*, and its
    *definition* (the exact formula, in words)."""

    name: str
    unit: str
    label: str
    better: Better
    definition: str
    #: "queue" (per agent-queue entry), "issue" (per issue), "agents" or "run"
    side: str = "issue"

    @property
    def is_share(self) -> bool:
        """True for a share (a ratio in [0, 1]), shown as a percentage."""
        return self.unit.startswith("share of ")


def _o(name: str, unit: str, label: str, better: Better, side: str, definition: str) -> Outcome:
    return Outcome(name, unit, label, better, definition, side)


_ENTRIES = "share of agent-queue entries"
_ENDED = "share of ended issues"

#: Every outcome of a replication, in the order tables show them.
CATALOGUE: dict[str, Outcome] = {o.name: o for o in (
    _o("abandonment_rate", _ENTRIES, "Abandonment", "lower", "queue",
       "agent-queue entries that left before being answered / agent-queue entries "
       "(an unanswered call back counts as abandoned)"),
    _o("asa", "min", "Average speed of answer", "lower", "queue",
       "mean wait of the answered agent-queue entries"),
    _o("mean_wait", "min", "Mean wait for an agent", "lower", "queue",
       "mean wait of all agent-queue entries, abandoned ones included (until they left)"),
    _o("service_level", "share of answered and late-abandoned entries", "Service level",
       "higher", "queue",
       "entries answered within T / (entries answered + entries abandoned after T); "
       "T is the channel's service_level_threshold"),
    _o("service_level_answered", "share of answered entries", "Service level (answered)",
       "higher", "queue", "entries answered within T / entries answered"),
    _o("service_level_offered", _ENTRIES, "Service level (offered)", "higher", "queue",
       "entries answered within T / all entries"),
    _o("mean_handle_time", "min", "Mean handle time", None, "queue",
       "mean length of an agent session, from answer to release, dropped sessions "
       "included"),
    _o("session_drop_rate", "share of agent sessions", "Sessions dropped", "lower", "queue",
       "agent sessions an interruption dropped / agent sessions (by channel in the "
       "breakdowns: the share of phone calls that drop)"),
    _o("exchanges_per_contact", "exchanges", "Exchanges per contact", None, "queue",
       "agent exchanges / answered assisted contacts that ended (an ordinary session is one "
       "exchange; an asynchronous conversation with exchanges has several)"),
    _o("mean_reply_gap", "min", "Mean reply gap", None, "queue",
       "mean time from an agent's exchange to the customer's reply in asynchronous "
       "conversations (interruptions included)"),
    _o("agent_utilization", "share of staffed time", "Agent utilization", None, "agents",
       "agent time busy with at least one session / agent time staffed"),
    _o("give_up_rate", _ENDED, "Give-up", "lower", "issue",
       "issues the customer gave up / issues ended (resolved or given up)"),
    _o("give_up_in_self_service", _ENDED, "Gave up in self-service", "lower", "issue",
       "issues given up after a failed or dropped self-service session / issues ended"),
    _o("give_up_in_queue", _ENDED, "Gave up in the queue", "lower", "issue",
       "issues given up after abandoning an agent queue (or missing the call back) / "
       "issues ended"),
    _o("give_up_after_contact", _ENDED, "Gave up after an agent contact", "lower", "issue",
       "issues given up after an agent session that did not resolve them (or dropped) / "
       "issues ended"),
    _o("resolution_rate", _ENDED, "Resolution", "higher", "issue",
       "issues resolved / issues ended"),
    _o("first_contact_resolution", _ENDED, "First-contact resolution", "higher", "issue",
       "issues resolved by their first contact / issues ended"),
    _o("repetitions_per_issue", "facts asked again per issue", "Repetitions per issue",
       "lower", "issue",
       "facts asked again that the customer had already given for the issue (or, for "
       "customer facts, before) / issues arrived"),
    _o("repeat_rate", "share of issues", "Issues with a repetition", "lower", "issue",
       "issues with at least one repetition / issues arrived"),
    _o("contacts_per_issue", "contacts", "Contacts per issue", "lower", "issue",
       "contacts (self-service and assisted) / issues arrived"),
    _o("channel_switches_per_issue", "switches", "Channel switches per issue", "lower",
       "issue", "changes of channel between consecutive contacts / issues arrived"),
    _o("transfers_per_issue", "transfers", "Transfers per issue", "lower", "issue",
       "transfers from a misrouted agent to the right one / issues arrived"),
    _o("agent_minutes_per_issue", "min", "Agent minutes per issue", "lower", "issue",
       "agent busy time spent on the issue over all its contacts (each session's length "
       "divided by the channel's concurrency; call-back attempts included) / issues "
       "arrived"),
    _o("time_to_resolution", "min", "Mean time to resolution", "lower", "issue",
       "mean time from arrival to resolution of the resolved issues"),
    _o("time_to_resolution_p50", "min", "Median time to resolution", "lower", "issue",
       "median time from arrival to resolution of the resolved issues"),
    _o("time_to_resolution_p90", "min", "90th percentile time to resolution", "lower",
       "issue", "90th percentile of the time from arrival to resolution"),
    _o("cost_per_issue", "currency units", "Cost per issue", "lower", "issue",
       "(contact costs + agent minutes × the pool's cost_per_minute) / issues arrived"),
    _o("agent_cost_per_issue", "currency units", "Agent cost per issue", "lower", "issue",
       "agent minutes × the pool's cost_per_minute / issues arrived"),
    _o("callback_rate", _ENTRIES, "Call backs taken", None, "queue",
       "agent-queue entries that took a call back / agent-queue entries"),
    _o("callback_unreachable_rate", "share of call backs", "Call backs unanswered", "lower",
       "queue", "call backs the customer did not answer / call backs"),
    _o("callback_wait", "min", "Wait for the call back", "lower", "queue",
       "mean time from taking a call back to the agent's call"),
    _o("affinity_hit_rate", "share of follow-up contacts", "Follow-ups to the last agent",
       "higher", "queue",
       "answered assisted contacts served by the agent who took the issue's last assisted "
       "contact (under retention, the customer's last) / answered assisted contacts that "
       "had such a last agent; only under a design with affinity"),
    _o("issues", "issues", "Issues", None, "run", "issues arrived after the warm-up"),
    _o("open_issues", "issues", "Open issues", None, "run",
       "issues arrived after the warm-up and still open when the run ended"),
)}

#: Outcome names in catalogue order.
OUTCOMES: tuple[str, ...] = tuple(CATALOGUE)

#: The outcomes that tables, figures, ablations and sensitivity analyses lead with.
HEADLINE: tuple[str, ...] = (
    "abandonment_rate",
    "give_up_rate",
    "repetitions_per_issue",
    "agent_utilization",
    "asa",
    "service_level",
    "agent_minutes_per_issue",
    "resolution_rate",
    "contacts_per_issue",
    "time_to_resolution",
    "cost_per_issue",
)

#: Per-pool outcomes (``pool.NAME.OUTCOME`` in results), with their units.
POOL_OUTCOMES: dict[str, str] = {
    "agent_utilization": "share of staffed time",
    "slot_utilization": "share of staffed time",
    "mean_queue_length": "contacts waiting",
    "arrival_rate": "queue entries per min",
    "mean_wait": "min",
    "overtime": "share of staffed time",
}


def unit_of(outcome: str) -> str:
    """The unit of *outcome*, per-pool outcomes (``pool.NAME.mean_wait``) included."""
    if outcome in CATALOGUE:
        return CATALOGUE[outcome].unit
    return POOL_OUTCOMES.get(outcome.rsplit(".", 1)[-1], "")


def catalogue_markdown() -> str:
    """The catalogue as a Markdown table (name, unit, better, definition)."""
    rows = ["| outcome | unit | better | definition |", "|---|---|---|---|"]
    for o in CATALOGUE.values():
        rows.append(f"| `{o.name}` | {o.unit} | {o.better or '—'} | {o.definition} |")
    return "\n".join(rows) + "\n"
