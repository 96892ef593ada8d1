"""What each command's arguments are, read from the table's own schemas.

Fronts and generated references (Home Assistant's ``services.yaml``) describe a command from
here, so an argument, its bounds and its choices are declared once: in ``commands.COMMANDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, cast

import voluptuous as vol

from qbt_bridge.api.commands import CHOICES, COMMANDS, TEXT_LISTS, Command, duration
from qbt_bridge.api.handlers import b64


class Kind(StrEnum):
    """What sort of value an argument takes."""

    TEXT = "text"
    TEXTS = "texts"  # one text or a list of them
    BOOLEAN = "boolean"
    INTEGER = "integer"
    CHOICE = "choice"
    OBJECT = "object"  # a JSON object
    FILE = "file"  # a .torrent's bytes
    DURATION = "duration"  # 30m, 2h, 1d, seconds, or days/hours/minutes/seconds


@dataclass(frozen=True, slots=True)
class Argument:
    """One argument of a command."""

    name: str
    kind: Kind
    required: bool = False
    default: Any = None  # None: no default
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] = ()
    multiple: bool = False  # a choice that takes several


def arguments(command: Command | str) -> list[Argument]:
    """The arguments of a command, in the table's order."""
    entry = COMMANDS[command] if isinstance(command, str) else command
    found = []
    for marker, validator in entry.schema.schema.items():
        default = marker.default() if marker.default is not vol.UNDEFINED else None
        shape = _shape(validator)
        found.append(
            replace(
                shape,
                name=str(marker.schema),
                required=isinstance(marker, vol.Required),
                default=default,
            )
        )
    return found


_TYPES: dict[type, Kind] = {
    bool: Kind.BOOLEAN,
    int: Kind.INTEGER,
    str: Kind.TEXT,
    dict: Kind.OBJECT,
}


def _shape(validator: Any) -> Argument:  # noqa: C901, PLR0911 - one case per validator form
    """The kind and bounds of one validator (the forms the table uses)."""
    if isinstance(validator, type) and validator in _TYPES:
        return Argument("", _TYPES[validator])
    if callable(validator) and validator in TEXT_LISTS:
        return Argument("", Kind.TEXTS)
    if callable(validator) and validator in CHOICES:
        choices, multiple = CHOICES[validator]
        return Argument("", Kind.CHOICE, choices=tuple(choices), multiple=multiple)
    if validator is b64:
        return Argument("", Kind.FILE)
    if validator is duration:
        return Argument("", Kind.DURATION)
    if isinstance(validator, list):
        return Argument("", Kind.TEXTS)
    if isinstance(validator, vol.In):
        return Argument(
            "",
            Kind.CHOICE,
            choices=tuple(str(c) for c in cast("Iterable[Any]", validator.container)),
        )
    if isinstance(validator, vol.All):
        return _all(validator.validators)
    if isinstance(validator, vol.Any):
        shapes = [_shape(v) for v in validator.validators if v is not None]
        kinds = {s.kind for s in shapes}
        if Kind.TEXTS in kinds:  # one or a list
            return Argument("", Kind.TEXTS)
        return shapes[0]
    return Argument("", Kind.TEXT)


def _all(validators: Iterable[Callable[..., Any]]) -> Argument:
    shape = Argument("", Kind.TEXT)
    for validator in validators:
        if isinstance(validator, vol.Range):
            low, high = validator.min, validator.max
            shape = replace(
                shape,
                minimum=None if low is None else int(str(low)),
                maximum=None if high is None else int(str(high)),
            )
        elif isinstance(validator, vol.Length):
            continue
        else:
            shape = _shape(validator)
    return shape
