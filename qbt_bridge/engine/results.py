"""What the engine's commands answer, shared by the parts that answer it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What a command did: the torrents it touched and whether the change showed in time."""

    hashes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    confirmed: bool = True
    message: str = ""
    until: float | None = None  # given for a while: when it is undone (seconds since the epoch)


@dataclass(frozen=True, slots=True)
class AddOutcome:
    """The outcome of an add: the hash (when known before the server fetched the link)."""

    hash: str | None
    name: str | None
    already_present: bool = False
    confirmed: bool = True
