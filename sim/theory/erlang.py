"""Exact steady-state formulas for the M/M/n (Erlang C) and M/M/n+M (Erlang A) queues.

All rates share one time unit (e.g. per minute); every time returned is in that unit.

Both classes give the contact-center field's queue outcomes, under the simulator's names,
for an arrival in steady state (PASTA), with W its wait (until it is answered or until it
abandons) and t the service-level threshold:

* ``abandonment_rate``: P(abandon);
* ``asa``, the average speed of answer: E[W | answered];
* ``mean_wait``: E[W] over all arrivals, abandoners counted until they leave;
* ``service_level(t)``: P(answered, W ≤ t) / (P(answered) + P(abandoned, W > t)), i.e.
  answered within t over answered plus abandoned after t (abandoners within t are left
  out of both);
* ``service_level_answered(t)``: P(answered, W ≤ t) / P(answered);
* ``service_level_offered(t)``: P(answered, W ≤ t).

So service_level_offered ≤ service_level ≤ service_level_answered, with equality when
nobody abandons (Erlang C).

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
    * W. K. Grassmann (1977), "Transient solutions in Markovian queueing systems",
      Computers & Operations Research 4(1):47-53 (uniformization).
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray
from scipy.special import gammaincc, gammaln, xlogy

#: Stationary law: states are added until the mass beyond them is below this share.
_TAIL_TOLERANCE = 1e-12
#: Queue-position chain: start positions beyond the kept ones hold at most this share.
_POSITION_TOLERANCE = 1e-15
#: Once a bound on the share of arrivals still waiting at t is below this, it is taken as 0.
_EXPIRED = 1e-17
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
    """*t* as a float; ValueError unless it is a non-negative number (∞ allowed)."""
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
    Nobody abandons, so every arrival is answered: ``abandonment_rate`` is 0, ``asa``
    equals ``mean_wait``, and the three service levels are all P(W ≤ t).

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
    def abandonment_rate(self) -> float:
        """Share of arrivals who abandon: 0, since Erlang C customers never do."""
        return 0.0

    @property
    def mean_wait_queued(self) -> float:
        """Mean wait of the customers who wait, E[W | W > 0] = 1/(nμ − λ)."""
        return 1.0 / (self.agents * self.service_rate - self.arrival_rate)

    @property
    def mean_wait(self) -> float:
        """Mean wait in queue over all customers, E[W] = C/(nμ − λ)."""
        return self.p_wait * self.mean_wait_queued

    @property
    def asa(self) -> float:
        """Average speed of answer, E[W | answered] = E[W] = C/(nμ − λ) (all are answered)."""
        return self.mean_wait

    @property
    def mean_queue_length(self) -> float:
        """Mean number waiting (not in service), E[Lq] = λE[W] by Little's law."""
        return self.arrival_rate * self.mean_wait

    def service_level(self, t: float) -> float:
        """Probability that an arriving customer waits at most *t*: 1 − C·exp(−(nμ − λ)t).

        With no abandonment, answered within *t* / (answered + abandoned after *t*) is
        just P(W ≤ t), as are ``service_level_answered`` and ``service_level_offered``.

        Args:
            t: Acceptable wait, non-negative (``math.inf`` is allowed).

        Returns:
            P(W ≤ t).

        Raises:
            ValueError: If *t* is negative or NaN.
        """
        t = _check_time(t)
        return 1.0 - self.p_wait * math.exp(-t / self.mean_wait_queued)

    def service_level_answered(self, t: float) -> float:
        """Share of answered customers answered within *t*: P(W ≤ t), as ``service_level``.

        Raises:
            ValueError: If *t* is negative or NaN.
        """
        return self.service_level(t)

    def service_level_offered(self, t: float) -> float:
        """Share of all arrivals answered within *t*: P(W ≤ t), as ``service_level``.

        Raises:
            ValueError: If *t* is negative or NaN.
        """
        return self.service_level(t)


