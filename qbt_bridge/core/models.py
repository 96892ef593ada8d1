"""Plain data models for what qBittorrent returns: Python names outside, wire names inside.

Every model keeps the server's own mapping in ``raw``, so keys this library does not know yet
(newer qBittorrent releases add them often) are never lost.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import Field, dataclass, field, fields
from enum import StrEnum
from typing import Any, Self

from qbt_bridge.core.errors import InvalidRequestError

_LOGGER = logging.getLogger(__name__)

ETA_INFINITE = 8640000  # qBittorrent's "never" for an ETA (100 days)


def wire(key: str, default: Any = None, convert: Callable[[Any], Any] | None = None) -> Any:
    """Declare a model field that the server sends under another name (and maybe another form)."""
    return field(default=default, metadata={"wire": key, "convert": convert})


_FIELD_CACHE: dict[type, tuple[tuple[str, str, Callable[[Any], Any] | None], ...]] = {}


def wire_fields(cls: type) -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
    """A model's fields as (Python name, wire key, converter), worked out once per class."""
    cached = _FIELD_CACHE.get(cls)
    if cached is None:
        items: list[Field[Any]] = [f for f in fields(cls) if f.name != "raw"]
        cached = tuple(
            (f.name, f.metadata.get("wire", f.name), f.metadata.get("convert")) for f in items
        )
        _FIELD_CACHE[cls] = cached
    return cached


def build[T](cls: type[T], data: Mapping[str, Any]) -> T:
    """Make a model from the server's mapping; missing keys keep the field's default."""
    kwargs: dict[str, Any] = {}
    for name, key, convert in wire_fields(cls):
        if key in data:
            value = data[key]
            kwargs[name] = convert(value) if convert is not None and value is not None else value
    kwargs["raw"] = dict(data)
    return cls(**kwargs)


@dataclass(frozen=True, slots=True, kw_only=True)
class WireModel:
    """Base of the models read from the server; ``raw`` keeps the server's own mapping."""

    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        """Build from the server's object."""
        return build(cls, data)


def parse_tags(value: Any) -> tuple[str, ...]:
    """Tags as qBittorrent sends them (a comma-separated string, or a list) as a tuple."""
    if isinstance(value, (list, tuple)):
        return tuple(str(tag) for tag in value)
    return tuple(tag.strip() for tag in str(value).split(",") if tag.strip())


def _eta(value: Any) -> int | None:
    seconds = int(value)
    return None if seconds >= ETA_INFINITE or seconds < 0 else seconds


def parse_ratio(value: Any) -> float | None:
    """Read a ratio that may be a placeholder (``"-"``, ``"∞"``, ``-1``) as None."""
    try:
        ratio = float(value)
    except (TypeError, ValueError):
        return None
    return None if ratio < 0 else ratio


class TorrentState(StrEnum):
    """A torrent's state, with qBittorrent 4's ``paused*`` and 5's ``stopped*`` as one."""

    ERROR = "error"
    MISSING_FILES = "missingFiles"
    UPLOADING = "uploading"
    STOPPED_UP = "stoppedUP"
    QUEUED_UP = "queuedUP"
    STALLED_UP = "stalledUP"
    CHECKING_UP = "checkingUP"
    FORCED_UP = "forcedUP"
    ALLOCATING = "allocating"
    DOWNLOADING = "downloading"
    META_DL = "metaDL"
    FORCED_META_DL = "forcedMetaDL"
    STOPPED_DL = "stoppedDL"
    QUEUED_DL = "queuedDL"
    STALLED_DL = "stalledDL"
    CHECKING_DL = "checkingDL"
    FORCED_DL = "forcedDL"
    CHECKING_RESUME_DATA = "checkingResumeData"
    MOVING = "moving"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: Any) -> TorrentState:
        """Map any server spelling (``pausedDL`` or ``stoppedDL``) to one state."""
        text = str(value)
        text = _STATE_ALIASES.get(text, text)
        try:
            return cls(text)
        except ValueError:
            _LOGGER.debug("unknown torrent state %r", text)
            return cls.UNKNOWN

    @property
    def word(self) -> str:
        """One word for the state where one fits (``seeding`` for ``stalledUP``)."""
        return _STATE_WORDS[self]

    @property
    def is_stopped(self) -> bool:
        """Whether the torrent is paused (4.x) or stopped (5.x)."""
        return self in {TorrentState.STOPPED_DL, TorrentState.STOPPED_UP}

    @property
    def is_complete(self) -> bool:
        """Whether the state implies all wanted data is present."""
        return self in _COMPLETE_STATES


