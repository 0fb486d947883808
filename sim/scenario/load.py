"""Read a scenario file: TOML in, a validated :class:`~sim.scenario.schema.Scenario` out.

Structuring is cattrs' job; this module only teaches it the scenario's value types
(durations, rates, distributions) and turns its nested errors into one
:class:`~sim.errors.ScenarioError` naming the file, the field and what is allowed.
"""

from __future__ import annotations

import datetime
import math
import os
import stat
import tomllib
import typing
from pathlib import Path
from typing import Any

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn, override

from ..errors import ScenarioError, did_you_mean
from ..model import dists
from . import schema
from .uncertain import parse_uncertain
from .units import parse_duration, parse_rate
from .validate import validate

__all__ = ["CV_RANGE", "MAX_FILE_BYTES", "converter", "load_scenario", "parse_scenario",
           "read_document"]

_DISTS: dict[str, tuple[type, tuple[str, ...], tuple[str, ...]]] = {
    # name: (class, required keys, optional keys)
    "exponential": (dists.Exponential, ("mean",), ()),
    "lognormal": (dists.LogNormal, ("mean", "cv"), ()),
    "gamma": (dists.Gamma, ("mean", "cv"), ()),
    "fixed": (dists.Fixed, ("value",), ()),
    "uniform": (dists.Uniform, ("low", "high"), ()),
    "empirical": (dists.Empirical, ("values",), ("weights",)),
}


def _type_name(value: object) -> str:
    if isinstance(value, datetime.datetime):
        return "a date and time"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, datetime.time):
        return "a time of day"
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            dict: "a table", list: "a list"}.get(type(value), type(value).__name__)


def _show(value: object) -> str:
    """*value* as a message shows it: ``'ten'``, ``1.5``, a date as ``2026-11-30``."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return repr(value)


def _strict_int(value: object, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be an integer (got {_type_name(value)}: {_show(value)})")
    return value


def _strict_float(value: object, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number (got {_type_name(value)}: {_show(value)})")
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number (got {_show(value)})")
    return float(value)


def _strict_str(value: object, _: type) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string (got {_type_name(value)}: {_show(value)})")
    return value


def _strict_bool(value: object, _: type) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false (got {_show(value)})")
    return value


def _strict_list(value: object, type_: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"must be a list (got {_type_name(value)}: {_show(value)})")
    (item_type,) = typing.get_args(type_) or (Any,)
    out = []
    for i, item in enumerate(value):
        try:
            out.append(converter.structure(item, item_type))
        except Exception as e:
            # keep the path inside the item: pools[0].agents, not pools[0]
            raise _locate(e, f"[{i}]") from None
    return out


def _strict_dict(value: object, type_: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"must be a table (got {_type_name(value)}: {_show(value)})")
    _, item_type = typing.get_args(type_) or (str, Any)
    out = {}
    for key, item in value.items():
        try:
            out[key] = converter.structure(item, item_type)
        except Exception as e:
            # keep the key in the path: intents[0].handle.voice.mean
            raise _locate(e, key) from None
    return out


def _finite(minutes: float, text: object, what: str) -> float:
    if not math.isfinite(minutes):
        raise ValueError(f"must be a finite {what} (got {text!r})")
    return minutes


def _duration(text: object, _: type) -> schema.Duration:
    return schema.Duration(_finite(parse_duration(text), text, "duration"))


def _rate(text: object, _: type) -> schema.Rate:
    return schema.Rate(_finite(parse_rate(text), text, "rate"))


def _duration_at(value: dict[str, Any], key: str) -> float:
    """``value[key]`` as a duration in minutes; a mistake names *key*."""
    try:
        return _duration(value[key], float)
    except ValueError as e:
        raise ScenarioError(key, str(e)) from None


def _positive_duration(value: dict[str, Any], key: str) -> float:
    minutes = _duration_at(value, key)
    if minutes <= 0:
        raise ScenarioError(key, f"must be a duration > 0 (got {value[key]!r})")
    return minutes


def _empirical_values(raw: object) -> tuple[float, ...]:
    """An empirical distribution's ``values``: a non-empty list of durations >= 0."""
    if not isinstance(raw, list) or not raw:
        raise ScenarioError("values", "must be a non-empty list of durations")
    parsed = []
    for i, item in enumerate(raw):
        try:
            parsed.append(_duration(item, float))
        except ValueError as e:
            raise ScenarioError(f"values[{i}]", str(e)) from None
    if min(parsed) < 0:
        raise ScenarioError("values", "durations must be >= 0")
    return tuple(parsed)


