"""The simulator against exact queueing theory: a grid of Erlang C and Erlang A cases.

Each :class:`ValidationCase` is one plain queue — Poisson arrivals, exponential handle
times, one pool of *n* agents and, for Erlang A, exponential patience. It is written out
as an ordinary scenario file (the format of ``scenarios/erlang-a.toml``) and run the way
``omnisim run`` runs any scenario: :func:`~sim.scenario.load_scenario` →
:func:`~sim.engine.compile_world` → :func:`~sim.scenario.resolve_designs` →
:func:`~sim.experiment.run_experiment`. So the loader, the units and the engine are all
under test, not a separate code path.

Each outcome's mean over replications, with its Student-t interval (95% unless asked
otherwise; :func:`~sim.metrics.stats.estimate`), is set beside the exact steady-state value from
:mod:`sim.theory.erlang` (Erlang C: Gross, Shortle, Thompson & Harris 2008, §2.3; Erlang A:
Palm 1943, Garnett, Mandelbaum & Reiman 2002, Mandelbaum & Zeltyn 2007). The simulator's
queue outcomes and the theory's share their names and definitions (T is the scenario's
service-level threshold, W an entry's wait until answered or until it abandons):

* ``abandonment_rate`` — entries that left unanswered / entries; P(abandon) (0 for Erlang C).
* ``asa`` — mean wait of answered entries; E[W | answered].
* ``mean_wait`` — mean wait of every entry, abandoners until they left; E[W].
* ``service_level`` — answered within T / (answered + abandoned after T);
  P(answered, W ≤ T) / (1 − P(abandoned, W ≤ T)).
* ``service_level_answered`` — answered within T / answered; P(W ≤ T | answered).
* ``service_level_offered`` — answered within T / entries; P(answered, W ≤ T).
* ``agent_utilization`` (busy agent time / staffed time) — λ(1 − P(abandon))/(nμ).
* ``pool.agents.mean_queue_length`` (time-average number waiting, a separate tally from
  the per-entry waits) — E[Lq].

With a threshold of 0 every service level is the share answered at once (for
``service_level_answered``, over the share answered): the Erlang C cases C1 and C3 so
check 1 − P(W > 0), the probability of waiting itself.

With many comparisons at 95%, about one exact value in twenty falls outside its interval
by chance alone; :func:`render_markdown` says so next to the count of misses, and also
counts the misses at the Bonferroni family-wise level (:func:`family_confidence`), where
a correct simulator misses anything at all only one time in twenty.
"""

from __future__ import annotations

import math
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from ..engine import compile_world
from ..metrics.stats import estimate, t_quantile
from ..scenario import load_scenario, resolve_designs
from ..theory.erlang import ErlangA, ErlangC, erlang_a, erlang_c
from .runner import run_experiment

__all__ = [
    "CONFIDENCE",
    "POOL",
    "ValidationCase",
    "ValidationRow",
    "family_confidence",
    "full_grid",
    "plot_validation",
    "render_markdown",
    "render_page",
    "run_validation",
    "small_grid",
]

#: Name of the single agent pool in every generated scenario.
POOL = "agents"
#: Default confidence level of the intervals.
CONFIDENCE = 0.95

#: The simulator's outcomes compared, in table order.
OUTCOMES: tuple[str, ...] = (
    "abandonment_rate",
    "asa",
    "mean_wait",
    "service_level",
    "service_level_answered",
    "service_level_offered",
    "agent_utilization",
    f"pool.{POOL}.mean_queue_length",
)


def _number(x: float) -> str:
    """*x* as the shortest text that reads back as the same float."""
    return repr(float(x))


