"""What the engine reports after a refresh: one small immutable record per change."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from qbt_bridge.core.models import Torrent, TorrentState


class EventKind(StrEnum):
    """The kinds of event; fronts map them to bus events, MQTT messages and chat lines."""

    ADDED = "added"
    REMOVED = "removed"
    STATE_CHANGED = "state_changed"
    COMPLETED = "completed"
    ERRORED = "errored"
    ALT_SPEED_CHANGED = "alt_speed_changed"
    CONNECTION_LOST = "connection_lost"
    CONNECTION_RESTORED = "connection_restored"
    LOW_DISK_SPACE = "low_disk_space"
    DISK_SPACE_OK = "disk_space_ok"
    PORT_CHANGED = "port_changed"  # the listening port set from the port file
    STALLED = "stalled"  # a download stuck past the watchdog's time (once per episode)


# The kinds fronts announce (MQTT events topic, Home Assistant bus and event entity, chat).
ANNOUNCED = (
    "added", "completed", "removed", "errored", "stalled", "low_disk_space", "disk_space_ok",
    "port_changed",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Event:
    """One change seen by the engine; ``torrent`` is None for global events."""

    kind: EventKind
    instance_id: str = ""
    torrent: Torrent | None = None
    hash: str = ""
    name: str = ""
    old_state: TorrentState | None = None
    new_state: TorrentState | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly form for fronts (no tracker URLs, no magnet links)."""
        out: dict[str, Any] = {"event": self.kind.value, "instance": self.instance_id}
        if self.hash:
            out["hash"] = self.hash
            out["name"] = self.name
        if self.torrent is not None:
            out["category"] = self.torrent.category
            out["tags"] = list(self.torrent.tags)
            out["save_path"] = self.torrent.save_path
            out["size"] = self.torrent.size
        if self.old_state is not None:
            out["old_state"] = self.old_state.value
        if self.new_state is not None:
            out["new_state"] = self.new_state.value
        out.update(self.detail)
        return out


def torrent_event(kind: EventKind, torrent: Torrent, instance_id: str, **extra: Any) -> Event:
    """An event about one torrent."""
    return Event(kind, instance_id, torrent, torrent.hash, torrent.name, **extra)


def _happened_at(event: Event) -> int:
    """When the torrent was added or completed, as qBittorrent says (0: not known)."""
    if event.torrent is None:
        return 0
    if event.kind is EventKind.ADDED:
        return event.torrent.added_on
    if event.kind is EventKind.COMPLETED:
        return event.torrent.completion_on
    return 0


def in_order(events: list[Event]) -> list[Event]:
    """One refresh's events in the order they happened.

    A refresh lists torrents in the server's (or hash) order, so two torrents added or finished
    seconds apart can come reversed. The events that carry a time (added, completed) are put in
    time order among their own places; the rest stay where they are.
    """
    timed = [i for i, event in enumerate(events) if _happened_at(event) > 0]
    ordered = sorted(timed, key=lambda i: (_happened_at(events[i]), i))
    result = list(events)
    for place, source in zip(timed, ordered, strict=True):
        result[place] = events[source]
    return result
