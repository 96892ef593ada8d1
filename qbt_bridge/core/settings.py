"""Settings declared once: each field of a settings dataclass carries its check, bounds and help.

A settings class (the engine's ``ServerSettings``, ``RefreshPolicy``, ``DiskGuard``,
``TorrentFilter``; the fronts' own) declares each setting with ``setting()``: its default is the
field's default. ``schema()`` turns those fields into voluptuous markers — the daemon's YAML
schema is made of them, Home Assistant's forms take their defaults from ``default()`` — and a
validated mapping builds the class with no field renamed. Each marker's ``description`` is the
setting's one line of help, which the generated configuration reference prints.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable
from typing import Any

import voluptuous as vol

from qbt_bridge.core.models import StateGroup

_HELP = "help"
_CHECK = "check"


def integer(value: Any) -> int:
    """An integer, and not a boolean (YAML's ``true`` is 1 to Python, never a port)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise vol.Invalid("expected int")
    return value


def state_group(value: Any) -> str:
    """A state group by any release's name for it (``paused`` is ``stopped``)."""
    group = StateGroup.parse(value) if isinstance(value, str) else None
    if group is None:
        raise vol.Invalid(f"expected one of {', '.join(g.value for g in StateGroup)}")
    return group.value


STATE_GROUP = vol.All(str, state_group)
SECONDS = vol.Coerce(float)
NUMBER = vol.Coerce(float)  # any number (a ratio …), told apart from seconds in the references
TEXT = vol.All(str, vol.Length(min=1))


def setting(
    *,
    default: Any = dataclasses.MISSING,
    help: str,
    check: Any = str,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Any:
    """A dataclass field that is a setting: default, check (a voluptuous validator), help.

    A default of None makes the setting optional without a default; no default makes it
    required. ``minimum`` and ``maximum`` bound a number (inclusive).
    """
    if minimum is not None or maximum is not None:
        check = vol.All(check, vol.Range(min=minimum, max=maximum))
    metadata = {_HELP: help, _CHECK: check}
    if isinstance(default, (set, frozenset, list, dict)):
        empty = type(default)
        return dataclasses.field(default_factory=lambda: empty(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def names_of(check: Any) -> Callable[[Any], frozenset[Any]]:
    """A check for a set of values (a list in YAML, any collection in code), each checked."""

    def validate(value: Any) -> frozenset[Any]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Collection):
            raise vol.Invalid("expected a list")
        each = vol.Schema(check)
        found = set()
        for index, item in enumerate(value):
            try:
                found.add(each(item))
            except vol.Invalid as err:
                raise vol.Invalid(err.msg, path=[index]) from None
        return frozenset(found)

    return validate


def _settings(cls: type, only: Iterable[str] | None) -> list[dataclasses.Field[Any]]:
    wanted = set(only) if only is not None else None
    found = [f for f in dataclasses.fields(cls) if _HELP in f.metadata]
    if wanted is not None:
        unknown = wanted - {f.name for f in found}
        if unknown:
            raise ValueError(f"{cls.__name__} has no setting {min(unknown)!r}")
        found = [f for f in found if f.name in wanted]
    return found


def default(cls: type, name: str) -> Any:
    """The default of one setting of a settings class (MISSING when it has none)."""
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    return field.default


def bounds(cls: type, name: str) -> tuple[float | None, float | None]:
    """The (minimum, maximum) a setting of a settings class was declared with."""
    check = next(f for f in dataclasses.fields(cls) if f.name == name).metadata[_CHECK]
    found = [v for v in getattr(check, "validators", ()) if isinstance(v, vol.Range)]
    if not found:
        return None, None
    low, high = found[0].min, found[0].max
    return (None if low is None else float(str(low)), None if high is None else float(str(high)))


def schema(cls: type, *, only: Iterable[str] | None = None) -> dict[vol.Marker, Any]:
    """The voluptuous markers of a settings class (or of ``only`` those settings)."""
    markers: dict[vol.Marker, Any] = {}
    for field in _settings(cls, only):
        help_text = field.metadata[_HELP]
        value = default(cls, field.name)
        if value is dataclasses.MISSING:
            marker: vol.Marker = vol.Required(field.name, description=help_text)
        elif value is None:
            marker = vol.Optional(field.name, description=help_text)
        else:
            marker = vol.Optional(field.name, default=value, description=help_text)
        markers[marker] = field.metadata[_CHECK]
    return markers