def _positive(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
        raise ValueError(f"{attribute.name} must be a positive finite number (got {value!r})")


@attrs.frozen
class ValidationCase:
    """One M/M/n (Erlang C) or M/M/n+M (Erlang A) queue, and how long to simulate it.

    Times are in minutes, rates per minute; *threshold* (the service-level threshold) is
    in seconds, as scenario files usually write it.

    Attributes:
        name: Short label, e.g. ``"A3"``.
        agents: n, agents in the one pool.
        arrival_rate: λ, Poisson arrivals per minute.
        handle_mean: 1/μ, mean exponential handle time (min).
        patience_mean: 1/θ, mean exponential patience (min); ``None`` for Erlang C.
        threshold: Service-level threshold (s); 0 measures 1 − P(W > 0).
        horizon: Measured time per replication, after the warm-up (min).
        warmup: Discarded time at the start of each replication (min).

    Raises:
        ValueError: If a number is not positive (*threshold* may be 0), or an Erlang C
            case is unstable (λ ≥ nμ).
    """

    name: str
    agents: int = attrs.field(validator=attrs.validators.ge(1))
    arrival_rate: float = attrs.field(validator=_positive)
    handle_mean: float = attrs.field(validator=_positive)
    patience_mean: float | None = attrs.field(validator=attrs.validators.optional(_positive))
    threshold: float = attrs.field(validator=attrs.validators.ge(0.0))
    horizon: float = attrs.field(validator=_positive)
    warmup: float = attrs.field(validator=attrs.validators.ge(0.0))

    def __attrs_post_init__(self) -> None:
        if self.patience_mean is None and self.load >= 1:
            raise ValueError(f"{self.name}: Erlang C needs load < 1 (got {self.load!r})")

    @property
    def model(self) -> str:
        """``"Erlang A"`` with patience, ``"Erlang C"`` without."""
        return "Erlang C" if self.patience_mean is None else "Erlang A"

    @property
    def service_rate(self) -> float:
        """μ, services per agent per minute."""
        return 1.0 / self.handle_mean

    @property
    def load(self) -> float:
        """Offered load per agent, ρ = λ/(nμ)."""
        return self.arrival_rate / (self.agents * self.service_rate)

    @property
    def theta_over_mu(self) -> float | None:
        """θ/μ, mean handle time over mean patience (``None`` for Erlang C)."""
        return None if self.patience_mean is None else self.handle_mean / self.patience_mean

    def describe(self) -> str:
        """A one-line description: model, n, ρ, θ/μ, 1/μ."""
        text = f"M/M/{self.agents}" + ("" if self.patience_mean is None else "+M")
        text += f", ρ = {self.load:.3g}"
        if self.theta_over_mu is not None:
            text += f", θ/μ = {self.theta_over_mu:.3g}"
        return text + f", 1/μ = {self.handle_mean:g} min"

    def seed(self, seed: int) -> int:
        """This case's own seed, derived from the run's *seed* and the case's name.

        Cases run on different seeds so that their errors are independent (on one seed,
        cases with the same λ and μ would share arrivals and handle times, common random
        numbers), and a case gets the same seed in the small and the full grid.
        """
        entropy = [seed, zlib.crc32(self.name.encode("utf-8"))]
        return int(np.random.SeedSequence(entropy).generate_state(1, np.uint64)[0] >> 1)

    def scenario_toml(self, replications: int, seed: int) -> str:
        """The case as a scenario file (the format of ``scenarios/erlang-a.toml``).

        *seed* is written as it is; :func:`run_case` passes :meth:`seed` of the run's.
        """
        patience = ""
        if self.patience_mean is not None:
            patience = (
                f'patience = {{ dist = "exponential", mean = "{_number(self.patience_mean)}min" }}'
                "\n"
            )
        return (
            f"# Validation case {self.name} ({self.model}): {self.describe()}.\n"
            "[scenario]\n"
            f'name = "validation {self.name}"\n'
            f'horizon = "{_number(self.horizon)}min"\n'
            f'warmup = "{_number(self.warmup)}min"\n'
            f"replications = {replications}\n"
            f"seed = {seed}\n"
            'designs = ["siloed"]\n'
            f'service_level_threshold = "{_number(self.threshold)}s"\n'
            "\n[arrivals]\n"
            f'rate = "{_number(self.arrival_rate)}/min"\n'
            "\n[[segments]]\n"
            'name = "callers"\n'
            "share = 1.0\n"
            "start = { voice = 1.0 }\n"
            f"{patience}"
            "\n[[intents]]\n"
            'name = "question"\n'
            "share = 1.0\n"
            "facts = []\n"
            'handle = { voice = { dist = "exponential", mean = '
            f'"{_number(self.handle_mean)}min" }} }}\n'
            "\n[[pools]]\n"
            f'name = "{POOL}"\n'
            f"agents = {self.agents}\n"
            'channels = ["voice"]\n'
        )

    def theory(self) -> ErlangC | ErlangA:
        """The exact steady state of this queue (:mod:`sim.theory.erlang`)."""
        if self.patience_mean is None:
            return erlang_c(self.arrival_rate, self.service_rate, self.agents)
        return erlang_a(self.arrival_rate, self.service_rate, 1.0 / self.patience_mean,
                        self.agents)

    def exact(self) -> dict[str, tuple[float, str]]:
        """Exact value of each compared outcome (:data:`OUTCOMES`), with what the value is."""
        t = self.threshold / 60.0
        theory = self.theory()
        w = f"W ≤ {self.threshold:g} s"
        if isinstance(theory, ErlangC):
            level = "1 − P(W > 0)" if self.threshold == 0 else f"P({w})"
            meanings = ["0 (nobody abandons)", "E[W] = C/(nμ − λ)", "E[W] = C/(nμ − λ)",
                        level, level, level, "λ/(nμ)"]
            utilization = theory.occupancy
        else:
            meanings = ["P(abandon)", "E[W ∣ answered]", "E[W], all arrivals",
                        f"P(ans, {w})/(1 − P(ab, {w}))", f"P({w} ∣ answered)",
                        f"P(answered, {w})", "λ(1 − P(ab))/(nμ)"]
            utilization = theory.utilization
        values = [theory.abandonment_rate, theory.asa, theory.mean_wait,
                  theory.service_level(t), theory.service_level_answered(t),
                  theory.service_level_offered(t), utilization, theory.mean_queue_length]
        return dict(zip(OUTCOMES, zip(values, [*meanings, "E[Lq]"], strict=True), strict=True))


@attrs.frozen
class ValidationRow:
    """One comparison: a simulated outcome of one case against its exact value.

    Attributes:
        case: The case's name.
        model: ``"Erlang C"`` or ``"Erlang A"``.
        description: :meth:`ValidationCase.describe` of the case.
        outcome: The simulator's outcome name.
        exact: The exact steady-state value.
        exact_meaning: What *exact* is, e.g. ``"P(abandon)"``.
        mean: Mean over replications.
        ci_low: Lower end of the Student-t interval.
        ci_high: Upper end of the Student-t interval.
        replications: Replications that measured the outcome.
        seconds: Wall time of the case's run (shared by its rows).
        confidence: Confidence level of the interval.
    """

    case: str
    model: str
    description: str
    outcome: str
    exact: float
    exact_meaning: str
    mean: float
    ci_low: float
    ci_high: float
    replications: int
    seconds: float
    confidence: float = CONFIDENCE

    @property
    def inside(self) -> bool:
        """Whether the exact value lies in the interval (ends included)."""
        return self.ci_low <= self.exact <= self.ci_high

    def inside_at(self, confidence: float) -> bool:
        """Whether the exact value lies in the Student-t interval of level *confidence*.

        The interval is this row's, rescaled by the ratio of the t quantiles.
        """
        df = self.replications - 1
        ratio = float(t_quantile(confidence, df) / t_quantile(self.confidence, df))
        half = (self.ci_high - self.ci_low) / 2 * ratio
        return abs(self.mean - self.exact) <= half

    @property
    def relative_error(self) -> float:
        """(mean − exact)/exact (NaN when the exact value is 0)."""
        return (self.mean - self.exact) / self.exact if self.exact else math.nan

    @property
    def standardized(self) -> float:
        """(mean − exact) in half-widths of the interval: |x| ≤ 1 means inside."""
        half = (self.ci_high - self.ci_low) / 2
        if half > 0:
            return (self.mean - self.exact) / half
        return 0.0 if self.mean == self.exact else math.copysign(math.inf, self.mean - self.exact)


def small_grid() -> list[ValidationCase]:
    """Two quick cases (one Erlang C, one Erlang A) for the test suite: under 20 s."""
    return [
        ValidationCase("C2", agents=5, arrival_rate=4.0, handle_mean=1.0, patience_mean=None,
                       threshold=20.0, horizon=2000.0, warmup=60.0),
        ValidationCase("A2", agents=3, arrival_rate=2.1, handle_mean=1.0, patience_mean=0.5,
                       threshold=10.0, horizon=2500.0, warmup=60.0),
    ]


def full_grid() -> list[ValidationCase]:
    """Eleven cases: n from 1 to 50, loads 0.5–0.98, θ/μ from 0.1 to 2, t = 0 and > 0.

    The Erlang C cases stop at ρ = 0.95: without abandonment, the M/M/n queue near
    saturation relaxes so slowly (about 2ρ²/(1 − ρ)² arrivals per relaxation time, ~4,800
    at ρ = 0.98) that a mean wait to within ±10% would take millions of arrivals. Loads of
    0.96–0.98 are covered by Erlang A cases, which abandonment keeps stable.
    Warm-ups are at least five relaxation times.
    """
    c = ValidationCase
    c2, a2 = small_grid()
    return [
        # Erlang C: no patience. C1 and C3 use a threshold of 0, i.e. check 1 − P(W > 0).
        c("C1", agents=1, arrival_rate=0.5, handle_mean=1.0, patience_mean=None,
          threshold=0.0, horizon=40_000.0, warmup=100.0),
        c2,
        c("C3", agents=20, arrival_rate=6.0, handle_mean=3.0, patience_mean=None,
          threshold=0.0, horizon=6000.0, warmup=300.0),
        c("C4", agents=50, arrival_rate=47.5, handle_mean=1.0, patience_mean=None,
          threshold=20.0, horizon=1200.0, warmup=150.0),
        # Erlang A: exponential patience.
        c("A1", agents=1, arrival_rate=0.9, handle_mean=1.0, patience_mean=2.0,
          threshold=20.0, horizon=10_000.0, warmup=100.0),
        a2,
        c("A3", agents=10, arrival_rate=9.5, handle_mean=1.0, patience_mean=10.0,
          threshold=20.0, horizon=2000.0, warmup=200.0),
        c("A4", agents=25, arrival_rate=7.5, handle_mean=3.0, patience_mean=3.0,
          threshold=30.0, horizon=3000.0, warmup=120.0),
        c("A5", agents=2, arrival_rate=0.8, handle_mean=2.0, patience_mean=2.0,
          threshold=60.0, horizon=10_000.0, warmup=120.0),
        c("A6", agents=50, arrival_rate=49.0, handle_mean=1.0, patience_mean=0.5,
          threshold=10.0, horizon=500.0, warmup=60.0),
        c("A7", agents=50, arrival_rate=49.0, handle_mean=1.0, patience_mean=10.0,
          threshold=20.0, horizon=800.0, warmup=120.0),
    ]


def run_case(case: ValidationCase, replications: int, seed: int, jobs: int,
             folder: Path, confidence: float = CONFIDENCE) -> list[ValidationRow]:
    """Write *case* as a scenario file in *folder*, run it and compare it with theory."""
    path = folder / f"validation-{case.name}.toml"
    path.write_text(case.scenario_toml(replications, case.seed(seed)), encoding="utf-8")
    scenario = load_scenario(path)
    sec = scenario.scenario
    started = time.perf_counter()
    results = run_experiment(compile_world(scenario), resolve_designs(scenario),
                             sec.replications, sec.seed, jobs=jobs)
    seconds = time.perf_counter() - started
    (runs,) = results.values()
    rows = []
    for outcome, (exact, meaning) in case.exact().items():
        est = estimate([r[outcome] for r in runs], confidence)
        mean, low, high = est["mean"], est["ci_low"], est["ci_high"]
        if mean is None or low is None or high is None:
            raise ValueError(f"{case.name}: {outcome} was measured in fewer than 2 replications")
        rows.append(ValidationRow(case.name, case.model, case.describe(), outcome, exact,
                                  meaning, mean, low, high, int(est["n"] or 0), seconds,
                                  confidence))
    return rows


def run_validation(
    cases: Sequence[ValidationCase],
    replications: int = 20,
    seed: int = 7,
    jobs: int = 1,
    on_case: Callable[[ValidationCase, list[ValidationRow]], None] | None = None,
    confidence: float = CONFIDENCE,
) -> list[ValidationRow]:
    """Simulate every case and compare it with its exact values; one row per comparison.

    Each case's scenario file is written to a temporary folder and run with *replications*
    replications over *jobs* processes, on the case's own seed derived from *seed*
    (:meth:`ValidationCase.seed`). Intervals are Student-t at level *confidence*.
    *on_case* is called after each case (for progress output).

    Raises:
        ValueError: If *replications* < 2 (no interval can be formed), or *confidence* is
            not strictly between 0 and 1.
    """
    if replications < 2:
        raise ValueError(f"replications must be >= 2 to form an interval (got {replications})")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be strictly between 0 and 1 (got {confidence!r})")
    rows: list[ValidationRow] = []
    with tempfile.TemporaryDirectory(prefix="omnisim-validation-") as tmp:
        for case in cases:
            case_rows = run_case(case, replications, seed, jobs, Path(tmp), confidence)
            rows.extend(case_rows)
            if on_case is not None:
                on_case(case, case_rows)
    return rows


def fmt(value: float) -> str:
    """A value to four significant figures (scientific below 0.001)."""
    if value == 0:
        return "0"
    return f"{value:.4g}" if abs(value) >= 1e-3 else f"{value:.2e}"


def family_confidence(comparisons: int, family: float = CONFIDENCE) -> float:
    """Per-interval level at which *comparisons* intervals all cover with prob. ≥ *family*.

    Bonferroni: 1 − (1 − *family*)/*comparisons*. It holds whatever the correlation
    between the comparisons (the outcomes of one case move together).
    """
    return 1 - (1 - family) / max(1, comparisons)


def _level(confidence: float) -> str:
    """*confidence* as a percentage, without trailing zeros: ``"95%"``, ``"99.4444%"``."""
    return f"{confidence * 100:.4f}".rstrip("0").rstrip(".") + "%"


def summary_line(rows: Sequence[ValidationRow]) -> str:
    """How many exact values lie inside their intervals, how many misses chance explains,
    and how many miss even at the Bonferroni family-wise 95% level."""
    if not rows:
        return "no comparisons"
    confidence = rows[0].confidence
    misses = sum(not r.inside for r in rows)
    expected = len(rows) * (1 - confidence)
    family = family_confidence(len(rows))
    family_misses = sum(not r.inside_at(family) for r in rows)
    return (f"{len(rows) - misses} of {len(rows)} exact values lie inside their "
            f"{_level(confidence)} intervals; {misses} outside (by chance alone about "
            f"{expected:.2g} would be, if the simulator were exact). At the family-wise 95% "
            f"level (Bonferroni: every interval at {_level(family)}), {family_misses} "
            "outside.")


def render_markdown(rows: Sequence[ValidationRow]) -> str:
    """The comparison as a Markdown table, misses in bold, a summary and a sign count.

    The sign count gives, per outcome, how many cases' means lie above and below the
    exact value: the cases run on independent seeds, so a simulator without systematic
    error puts about as many on each side.
    """
    lines = [
        f"| case | queue | outcome | exact | exact value | simulated mean "
        f"[{_level(rows[0].confidence) if rows else ''} CI] | "
        "(sim − exact)/half-width | inside |",
        "|---|---|---|---|---:|---:|---:|:---:|",
    ]
    previous = None
    for r in rows:
        case, queue = (r.case, r.description) if r.case != previous else ("", "")
        previous = r.case
        inside = "yes" if r.inside else "**NO**"
        sim = f"{fmt(r.mean)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}]"
        exact = fmt(r.exact) if r.inside else f"**{fmt(r.exact)}**"
        lines.append(f"| {case} | {queue} | `{r.outcome}` | {r.exact_meaning} | {exact} | "
                     f"{sim} | {r.standardized:+.2f} | {inside} |")
    lines += ["", summary_line(rows)]
    misses = [r for r in rows if not r.inside]
    if misses:
        lines += ["", "Outside their intervals:", ""]
        lines += [f"- {r.case} `{r.outcome}`: exact {fmt(r.exact)}, simulated {fmt(r.mean)} "
                  f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}] "
                  f"({r.standardized:+.2f} half-widths)" for r in misses]
    lines += ["", "| outcome | cases | mean above exact | below exact | outside |",
              "|---|---:|---:|---:|---:|"]
    for outcome in OUTCOMES:
        sub = [r for r in rows if r.outcome == outcome]
        if sub:
            above = sum(r.mean > r.exact for r in sub)
            below = sum(r.mean < r.exact for r in sub)
            lines.append(f"| `{outcome}` | {len(sub)} | {above} | {below} | "
                         f"{sum(not r.inside for r in sub)} |")
    return "\n".join(lines) + "\n"


