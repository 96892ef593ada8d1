"""The disk-space guard: events when qBittorrent's free space falls low and comes back.

Optionally its downloads are paused when it falls, and exactly those resumed when it is back.

qBittorrent reports the free space of its default save path's disk (``free_space_on_disk``),
not the disk's size, so the threshold is an amount of bytes, not a share.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import voluptuous as vol

from qbt_bridge.clients import TorrentClient
from qbt_bridge.core.models import StateGroup
from qbt_bridge.core.settings import setting
from qbt_bridge.core.units import format_bytes, parse_size
from qbt_bridge.engine.events import Event, EventKind
from qbt_bridge.engine.store import SyncStore

_LOGGER = logging.getLogger(__name__)

RECOVER_FACTOR = 1.1  # free space counts as back at 110 % of the threshold (no flapping)
GUARD_SWEEP = 60.0  # seconds: the soonest sweep for fresh free space while something downloads


def _size(value: Any) -> int:
    """Bytes as ``50G``, ``512M`` or a number (binary units)."""
    try:
        size = parse_size(value)
    except ValueError as err:
        raise vol.Invalid(str(err)) from None
    if size <= 0:
        raise vol.Invalid("expected more than 0 bytes (50G, 512M …)")
    return size


@dataclass(frozen=True, slots=True)
class DiskGuard:
    """A threshold of free bytes, and whether to pause downloads below it.

    Below ``min_free``: ``low_disk_space`` (with ``pause``, the downloads stopped); at 110 %
    of it again: ``disk_space_ok`` (and those resumed).
    """

    min_free: int = setting(
        help="free space below which it is low: 50G, 512M or bytes", check=_size
    )
    pause: bool = setting(
        default=False,
        help="pause the downloads while it is low (and resume exactly those)",
        check=bool,
    )

    @property
    def recover_at(self) -> int:
        """Free bytes at which the space counts as back."""
        return round(self.min_free * RECOVER_FACTOR)


async def watch_disk(guard: DiskGuard, store: SyncStore, client: TorrentClient) -> list[Event]:
    """Compare the free space with the guard's threshold; act and say so when it is crossed.

    What the guard paused, and whether the space is low, live in the store's ledger, so a
    restart in between still resumes exactly those.
    """
    free = store.server().free_space_on_disk
    ledger = store.ledger
    if free is None:
        return []
    detail: dict[str, int] = {"free": free, "threshold": guard.min_free}
    if not ledger.low_disk and free < guard.min_free:
        paused: list[str] = []
        if guard.pause:
            paused = [h for h in store.hashes() if _will_write(store, h)]
            if paused:
                await client.pause(paused)
        ledger.low_disk = True
        ledger.paused_by_guard |= set(paused)
        ledger.save()
        _LOGGER.warning(
            "%s: %s free, below %s; %d downloads paused",
            store.instance_id, format_bytes(free), format_bytes(guard.min_free), len(paused),
        )  # fmt: skip
        return [
            Event(
                EventKind.LOW_DISK_SPACE,
                store.instance_id,
                detail={**detail, "paused": len(paused)},
            )
        ]
    if ledger.low_disk and free >= guard.recover_at:
        resumed = [h for h in ledger.paused_by_guard if h in store and store.state(h).is_stopped]
        if resumed:
            await client.resume(resumed)
        ledger.low_disk = False
        ledger.paused_by_guard.clear()
        ledger.save()
        _LOGGER.info(
            "%s: %s free again; %d downloads resumed",
            store.instance_id, format_bytes(free), len(resumed),
        )  # fmt: skip
        return [
            Event(
                EventKind.DISK_SPACE_OK,
                store.instance_id,
                detail={**detail, "resumed": len(resumed)},
            )
        ]
    return []


def _will_write(store: SyncStore, torrent_hash: str) -> bool:
    """Running and not complete: downloading, waiting for peers or its turn, or being checked."""
    state = store.state(torrent_hash)
    if state.is_stopped or StateGroup.ERRORED in store.groups(torrent_hash):
        return False
    return float(store.raw(torrent_hash).get("progress") or 0) < 1


def wants_fresh_space(guard: DiskGuard | None, store: SyncStore) -> bool:
    """Whether free space should be read more often than sweeps come: a guard, and downloads."""
    return guard is not None and any(
        StateGroup.DOWNLOADING in store.groups(h) for h in store.active_hashes()
    )