_STATE_ALIASES = {"pausedDL": "stoppedDL", "pausedUP": "stoppedUP"}
_COMPLETE_STATES = frozenset(
    {
        TorrentState.UPLOADING,
        TorrentState.STOPPED_UP,
        TorrentState.QUEUED_UP,
        TorrentState.STALLED_UP,
        TorrentState.CHECKING_UP,
        TorrentState.FORCED_UP,
    }
)


class StateGroup(StrEnum):
    """qBittorrent's status filters (its sidebar): a torrent is in every one it matches.

    ``running``/``stopped`` are 4.x's "Resumed"/"Paused"; ``active`` follows the release's own
    rule (see ``state_groups``). ``queued`` is not a sidebar filter but a state users ask for.
    """

    DOWNLOADING = "downloading"
    SEEDING = "seeding"
    COMPLETED = "completed"
    RUNNING = "running"
    STOPPED = "stopped"
    ACTIVE = "active"
    INACTIVE = "inactive"
    STALLED = "stalled"
    CHECKING = "checking"
    MOVING = "moving"
    ERRORED = "errored"
    QUEUED = "queued"

    @classmethod
    def parse(cls, word: str) -> StateGroup | None:
        """A group from its name or a release's other name for it (``paused``, ``resumed``)."""
        lowered = word.strip().lower()
        lowered = _GROUP_ALIASES.get(lowered, lowered)
        try:
            return cls(lowered)
        except ValueError:
            return None


_GROUP_ALIASES = {"paused": "stopped", "resumed": "running", "error": "errored"}
_S = TorrentState
# qBittorrent's own lists (TorrentImpl::isDownloading, isUploading, isCompleted).
_DOWNLOADING = frozenset({_S.DOWNLOADING, _S.META_DL, _S.FORCED_META_DL, _S.STALLED_DL,
                          _S.CHECKING_DL, _S.STOPPED_DL, _S.QUEUED_DL, _S.FORCED_DL})  # fmt: skip
_SEEDING = frozenset({_S.UPLOADING, _S.STALLED_UP, _S.CHECKING_UP, _S.QUEUED_UP, _S.FORCED_UP})
_COMPLETED = _SEEDING | {_S.STOPPED_UP}
# Before qBittorrent 5.2, "active" was a matter of state (a stalled download counted when it
# uploaded); from 5.2 on it means data moving now.
_ACTIVE_BY_STATE = frozenset({_S.META_DL, _S.FORCED_META_DL, _S.DOWNLOADING, _S.FORCED_DL,
                              _S.UPLOADING, _S.FORCED_UP, _S.MOVING})  # fmt: skip


@functools.cache
def state_groups(
    state: TorrentState, downloading: bool, uploading: bool, *, active_by_state: bool = False
) -> frozenset[StateGroup]:
    """The status filters a torrent matches, from its state and whether data moves now.

    ``active_by_state``: the rule of qBittorrent before 5.2 for "active".
    """
    groups: set[StateGroup] = set()
    if state in _DOWNLOADING:
        groups.add(StateGroup.DOWNLOADING)
    if state in _SEEDING:
        groups.add(StateGroup.SEEDING)
    if state in _COMPLETED:
        groups.add(StateGroup.COMPLETED)
    groups.add(StateGroup.STOPPED if state.is_stopped else StateGroup.RUNNING)
    if active_by_state:
        active = state in _ACTIVE_BY_STATE or (state is _S.STALLED_DL and uploading)
    else:
        active = downloading or uploading
    groups.add(StateGroup.ACTIVE if active else StateGroup.INACTIVE)
    if state in {_S.STALLED_UP, _S.STALLED_DL}:
        groups.add(StateGroup.STALLED)
    if state in {_S.CHECKING_UP, _S.CHECKING_DL, _S.CHECKING_RESUME_DATA}:
        groups.add(StateGroup.CHECKING)
    if state is _S.MOVING:
        groups.add(StateGroup.MOVING)
    if state in {_S.ERROR, _S.MISSING_FILES}:
        groups.add(StateGroup.ERRORED)
    if state in {_S.QUEUED_UP, _S.QUEUED_DL}:
        groups.add(StateGroup.QUEUED)
    return frozenset(groups)