_PAGE = """\
<!-- Generated by `{command}`; do not edit by hand: edit
     sim/experiment/validation.py and run `nox -s validate` again. -->
# Validation against queueing theory

Is the model right? Simple cases must match queueing theory. This
page sets the simulator beside the exact steady state of the two textbook call-centre
queues, on a grid of {ncases} cases.

## What is compared

Every case is one queue: Poisson arrivals at rate λ, exponential handle times with mean
1/μ, one pool of *n* agents serving first come, first served and, for **Erlang A**
(M/M/n+M), exponential patience with mean 1/θ; **Erlang C** (M/M/n) cases have no
patience. Each case is written out as an ordinary scenario file, in the format of
`scenarios/erlang-a.toml`, and run the way `omnisim run` runs any scenario
(`load_scenario` → `compile_world` → `resolve_designs` → `run_experiment`): the loader, the
units and the engine are all under test. The exact values come from `sim.theory.erlang`:

- **Erlang C**: Erlang (1917); Gross, Shortle, Thompson & Harris, *Fundamentals of
  Queueing Theory*, 4th ed. (2008), §2.3. P(W > 0) = C comes from the Erlang B recursion,
  C = B/(1 − ρ(1 − B)); E[W] = C/(nμ − λ); P(W ≤ t) = 1 − C·e^(−(nμ − λ)t); occupancy
  λ/(nμ); E[Lq] = λE[W]. Nobody abandons, so the ASA is E[W] and the three service levels
  are all P(W ≤ t).
- **Erlang A**: Palm (1943); Garnett, Mandelbaum & Reiman (2002); Mandelbaum & Zeltyn
  (2007). The stationary law of the birth–death chain with death rate min(k, n)μ +
  max(k − n, 0)θ gives E[Lq] and, by PASTA, where an arrival starts in the queue. An
  arrival that finds all n agents busy and j − 1 others waiting starts at position j;
  from position j it moves up at rate nμ + (j − 1)θ (a service ends or someone ahead
  abandons) and abandons at rate θ. Absorption in this chain gives P(abandon), E[W] and
  E[W; answered]; its law at time t (by uniformization) gives P(answered, W ≤ t) and
  P(abandoned, W > t), hence the three service levels (see the `ErlangA` docstring).
  Utilization is λ(1 − P(abandon))/(nμ).

Each simulated outcome is compared with the exact value that measures the same thing (t
is `[scenario] service_level_threshold`; W is an entry's wait until it is answered or
until it abandons):

| simulator outcome | what the simulator counts | exact value |
|---|---|---|
| `abandonment_rate` | entries that left unanswered / entries | P(abandon) (0 for Erlang C) |
| `asa` | mean wait of answered entries | E[W ∣ answered] |
| `mean_wait` | mean wait of all entries, abandoners until they left | E[W] |
| `service_level` | answered within t / (answered + abandoned after t) | (2) |
| `service_level_answered` | answered within t / answered | P(W ≤ t ∣ answered) |
| `service_level_offered` | answered within t / entries | P(answered, W ≤ t) |
| `agent_utilization` | busy agent time / staffed time | λ(1 − P(abandon))/(nμ); Erlang C λ/(nμ) |
| `pool.agents.mean_queue_length` | time-average number waiting (1) | E[Lq] |

(1) A separate tally from the per-entry waits: the area under the queue length over the
window. (2) P(answered, W ≤ t)/(1 − P(abandoned, W ≤ t)): abandoners who left within t
count in neither part.

Every arrival here is exactly one queue entry (no retries, no self-service), so the
simulator's per-entry shares are the theory's per-arrival probabilities. With a threshold
of 0 s (cases C1 and C3) every service level is the share answered without waiting,
1 − P(W > 0): the Erlang C probability of waiting, which has no outcome of its own.

Each case runs {replications} replications on a seed of its own, derived from the run's
seed ({seed}) and the case's name, so that the cases' errors are independent (on one seed,
cases with the same λ and μ would share their arrivals and handle times). An outcome's
interval is the {level} Student-t interval over replications. Each replication starts empty
and discards a warm-up of at least five relaxation times. The Erlang C cases stop at
ρ = 0.95: without abandonment, the M/M/n queue near saturation relaxes so slowly (about
2ρ²/(1 − ρ)² arrivals per relaxation time, some 4,800 at ρ = 0.98) that a mean wait to
within ±10% would take millions of arrivals; loads of 0.96–0.98 are covered by Erlang A
cases.

## How to run it

```console
$ omnisim validate              # the small grid (2 cases), results/validation/
$ omnisim validate --full       # the full grid ({ncases} cases)
$ nox -s validate               # the full grid, writing this page and its figure
```

Options: `--replications N` (default 20), `--seed S` (default 7), `--jobs N` (default:
the local cores), `--confidence LEVEL` (default: the Bonferroni family-wise 95% level,
below), `--out DIR`. The command prints the table, writes `DIR/validation.md` (this page)
and `DIR/validation.png`, and exits 0 when every exact value lies inside its interval, 1
when any lies outside, 2 for bad arguments.

**Why family-wise intervals.** With plain 95% intervals, about one comparison in twenty
misses by chance alone even for a perfect simulator: with {nrows} comparisons about
{expected_95:.1f} misses would be expected, and the outcomes of one case move together
(one sample path makes its abandonment, waits and queue length all a little high or all a
little low), so misses come in clusters. "Every exact value inside its interval" is only a
meaningful claim if the intervals are widened so that an exact simulator misses anything
at all only one run in twenty: by default each interval is at 1 − 0.05/comparisons
(Bonferroni, valid whatever the correlation between comparisons). `--confidence 0.95`
gives plain intervals; the summary then also counts the misses at the family-wise level.
A chance miss sits just outside (a standardized deviation a little beyond ±1 at 95%, the
column below) and does not recur with another `--seed`; a systematic error shows as
deviations of one sign across cases of a kind (the sign count under the table), and it
grows, in half-widths, with more replications.

## Results

`{command}`: {ncases} cases, {replications} replications each, seed {seed}, {level}
intervals, {jobs} jobs, {minutes:.1f} min.

{table}
![Simulated against exact, per outcome and case](validation.png)
"""


