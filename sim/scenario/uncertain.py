"""The ``[uncertain]`` table: which scenario fields are assumptions, and over what range.

Each entry maps a field path (the paths ``omnisim sweep --vary`` takes:
``segments.mobile.share``, ``intents.rebook.self_service.app.success``, ``pools[0].agents``)
to a distribution of plausible values and the *source* of that range::

    [uncertain]
    "intents.rebook.self_service.app.success" = { low = 0.13, high = 0.58, source = "..." }
    "segments.mobile.patience.mean" = { dist = "triangular", low = "4min", mode = "6min",
                                        high = "10min", source = "..." }
    "callback.accept" = { dist = "beta", mean = 0.37, sd = 0.05, source = "..." }
    "facts.problem.collect.mean" = { dist = "lognormal", mean = "90s", cv = 0.5,
                                     source = "..." }

The plain value of the field stays what ``omnisim run`` uses; only ``omnisim sensitivity``
draws from the range. Values with a unit (``"4min"``, ``"0.1/min"``) are held in minutes
(or per minute); bare numbers for a field written with a unit take the field's unit, as in
a sweep. A field written as a whole number whose range has whole-number ends (a headcount)
takes whole values, each equally likely under a uniform range.

**Shares that must add up to 1** (segments' and intents' ``share``, a segment's ``start``
weights, a journey's ``to`` shares) stay consistent: the members of the group that are not
uncertain are rescaled, in proportion to their plain values, to fill what the uncertain
ones leave. ``journeys[0].to.voice`` drawn as 0.5 from ``{ voice = 0.65, retry = 0.05,
give_up = 0.30 }`` gives ``{ voice = 0.5, retry = 0.0714, give_up = 0.4286 }``.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from ..errors import ScenarioError
from .units import format_minutes, parse_duration, parse_rate

__all__ = [
    "DISTRIBUTIONS",
    "Uncertain",
    "apply_sample",
    "parse_uncertain",
    "resolve_uncertain",
]

#: Distributions an entry may name, with the keys each needs (besides ``source``).
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "beta": ("mean", "sd"),
    "lognormal": ("mean", "cv"),
}

#: Quantiles standing for "the whole range" of an unbounded distribution in checks;
#: sampled probabilities are kept inside them too.
EDGE = 1e-9

_LIST_SHARE = re.compile(r"^(segments|intents)(?:\.([^.\[\]]+)|\[(\d+)\])\.share$")
_DICT_SHARE = re.compile(r"^((?:segments(?:\.[^.\[\]]+|\[\d+\])\.start)|(?:journeys\[\d+\]\.to))"
                         r"\.([^.\[\]]+)$")
_INDEX = re.compile(r"^(\w+)\[(\d+)\]$")


@attrs.frozen
class Uncertain:
    """One assumption: the field at *path*, drawn from *dist* with *params*.

    *params* are numbers in the entry's *unit*: ``"min"`` for durations, ``"/min"`` for
    rates, ``""`` for bare numbers. *integer* fields take whole values. *source* says
    where the range comes from.
    """

    path: str
    dist: str
    params: tuple[float, ...]
    unit: str
    source: str
    integer: bool = False

    def frozen(self) -> Any:
        """The scipy.stats frozen distribution of the (continuous) value."""
        from scipy import stats  # imported here: it costs most of a second to import

        p = self.params
        if self.dist == "uniform":
            low, high = (p[0] - 0.5, p[1] + 0.5) if self.integer else p
            return stats.uniform(loc=low, scale=high - low)
        if self.dist == "triangular":
            low, mode, high = p
            return stats.triang(c=(mode - low) / (high - low), loc=low, scale=high - low)
        if self.dist == "beta":
            mean, sd = p
            k = mean * (1 - mean) / sd**2 - 1
            return stats.beta(mean * k, (1 - mean) * k)
        mean, cv = p
        sigma = math.sqrt(math.log1p(cv**2))
        return stats.lognorm(s=sigma, scale=mean * math.exp(-sigma**2 / 2))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at probabilities *u* (kept within [EDGE, 1 − EDGE]), whole if *integer*."""
        x = np.asarray(self.frozen().ppf(np.clip(u, EDGE, 1 - EDGE)), dtype=float)
        if self.integer:
            x = np.clip(np.round(x), self.params[0], self.params[-1])
        return x

    def file_value(self, x: float) -> Any:
        """*x* as the scenario file writes it (``"2.5min"``, ``"0.1/min"``, 17, 0.4)."""
        if self.integer:
            return round(float(x))
        if self.unit == "min":
            return f"{float(x)!r}min"
        if self.unit == "/min":
            return f"{float(x)!r}/min"
        return float(x)

    def show(self, x: float) -> str:
        """*x* for people: ``90s``, ``0.1/min``, ``17``, ``0.4``."""
        if self.integer:
            return str(round(float(x)))
        if self.unit == "min":
            return format_minutes(float(f"{x:.4g}"))
        return f"{x:.4g}{self.unit}"

    def describe(self) -> str:
        """The distribution in words: ``uniform 0.13–0.58``, ``beta mean 0.37, sd 0.05``."""
        p = self.params
        if self.dist == "uniform":
            return f"uniform {self.show(p[0])}–{self.show(p[1])}"
        if self.dist == "triangular":
            return f"triangular {self.show(p[0])}–{self.show(p[2])}, mode {self.show(p[1])}"
        if self.dist == "beta":
            return f"beta mean {p[0]:g}, sd {p[1]:g}"
        return f"lognormal mean {self.show(p[0])}, cv {p[1]:g}"

    def to_dict(self) -> dict[str, Any]:
        """The entry as results files hold it."""
        keys = DISTRIBUTIONS[self.dist]
        return {"path": self.path, "dist": self.dist, "unit": self.unit,
                "integer": self.integer, "describe": self.describe(), "source": self.source,
                **dict(zip(keys, self.params, strict=True))}


