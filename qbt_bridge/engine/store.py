"""One consistent snapshot of a torrent client, kept current from deltas, and the events.

The store is fed by the bridge: ``sync/maindata`` answers (full or partial), targeted
``torrents/info?hashes=`` answers and ``transfer/info``. Each feed returns the events it caused.
What fronts read of it is ``snapshot.Snapshot``; the ledger on disk is ``ledger.py``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from qbt_bridge.core.models import MainData, TorrentState, TransferInfo
from qbt_bridge.engine.events import Event, EventKind, torrent_event
from qbt_bridge.engine.ledger import CompletionLedger
from qbt_bridge.engine.snapshot import (
    ACTIVE_STATES,
    DROPPED_KEYS,
    ERROR_STATES,
    NEUTRAL_STATES,
    UNSETTLED_STATES,
    WAITING_STATES,
    Record,
    Snapshot,
    state_of,
)

__all__ = ["DROPPED_KEYS", "CompletionLedger", "Snapshot", "SyncStore"]

_LOGGER = logging.getLogger(__name__)


class SyncStore(Snapshot):
    """The snapshot of one client, kept current: each feed returns the events it caused."""

    def __init__(self, instance_id: str = "", ledger: CompletionLedger | None = None) -> None:
        super().__init__(instance_id)
        self.ledger = ledger or CompletionLedger()
        self.rid = 0
        self.initialised = False
        # Torrents first seen unsettled, at the start or while qBittorrent loads them: the
        # first settled view of each is its baseline (nothing announced that was true before).
        self._unsettled: set[str] = set()
        self._first_view = 0  # when the first snapshot was taken (Unix time)
        self._ledger_dirty = False

    # ------------------------------------------------------------------ feeding

    def apply_maindata(self, data: MainData) -> list[Event]:
        """Merge one ``sync/maindata`` answer (full or partial); the store keeps its mappings."""
        events: list[Event] = []
        baseline = not self.initialised
        if data.full_update:
            for gone in set(self._raw) - set(data.torrents):
                events.extend(self._remove(gone))
            self.categories = {}
            self.tags = set()
        for torrent_hash, partial in data.torrents.items():
            old = None if data.full_update else self._raw.get(torrent_hash)
            record = Record(partial, old, torrent_hash)
            events.extend(self._put(torrent_hash, record, baseline=baseline))
        for gone in data.torrents_removed:
            events.extend(self._remove(gone))
        for name, value in data.categories.items():
            self.categories[name] = {**self.categories.get(name, {}), **value}
        for name in data.categories_removed:
            self.categories.pop(name, None)
        self.tags.update(data.tags)
        self.tags.difference_update(data.tags_removed)
        if data.server_state or data.full_update:
            events.extend(self._merge_server(data.server_state, replace=data.full_update))
        self.rid = data.rid
        events.extend(self._finish_baseline(baseline))
        return events

    def apply_torrents(
        self, torrents: Iterable[Mapping[str, Any]], requested: Collection[str]
    ) -> list[Event]:
        """Merge a targeted ``torrents/info?hashes=`` answer; requested but absent means removed."""
        events: list[Event] = []
        seen: set[str] = set()
        for item in torrents:
            torrent_hash = str(item["hash"])
            seen.add(torrent_hash)
            old = self._raw.get(torrent_hash)
            full = old is None or old.keys() <= item.keys()
            record = Record(item, None if full else old, torrent_hash)
            events.extend(self._put(torrent_hash, record, baseline=not self.initialised))
        for gone in set(requested) - seen:
            events.extend(self._remove(gone))
        self._flush_ledger()
        return events

    def apply_transfer(self, info: TransferInfo, alt_speed: bool | None = None) -> list[Event]:
        """Merge ``transfer/info`` (and the alt-speed mode) into the server figures."""
        update = dict(info.raw)
        if alt_speed is not None:
            update["use_alt_speed_limits"] = alt_speed
        return self._merge_server(update, replace=False)

    def _merge_server(self, update: Mapping[str, Any], *, replace: bool) -> list[Event]:
        old_alt = self.server_state.get("use_alt_speed_limits")
        self.server_state = dict(update) if replace else {**self.server_state, **update}
        new_alt = self.server_state.get("use_alt_speed_limits")
        if self.initialised and old_alt is not None and new_alt is not None and old_alt != new_alt:
            return [
                Event(
                    EventKind.ALT_SPEED_CHANGED, self.instance_id, detail={"enabled": bool(new_alt)}
                )
            ]
        return []

    def _finish_baseline(self, baseline: bool) -> list[Event]:
        if baseline:
            self.initialised = True
            self._first_view = int(time.time())
            self._ledger_dirty = True
        self._flush_ledger()
        return []

    def _flush_ledger(self) -> None:
        if self._ledger_dirty:
            self.ledger.save()
            self._ledger_dirty = False

    def _put(self, torrent_hash: str, merged: Record, *, baseline: bool) -> list[Event]:
        """Store one torrent's record; models are built only when an event needs one."""
        old_raw = self._raw.get(torrent_hash)
        old_state = None if old_raw is None else state_of(old_raw)
        self._raw[torrent_hash] = merged
        self._models.pop(torrent_hash, None)
        self._touch(torrent_hash)
        state = state_of(merged)
        if state in ACTIVE_STATES or merged.get("dlspeed") or merged.get("upspeed"):
            self._active.add(torrent_hash)
            self._waiting.discard(torrent_hash)
        else:
            self._active.discard(torrent_hash)
            if state in WAITING_STATES:
                self._waiting.add(torrent_hash)
            else:
                self._waiting.discard(torrent_hash)
        # A torrent that shows up loading its resume data, and was added before the engine's
        # first view, was there before qBittorrent (re)started: not added. (A torrent added
        # now passes through that state too, with a fresh added_on.)
        loading = (
            old_raw is None
            and state is TorrentState.CHECKING_RESUME_DATA
            and int(merged.get("added_on") or 0) < self._first_view
        )
        settling = self._settles(torrent_hash, state, first=old_raw is None, loading=loading)
        quiet = baseline or settling
        kinds: list[tuple[EventKind, dict[str, Any]]] = []
        if old_raw is None and not baseline and not loading:
            kinds.append((EventKind.ADDED, {}))
        if old_state is not None and old_state is not state:
            kinds.append((EventKind.STATE_CHANGED, {"old_state": old_state, "new_state": state}))
            paused_by_us = self.ledger.paused_by_pause_all | self.ledger.paused_by_guard
            if not state.is_stopped and torrent_hash in paused_by_us:
                # Running again (resumed by hand, here or elsewhere): no longer ours to resume.
                self.ledger.paused_by_pause_all.discard(torrent_hash)
                self.ledger.paused_by_guard.discard(torrent_hash)
                self._ledger_dirty = True
        if state in ERROR_STATES and old_state not in ERROR_STATES and not quiet:
            kinds.append((EventKind.ERRORED, {}))
        if state not in ERROR_STATES:
            self.errors.pop(torrent_hash, None)
        if self._completed(torrent_hash, merged, state, baseline=quiet):
            kinds.append((EventKind.COMPLETED, {}))
        if not kinds:
            return []
        torrent = self.torrent(torrent_hash)
        assert torrent is not None  # noqa: S101 - just stored
        return [torrent_event(kind, torrent, self.instance_id, **extra) for kind, extra in kinds]

    def _settles(
        self, torrent_hash: str, state: TorrentState, *, first: bool, loading: bool
    ) -> bool:
        """Whether this view is the baseline of a torrent first seen unsettled.

        Such a torrent (seen at the start, or appearing while qBittorrent loads it) was what it
        is before the engine could tell: its first settled view announces nothing.
        """
        if state in UNSETTLED_STATES:
            if first and (not self.initialised or loading):
                self._unsettled.add(torrent_hash)
            return False
        if torrent_hash in self._unsettled:
            self._unsettled.discard(torrent_hash)
            return True
        return False

    def _completed(
        self, torrent_hash: str, raw: Mapping[str, Any], state: TorrentState, *, baseline: bool
    ) -> bool:
        """Track completeness in the ledger; True when this is a completion to announce."""
        if state in NEUTRAL_STATES:
            return False
        complete = float(raw.get("progress", 0)) >= 1.0
        if complete == (torrent_hash in self.ledger.complete):
            return False
        self._ledger_dirty = True
        if not complete:
            self.ledger.complete.discard(torrent_hash)
            return False
        self.ledger.complete.add(torrent_hash)
        return not baseline or self._caught_up(int(raw.get("completion_on", 0)))

    def _caught_up(self, completion_on: int) -> bool:
        """Whether a torrent found complete at start finished while the engine was away."""
        away_since = self.ledger.away_since
        return away_since is not None and completion_on >= int(away_since)

    def _remove(self, torrent_hash: str) -> list[Event]:
        old = self.torrent(torrent_hash)
        if self._raw.pop(torrent_hash, None) is not None:
            self._touch(torrent_hash)
        self._models.pop(torrent_hash, None)
        self._active.discard(torrent_hash)
        self._waiting.discard(torrent_hash)
        self._unsettled.discard(torrent_hash)
        self.errors.pop(torrent_hash, None)
        if torrent_hash in self.ledger.complete:
            self.ledger.complete.discard(torrent_hash)
            self._ledger_dirty = True
        if old is None:
            return []
        return [torrent_event(EventKind.REMOVED, old, self.instance_id)]