def render_page(rows: Sequence[ValidationRow], *, command: str, replications: int, seed: int,
                jobs: int, seconds: float) -> str:
    """The validation page (docs/validation.md): method, sources, command, table, figure."""
    level = rows[0].confidence if rows else CONFIDENCE
    return _PAGE.format(
        command=command, ncases=len({r.case for r in rows}), nrows=len(rows),
        expected_95=len(rows) * (1 - CONFIDENCE), replications=replications, seed=seed,
        level=_level(level),
        jobs=jobs, minutes=seconds / 60, table=render_markdown(rows),
    )


def _draw_point(ax: Any, x: int, r: ValidationRow) -> None:
    """One case of one panel: the exact value's diamond on the zero line, and the simulated
    mean with its interval as a deviation from it in percent."""
    color = "tab:blue" if r.inside else "tab:red"
    ax.plot([x], [0.0], marker="D", color="black", markersize=6, fillstyle="none",
            linestyle="none", zorder=3)
    if r.exact == 0:  # no scale: on the line only if the simulation is exactly 0 too
        if r.mean == r.ci_low == r.ci_high == 0:
            ax.plot([x], [0.0], "o", color=color, markersize=5, zorder=2)
        else:
            ax.text(x, 0.0, "≠ 0", ha="center", va="top", fontsize=8, color=color)
        return
    scale = 100.0 / r.exact
    err = [[(r.mean - r.ci_low) * scale], [(r.ci_high - r.mean) * scale]]
    ax.errorbar([x], [(r.mean - r.exact) * scale], yerr=err, fmt="o", capsize=4,
                markersize=5, color=color, zorder=2)


