"""Exact steady-state formulas for the M/M/n (Erlang C) and M/M/n+M (Erlang A) queues.

All rates share one time unit (e.g. per minute); every time returned is in that unit.

Sources:
    * A. K. Erlang (1917), "Solution of some problems in the theory of probabilities of
      significance in automatic telephone exchanges", Elektroteknikeren 13.
    * D. Gross, J. F. Shortle, J. M. Thompson, C. M. Harris, *Fundamentals of Queueing
      Theory*, 4th ed., Wiley 2008, §2.3 (M/M/c) and §2.3.1 (waiting-time distribution).
    * C. Palm (1943/1957), "Research on telephone traffic carried by full availability
      groups", Tele 1; J. Riordan, *Stochastic Service Systems*, Wiley 1962.
    * O. Garnett, A. Mandelbaum, M. Reiman (2002), "Designing a call center with impatient
      customers", Manufacturing & Service Operations Management 4(3):208-227.
    * A. Mandelbaum, S. Zeltyn (2007), "Service engineering in action: the Palm/Erlang-A
      queue, with applications to call centers", in *Advances in Services Innovations*,
      Springer, pp. 17-45.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray
from scipy.special import betainc

_TAIL_TOLERANCE = 1e-12
_MAX_STATES = 5_000_000


def _positive(_instance: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    """attrs validator: *value* must be a positive finite real number."""
    ok = isinstance(value, Real) and not isinstance(value, bool)
    if not ok or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{attribute.name} must be a positive finite number, got {value!r}")


def _agents(_instance: Any, _attribute: attrs.Attribute[Any], value: int) -> None:
    """attrs validator: *value* must be an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"agents must be an integer >= 1, got {value!r}")


def _check_time(t: float) -> float:
    if isinstance(t, bool) or not isinstance(t, Real) or math.isnan(t) or t < 0:
        raise ValueError(f"t must be a non-negative number, got {t!r}")
    return float(t)


