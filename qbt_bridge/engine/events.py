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


# The kinds fronts announce (MQTT events topic, Home Assistant bus and event entity, chat).
ANNOUNCED = ("added", "completed", "removed", "errored", "low_disk_space", "disk_space_ok")


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