# One word for a torrent's state where only one fits (a per-torrent sensor, a list line).
_STATE_WORDS: dict[TorrentState, str] = {
    _S.ERROR: "errored",
    _S.MISSING_FILES: "errored",
    _S.UPLOADING: "seeding",
    _S.FORCED_UP: "seeding",
    _S.STALLED_UP: "seeding",
    _S.STOPPED_UP: "stopped",
    _S.STOPPED_DL: "stopped",
    _S.QUEUED_UP: "queued",
    _S.QUEUED_DL: "queued",
    _S.STALLED_DL: "stalled",
    _S.CHECKING_UP: "checking",
    _S.CHECKING_DL: "checking",
    _S.CHECKING_RESUME_DATA: "checking",
    _S.ALLOCATING: "downloading",
    _S.DOWNLOADING: "downloading",
    _S.META_DL: "downloading",
    _S.FORCED_META_DL: "downloading",
    _S.FORCED_DL: "downloading",
    _S.MOVING: "moving",
    _S.UNKNOWN: "unknown",
}
STATE_WORDS = tuple(dict.fromkeys(_STATE_WORDS.values()))


ERROR_KEY = "qbt_bridge_error"  # the engine's own key in a torrent's mapping: why it errored


@dataclass(frozen=True, slots=True)
class Torrent(WireModel):
    """One torrent as ``torrents/info`` (or a merged ``sync/maindata`` entry) describes it."""

    hash: str = ""
    name: str = ""
    state: TorrentState = wire("state", TorrentState.UNKNOWN, TorrentState.parse)  # noqa: RUF009
    progress: float = 0.0
    download_speed: int = wire("dlspeed", 0)
    upload_speed: int = wire("upspeed", 0)
    eta: int | None = wire("eta", None, _eta)
    ratio: float | None = wire("ratio", None, parse_ratio)
    size: int = 0
    total_size: int = 0
    amount_left: int = 0
    completed: int = 0
    downloaded: int = 0
    uploaded: int = 0
    downloaded_session: int = 0
    uploaded_session: int = 0
    seeds: int = wire("num_seeds", 0)
    leechers: int = wire("num_leechs", 0)
    seeds_total: int = wire("num_complete", 0)
    leechers_total: int = wire("num_incomplete", 0)
    category: str = ""
    tags: tuple[str, ...] = wire("tags", (), parse_tags)
    save_path: str = ""
    content_path: str = ""
    added_on: int = 0
    completion_on: int = 0
    download_limit: int = wire("dl_limit", 0)
    upload_limit: int = wire("up_limit", 0)
    priority: int = 0
    force_start: bool = False
    super_seeding: bool = False
    sequential_download: bool = wire("seq_dl", default=False)
    first_last_piece_priority: bool = wire("f_l_piece_prio", default=False)
    auto_tmm: bool = False
    magnet_uri: str = ""
    tracker: str = ""
    time_active: int = 0
    seeding_time: int = 0
    availability: float = 0.0
    last_activity: int = 0
    # Why it is in error, as the engine learned it (qBittorrent's list has no such field).
    error: str | None = wire(ERROR_KEY, None)


@dataclass(frozen=True, slots=True)
class TransferInfo(WireModel):
    """Global figures from ``transfer/info`` (what qBittorrent shows in its status bar)."""

    download_speed: int = wire("dl_info_speed", 0)
    downloaded_session: int = wire("dl_info_data", 0)
    upload_speed: int = wire("up_info_speed", 0)
    uploaded_session: int = wire("up_info_data", 0)
    download_limit: int = wire("dl_rate_limit", 0)
    upload_limit: int = wire("up_rate_limit", 0)
    dht_nodes: int = 0
    connection_status: str = "disconnected"
    alt_speed_enabled: bool | None = wire("use_alt_speed_limits", None)
    queueing: bool | None = None
    refresh_interval: int | None = None


def _limit(value: Any) -> int:
    return max(int(value), 0)


@dataclass(frozen=True, slots=True)
class SpeedLimits(WireModel):
    """The global speed limits, normal and alternative, in bytes/s (0: none)."""

    download: int = wire("dl_limit", 0, _limit)
    upload: int = wire("up_limit", 0, _limit)
    alt_download: int = wire("alt_dl_limit", 0, _limit)
    alt_upload: int = wire("alt_up_limit", 0, _limit)

    def as_dict(self) -> dict[str, int]:
        """The four limits by name."""
        return {name: getattr(self, name) for name, _key, _convert in wire_fields(SpeedLimits)}

    @staticmethod
    def to_wire(limits: Mapping[str, int]) -> dict[str, int]:
        """Limits by name (``download`` …) in qBittorrent's keys; unknown names refused."""
        keys = {name: key for name, key, _convert in wire_fields(SpeedLimits)}
        unknown = set(limits) - set(keys)
        if unknown:
            raise ValueError(f"no speed limit {min(unknown)!r}; known: {', '.join(keys)}")
        return {keys[name]: max(int(value), 0) for name, value in limits.items()}

    @staticmethod
    def check(*limits: int | None) -> None:
        """Refuse no limit at all, and a negative one (InvalidRequestError)."""
        if all(value is None for value in limits):
            raise InvalidRequestError("give a download or an upload limit")
        for value in limits:
            if value is not None and value < 0:
                raise InvalidRequestError("a limit cannot be negative")