def _draw_panel(ax: Any, outcome: str, rows: Sequence[ValidationRow], cases: list[str],
                splits: list[int]) -> None:
    """The panel of one outcome: every case at its place, "n/a" where it has no such row."""
    sub = {r.case: r for r in rows if r.outcome == outcome}
    for x, case in enumerate(cases):
        if case in sub:
            _draw_point(ax, x, sub[case])
    ax.axhline(0.0, color="grey", linewidth=0.8, zorder=1)
    low, high = ax.get_ylim()
    span = max(abs(low), abs(high))
    ax.set_ylim(-span, span)
    for x, case in enumerate(cases):
        if case not in sub:
            ax.text(x, 0.0, "n/a", ha="center", va="bottom", fontsize=7, color="grey")
    for i in splits:
        ax.axvline(i - 0.5, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xticks(range(len(cases)))
    ax.set_xticklabels([f"{c}\n{fmt(sub[c].exact) if c in sub else '–'}" for c in cases],
                       fontsize=8)
    ax.set_xlim(-0.6, len(cases) - 0.4)
    ax.set_ylabel("deviation, %", fontsize=8)
    misses = sum(not r.inside for r in sub.values())
    ax.set_title(f"{outcome}: {len(sub) - misses} of {len(sub)} exact values "
                 "inside the interval", fontsize=10, loc="left")
    ax.grid(axis="y", linewidth=0.4, alpha=0.6)
    ax.tick_params(axis="y", labelsize=8)


def plot_validation(rows: Sequence[ValidationRow], path: str | Path) -> None:
    """Draw one panel per outcome: simulated mean with its interval against the exact.

    Outcomes differ by orders of magnitude between cases, so each panel shows the
    relative deviation from the exact value, (simulated − exact)/exact in percent: the
    exact value is the hollow diamond on the zero line, the simulated mean a dot with its
    interval, red when the exact value lies outside it. Every panel has the same cases at
    the same places; the tick labels give each case's exact value ("–" where the case
    has no such outcome). Where the exact value is 0 (nobody abandons an Erlang C queue)
    there is nothing to divide by: the dot sits on the line when the simulation also gives
    exactly 0, and "≠ 0" marks it otherwise. Uses matplotlib's Agg canvas without
    ``pyplot``, so the caller's backend is left alone.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    confidence = rows[0].confidence if rows else CONFIDENCE
    level = _level(confidence)
    cases = list(dict.fromkeys(r.case for r in rows))
    models = {r.case: r.model for r in rows}
    outcomes = [o for o in OUTCOMES if any(r.outcome == o for r in rows)]
    splits = [i for i in range(1, len(cases)) if models[cases[i]] != models[cases[i - 1]]]
    fig = Figure(figsize=(max(6.0, 0.85 * len(cases) + 2.5), 2.0 * len(outcomes) + 1.1),
                 layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(outcomes), 1, squeeze=False)[:, 0]
    for ax, outcome in zip(axes, outcomes, strict=True):
        _draw_panel(ax, outcome, rows, cases, splits)
    top = axes[0]
    axes[-1].set_xlabel("case (C: Erlang C, no patience; A: Erlang A), with its exact value "
                        "underneath")
    handles = [
        top.errorbar([], [], yerr=[], fmt="o", color="tab:blue", capsize=4,
                     label=f"simulated mean, {level} interval"),
        top.errorbar([], [], yerr=[], fmt="o", color="tab:red", capsize=4,
                     label="exact value outside the interval"),
        top.plot([], [], marker="D", color="black", fillstyle="none", linestyle="none",
                 label="exact value")[0],
    ]
    misses = sum(not r.inside for r in rows)
    fig.suptitle(f"omnisim against exact Erlang C / Erlang A: (simulated − exact)/exact, %\n"
                 f"{len(rows) - misses} of {len(rows)} exact values inside their {level} "
                 f"intervals (about {len(rows) * (1 - confidence):.1f} misses expected by "
                 "chance)",
                 fontsize=10)
    fig.legend(handles=handles, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    fig.savefig(path, dpi=110)