def _structure_dist(value: object, _: type) -> dists.Distribution:
    """A distribution table ``{dist = "...", ...}``; a plain duration means fixed."""
    if isinstance(value, str):
        plain = _duration(value, float)
        if plain < 0:
            raise ValueError(f"must be a duration >= 0 (got {value!r})")
        return dists.Fixed(plain)
    if not isinstance(value, dict):
        raise ValueError(
            "must be a distribution table like { dist = \"exponential\", mean = \"2min\" }"
            f" or a duration (got {value!r})"
        )
    if "dist" not in value:
        raise ScenarioError("dist", f"missing (allowed: {', '.join(_DISTS)})")
    kind = value["dist"]
    if not isinstance(kind, str) or kind not in _DISTS:
        hint = did_you_mean(str(kind), _DISTS)
        raise ScenarioError(
            "dist", f"unknown distribution {kind!r}{hint} (allowed: {', '.join(_DISTS)})"
        )
    cls, required, optional = _DISTS[kind]
    for key in value:
        if key != "dist" and key not in required + optional:
            hint = did_you_mean(key, required + optional)
            allowed = ", ".join(("dist", *required, *optional))
            raise ScenarioError(key, f"unknown key{hint} (allowed for {kind}: {allowed})")
    for key in required:
        if key not in value:
            raise ScenarioError(key, f"missing (a {kind} distribution needs {', '.join(required)})")
    if kind == "empirical":
        values = _empirical_values(value["values"])
        return dists.Empirical(values, _empirical_weights(value.get("weights", []), len(values)))
    if kind == "uniform":
        low, high = _duration_at(value, "low"), _duration_at(value, "high")
        if not 0 <= low <= high:
            raise ScenarioError("high", "must be >= low >= 0")
        return dists.Uniform(low, high)
    if kind == "fixed":
        fixed = _duration_at(value, "value")
        if fixed < 0:
            raise ScenarioError("value", f"must be >= 0 (got {value['value']!r})")
        return dists.Fixed(fixed)
    mean = _positive_duration(value, "mean")
    if "cv" in value:
        try:
            cv = _strict_float(value["cv"], float)
        except ValueError as e:
            raise ScenarioError("cv", str(e)) from None
        if not CV_RANGE[0] <= cv <= CV_RANGE[1]:
            raise ScenarioError("cv", f"must be a coefficient of variation from {CV_RANGE[0]:g}"
                                f" to {CV_RANGE[1]:g} (got {cv:g})")
        return cls(mean, cv)
    return cls(mean)


#: The coefficients of variation a lognormal or gamma distribution may have: beyond them
#: the parameters overflow (gamma's shape is 1/cv², lognormal's sigma² is log(1 + cv²)).
CV_RANGE = (1e-6, 1e3)


def _empirical_weights(weights: object, n: int) -> tuple[float, ...]:
    """An empirical distribution's weights: none, or *n* finite non-negative numbers with a
    finite positive sum."""
    wrong = "must be one finite non-negative weight per value, not all zero"
    if not isinstance(weights, list):
        raise ScenarioError("weights", f"{wrong} (got {_type_name(weights)})")
    if not weights:
        return ()
    if len(weights) != n:
        raise ScenarioError("weights", f"{wrong} (got {len(weights)} weights for {n} values)")
    for i, w in enumerate(weights):
        if isinstance(w, bool) or not isinstance(w, int | float):
            raise ScenarioError(f"weights[{i}]", f"{wrong} (got {_type_name(w)}: {w!r})")
        if not (math.isfinite(w) and w >= 0) or (isinstance(w, int) and w > 1e300):
            raise ScenarioError(f"weights[{i}]", f"{wrong} (got {w!r})")
    total = sum(float(w) for w in weights)  # inf when it overflows (fsum would raise)
    if not 0 < total < math.inf:
        raise ScenarioError("weights", f"{wrong} (they add up to {total:g})")
    return tuple(float(w) for w in weights)


def _structure_patience(value: object, _: type) -> Any:
    """A segment's patience: one distribution, or a table of one per channel."""
    if value is None:
        return None
    dist_keys = {"dist", *(k for _, req, opt in _DISTS.values() for k in (*req, *opt))}
    if isinstance(value, dict) and value and not dist_keys & set(value):
        out = {}
        for channel, dist in value.items():
            try:
                out[channel] = _structure_dist(dist, dists.Distribution)
            except ScenarioError as e:
                raise ScenarioError(_join(channel, e.path), e.message) from None
            except ValueError as e:
                raise ScenarioError(channel, str(e)) from None
        return out
    return _structure_dist(value, dists.Distribution)


