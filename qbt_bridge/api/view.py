"""A page of the torrent list (filtered, sorted) and what changed in it since it was last sent.

The ``list`` command answers a page; Home Assistant's dashboard card subscribes to one and is
sent the first page, then only the rows, the order and the header figures that changed. Both
read the engine's store as it is: nothing here asks qBittorrent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from qbt_bridge.api.answers import torrent_summary
from qbt_bridge.engine.snapshot import Snapshot, state_of

# qBittorrent's "no ETA" (100 days), sorted after every real one
_NO_ETA = 8640000


def _number(key: str) -> Callable[[Mapping[str, Any]], Any]:
    return lambda raw: raw.get(key) or 0


# The columns a page can be sorted by: each one's key on the store's mapping of a torrent.
SORTS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "added_on": _number("added_on"),
    "name": lambda raw: str(raw.get("name") or "").casefold(),
    "progress": _number("progress"),
    "state": lambda raw: state_of(raw).word,
    "download_speed": _number("dlspeed"),
    "upload_speed": _number("upspeed"),
    "eta": lambda raw: min(int(raw.get("eta") or _NO_ETA), _NO_ETA),
    "ratio": _number("ratio"),
    "size": _number("size"),
    "category": lambda raw: str(raw.get("category") or "").casefold(),
}


def page(store: Snapshot, args: Mapping[str, Any]) -> tuple[int, list[str]]:
    """How many torrents pass the filters, and the hashes of the asked page in the asked order.

    ``args`` are the ``list`` command's: ``state``, ``category``, ``tag``, ``name`` filter;
    ``sort`` (one of ``SORTS``) and ``descending`` order, ``offset`` and ``limit`` cut the page.
    Ties keep the newest first.
    """
    hits = store.select(
        state=args.get("state"),
        category=args.get("category"),
        tag=args.get("tag"),
        name=args.get("name") or None,
    )
    sort = args.get("sort", "added_on")
    descending = bool(args.get("descending", True))
    if sort != "added_on" or not descending:
        key = SORTS[sort]
        hits.sort(key=lambda h: key(store.raw(h)), reverse=descending)
    offset = int(args.get("offset", 0))
    return len(hits), hits[offset : offset + int(args.get("limit", 100))]


def header(store: Snapshot) -> dict[str, Any]:
    """The server's figures above the list: speeds, free space, alt speed, counts, labels."""
    server = store.server()
    return {
        "download_speed": server.download_speed,
        "upload_speed": server.upload_speed,
        "free_space": server.free_space_on_disk,
        "alt_speed": server.alt_speed_enabled,
        "connection": server.connection_status,
        "counts": store.counts(),
        "categories": sorted(store.categories),
        "tags": sorted(store.tags),
    }


def row(store: Snapshot, torrent_hash: str) -> dict[str, Any]:
    """A torrent's row: what the list command answers, plus its state as the release says it.

    ``status`` is qBittorrent's own state (``pausedUP`` on 4.x, ``stoppedUP`` on 5.x).
    """
    torrent = store.torrent(torrent_hash)
    if torrent is None:
        return {"hash": torrent_hash}
    return {**torrent_summary(torrent), "status": str(store.raw(torrent_hash).get("state", ""))}


class Watch:
    """One subscriber's page: the first one whole, then what changed since it was sent."""

    def __init__(self, args: Mapping[str, Any]) -> None:
        self.args = dict(args)  # the list command's arguments, validated
        self._generation = -1
        self._count = -1
        self._order: list[str] = []
        self._rows: dict[str, dict[str, Any]] = {}
        self._header: dict[str, Any] = {}

    def first(self, store: Snapshot) -> dict[str, Any]:
        """The whole page: ``count``, ``offset``, ``order``, ``rows`` (by hash) and ``header``."""
        self._generation = -1
        self._count, self._order, self._rows, self._header = -1, [], {}, {}
        return self.changes(store) or {}

    def changes(self, store: Snapshot) -> dict[str, Any] | None:
        """What differs from what was last sent (None: nothing).

        ``rows`` holds only new or changed rows; ``order`` is sent when the page's hashes or
        their order changed (a row not in it is gone); ``header`` when a figure changed.
        """
        out: dict[str, Any] = {}
        head = header(store)
        if head != self._header:
            out["header"] = self._header = head
        if store.generation != self._generation:
            self._generation = store.generation
            count, order = page(store, self.args)
            rows = {h: row(store, h) for h in order}
            changed = {h: row for h, row in rows.items() if self._rows.get(h) != row}
            if changed:
                out["rows"] = changed
            if order != self._order or count != self._count:
                out["order"], out["count"] = order, count
                out["offset"] = int(self.args.get("offset", 0))
            self._order, self._rows, self._count = order, rows, count
        return out or None