def _erlang_b(offered_load: float, agents: int) -> float:
    """Erlang B blocking probability via the stable recursion B_k = aB_{k-1}/(k + aB_{k-1})."""
    b = 1.0
    for k in range(1, agents + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


@attrs.frozen
class ErlangC:
    """Steady state of the M/M/n queue (Erlang C): Poisson arrivals, exponential service, FCFS.

    Formulas from Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*
    (4th ed., 2008), §2.3. P(wait) is computed from the Erlang B recursion as
    C = B / (1 - ρ(1 - B)), which neither overflows nor loses precision for large *agents*.

    Attributes:
        arrival_rate: λ, arrivals per time unit.
        service_rate: μ, services per agent per time unit.
        agents: n, number of parallel agents.
        p_wait: Erlang C probability that an arriving customer must wait, P(W > 0).

    Raises:
        ValueError: If a rate is not positive and finite, *agents* < 1, or λ ≥ nμ.
    """

    arrival_rate: float = attrs.field(validator=_positive)
    service_rate: float = attrs.field(validator=_positive)
    agents: int = attrs.field(validator=_agents)
    p_wait: float = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        capacity = self.agents * self.service_rate
        if self.arrival_rate >= capacity:
            raise ValueError(
                f"unstable system: arrival_rate={self.arrival_rate!r} must be below "
                f"agents*service_rate={capacity!r}"
            )
        b = _erlang_b(self.arrival_rate / self.service_rate, self.agents)
        object.__setattr__(self, "p_wait", b / (1.0 - self.occupancy * (1.0 - b)))

    @property
    def occupancy(self) -> float:
        """Fraction of agent time busy, ρ = λ/(nμ)."""
        return self.arrival_rate / (self.agents * self.service_rate)

    @property
    def mean_wait_queued(self) -> float:
        """Mean wait of the customers who wait, E[W | W > 0] = 1/(nμ − λ)."""
        return 1.0 / (self.agents * self.service_rate - self.arrival_rate)

    @property
    def mean_wait(self) -> float:
        """Mean wait in queue over all customers (ASA), E[W] = C/(nμ − λ)."""
        return self.p_wait * self.mean_wait_queued

    @property
    def mean_queue_length(self) -> float:
        """Mean number waiting (not in service), E[Lq] = λE[W] by Little's law."""
        return self.arrival_rate * self.mean_wait

    def service_level(self, t: float) -> float:
        """Probability that an arriving customer waits at most *t*: 1 − C·exp(−(nμ − λ)t).

        Args:
            t: Acceptable wait, non-negative (``math.inf`` is allowed).

        Returns:
            P(W ≤ t).

        Raises:
            ValueError: If *t* is negative or NaN.
        """
        t = _check_time(t)
        return 1.0 - self.p_wait * math.exp(-t / self.mean_wait_queued)


@attrs.frozen
class ErlangA:
    """Steady state of the M/M/n+M queue (Palm/Erlang A): exponential patience with rate θ.

    The number in system is the birth-death chain with birth rate λ and death rate
    min(k, n)μ + max(k − n, 0)θ (Palm 1943; Garnett, Mandelbaum & Reiman 2002). Its
    stationary law is computed in log space on states 0..K, with K grown until the mass
    beyond K is below 1e-12 (bounded by a geometric tail, since death rates increase).

    Per-customer quantities follow Mandelbaum & Zeltyn (2007): a customer arriving (PASTA)
    to state k ≥ n stands at queue position j = k − n + 1. While at position i, the queue
    ahead advances at rate a_i = nμ + (i − 1)θ (a service or an abandonment ahead) and the
    customer abandons at rate θ. The offered (virtual) wait V_j, the wait of an infinitely
    patient customer, is a sum of independent Exp(a_i), i = 1..j; with α = nμ/θ,
    exp(−θV_j) ~ Beta(α, j). The customer is served iff V_j < τ, τ ~ Exp(θ), so
    P(served | j) = E[exp(−θV_j)] = nμ/(nμ + jθ), and P(served, V_j ≤ t | j) equals
    nμ/(nμ + jθ)·P(H_j ≤ t), where H_j is a sum of Exp(nμ + iθ), i = 1..j (the holding
    times of the killed chain) and exp(−θH_j) ~ Beta(α + 1, j). These Beta laws follow by
    matching Laplace transforms, ∏ (α + i − 1)/(α + i − 1 + s/θ) = E[U^{s/θ}].

    As θ → 0 with λ < nμ, every quantity tends to its Erlang C value (see ``ErlangC``).

    Attributes:
        arrival_rate: λ, arrivals per time unit.
        service_rate: μ, services per agent per time unit.
        abandonment_rate: θ, reciprocal of the mean patience; must be positive.
        agents: n, number of parallel agents.
        distribution: P(k in system), k = 0..K (read-only array; truncation mass < 1e-12).

    Raises:
        ValueError: If a rate is not positive and finite, or *agents* < 1, or θ is so small
            relative to an overload λ − nμ that more than 5,000,000 states would be needed.
    """

    arrival_rate: float = attrs.field(validator=_positive)
    service_rate: float = attrs.field(validator=_positive)
    abandonment_rate: float = attrs.field(validator=_positive)
    agents: int = attrs.field(validator=_agents)
    distribution: NDArray[np.float64] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        lam, mu, theta, n = self.arrival_rate, self.service_rate, self.abandonment_rate, self.agents
        # Past the mode offset m, the ratios λ/d_k are < 1 and decreasing.
        mode = max(0, math.ceil((lam - n * mu) / theta))
        margin = 64
        while True:
            size = n + mode + margin
            if size > _MAX_STATES:
                raise ValueError(
                    f"abandonment_rate={theta!r} is too small for this overload: more than "
                    f"{_MAX_STATES} states would be needed"
                )
            k = np.arange(1, size + 1, dtype=np.float64)
            deaths = np.minimum(k, n) * mu + np.maximum(k - n, 0.0) * theta
            logw = np.concatenate(([0.0], np.cumsum(math.log(lam) - np.log(deaths))))
            w = np.exp(logw - logw.max())
            ratio = lam / (n * mu + (size + 1 - n) * theta)
            if ratio < 1.0 and w[-1] * ratio / (1.0 - ratio) < _TAIL_TOLERANCE * w.sum():
                break
            margin *= 2
        probs = w / w.sum()
        probs.flags.writeable = False
        object.__setattr__(self, "distribution", probs)

    def _queue_part(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return (positions j = 1..K−n+1, P(arrival finds k = n + j − 1))."""
        tail = self.distribution[self.agents :]
        return np.arange(1, tail.size + 1, dtype=np.float64), tail

    @property
    def p_wait(self) -> float:
        """Probability that an arriving customer finds all agents busy, P(k ≥ n) (PASTA)."""
        return float(self.distribution[self.agents :].sum())

    @property
    def mean_queue_length(self) -> float:
        """Mean number of customers waiting, E[Lq] = Σ max(k − n, 0)·P(k)."""
        j, tail = self._queue_part()
        return float(np.dot(j - 1.0, tail))

    @property
    def p_abandon(self) -> float:
        """Fraction of arrivals who abandon, θ·E[Lq]/λ (abandonment flow balance)."""
        return self.abandonment_rate * self.mean_queue_length / self.arrival_rate

    @property
    def mean_wait(self) -> float:
        """Mean time in queue over all arrivals, served or abandoning, E[Lq]/λ (Little)."""
        return self.mean_queue_length / self.arrival_rate

    @property
    def mean_wait_served(self) -> float:
        """Mean wait of the customers who are served, E[W | served].

        From position j, E[V_j; V_j < τ] = −d/ds E[e^{−sV_j}] at s = θ, which is
        nμ/(nμ + jθ)·Σ_{i=1..j} 1/(nμ + iθ); this is averaged over the PASTA law of j and
        divided by P(served) = 1 − P(abandon).
        """
        j, tail = self._queue_part()
        nmu, theta = self.agents * self.service_rate, self.abandonment_rate
        served_wait = nmu / (nmu + j * theta) * np.cumsum(1.0 / (nmu + j * theta))
        return float(np.dot(served_wait, tail)) / (1.0 - self.p_abandon)

    @property
    def utilization(self) -> float:
        """Fraction of agent time busy, λ(1 − P(abandon))/(nμ) = E[busy agents]/n."""
        return self.arrival_rate * (1.0 - self.p_abandon) / (self.agents * self.service_rate)

    def service_level(self, t: float) -> float:
        """Probability that an arriving customer is served after waiting at most *t*.

        This is P(served and W ≤ t), counting abandoning customers as failures (the usual
        call-centre service level). It tends to 1 − P(abandon) as t → ∞.

        Args:
            t: Acceptable wait, non-negative (``math.inf`` is allowed).

        Returns:
            P(k < n) + Σ_j P(n + j − 1)·nμ/(nμ + jθ)·P(H_j ≤ t), see the class docstring.

        Raises:
            ValueError: If *t* is negative or NaN.
        """
        return self._at_most(t, served_only=True)

    def p_wait_at_most(self, t: float) -> float:
        """Probability that the offered (virtual) wait is at most *t*, P(V ≤ t).

        V is the wait a customer with infinite patience would have, the queue ahead still
        thinning by abandonments; it ignores the customer's own patience. Tends to 1.

        Args:
            t: Wait threshold, non-negative (``math.inf`` is allowed).

        Returns:
            P(k < n) + Σ_j P(n + j − 1)·P(V_j ≤ t), see the class docstring.

        Raises:
            ValueError: If *t* is negative or NaN.
        """
        return self._at_most(t, served_only=False)

    def _at_most(self, t: float, *, served_only: bool) -> float:
        t = _check_time(t)
        j, tail = self._queue_part()
        alpha = self.agents * self.service_rate / self.abandonment_rate
        immediate = 1.0 - float(tail.sum())
        x = 1.0 if math.isinf(t) else -math.expm1(-self.abandonment_rate * t)
        if served_only:
            # P(H_j ≤ t) = P(Beta(α+1, j) ≥ e^{-θt}) = I_{1-e^{-θt}}(j, α+1).
            cdf = betainc(j, alpha + 1.0, x) * (alpha / (alpha + j))
        else:
            cdf = betainc(j, alpha, x)
        return min(1.0, max(0.0, immediate + float(np.dot(cdf, tail))))


def erlang_c(arrival_rate: float, service_rate: float, agents: int) -> ErlangC:
    """Return the steady state of the M/M/n (Erlang C) queue.

    Source: Erlang (1917); Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing
    Theory*, 4th ed., §2.3.

    Args:
        arrival_rate: λ > 0, Poisson arrivals per time unit.
        service_rate: μ > 0, exponential services per agent per time unit.
        agents: n ≥ 1, number of agents.

    Returns:
        The ``ErlangC`` result.

    Raises:
        ValueError: If *arrival_rate* or *service_rate* is not positive and finite, if
            *agents* is not an integer ≥ 1, or if the system is unstable (λ ≥ nμ).
    """
    return ErlangC(arrival_rate, service_rate, agents)


def erlang_a(
    arrival_rate: float, service_rate: float, abandonment_rate: float, agents: int
) -> ErlangA:
    """Return the steady state of the M/M/n+M (Palm/Erlang A) queue.

    Always stable because waiting customers abandon at rate θ > 0. As θ → 0 with λ < nμ
    it approaches Erlang C. Sources: Palm (1943); Garnett, Mandelbaum & Reiman (2002);
    Mandelbaum & Zeltyn (2007).

    Args:
        arrival_rate: λ > 0, Poisson arrivals per time unit.
        service_rate: μ > 0, exponential services per agent per time unit.
        abandonment_rate: θ > 0, exponential patience rate (1/mean patience).
        agents: n ≥ 1, number of agents.

    Returns:
        The ``ErlangA`` result.

    Raises:
        ValueError: If a rate is not positive and finite, if *agents* is not an integer
            ≥ 1, or if θ is so small against an overload that the chain needs more than
            5,000,000 states.
    """
    return ErlangA(arrival_rate, service_rate, abandonment_rate, agents)