def _flatten(table: Any, prefix: str) -> list[tuple[str, dict[str, Any]]]:
    """(path, entry) pairs; dotted TOML keys nest tables, quoted keys do not."""
    if not isinstance(table, dict):
        raise ScenarioError(prefix, f"must be a table of field paths (got {table!r})")
    out = []
    for key, value in table.items():
        path = f"{prefix}.{key}"
        if not isinstance(value, dict) or not value:
            raise ScenarioError(path, "must be a range like { low = 0.1, high = 0.3, source "
                                "= \"...\" } (allowed: uniform, triangular, beta, lognormal)")
        if all(isinstance(v, dict) for v in value.values()):
            out.extend(_flatten(value, path))
        else:
            out.append((path.removeprefix("uncertain."), value))
    return out


def _number(where: str, key: str, value: Any) -> tuple[float, str]:
    """*value* as (number, unit): ``"90s"`` → (1.5, "min"), ``"6/h"`` → (0.1, "/min")."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ScenarioError(where, f"{key} must be a number, a duration like '2min' or a "
                            f"rate like '0.1/min' (got {value!r})")
    if not isinstance(value, str):
        if not math.isfinite(value):
            raise ScenarioError(where, f"{key} must be finite (got {value!r})")
        return float(value), ""
    try:
        if "/" in value:
            return parse_rate(value), "/min"
        return parse_duration(value), "min"
    except ValueError as e:
        raise ScenarioError(where, f"{key} {e}") from None


def _entry(path: str, spec: dict[str, Any]) -> Uncertain:
    """One entry, checked on its own (the scenario is not looked at)."""
    where = f"uncertain.{path}"
    dist = spec.get("dist", "uniform")
    if dist not in DISTRIBUTIONS:
        raise ScenarioError(where, f"unknown dist {dist!r} (allowed: "
                            f"{', '.join(DISTRIBUTIONS)})")
    keys = DISTRIBUTIONS[dist]
    for key in spec:
        if key not in ("dist", "source", *keys):
            raise ScenarioError(where, f"unknown key {key!r} (allowed for {dist}: "
                                f"{', '.join(('dist', *keys, 'source'))})")
    for key in keys:
        if key not in spec:
            raise ScenarioError(where, f"missing {key} (a {dist} range needs "
                                f"{', '.join(keys)} and source)")
    source = spec.get("source")
    if not isinstance(source, str) or not source.strip():
        raise ScenarioError(where, "missing source (say where the range comes from: a "
                            "source's name, or \"assumption\")")
    parsed = [_number(where, key, spec[key]) for key in keys]
    units = {u for (_, u), key in zip(parsed, keys, strict=True) if key != "cv"}
    if len(units) > 1:
        raise ScenarioError(where, "mixes numbers, durations and rates (allowed: the same "
                            "kind of value throughout)")
    unit = units.pop()
    params = tuple(x for x, _ in parsed)
    _check_params(where, dist, params, unit)
    whole = dist == "uniform" and all(isinstance(spec[k], int) and not isinstance(
        spec[k], bool) for k in keys)
    return Uncertain(path, dist, params, unit, source.strip(), whole)


def _check_params(where: str, dist: str, p: tuple[float, ...], unit: str) -> None:
    what = {"min": "a duration", "/min": "a rate"}.get(unit)
    if what and min(p) < 0:
        raise ScenarioError(where, f"a negative {what.split()[1]} (allowed: >= 0)")
    if dist == "uniform" and not p[0] < p[1]:
        raise ScenarioError(where, f"low {p[0]:g} is not below high {p[1]:g} (allowed: "
                            "low < high)")
    if dist == "triangular" and not (p[0] <= p[1] <= p[2] and p[0] < p[2]):
        raise ScenarioError(where, f"low {p[0]:g}, mode {p[1]:g}, high {p[2]:g} are out of "
                            "order (allowed: low <= mode <= high, low < high)")
    if dist == "beta" and (unit or not 0 < p[0] < 1 or p[1] <= 0
                           or p[1] ** 2 >= p[0] * (1 - p[0])):
        raise ScenarioError(where, "a beta range needs 0 < mean < 1 and 0 < sd < "
                            "sqrt(mean × (1 − mean)) (it is for probabilities)")
    if dist == "lognormal" and (p[0] <= 0 or p[1] <= 0):
        raise ScenarioError(where, f"a lognormal range needs mean > 0 and cv > 0 (got "
                            f"mean {p[0]:g}, cv {p[1]:g})")


def parse_uncertain(table: Any) -> list[Uncertain]:
    """The entries of an ``[uncertain]`` table, each checked on its own.

    Raises :class:`ScenarioError` naming ``uncertain.PATH`` for a malformed entry: an
    unknown distribution or key, a missing key or source, low > high, a negative time.
    """
    entries = [_entry(path, spec) for path, spec in _flatten(table, "uncertain")]
    seen: set[str] = set()
    for e in entries:
        if e.path in seen:
            raise ScenarioError(f"uncertain.{e.path}", "given twice (allowed: once)")
        seen.add(e.path)
    return entries


def _share_group(path: str) -> tuple[str, str] | None:
    """(group, member) of a share that must add up to 1 with its group, else None."""
    match = _LIST_SHARE.match(path)
    if match:
        return match.group(1), match.group(2) or f"[{match.group(3)}]"
    match = _DICT_SHARE.match(path)
    if match:
        return match.group(1), match.group(2)
    return None


def _child(node: Any, part: str) -> Any:
    """The element *part* of *node* (``name``, ``[i]``, ``name[i]``), or None."""
    match = _INDEX.match(part)
    if match:
        items = node.get(match.group(1)) if isinstance(node, dict) else None
        index = int(match.group(2))
        return items[index] if isinstance(items, list) and index < len(items) else None
    if part.startswith("[") and isinstance(node, list):
        index = int(part[1:-1])
        return node[index] if index < len(node) else None
    if isinstance(node, list):
        return next((x for x in node if isinstance(x, dict) and x.get("name") == part), None)
    return node.get(part) if isinstance(node, dict) else None


def _node(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = _child(node, part)
    return node


def _renormalise(data: dict[str, Any], entries: Sequence[Uncertain]) -> None:
    """Rescale the members of each share group not in *entries* so the group adds up to 1.

    Raises :class:`ScenarioError` if the uncertain members leave a share below 0, or
    leave a share above 0 that no other member can take.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for e in entries:
        found = _share_group(e.path)
        if found:
            groups.setdefault(found[0], []).append((found[1], e.path))
    for group, members in groups.items():
        node = _node(data, group)
        if isinstance(node, list):  # segments or intents: their 'share' keys
            slots = [(item, "share", [item.get("name"), f"[{i}]"])
                     for i, item in enumerate(node) if isinstance(item, dict)]
        else:
            slots = [(node, key, [key]) for key in node]
        varied = {m for m, _ in members}
        fixed = [(d, k) for d, k, names in slots if not varied & set(names)]
        left = 1.0 - math.fsum(d[k] for d, k, names in slots if varied & set(names))
        rest = math.fsum(d[k] for d, k in fixed)
        where = f"uncertain.{members[0][1]}"
        if left < -1e-9:
            raise ScenarioError(where, f"the uncertain shares of {group} can add up to "
                                f"{1 - left:g} (allowed: at most 1)")
        if rest <= 0:
            if left > 1e-9:
                raise ScenarioError(where, f"no other share of {group} can take the rest "
                                    f"(allowed: a group with a share > 0 not uncertain)")
            continue
        for d, k in fixed:
            d[k] = d[k] * max(left, 0.0) / rest


