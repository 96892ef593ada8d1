"""The snapshot of one client as fronts read it: torrents, categories, tags, figures.

``store.SyncStore`` keeps it current from the client's answers and says what changed.
"""

from __future__ import annotations

import functools
import re
import sys
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from qbt_bridge.core.models import (
    ERROR_KEY,
    ETA_INFINITE,
    Category,
    ServerState,
    SpeedLimits,
    StateGroup,
    Torrent,
    TorrentState,
    parse_tags,
    state_groups,
)

MODEL_CACHE = 512  # torrent models kept built
# Never read, and it repeats every tracker URL, pass-keys included: not kept.
DROPPED_KEYS = ("magnet_uri",)
# Values most torrents share: one string object each instead of one per torrent.
_SHARED_KEYS = ("save_path", "download_path", "category", "state", "tags", "tracker")


class Record(Mapping[str, Any]):
    """A torrent's mapping as the store keeps it: the values in a tuple, the keys shared.

    A dict per torrent costs its own hash table (1.6 KB at qBittorrent's ~50 keys); the tuple
    costs 8 bytes a value. Every record of the process shares one key order, which grows when a
    release (or another client) sends a key not seen before; a record made before that has no
    value for it. As kept: no magnet link (``DROPPED_KEYS``), the strings most torrents share
    interned. Read-only: a change makes a new record from the old one.
    """

    __slots__ = ("_values",)
    _values: tuple[Any, ...]
    _positions: ClassVar[dict[str, int]] = {}
    _keys: ClassVar[list[str]] = []
    _shared: ClassVar[list[int]] = []  # the places of _SHARED_KEYS

    def __init__(
        self, raw: Mapping[str, Any], base: Record | None = None, torrent_hash: str | None = None
    ) -> None:
        """``raw``'s values over ``base``'s, or alone.

        ``torrent_hash`` becomes its ``hash``: the store's key and the value are one string.
        """
        if base is None:
            # The common case, a whole torrent: one look per known key, then what is new.
            get = raw.get
            values = [get(key, _MISSING) for key in self._keys]
            found = len(values) - values.count(_MISSING)
            for at in self._shared:
                if type(value := values[at]) is str:
                    values[at] = sys.intern(value)
            if found + sum(key in raw for key in DROPPED_KEYS) < len(raw):
                self._add(values, {k: v for k, v in raw.items() if k not in self._positions})
        else:
            values = list(base._values)  # noqa: SLF001 - its own kind
            self._add(values, raw)
        if torrent_hash is not None:
            self._place(values, "hash", torrent_hash)
        self._values = tuple(values)

    @classmethod
    def _add(cls, values: list[Any], raw: Mapping[str, Any]) -> None:
        """Put ``raw``'s values in place (a key not seen before gets the next place)."""
        for key, value in raw.items():
            if key in _SPECIAL_KEYS:
                if key in DROPPED_KEYS:
                    continue
                if type(value) is str:
                    value = sys.intern(value)  # noqa: PLW2901 - the value as kept
            cls._place(values, key, value)

    @classmethod
    def _place(cls, values: list[Any], key: str, value: Any) -> None:
        at = cls._positions.get(key)
        if at is None:
            at = cls._positions[key] = len(cls._keys)
            cls._keys.append(sys.intern(key))
            if key in _SHARED_KEYS:
                cls._shared.append(at)
        if at >= len(values):
            values.extend([_MISSING] * (at + 1 - len(values)))
        values[at] = value

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key``, or ``default``."""
        at = self._positions.get(key)
        if at is None or at >= len(self._values):
            return default
        value = self._values[at]
        return default if value is _MISSING else value

    def __getitem__(self, key: str) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key, _MISSING) is not _MISSING

    def __iter__(self) -> Iterator[str]:
        keys = self._keys
        return (keys[at] for at, value in enumerate(self._values) if value is not _MISSING)

    def __len__(self) -> int:
        return sum(value is not _MISSING for value in self._values)

    def __repr__(self) -> str:
        return f"Record({dict(self)!r})"


_MISSING: Any = object()  # a record's slot for a key it has no value for
_SPECIAL_KEYS = frozenset(DROPPED_KEYS + _SHARED_KEYS)


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
NEUTRAL_STATES = frozenset(
    {
        TorrentState.CHECKING_DL,
        TorrentState.CHECKING_UP,
        TorrentState.CHECKING_RESUME_DATA,
        TorrentState.MOVING,
        TorrentState.UNKNOWN,
    }
)
ERROR_STATES = frozenset({TorrentState.ERROR, TorrentState.MISSING_FILES})
# States in which what a torrent will settle as (complete, errored) is not known yet: while
# qBittorrent loads it (resume data), checks or queues it for a check, or fetches its metadata.
UNSETTLED_STATES = NEUTRAL_STATES | {TorrentState.META_DL, TorrentState.FORCED_META_DL}


@functools.cache
def parse_state(text: str) -> TorrentState:
    """A state word as a TorrentState (cached: a handful of words, read millions of times)."""
    return TorrentState.parse(text)


def state_of(raw: Mapping[str, Any]) -> TorrentState:
    """A torrent mapping's state."""
    return parse_state(str(raw.get("state", "unknown")))


