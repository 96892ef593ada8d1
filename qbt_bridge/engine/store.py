"""One consistent snapshot of a torrent client, kept current from deltas, and the events.

The store is fed by the bridge: ``sync/maindata`` answers (full or partial), targeted
``torrents/info?hashes=`` answers and ``transfer/info``. Each feed returns the events it caused.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import tempfile
import time
from collections import Counter, OrderedDict
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from qbt_bridge.core.models import (
    ERROR_KEY,
    Category,
    MainData,
    ServerState,
    SpeedLimits,
    StateGroup,
    Torrent,
    TorrentState,
    TransferInfo,
    parse_tags,
    state_groups,
)
from qbt_bridge.engine.events import Event, EventKind, torrent_event

_LOGGER = logging.getLogger(__name__)

MODEL_CACHE = 512  # torrent models kept built
# Never read, and it repeats every tracker URL, pass-keys included: not kept.
DROPPED_KEYS = ("magnet_uri",)
# Values most torrents share: one string object each instead of one per torrent.
_SHARED_KEYS = ("save_path", "download_path", "category", "state", "tags", "tracker")


def _compact(raw: dict[str, Any]) -> dict[str, Any]:
    for key in DROPPED_KEYS:
        raw.pop(key, None)
    for key in _SHARED_KEYS:
        value = raw.get(key)
        if type(value) is str:
            raw[key] = sys.intern(value)
    return raw


# States in which a torrent moves data or is about to, and so is worth a close watch.
ACTIVE_STATES = frozenset(
    {
        TorrentState.DOWNLOADING,
        TorrentState.UPLOADING,
        TorrentState.FORCED_DL,
        TorrentState.FORCED_UP,
        TorrentState.META_DL,
        TorrentState.FORCED_META_DL,
        TorrentState.CHECKING_DL,
        TorrentState.CHECKING_UP,
        TorrentState.CHECKING_RESUME_DATA,
        TorrentState.ALLOCATING,
        TorrentState.MOVING,
    }
)
# Downloads that wait (no peer sending, or queued): nothing moves until that changes, so they
# are polled on a slower tier (and at once when the global speed says something started).
WAITING_STATES = frozenset({TorrentState.STALLED_DL, TorrentState.QUEUED_DL})
# While checking, progress says nothing about completion.
_NEUTRAL_STATES = frozenset(
    {
        TorrentState.CHECKING_DL,
        TorrentState.CHECKING_UP,
        TorrentState.CHECKING_RESUME_DATA,
        TorrentState.MOVING,
        TorrentState.UNKNOWN,
    }
)
_ERROR_STATES = frozenset({TorrentState.ERROR, TorrentState.MISSING_FILES})
# States in which what a torrent will settle as (complete, errored) is not known yet: while
# qBittorrent loads it (resume data), checks or queues it for a check, or fetches its metadata.
_UNSETTLED_STATES = _NEUTRAL_STATES | {TorrentState.META_DL, TorrentState.FORCED_META_DL}


@functools.cache
def _parse_state(text: str) -> TorrentState:
    return TorrentState.parse(text)


def _state_of(raw: Mapping[str, Any]) -> TorrentState:
    return _parse_state(str(raw.get("state", "unknown")))


def is_complete(torrent: Torrent) -> bool | None:
    """True/False when the torrent's data is (not) all there; None while that is unknowable."""
    if torrent.state in _NEUTRAL_STATES:
        return None
    return torrent.progress >= 1.0