# The ports qBittorrent may listen on for peers (below 1024 needs root): declared here only.
LISTEN_PORTS = range(1024, 65536)
PORT_RULE = f"a listening port is a number from {LISTEN_PORTS[0]} to {LISTEN_PORTS[-1]}"


def check_listen_port(port: object) -> int:
    """The port, or InvalidRequestError saying which ports are taken."""
    if isinstance(port, bool) or not isinstance(port, int) or port not in LISTEN_PORTS:
        raise InvalidRequestError(f"{PORT_RULE}, not {port!r}")
    return port


def _free_space(value: Any) -> int | None:
    space = int(value)
    return None if space < 0 else space


@dataclass(frozen=True, slots=True)
class ServerState(TransferInfo):
    """The ``server_state`` object of ``sync/maindata``: transfer info plus totals and disk."""

    downloaded_all_time: int = wire("alltime_dl", 0)
    uploaded_all_time: int = wire("alltime_ul", 0)
    global_ratio: float | None = wire("global_ratio", None, parse_ratio)
    free_space_on_disk: int | None = wire("free_space_on_disk", None, _free_space)
    total_peer_connections: int = 0
    # qBittorrent 5.3's transfer/pauseSession: true while the whole session is suspended
    session_paused: bool | None = wire("session_state", None, bool)


@dataclass(frozen=True, slots=True)
class Category(WireModel):
    """A category and its save path."""

    name: str = ""
    save_path: str = wire("savePath", "")


@dataclass(frozen=True, slots=True)
class MainData(WireModel):
    """One answer of ``sync/maindata``: full or partial, exactly as the server sent it."""

    rid: int = 0
    full_update: bool = False
    torrents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    torrents_removed: tuple[str, ...] = wire("torrents_removed", (), tuple)
    categories: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    categories_removed: tuple[str, ...] = wire("categories_removed", (), tuple)
    tags: tuple[str, ...] = wire("tags", (), tuple)
    tags_removed: tuple[str, ...] = wire("tags_removed", (), tuple)
    server_state: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BuildInfo(WireModel):
    """Library versions qBittorrent was built with (``app/buildInfo``)."""

    qt: str = ""
    libtorrent: str = ""
    boost: str = ""
    openssl: str = ""
    bitness: int = 0


@dataclass(frozen=True, slots=True)
class LogEntry(WireModel):
    """One line of qBittorrent's main log (``log/main``)."""

    id: int = 0
    message: str = ""
    timestamp: int = 0
    type: int = 0


@dataclass(frozen=True, slots=True)
class PeerLogEntry(WireModel):
    """One line of qBittorrent's peer log (``log/peers``)."""

    id: int = 0
    ip: str = ""
    timestamp: int = 0
    blocked: bool = False
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AddResult(WireModel):
    """What ``torrents/add`` reported; counts are None where WebAPI < 2.14 gives none."""

    success_count: int | None = None
    pending_count: int | None = None
    failure_count: int | None = None
    added_torrent_ids: tuple[str, ...] = wire("added_torrent_ids", (), tuple)


class Preferences(Mapping[str, Any]):
    """qBittorrent's preferences: every key the server sent, plus typed access to common ones."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Preferences({len(self._data)} keys)"

    @property
    def save_path(self) -> str:
        """Default save path for new torrents."""
        return str(self._data.get("save_path", ""))

    @property
    def web_ui_port(self) -> int:
        """Port of the WebUI."""
        return int(self._data.get("web_ui_port", 0))

    @property
    def alt_download_limit(self) -> int:
        """Alternative download limit in bytes/s (0: none)."""
        return int(self._data.get("alt_dl_limit", 0))

    @property
    def alt_upload_limit(self) -> int:
        """Alternative upload limit in bytes/s (0: none)."""
        return int(self._data.get("alt_up_limit", 0))

    @property
    def queueing_enabled(self) -> bool:
        """Whether torrent queueing is on."""
        return bool(self._data.get("queueing_enabled", False))