@dataclass(frozen=True, slots=True)
class Outlook:
    """The unfinished downloads as a whole: how far they are, and when they should be done.

    Unfinished downloads are the torrents in the *downloading* group (stopped ones too: they
    still want their bytes); the times are of the running ones, from qBittorrent's ETAs.
    """

    downloads: int = 0  # unfinished downloads
    wanted: int = 0  # bytes they want in all (the files chosen)
    remaining: int = 0  # bytes still to fetch
    soonest: int | None = None  # seconds until the first running download is done
    latest: int | None = None  # seconds until the last running one is; None: one has no ETA

    @property
    def progress(self) -> float | None:
        """Per cent of the wanted bytes that are there; None without a download of known size."""
        if not self.wanted:
            return None
        return round(100 * (self.wanted - self.remaining) / self.wanted, 2)


# A URL's host: after the scheme and any user:password@, up to a port, path, query or fragment.
_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def tracker_host(url: str) -> str:
    """A tracker's host name alone ('' for none): what may be shown of a tracker URL."""
    found = _HOST.match(url.strip())
    return found[1].strip("[]").lower() if found else ""


@dataclass(frozen=True, slots=True)
class Figures:
    """How many torrents a group holds and what they move (bytes/s)."""

    torrents: int = 0
    download_speed: int = 0
    upload_speed: int = 0


class Snapshot:
    """What the store knows of one client, read by every front: torrents, labels, figures."""

    def __init__(self, instance_id: str = "") -> None:
        self.instance_id = instance_id
        # "Active" as qBittorrent before 5.2 counts it (by state), set by the engine per server.
        self.active_by_state = False
        self.categories: dict[str, dict[str, Any]] = {}
        self.tags: set[str] = set()
        self.server_state: dict[str, Any] = {}
        # Why torrents in error are (by hash), as the engine learned it; gone when they recover.
        self.errors: dict[str, str] = {}
        # The four global limits as last read (clients with alternative limits only).
        self.speed_limits: SpeedLimits | None = None
        # The port qBittorrent listens on for peers, as last read (clients that tell it).
        self.listen_port: int | None = None
        self._raw: dict[str, Record] = {}
        # Models are built on demand; only the most recently read ones are kept (a model of
        # every torrent would double the store's memory at 10 000 torrents).
        self._models: OrderedDict[str, Torrent] = OrderedDict()
        self._active: set[str] = set()  # kept up to date on every change, read every tick
        self._waiting: set[str] = set()  # downloads that wait: read on the slower tier
        # Change journal: each torrent written or removed gets the next generation number and
        # moves to the end, so "what changed since generation g" costs O(changes), not O(N).
        self.generation = 0
        self._touched: OrderedDict[str, int] = OrderedDict()
        self._counts: tuple[int, dict[str, int]] = (-1, {})
        self._outlook: tuple[int, Outlook] = (-1, Outlook())

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
            raw: Mapping[str, Any] = self._raw[torrent_hash]
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
        return state_of(self._raw[torrent_hash])

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
            state_of(raw),
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

    def by_category(self) -> dict[str, Figures]:
        """Torrents and speeds per category ('' for none); every category is there, even empty."""
        return self._figures(lambda raw: str(raw.get("category") or ""), self.categories)

    def by_tracker(self) -> dict[str, Figures]:
        """Torrents and speeds per tracker host ('' for none working).

        Only the host: never a path or query, where pass-keys live.
        """
        return self._figures(lambda raw: tracker_host(str(raw.get("tracker") or "")), ())

    def _figures(
        self, key: Callable[[Mapping[str, Any]], str], known: Iterable[str]
    ) -> dict[str, Figures]:
        sums: dict[str, list[int]] = {name: [0, 0, 0] for name in known}
        for raw in self._raw.values():
            total = sums.setdefault(key(raw), [0, 0, 0])
            total[0] += 1
            total[1] += int(raw.get("dlspeed") or 0)
            total[2] += int(raw.get("upspeed") or 0)
        return {name: Figures(*total) for name, total in sums.items()}

    def outlook(self) -> Outlook:
        """The unfinished downloads as a whole (computed once per generation)."""
        generation, cached = self._outlook
        if generation == self.generation:
            return cached
        downloads = wanted = remaining = 0
        etas: list[int | None] = []
        for torrent_hash, raw in self._raw.items():
            groups = self.groups(torrent_hash)
            if StateGroup.DOWNLOADING not in groups:
                continue
            downloads += 1
            wanted += int(raw.get("size") or 0)
            remaining += int(raw.get("amount_left") or 0)
            if StateGroup.STOPPED not in groups:
                eta = int(raw.get("eta", ETA_INFINITE))
                etas.append(eta if 0 <= eta < ETA_INFINITE else None)
        known = [eta for eta in etas if eta is not None]
        found = Outlook(
            downloads,
            wanted,
            remaining,
            soonest=min(known) if known else None,
            latest=max(known) if known and len(known) == len(etas) else None,
        )
        self._outlook = (self.generation, found)
        return found

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