def _stationary_law(lam: float, mu: float, theta: float, n: int) -> NDArray[np.float64]:
    """P(k in system), k = 0..K, of the M/M/n+M birth-death chain (read-only array).

    Computed in log space; K grows until the mass beyond K, bounded by a geometric tail
    since the death rates increase past the mode, is below 1e-12.
    """
    # Past the mode offset m, the ratios λ/d_k are < 1 and decreasing.
    mode = max(0, math.ceil((lam - n * mu) / theta))
    margin = 64
    while True:
        size = n + mode + margin
        if size > _MAX_STATES:
            raise ValueError(
                f"patience_rate={theta!r} is too small for this overload: more than "
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
    return probs


def _trimmed_start(tail: NDArray[np.float64]) -> NDArray[np.float64]:
    """*tail* (the start law over positions 1..J) without its last positions of mass
    at most ``_POSITION_TOLERANCE`` times the whole, in all."""
    beyond = np.cumsum(tail[::-1])[::-1]  # beyond[j] = mass of positions ≥ j + 1
    keep = int(np.count_nonzero(beyond > _POSITION_TOLERANCE * tail.sum()))
    return tail[: max(keep, 1)]


@attrs.frozen
class ErlangA:
    """Steady state of the M/M/n+M queue (Palm/Erlang A): exponential patience with rate θ.

    **Number in system.** The birth-death chain with birth rate λ and death rate
    min(k, n)μ + max(k − n, 0)θ (Palm 1943; Garnett, Mandelbaum & Reiman 2002), solved in
    log space on states 0..K with the mass beyond K below 1e-12 (``distribution``).

    **Queue-position chain** (Mandelbaum & Zeltyn 2007). An arrival (PASTA) that finds all n
    agents busy and j − 1 others waiting, probability π_{n+j−1}, starts at position j.
    From position j it advances to j − 1 at rate r_j = nμ + (j − 1)θ (a service ends or
    someone ahead abandons; from position 1 it is then answered) and abandons at rate θ:
    an absorbing CTMC with transient generator Q, Q_{jj} = −(nμ + jθ), Q_{j,j−1} = r_j.
    Positions are kept while the start mass beyond them exceeds 1e-15 of P(wait), so with
    the stationary cut every probability below is exact to about 1e-12. Its fundamental
    matrix N = (−Q)⁻¹ has N_{jm} = 1/(nμ + jθ) for m ≤ j (the chance of reaching m,
    (nμ + mθ)/(nμ + jθ), times the mean stay there), so N·v = cumsum(v)/(nμ + jθ), and:

    * P(answered | j) = a_j = (N·nμe₁)_j = nμ/(nμ + jθ); P(abandon | j) = b_j = jθ/(nμ + jθ);
    * E[W | j] = (N·1)_j = j/(nμ + jθ); E[W·1{answered} | j] = (N·a)_j;
    * with p_t the law of the position at time t (row vector p₀·exp(Qt), by
      uniformization; taken as 0 once an upper bound on its mass, min(e^{−θt},
      P(Erlang(J, nμ) > t)) for J kept positions, is below 1e-17),
      P(answered, W ≤ t) = P(k < n) + (p₀ − p_t)·a and P(abandoned, W > t) = p_t·b.

    As θ → 0 with λ < nμ, every quantity tends to its Erlang C value (see ``ErlangC``).

    Attributes:
        arrival_rate: λ, arrivals per time unit.
        service_rate: μ, services per agent per time unit.
        patience_rate: θ, reciprocal of the mean patience; must be positive.
        agents: n, number of parallel agents.
        distribution: P(k in system), k = 0..K (read-only array; truncation mass < 1e-12).

    Raises:
        ValueError: If a rate is not positive and finite, or *agents* < 1, or θ is so small
            relative to an overload λ − nμ that more than 5,000,000 states would be needed.
    """

    arrival_rate: float = attrs.field(validator=_positive)
    service_rate: float = attrs.field(validator=_positive)
    patience_rate: float = attrs.field(validator=_positive)
    agents: int = attrs.field(validator=_agents)
    distribution: NDArray[np.float64] = attrs.field(init=False, eq=False, repr=False)
    _start: NDArray[np.float64] = attrs.field(init=False, eq=False, repr=False)
    _exit: NDArray[np.float64] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        probs = _stationary_law(self.arrival_rate, self.service_rate, self.patience_rate,
                                self.agents)
        object.__setattr__(self, "distribution", probs)
        start = _trimmed_start(probs[self.agents :])
        j = np.arange(1, start.size + 1, dtype=np.float64)
        object.__setattr__(self, "_start", start)
        object.__setattr__(self, "_exit", self._nmu + j * self.patience_rate)

    @property
    def _nmu(self) -> float:
        return self.agents * self.service_rate

    def _fundamental(self, v: NDArray[np.float64]) -> NDArray[np.float64]:
        """N·v for the fundamental matrix N = (−Q)⁻¹: cumsum(v)_j/(nμ + jθ)."""
        return np.cumsum(v) / self._exit

    @property
    def _answer(self) -> NDArray[np.float64]:
        """a_j = P(answered | start at position j) = (N·nμe₁)_j = nμ/(nμ + jθ)."""
        rates = np.zeros(self._exit.size)
        rates[0] = self._nmu  # only position 1 is answered directly
        return self._fundamental(rates)

    @property
    def _abandon(self) -> NDArray[np.float64]:
        """b_j = P(abandon | start at position j) = (N·θ1)_j = jθ/(nμ + jθ)."""
        return self._fundamental(np.full(self._exit.size, self.patience_rate))

    @property
    def p_wait(self) -> float:
        """Probability that an arriving customer finds all agents busy, P(k ≥ n) (PASTA)."""
        return float(self.distribution[self.agents :].sum())

    @property
    def mean_queue_length(self) -> float:
        """Mean number of customers waiting, E[Lq] = Σ max(k − n, 0)·P(k)."""
        tail = self.distribution[self.agents :]
        return float(np.dot(np.arange(tail.size, dtype=np.float64), tail))

    @property
    def abandonment_rate(self) -> float:
        """Share of arrivals who abandon, P(abandon) = Σ_j π_{n+j−1}·b_j.

        b_j = (N·θ1)_j = jθ/(nμ + jθ); by flow balance this equals θ·E[Lq]/λ.
        """
        return float(np.dot(self._start, self._abandon))

    @property
    def p_abandon(self) -> float:
        """Older name of ``abandonment_rate``, kept for the benchmarks."""
        return self.abandonment_rate

    @property
    def _p_answered(self) -> float:
        """P(answered) = P(k < n) + Σ_j π_{n+j−1}·a_j."""
        immediate = float(self.distribution[: self.agents].sum())
        return immediate + float(np.dot(self._start, self._answer))

    @property
    def mean_wait(self) -> float:
        """Mean wait over all arrivals, abandoners counted until they leave, E[W].

        E[W] = Σ_j π_{n+j−1}·(N·1)_j = Σ_j π_{n+j−1}·j/(nμ + jθ), which equals E[Lq]/λ
        by Little's law.
        """
        return float(np.dot(self._start, self._fundamental(np.ones(self._exit.size))))

    @property
    def asa(self) -> float:
        """Average speed of answer, the mean wait of answered customers, E[W | answered].

        E[W·1{answered}] = Σ_j π_{n+j−1}·(N·a)_j, divided by P(answered).
        """
        answered_wait = float(np.dot(self._start, self._fundamental(self._answer)))
        return answered_wait / self._p_answered

    @property
    def utilization(self) -> float:
        """Fraction of agent time busy, λ(1 − P(abandon))/(nμ) = E[busy agents]/n."""
        return self.arrival_rate * (1.0 - self.abandonment_rate) / self._nmu

    def _still_waiting_bound(self, t: float) -> float:
        """An upper bound on the share of arrivals still waiting at *t*, Σ p_t.

        Each waits at most its own patience, Exp(θ); and at most V_J, the wait from the
        last kept position J, a sum of J stays at rates ≥ nμ, so P(V_J > t) ≤
        P(Erlang(J, nμ) > t) = Q(J, nμt), the regularized upper incomplete gamma function.
        """
        erlang_tail = float(gammaincc(self._exit.size, self._nmu * t))
        return min(math.exp(-self.patience_rate * t), erlang_tail)

    def _position_at(self, t: float) -> NDArray[np.float64]:
        """p_t = p₀·exp(Qt), the start law moved on by *t*, by uniformization.

        With Λ = nμ + Jθ, the largest exit rate, and P = I + Q/Λ (substochastic, so every
        term is non-negative), p_t = Σ_m Poisson(m; Λt)·p₀Pᵐ, summed to m = Λt + 12√(Λt)
        + 40, past which the Poisson mass is below 1e-20 (Grassmann 1977). Taken as 0 once
        ``_still_waiting_bound`` is below 1e-17.
        """
        if t == 0:
            return self._start
        if math.isinf(t) or self._still_waiting_bound(t) < _EXPIRED:
            return np.zeros(self._exit.size)
        uniform = float(self._exit[-1])
        stay = 1.0 - self._exit / uniform  # P_jj
        down = (self._exit[1:] - self.patience_rate) / uniform  # P_{j,j−1} = r_j/Λ, j ≥ 2
        mean = uniform * t
        m = np.arange(math.ceil(mean + 12.0 * math.sqrt(mean) + 40.0), dtype=np.float64)
        weights = np.exp(xlogy(m, mean) - mean - gammaln(m + 1.0))
        position = self._start.copy()
        moved = weights[0] * position
        for weight in weights[1:]:
            following = position * stay
            following[:-1] += position[1:] * down
            position = following
            moved += weight * position
        return moved

    def _split(self, t: float) -> tuple[float, float]:
        """(P(answered, W ≤ t), P(abandoned, W > t)) for a threshold *t* ≥ 0."""
        later = self._position_at(_check_time(t))
        immediate = float(self.distribution[: self.agents].sum())
        within = immediate + float(np.dot(self._start - later, self._answer))
        return min(1.0, max(0.0, within)), float(np.dot(later, self._abandon))

    def service_level(self, t: float) -> float:
        """Answered within *t* / (answered + abandoned after *t*), the usual WFM definition.

        P(answered, W ≤ t) / (P(answered) + P(abandoned, W > t)): abandoners who leave
        within *t* count in neither part. It is 1 − P(wait) at t = 0 and rises to 1 as
        t → ∞ (every abandoner eventually left within t). See the class docstring for
        P(answered, W ≤ t) and P(abandoned, W > t).

        Args:
            t: Threshold, non-negative (``math.inf`` is allowed).

        Raises:
            ValueError: If *t* is negative or NaN.
        """
        within, late_abandon = self._split(t)
        return min(1.0, within / (self._p_answered + late_abandon))

    def service_level_answered(self, t: float) -> float:
        """Share of answered customers answered within *t*, P(W ≤ t | answered).

        P(answered, W ≤ t) / P(answered); (1 − P(wait))/P(answered) at t = 0, 1 at t = ∞.

        Raises:
            ValueError: If *t* is negative or NaN.
        """
        return min(1.0, self._split(t)[0] / self._p_answered)

    def service_level_offered(self, t: float) -> float:
        """Share of all arrivals answered within *t*, P(answered, W ≤ t).

        1 − P(wait) at t = 0, rising to 1 − P(abandon) as t → ∞.

        Raises:
            ValueError: If *t* is negative or NaN.
        """
        return self._split(t)[0]


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
    arrival_rate: float, service_rate: float, patience_rate: float, agents: int
) -> ErlangA:
    """Return the steady state of the M/M/n+M (Palm/Erlang A) queue.

    Always stable because waiting customers abandon at rate θ > 0. As θ → 0 with λ < nμ
    it approaches Erlang C. Sources: Palm (1943); Garnett, Mandelbaum & Reiman (2002);
    Mandelbaum & Zeltyn (2007).

    Args:
        arrival_rate: λ > 0, Poisson arrivals per time unit.
        service_rate: μ > 0, exponential services per agent per time unit.
        patience_rate: θ > 0, exponential patience rate (1/mean patience).
        agents: n ≥ 1, number of agents.

    Returns:
        The ``ErlangA`` result.

    Raises:
        ValueError: If a rate is not positive and finite, if *agents* is not an integer
            ≥ 1, or if θ is so small against an overload that the chain needs more than
            5,000,000 states.
    """
    return ErlangA(arrival_rate, service_rate, patience_rate, agents)