def apply_sample(data: dict[str, Any], entries: Sequence[Uncertain],
                 values: Sequence[float]) -> dict[str, Any]:
    """A copy of the scenario *data*, without ``[uncertain]``, with each entry's field set
    to its value in *values* and share groups renormalised.

    Raises :class:`ScenarioError` if a path does not lead to a field.
    """
    from ..experiment.sweep import apply_value  # the sweep's paths; imported late (cycle)

    out = {k: copy.deepcopy(v) for k, v in data.items() if k != "uncertain"}
    for entry, x in zip(entries, values, strict=True):
        try:
            out = apply_value(out, entry.path, entry.file_value(x))
        except ScenarioError as e:
            raise ScenarioError(f"uncertain.{entry.path}", e.message) from None
    _renormalise(out, entries)
    return out


def _kind_of_plain(entry: Uncertain, plain: Any) -> None:
    """Check that the plain value is a number, duration or rate the range can replace."""
    where = f"uncertain.{entry.path}"
    if isinstance(plain, dict | list):
        raise ScenarioError(where, "is a table, not a value (allowed: a number, duration or "
                            "rate field, e.g. segments.mobile.patience.mean)")
    if isinstance(plain, bool):
        raise ScenarioError(where, "is true or false (allowed: a number, duration or rate)")
    if isinstance(plain, str):
        kind = "/min" if "/" in plain else "min"
        try:
            (parse_rate if kind == "/min" else parse_duration)(plain)
        except ValueError:
            raise ScenarioError(where, f"is {plain!r} (allowed: a number, duration or "
                                "rate field)") from None
        if entry.unit and entry.unit != kind:
            want = "a rate like '0.1/min'" if kind == "/min" else "a duration like '2min'"
            raise ScenarioError(where, f"the field is {plain!r}; give the range as {want} "
                                "or as bare numbers in its unit")
    elif plain is not None and entry.unit:
        raise ScenarioError(where, f"the field is the bare number {plain!r}; give the range "
                            "as bare numbers")