def _structure_self_service(value: object, _: type) -> schema.SelfServiceSpec:
    """``app = 0.4`` is short for ``app = { success = 0.4 }``."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return _self_service_fn(value, schema.SelfServiceSpec)
    try:
        return _self_service_fn({"success": value}, schema.SelfServiceSpec)
    except Exception as e:  # the file has no 'success' key to point at
        raise ScenarioError("", _locate(e, "").message) from None


def _structure_history(value: object, _: type) -> str | list[list[str]] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list) and all(
        isinstance(g, list) and all(isinstance(c, str) for c in g) for g in value
    ):
        return value
    raise ValueError(
        "must be 'siloed', 'unified' or a list of channel groups like [[\"chat\", \"sms\"]]"
        f" (got {value!r})"
    )


def _structure_literal(value: object, type_: Any) -> Any:
    allowed = typing.get_args(type_)
    if value not in allowed:
        hint = did_you_mean(str(value), [str(a) for a in allowed])
        raise ValueError(
            f"must be one of {', '.join(map(repr, allowed))} (got {value!r}){hint}"
        )
    return value


def _schema_class_hook(cls: type) -> Any:
    """The structure hook of a schema class, whose validator errors name their field.

    cattrs attributes a value it cannot convert to its field, but an attrs validator runs
    in ``cls.__init__``, after every field converted; the schema's validators raise a
    :class:`ScenarioError` that names its field, which is passed on as it is.
    """
    base: Any
    if cls is schema.Journey:  # 'from' is a Python keyword
        base = make_dict_structure_fn(
            cls, converter, _cattrs_forbid_extra_keys=True, source=override(rename="from")
        )
    else:
        base = make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=True)

    def structure(value: object, _: type) -> Any:
        if not isinstance(value, dict):
            raise ValueError(f"must be a table (got {_type_name(value)}: {value!r})")
        try:
            return base(value, cls)
        except ClassValidationError as exc:
            for sub in exc.exceptions:
                if isinstance(sub, ScenarioError) and _raised_by_init(sub):
                    raise ScenarioError(sub.path, sub.message) from None
            raise

    return structure


def _raised_by_init(exc: BaseException) -> bool:
    """Whether cattrs caught *exc* from ``cls.__init__`` rather than from one field."""
    notes = getattr(exc, "__notes__", [])
    return not any(isinstance(note, AttributeValidationNote) for note in notes)


_SCHEMA_CLASSES = frozenset(
    obj
    for obj in vars(schema).values()
    if isinstance(obj, type) and attrs.has(obj) and obj.__module__ == schema.__name__
)

converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
converter.register_structure_hook_factory(lambda t: t in _SCHEMA_CLASSES, _schema_class_hook)
converter.register_structure_hook(int, _strict_int)
converter.register_structure_hook(float, _strict_float)
converter.register_structure_hook(str, _strict_str)
converter.register_structure_hook(bool, _strict_bool)
converter.register_structure_hook(schema.Duration, _duration)
converter.register_structure_hook(schema.Rate, _rate)
converter.register_structure_hook(dists.Distribution, _structure_dist)
converter.register_structure_hook(str | list[list[str]] | None, _structure_history)
converter.register_structure_hook(dists.Distribution | dict[str, dists.Distribution] | None,
                                  _structure_patience)
converter.register_structure_hook_func(
    lambda t: typing.get_origin(t) is typing.Literal, _structure_literal
)
converter.register_structure_hook_func(lambda t: typing.get_origin(t) is list, _strict_list)
converter.register_structure_hook_func(lambda t: typing.get_origin(t) is dict, _strict_dict)
_self_service_fn = _schema_class_hook(schema.SelfServiceSpec)
converter.register_structure_hook(schema.SelfServiceSpec, _structure_self_service)


def _file_keys(cls: type) -> list[str]:
    return ["from" if f.name == "source" else f.name for f in attrs.fields(cls)]


def _join(path: str, sub: str) -> str:
    if not sub:
        return path
    if not path:
        return sub.lstrip(".")
    return f"{path}{sub}" if sub.startswith("[") else f"{path}.{sub}"


def _locate(exc: BaseException, path: str) -> ScenarioError:
    """Turn cattrs' tree of errors into the first error, with its full field path."""
    if isinstance(exc, ScenarioError):
        return ScenarioError(_join(path, exc.path), exc.message)
    if isinstance(exc, ForbiddenExtraKeysError):
        key = sorted(exc.extra_fields)[0]
        allowed = _file_keys(exc.cl) if attrs.has(exc.cl) else []
        hint = did_you_mean(key, allowed)
        return ScenarioError(
            _join(path, key), f"unknown key{hint} (allowed: {', '.join(allowed)})"
        )
    if isinstance(exc, ClassValidationError | IterableValidationError):
        # an unknown key first: a misspelt key explains the required one "missing"
        subs = sorted(exc.exceptions, key=lambda e: not isinstance(e, ForbiddenExtraKeysError))
        for sub in subs:
            sub_path = path
            for note in getattr(sub, "__notes__", []):
                if hasattr(note, "name"):
                    name = "from" if note.name == "source" else note.name
                    sub_path = _join(path, name)
                elif hasattr(note, "index"):
                    index = note.index
                    sub_path = _join(path, f"[{index}]" if isinstance(index, int) else index)
            if isinstance(sub, KeyError):
                return ScenarioError(sub_path, "missing (this field is required)")
            return _locate(sub, sub_path)
    if isinstance(exc, KeyError):
        return ScenarioError(path, "missing (this field is required)")
    message = str(exc)
    if "invalid literal" in message or "could not convert" in message:
        message = f"wrong type ({message})"
    return ScenarioError(path, message)