class CompletionLedger:
    """The hashes known to be complete, kept on disk so a restart fires no completion twice.

    Without a path it lives in memory only: then the first snapshot after a start is the
    baseline, and torrents already complete then are never reported.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.complete: set[str] = set()
        # What "pause all" paused (and is not known to run again): what "resume paused" resumes.
        self.paused_by_pause_all: set[str] = set()
        # The disk guard: whether free space is low now, and what it paused for that.
        self.low_disk = False
        self.paused_by_guard: set[str] = set()
        self.saved_at: float | None = None  # None: no earlier run to catch up with
        # When the earlier run last saved: what finished after it finished while we were away.
        # Kept apart from saved_at, which this run's own saves move on.
        self.away_since: float | None = None
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.complete = set(data.get("complete", ()))
                self.paused_by_pause_all = set(data.get("paused_by_pause_all", ()))
                self.low_disk = bool(data.get("low_disk", False))
                self.paused_by_guard = set(data.get("paused_by_guard", ()))
                self.saved_at = self.away_since = float(data["saved_at"])
            except (OSError, ValueError, KeyError, TypeError):
                _LOGGER.warning("completion ledger %s is unreadable; starting afresh", path)

    def save(self) -> None:
        """Write the ledger atomically (no-op without a path)."""
        if self.path is None:
            return
        self.saved_at = time.time()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(
            {
                "saved_at": self.saved_at,
                "complete": sorted(self.complete),
                "paused_by_pause_all": sorted(self.paused_by_pause_all),
                "low_disk": self.low_disk,
                "paused_by_guard": sorted(self.paused_by_guard),
            }
        )
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".ledger-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
        Path(tmp).replace(self.path)


class SyncStore:
    """The snapshot of one client: torrents, categories, tags and the server's figures."""

    def __init__(self, instance_id: str = "", ledger: CompletionLedger | None = None) -> None:
        self.instance_id = instance_id
        self.ledger = ledger or CompletionLedger()
        # "Active" as qBittorrent before 5.2 counts it (by state), set by the engine per server.
        self.active_by_state = False
        self.rid = 0
        self.initialised = False
        self.categories: dict[str, dict[str, Any]] = {}
        self.tags: set[str] = set()
        self.server_state: dict[str, Any] = {}
        # Why torrents in error are (by hash), as the engine learned it; gone when they recover.
        self.errors: dict[str, str] = {}
        # The four global limits as last read (clients with alternative limits only).
        self.speed_limits: SpeedLimits | None = None
        self._raw: dict[str, dict[str, Any]] = {}
        # Models are built on demand; only the most recently read ones are kept (a model of
        # every torrent would double the store's memory at 10 000 torrents).
        self._models: OrderedDict[str, Torrent] = OrderedDict()
        self._active: set[str] = set()  # kept up to date on every change, read every tick
        self._waiting: set[str] = set()  # downloads that wait: read on the slower tier
        # Torrents first seen unsettled, at the start or while qBittorrent loads them: the
        # first settled view of each is its baseline (nothing announced that was true before).
        self._unsettled: set[str] = set()
        self._first_view = 0  # when the first snapshot was taken (Unix time)
        self._ledger_dirty = False
        # Change journal: each torrent written or removed gets the next generation number and
        # moves to the end, so "what changed since generation g" costs O(changes), not O(N).
        self.generation = 0
        self._touched: OrderedDict[str, int] = OrderedDict()
        self._counts: tuple[int, dict[str, int]] = (-1, {})

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, torrent_hash: object) -> bool:
        return torrent_hash in self._raw

    def torrent(self, torrent_hash: str) -> Torrent | None:
        """One torrent by full hash."""
        if torrent_hash not in self._raw:
            return None
        model = self._models.get(torrent_hash)
        if model is None:
            raw = self._raw[torrent_hash]
            if torrent_hash in self.errors:
                raw = {**raw, ERROR_KEY: self.errors[torrent_hash]}
            model = Torrent.from_api(raw)
            self._models[torrent_hash] = model
            if len(self._models) > MODEL_CACHE:
                self._models.popitem(last=False)
        else:
            self._models.move_to_end(torrent_hash)
        return model

    def state(self, torrent_hash: str) -> TorrentState:
        """A torrent's state, without building its model."""
        return _state_of(self._raw[torrent_hash])

    def name(self, torrent_hash: str) -> str:
        """A torrent's name, without building its model."""
        return str(self._raw[torrent_hash].get("name", ""))

    def category(self, torrent_hash: str) -> str:
        """A torrent's category ('' for none), without building its model."""
        return str(self._raw[torrent_hash].get("category") or "")

    def select(
        self,
        *,
        state: str | None = None,
        category: str | None = None,
        tag: str | None = None,
        name: str | None = None,
        stopped: bool | None = None,
    ) -> list[str]:
        """Hashes of the torrents that pass every given filter, newest first.

        ``state`` is a state group (``seeding``, ``stopped`` …, as qBittorrent's sidebar filters
        them), ``name`` a part of the name (any case). The one definition of these filters for
        every front; no model is built.
        """
        wanted = name.lower() if name is not None else None
        group = None if state is None else StateGroup.parse(state)
        if state is not None and group is None:
            raise ValueError(f"no state group {state!r}")
        hits = [
            h
            for h in self._raw
            if (group is None or group in self.groups(h))
            and (category is None or self.category(h) == category)
            and (tag is None or tag in self.torrent_tags(h))
            and (wanted is None or wanted in self.name(h).lower())
            and (stopped is None or self.state(h).is_stopped is stopped)
        ]
        hits.sort(key=lambda h: (self._raw[h].get("added_on", 0), h), reverse=True)
        return hits

    def groups(self, torrent_hash: str) -> frozenset[StateGroup]:
        """The state groups a torrent is in (qBittorrent's sidebar filters it matches)."""
        raw = self._raw[torrent_hash]
        return state_groups(
            _state_of(raw),
            bool(raw.get("dlspeed")),
            bool(raw.get("upspeed")),
            active_by_state=self.active_by_state,
        )

    def torrent_tags(self, torrent_hash: str) -> tuple[str, ...]:
        """A torrent's tags, without building its model."""
        return parse_tags(self._raw[torrent_hash].get("tags", ""))

    def torrents(self) -> list[Torrent]:
        """Every torrent, in no particular order."""
        return [t for h in self._raw if (t := self.torrent(h)) is not None]

    def hashes(self) -> list[str]:
        """Every torrent's hash."""
        return list(self._raw)

    def raw(self, torrent_hash: str) -> Mapping[str, Any]:
        """The merged server mapping of one torrent (what ``torrents/info`` would say)."""
        return self._raw[torrent_hash]

    def server(self) -> ServerState:
        """Global figures: speeds, totals, limits, free space, alt-speed."""
        return ServerState.from_api(self.server_state)

    def set_error(self, torrent_hash: str, message: str) -> None:
        """Remember why a torrent is in error (until it leaves the error states)."""
        if torrent_hash in self._raw:
            self.errors[torrent_hash] = message
            self._models.pop(torrent_hash, None)

    def configured_limits(self) -> SpeedLimits:
        """The four global limits: as last read, or the pair in force where there is no other."""
        if self.speed_limits is not None:
            return self.speed_limits
        server = self.server()
        return SpeedLimits(download=server.download_limit, upload=server.upload_limit)

    def limits_stale(self) -> bool:
        """Whether the limits in force are not the ones last read for the current mode.

        Someone changed them in qBittorrent (or they were never read).
        """
        limits, server = self.speed_limits, self.server()
        if limits is None:
            return True
        if server.alt_speed_enabled:
            expected = (limits.alt_download, limits.alt_upload)
        else:
            expected = (limits.download, limits.upload)
        return expected != (server.download_limit, server.upload_limit)

    def category_list(self) -> dict[str, Category]:
        """Categories by name."""
        return {name: Category.from_api(value) for name, value in self.categories.items()}

    def counts(self) -> dict[str, int]:
        """Torrents per state group, plus ``total`` (computed once per generation)."""
        generation, cached = self._counts
        if generation == self.generation:
            return dict(cached)
        groups = Counter(group for h in self._raw for group in self.groups(h))
        out = {group.value: groups.get(group, 0) for group in StateGroup}
        out["total"] = len(self._raw)
        self._counts = (self.generation, out)
        return dict(out)

    def changed_since(self, generation: int) -> list[str]:
        """Hashes written or removed after ``generation`` (a removed one is no longer ``in``)."""
        out: list[str] = []
        for torrent_hash in reversed(self._touched):
            if self._touched[torrent_hash] <= generation:
                break
            out.append(torrent_hash)
        return out

    def _touch(self, torrent_hash: str) -> None:
        self.generation += 1
        self._touched[torrent_hash] = self.generation
        self._touched.move_to_end(torrent_hash)

    def active_hashes(self) -> list[str]:
        """Torrents that move data (or check, fetch metadata, move files): polled every tick."""
        return list(self._active)

    def waiting_hashes(self) -> list[str]:
        """Downloads that wait for peers or their turn, moving nothing: the slower tier."""
        return list(self._waiting)

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
            if data.full_update:
                # A full answer's mappings are fresh from the JSON decoder: kept, not copied
                # (a copy of 10 000 of them would double the peak memory of a sweep).
                merged = partial if type(partial) is dict else dict(partial)
            else:
                merged = {**self._raw.get(torrent_hash, {}), **partial}
            merged.setdefault("hash", torrent_hash)
            events.extend(self._put(torrent_hash, merged, baseline=baseline))
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
            merged = dict(item) if full or old is None else {**old, **item}
            events.extend(self._put(torrent_hash, merged, baseline=not self.initialised))
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

    def _put(self, torrent_hash: str, merged: dict[str, Any], *, baseline: bool) -> list[Event]:
        """Store one torrent's mapping; models are built only when an event needs one."""
        old_raw = self._raw.get(torrent_hash)
        old_state = None if old_raw is None else _state_of(old_raw)
        self._raw[torrent_hash] = _compact(merged)
        self._models.pop(torrent_hash, None)
        self._touch(torrent_hash)
        state = _state_of(merged)
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
        if state in _ERROR_STATES and old_state not in _ERROR_STATES and not quiet:
            kinds.append((EventKind.ERRORED, {}))
        if state not in _ERROR_STATES:
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
        if state in _UNSETTLED_STATES:
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
        if state in _NEUTRAL_STATES:
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