def _accepts(data: dict[str, Any], entries: Sequence[Uncertain], values: Sequence[float],
             where: str, what: str) -> None:
    """Raise :class:`ScenarioError` at *where* unless the scenario is valid at *values*."""
    from .load import parse_scenario  # imported late: load imports this module

    try:
        parse_scenario(apply_sample(data, entries, values))
    except ScenarioError as e:
        if e.path.startswith("uncertain."):
            raise
        raise ScenarioError(where, f"{what}: {e.path}: {e.message}") from None


def resolve_uncertain(data: dict[str, Any]) -> list[Uncertain]:
    """The ``[uncertain]`` entries of the scenario *data*, checked against the scenario.

    Beyond :func:`parse_uncertain`'s checks, each path must lead to a number, duration or
    rate field, and the scenario must stay valid at both ends of every range, one entry at
    a time and all together (a probability range beyond [0, 1] fails here). Raises
    :class:`ScenarioError` naming ``uncertain.PATH``.
    """
    entries = parse_uncertain(data.get("uncertain", {}))
    resolved = []
    for e in entries:
        where = f"uncertain.{e.path}"
        plain = _node({k: v for k, v in data.items() if k != "uncertain"}, e.path)
        _kind_of_plain(e, plain)
        integer = e.integer and isinstance(plain, int) and not isinstance(plain, bool)
        e = attrs.evolve(e, integer=integer)
        if plain is None:
            _accepts(data, [e], [float(e.ppf(np.array([0.5]))[0])], where,
                     "not a field the scenario can vary")
        for label, u in (("low end", EDGE), ("high end", 1 - EDGE)):
            x = float(e.ppf(np.array([u]))[0])
            _accepts(data, [e], [x], where, f"its {label} {e.show(x)} is not allowed")
        resolved.append(e)
    for label, u in (("low ends", EDGE), ("high ends", 1 - EDGE)):
        xs = [float(e.ppf(np.array([u]))[0]) for e in resolved]
        _accepts(data, resolved, xs, "uncertain", f"all {label} together are not allowed")
    return resolved