def parse_scenario(data: dict[str, Any]) -> schema.Scenario:
    """Structure and validate an already parsed TOML document.

    Raises :class:`ScenarioError` (without a file name) at the first mistake.
    """
    try:
        # [uncertain] is for `omnisim sensitivity` (sim.scenario.uncertain); checked here
        scenario = converter.structure({k: v for k, v in data.items() if k != "uncertain"},
                                       schema.Scenario)
    except Exception as exc:  # cattrs gathers every error; report the first one
        raise _locate(exc, "") from None
    validate(scenario)
    if "uncertain" in data:
        parse_uncertain(data["uncertain"])
    return scenario


#: The largest scenario file read, in bytes.
MAX_FILE_BYTES = 64 * 1024 * 1024


def _read_text(path: str | Path) -> str:
    """The text of the regular file at *path* (a UTF-8 byte-order mark dropped).

    Raises :class:`ScenarioError` without a file name for a file that is missing, not a
    regular file (a folder, a FIFO: reading one could block for ever), too large, or not
    UTF-8 text.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        raise ScenarioError("", f"cannot read the file ({e.strerror})") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise ScenarioError("", f"cannot read the file ({kind}; allowed: a TOML file)")
    with os.fdopen(fd, "rb") as f:
        if info.st_size > MAX_FILE_BYTES:
            raise ScenarioError("", f"cannot read the file ({info.st_size:,} bytes; allowed: at"
                                f" most {MAX_FILE_BYTES:,})")
        try:
            data = f.read(MAX_FILE_BYTES + 1)
        except OSError as e:
            raise ScenarioError("", f"cannot read the file ({e.strerror})") from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise ScenarioError(
            "", f"cannot read the file (not UTF-8 text: byte {e.start} is {data[e.start]:#x})"
        ) from None


def _parse_toml(text: str) -> dict[str, Any]:
    """The TOML document *text*; raises :class:`ScenarioError` for any mistake in it."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError("", f"not valid TOML: {e}") from None
    except RecursionError:
        raise ScenarioError("", "not valid TOML: arrays or tables nested too deeply "
                            "(allowed: a few levels, as in the documented tables)") from None


def load_scenario(path: str | Path) -> schema.Scenario:
    """Read, structure and validate the scenario file at *path*.

    Raises :class:`ScenarioError` whose message starts with the file name.
    """
    try:
        return parse_scenario(_parse_toml(_read_text(path)))
    except ScenarioError as e:
        raise e.in_file(str(path)) from None
    except RecursionError:
        raise ScenarioError("", "nested too deeply (allowed: the documented tables)",
                            str(path)) from None


def read_document(path: str | Path) -> dict[str, Any]:
    """The TOML document of the scenario file at *path*, read as :func:`load_scenario` reads
    it (a byte-order mark dropped; FIFOs, huge files and deep nesting refused).

    Raises :class:`ScenarioError` whose message starts with the file name.
    """
    try:
        return _parse_toml(_read_text(path))
    except ScenarioError as e:
        raise e.in_file(str(path)) from None
