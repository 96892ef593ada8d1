"""A torrent's content: its files, and the priorities qBittorrent gives them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Self

from qbt_bridge.core.models import WireModel


class FilePriority(IntEnum):
    """qBittorrent's file priorities (``torrents/filePrio``); "skip" is "do not download"."""

    SKIP = 0
    NORMAL = 1
    HIGH = 6
    MAX = 7

    @classmethod
    def parse(cls, value: Any) -> Self:
        """A priority by name (``skip``, ``normal``, ``high``, ``max``) or qBittorrent's number.

        Raises ValueError naming the choices.
        """
        if isinstance(value, str) and value.strip().upper() in cls.__members__:
            return cls[value.strip().upper()]
        if isinstance(value, int) and not isinstance(value, bool):
            if value in {p.value for p in cls}:
                return cls(value)
            if 2 <= value <= 5:
                return cls(cls.NORMAL)
        raise ValueError(f"expected one of {', '.join(p.name.lower() for p in cls)}")

    @property
    def word(self) -> str:
        """The priority's name as people say it."""
        return self.name.lower()


def _priority(value: Any) -> FilePriority:
    try:
        return FilePriority.parse(int(value))
    except (TypeError, ValueError):
        return FilePriority.NORMAL


@dataclass(frozen=True, slots=True)
class TorrentFile(WireModel):
    """One file of a torrent as ``torrents/files`` describes it."""

    index: int = 0
    name: str = ""
    size: int = 0
    progress: float = 0.0
    priority: FilePriority = FilePriority.NORMAL
    availability: float = 0.0

    @classmethod
    def from_row(cls, row: dict[str, Any], position: int) -> Self:
        """A row of ``torrents/files`` (``index`` is there from WebAPI 2.8.2; else its place)."""
        return cls.from_api({**row, "index": row.get("index", position),
                             "priority": _priority(row.get("priority", 1))})  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        """For answers: the file's index, path, size, progress and priority by name."""
        return {"index": self.index, "name": self.name, "size": self.size,
                "progress": round(self.progress, 4), "priority": self.priority.word}  # fmt: skip
