"""Names a scenario defines, checked before anything uses them.

A design's name becomes part of a file name (the saved units of a resumable run), and
every name of a pool, segment, intent or design becomes a key in the results files. So a
name must be something a file system and a reader can take at face value: not empty, at
most :data:`MAX_LENGTH` characters, no path separator, no ``..``, and no control or
invisible character (Unicode categories Cc, Cf, Cs, Co, Cn, Zl, Zp, spaces other than
the plain space, and the few letters that print as nothing). Two names of one kind that
differ only in case or Unicode compatibility form (``Voice`` and ``voice``, ``ﬁx`` and
``fix``) are refused too: they would clash as file names on many systems.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

from ..errors import ScenarioError

__all__ = [
    "ALLOWED",
    "ALLOWED_TITLE",
    "MAX_LENGTH",
    "check_distinct",
    "check_name",
    "fold",
    "key_path",
]

#: The longest name allowed, in characters.
MAX_LENGTH = 100
#: What a name may be, as every refusal says it.
ALLOWED = (f"allowed: 1 to {MAX_LENGTH} visible characters, without '/', '\\', '..', control "
           "or invisible characters, or spaces at either end")

#: What the scenario's own name may be.
ALLOWED_TITLE = (f"allowed: 1 to {MAX_LENGTH} visible characters, without control or "
                 "invisible characters, or spaces at either end")

_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"})
# letters and symbols that print as nothing (Hangul fillers, the braille blank)
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key_path(parent: str, name: str) -> str:
    """``parent.name``, the name quoted as TOML quotes it when it is not a bare key."""
    shown = name if _BARE_KEY.match(name) else json.dumps(name)
    return f"{parent}.{shown}" if parent else shown


def _what_is_wrong(name: str, file_name: bool = True) -> str | None:
    """Why *name* is not allowed, or ``None`` when it is (path separators and ``..`` are
    allowed when it never becomes a file name as it is)."""
    if not name:
        return "is empty"
    if len(name) > MAX_LENGTH:
        return f"is {len(name)} characters long"
    for char in name:
        if char == " ":
            continue
        if unicodedata.category(char) in _BAD_CATEGORIES or char in _INVISIBLE:
            return f"contains the invisible or control character U+{ord(char):04X}"
    if name != name.strip():
        return "starts or ends with a space"
    if not file_name:
        return None
    if "/" in name or "\\" in name:
        return "contains a path separator"
    if ".." in name:
        return "contains '..'"
    return None


def check_name(path: str, name: str, what: str, file_name: bool = True) -> None:
    """Raise :class:`ScenarioError` at *path* unless *name* is an allowed name of a *what*.

    With ``file_name=False`` (the scenario's name, only ever slugged into a folder name:
    ``M/M/n`` is fine) path separators and ``..`` are allowed.
    """
    wrong = _what_is_wrong(name, file_name)
    if wrong is not None:
        allowed = ALLOWED if file_name else ALLOWED_TITLE
        raise ScenarioError(path, f"the {what} name {name!r} {wrong} ({allowed})")


def fold(name: str) -> str:
    """The form two names that would clash as file names share (NFKC, case-folded)."""
    return unicodedata.normalize("NFKC", name).casefold()


def check_distinct(names: Iterable[tuple[str, str]], what: str) -> None:
    """Refuse two of (*path*, *name*) that differ only in case or compatibility form.

    Names equal as they are pass here (a duplicate is reported by the table's own rule).
    """
    seen: dict[str, str] = {}
    for path, name in names:
        key = fold(name)
        other = seen.get(key)
        if other is not None and other != name:
            raise ScenarioError(path, f"the {what} name {name!r} clashes with {other!r}"
                                " (names must differ in more than case or Unicode form)")
        seen.setdefault(key, name)
