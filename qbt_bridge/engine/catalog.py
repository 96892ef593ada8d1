"""The one definition of every entity; Home Assistant and MQTT discovery both render from it.

Units and classes use Home Assistant's vocabulary (``data_rate``, ``B/s``, ``measurement`` …)
as plain strings, so this module needs no Home Assistant import.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypedDict

import voluptuous as vol

from qbt_bridge.clients.base import ALL_CAPABILITIES, Capability
from qbt_bridge.core.models import LISTEN_PORTS, STATE_WORDS, ServerState, StateGroup, Torrent
from qbt_bridge.core.settings import STATE_GROUP, integer, names_of, setting
from qbt_bridge.engine.snapshot import Figures, Outlook
from qbt_bridge.engine.store import SyncStore

# How the torrents that get entities are ordered (and so which ones the cap keeps).
ORDERS = ("newest", "oldest", "ratio", "progress", "name")


@dataclass(frozen=True, slots=True, kw_only=True)
class TorrentFilter:
    """Which torrents get per-torrent topics and entities (MQTT and Home Assistant alike)."""

    enabled: bool = setting(
        default=False, help="per-torrent topics, entities or series at all", check=bool
    )
    states: frozenset[str] = setting(
        default=frozenset(),
        help="only torrents in these state groups (none: all)",
        check=names_of(STATE_GROUP),
    )
    categories: frozenset[str] = setting(
        default=frozenset(),
        help="only torrents in these categories (none: all)",
        check=names_of(str),
    )
    tags: frozenset[str] = setting(
        default=frozenset(),
        help="only torrents with one of these tags (none: all)",
        check=names_of(str),
    )
    limit: int = setting(
        default=50,
        help="at most this many torrents get them",
        check=integer,
        minimum=1,
        maximum=100_000,
    )
    order: str = setting(
        default="newest",
        help="which torrents the limit keeps, and in what order",
        check=vol.In(ORDERS),
    )
    active_only: bool = setting(
        default=False, help="only torrents in qBittorrent's active filter", check=bool
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoryFilter:
    """Which categories get entities of their own (MQTT and Home Assistant alike)."""

    enabled: bool = setting(
        default=False, help="entities for each of the server's categories", check=bool
    )
    limit: int = setting(
        default=20,
        help="at most this many categories get them (by name)",
        check=integer,
        minimum=1,
        maximum=500,
    )


class EntityKind(StrEnum):
    """The kind of entity."""

    SENSOR = "sensor"
    BINARY_SENSOR = "binary_sensor"
    SWITCH = "switch"
    BUTTON = "button"
    NUMBER = "number"


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberSetting:
    """What a number entity sets: one argument of its command, within a range."""

    argument: str  # the command's argument the value goes to
    maximum: float
    minimum: float = 0
    step: float = 1
    scale: int = 1  # the argument's units per unit shown (1024: KiB/s shown, bytes/s sent)


@dataclass(frozen=True, slots=True, kw_only=True)
class EntitySpec:
    """What every front needs to show one value."""

    key: str
    name: str
    platform: EntityKind = EntityKind.SENSOR
    unit: str | None = None
    device_class: str | None = None
    state_class: str | None = None
    icon: str | None = None
    enabled_by_default: bool = True
    entity_category: str | None = None
    options: tuple[str, ...] | None = None  # for enum sensors
    suggested_unit: str | None = None
    suggested_precision: int | None = None
    requires: Capability | None = None  # what the torrent client must be able to do


def supported[E: EntitySpec](entities: Iterable[E], capabilities: frozenset[Capability]) -> list[E]:
    """The entities that can work with a client of these capabilities."""
    return [e for e in entities if e.requires is None or e.requires in capabilities]


@dataclass(frozen=True, slots=True, kw_only=True)
class GlobalEntity(EntitySpec):
    """An entity of the whole server, read from the store."""

    value_fn: Callable[[SyncStore], Any] | None = None
    command: str | None = None  # for switches, buttons and numbers: the command it runs
    number: NumberSetting | None = None  # for numbers
    until: str | None = None  # the entity saying when a timed command on this ends


@dataclass(frozen=True, slots=True, kw_only=True)
class TorrentEntity(EntitySpec):
    """An entity of one torrent."""

    value_fn: Callable[[Torrent], Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupEntity(EntitySpec):
    """An entity of one category: its torrents' figures (``name`` holds ``{category}``)."""

    value_fn: Callable[[Figures], Any]


def _server(fn: Callable[[ServerState], Any]) -> Callable[[SyncStore], Any]:
    return lambda store: fn(store.server())


def _kib(value: int) -> float | int:
    """Bytes/s as KiB/s: whole where it divides (the numbers step in KiB/s)."""
    return value // 1024 if value % 1024 == 0 else round(value / 1024, 1)


def _limit(name: str) -> Callable[[SyncStore], Any]:
    return lambda store: _kib(store.configured_limits().as_dict()[name])


# qBittorrent keeps a limit as a 32-bit count of bytes/s: 2 097 151 KiB/s is the most it takes.
MAX_LIMIT_KIB = 2_097_151


def _limit_number(name: str, title: str, icon: str, requires: Capability) -> GlobalEntity:
    key = name if name.startswith("alt_") else f"global_{name}"
    return GlobalEntity(
        key=f"{key}_limit", name=title, platform=EntityKind.NUMBER, icon=icon, unit="KiB/s",
        device_class="data_rate", entity_category="config", requires=requires,
        command="set_global_limits", value_fn=_limit(name), until="limits_until",
        number=NumberSetting(argument=name, maximum=MAX_LIMIT_KIB, scale=1024),
    )  # fmt: skip


def _outlook(fn: Callable[[Outlook], Any]) -> Callable[[SyncStore], Any]:
    return lambda store: fn(store.outlook())


def _done_at(seconds: int | None) -> datetime | None:
    """When an ETA ends, to the minute (so the value does not move with every second's jitter)."""
    if seconds is None:
        return None
    at = datetime.now(UTC) + timedelta(seconds=seconds + 30)
    return at.replace(second=0, microsecond=0)


def _ends(*keys: str) -> Callable[[SyncStore], Any]:
    """When the soonest of these timers (engine/timers.py) ends; None while none runs."""

    def value(store: SyncStore) -> datetime | None:
        ends = [end for key in keys if (end := store.ledger.ends(key)) is not None]
        return datetime.fromtimestamp(int(min(ends)), UTC) if ends else None  # to the second

    return value


def _count(group: StateGroup | None) -> Callable[[SyncStore], Any]:
    key = "total" if group is None else group.value
    return lambda store: store.counts()[key]


class _Units(TypedDict, total=False):
    unit: str | None
    device_class: str | None
    state_class: str | None
    suggested_unit: str | None
    suggested_precision: int | None
    entity_category: str | None


_SPEED: _Units = {
    "unit": "B/s",
    "device_class": "data_rate",
    "state_class": "measurement",
    "suggested_unit": "MiB/s",
    "suggested_precision": 2,
}
_TOTAL: _Units = {
    "unit": "B",
    "device_class": "data_size",
    "state_class": "total_increasing",
    "suggested_unit": "GiB",
    "suggested_precision": 2,
}
# What starts at zero (a session's totals) or may be small (a torrent): megabytes show.
_SMALL_AMOUNT: _Units = {"suggested_unit": "MiB", "suggested_precision": 1}
_SESSION: _Units = {**_TOTAL, **_SMALL_AMOUNT}
_SIZE: _Units = {"unit": "B", "device_class": "data_size", **_SMALL_AMOUNT}
_LIMIT: _Units = {**_SPEED, "state_class": None, "entity_category": "diagnostic"}

CONNECTION_STATES = ("connected", "firewalled", "disconnected")

GLOBAL_ENTITIES: tuple[GlobalEntity, ...] = (
    GlobalEntity(key="download_speed", name="Download speed", icon="mdi:download",
                 value_fn=_server(lambda s: s.download_speed), **_SPEED),
    GlobalEntity(key="upload_speed", name="Upload speed", icon="mdi:upload",
                 value_fn=_server(lambda s: s.upload_speed), **_SPEED),
    GlobalEntity(key="downloaded_session", name="Downloaded this session",
                 requires=Capability.SESSION_TOTALS,
                 value_fn=_server(lambda s: s.downloaded_session), **_SESSION),
    GlobalEntity(key="uploaded_session", name="Uploaded this session",
                 requires=Capability.SESSION_TOTALS,
                 value_fn=_server(lambda s: s.uploaded_session), **_SESSION),
    GlobalEntity(key="downloaded_all_time", name="Downloaded all time",
                 requires=Capability.ALL_TIME_TOTALS,
                 value_fn=_server(lambda s: s.downloaded_all_time), **_TOTAL),
    GlobalEntity(key="uploaded_all_time", name="Uploaded all time",
                 requires=Capability.ALL_TIME_TOTALS,
                 value_fn=_server(lambda s: s.uploaded_all_time), **_TOTAL),
    GlobalEntity(key="global_ratio", name="Global ratio", icon="mdi:scale-balance",
                 state_class="measurement", suggested_precision=2,
                 requires=Capability.ALL_TIME_TOTALS,
                 value_fn=_server(lambda s: s.global_ratio)),
    GlobalEntity(key="download_limit", name="Download limit in force",
                 requires=Capability.GLOBAL_LIMITS,
                 value_fn=_server(lambda s: s.download_limit or None), **_LIMIT),
    GlobalEntity(key="upload_limit", name="Upload limit in force",
                 requires=Capability.GLOBAL_LIMITS,
                 value_fn=_server(lambda s: s.upload_limit or None), **_LIMIT),
    GlobalEntity(key="free_space", name="Free disk space", unit="B", device_class="data_size",
                 state_class="measurement", suggested_unit="GiB", suggested_precision=1,
                 icon="mdi:harddisk", requires=Capability.FREE_SPACE,
                 value_fn=_server(lambda s: s.free_space_on_disk)),
    GlobalEntity(key="dht_nodes", name="DHT nodes", state_class="measurement",
                 entity_category="diagnostic", enabled_by_default=False, icon="mdi:lan",
                 requires=Capability.NETWORK_STATUS,
                 value_fn=_server(lambda s: s.dht_nodes)),
    GlobalEntity(key="connection_status", name="Connection status", device_class="enum",
                 options=CONNECTION_STATES, entity_category="diagnostic", icon="mdi:lan-connect",
                 requires=Capability.NETWORK_STATUS,
                 value_fn=_server(lambda s: s.connection_status)),
    *(
        GlobalEntity(key=f"{group.value}_torrents", name=f"{group.value.capitalize()} torrents",
                     state_class="measurement", unit="torrents", icon="mdi:counter",
                     value_fn=_count(group))
        for group in StateGroup
    ),
    GlobalEntity(key="total_torrents", name="Total torrents", state_class="measurement",
                 unit="torrents", icon="mdi:counter", value_fn=_count(None)),
    # The unfinished downloads as a whole: unknown (None) while there is none, never a zero.
    GlobalEntity(key="next_finish", name="Next download done", device_class="timestamp",
                 icon="mdi:timer-sand", value_fn=_outlook(lambda o: _done_at(o.soonest))),
    GlobalEntity(key="last_finish", name="All downloads done", device_class="timestamp",
                 icon="mdi:timer-check-outline", value_fn=_outlook(lambda o: _done_at(o.latest))),
    GlobalEntity(key="downloads_progress", name="Progress of downloads", unit="%",
                 state_class="measurement", suggested_precision=1, icon="mdi:progress-download",
                 value_fn=_outlook(lambda o: o.progress)),
    GlobalEntity(key="remaining", name="Left to download", icon="mdi:download-outline",
                 value_fn=_outlook(lambda o: o.remaining if o.wanted else None), **_SIZE),
    GlobalEntity(key="alt_speed", name="Alternative speed limits", platform=EntityKind.SWITCH,
                 icon="mdi:speedometer-slow", command="alt_speed", requires=Capability.ALT_SPEED,
                 value_fn=_server(lambda s: bool(s.alt_speed_enabled)), until="alt_speed_until"),
    # Commands given for a while: when what they changed comes back (unknown while none runs).
    GlobalEntity(key="alt_speed_until", name="Alternative speed until", device_class="timestamp",
                 icon="mdi:timer-outline", requires=Capability.ALT_SPEED,
                 value_fn=_ends("alt_speed")),
    GlobalEntity(key="limits_until", name="Speed limits until", device_class="timestamp",
                 icon="mdi:timer-outline", requires=Capability.GLOBAL_LIMITS,
                 value_fn=_ends("limit:")),
    GlobalEntity(key="paused_until", name="Paused until", device_class="timestamp",
                 icon="mdi:timer-pause-outline", value_fn=_ends("pause_all", "pause:")),
    _limit_number("download", "Download limit", "mdi:download-lock", Capability.GLOBAL_LIMITS),
    _limit_number("upload", "Upload limit", "mdi:upload-lock", Capability.GLOBAL_LIMITS),
    _limit_number("alt_download", "Alternative download limit", "mdi:download-lock-outline",
                  Capability.ALT_SPEED),
    _limit_number("alt_upload", "Alternative upload limit", "mdi:upload-lock-outline",
                  Capability.ALT_SPEED),
    GlobalEntity(key="listen_port", name="Listening port", platform=EntityKind.NUMBER,
                 icon="mdi:lan-pending", entity_category="config", requires=Capability.LISTEN_PORT,
                 command="set_listen_port", value_fn=lambda store: store.listen_port,
                 number=NumberSetting(argument="port", minimum=LISTEN_PORTS[0],
                                      maximum=LISTEN_PORTS[-1])),
    GlobalEntity(key="pause_all", name="Pause all", platform=EntityKind.BUTTON,
                 icon="mdi:pause", command="pause_all", until="paused_until"),
    GlobalEntity(key="resume_all", name="Resume all", platform=EntityKind.BUTTON,
                 icon="mdi:play", command="resume_all"),
    GlobalEntity(key="resume_paused", name="Resume what Pause all paused",
                 platform=EntityKind.BUTTON, icon="mdi:play-pause", command="resume_paused"),
    GlobalEntity(key="pause_session", name="Pause the session", platform=EntityKind.BUTTON,
                 icon="mdi:pause-octagon", command="pause_session",
                 requires=Capability.SESSION_PAUSE),
    GlobalEntity(key="resume_session", name="Resume the session", platform=EntityKind.BUTTON,
                 icon="mdi:play-circle-outline", command="resume_session",
                 requires=Capability.SESSION_PAUSE),
)  # fmt: skip

TORRENT_STATES = STATE_WORDS

TORRENT_ENTITIES: tuple[TorrentEntity, ...] = (
    TorrentEntity(key="state", name="State", device_class="enum", options=TORRENT_STATES,
                  icon="mdi:list-status", value_fn=lambda t: t.state.word),
    TorrentEntity(key="progress", name="Progress", unit="%", state_class="measurement",
                  suggested_precision=1, icon="mdi:progress-download",
                  value_fn=lambda t: round(t.progress * 100, 2)),
    TorrentEntity(key="download_speed", name="Download speed", icon="mdi:download",
                  value_fn=lambda t: t.download_speed, **_SPEED),
    TorrentEntity(key="upload_speed", name="Upload speed", icon="mdi:upload",
                  value_fn=lambda t: t.upload_speed, **_SPEED),
    TorrentEntity(key="eta", name="ETA", unit="s", device_class="duration",
                  icon="mdi:timer-sand", value_fn=lambda t: t.eta),
    TorrentEntity(key="ratio", name="Ratio", state_class="measurement", suggested_precision=2,
                  icon="mdi:scale-balance", value_fn=lambda t: t.ratio),
    TorrentEntity(key="size", name="Size", value_fn=lambda t: t.size, **_SIZE),
    TorrentEntity(key="seeds", name="Seeds", state_class="measurement", icon="mdi:account-arrow-up",
                  value_fn=lambda t: t.seeds),
    TorrentEntity(key="peers", name="Peers", state_class="measurement", icon="mdi:account-multiple",
                  value_fn=lambda t: t.leechers),
    TorrentEntity(key="error", name="Error", icon="mdi:alert-circle-outline",
                  value_fn=lambda t: t.error),
    TorrentEntity(key="category", name="Category", icon="mdi:folder", enabled_by_default=False,
                  requires=Capability.CATEGORIES, value_fn=lambda t: t.category or None),
    TorrentEntity(key="tags", name="Tags", icon="mdi:tag-multiple", enabled_by_default=False,
                  requires=Capability.TAGS, value_fn=lambda t: ", ".join(t.tags) or None),
)  # fmt: skip


# Per category (CategoryFilter): how many torrents, and what they move.
CATEGORY_ENTITIES: tuple[GroupEntity, ...] = (
    GroupEntity(key="category_torrents", name="{category} torrents", state_class="measurement",
                unit="torrents", icon="mdi:folder", value_fn=lambda f: f.torrents),
    GroupEntity(key="category_download_speed", name="{category} download speed",
                icon="mdi:folder-download", value_fn=lambda f: f.download_speed, **_SPEED),
    GroupEntity(key="category_upload_speed", name="{category} upload speed",
                icon="mdi:folder-upload", value_fn=lambda f: f.upload_speed, **_SPEED),
)  # fmt: skip


def selected_categories(store: SyncStore, rule: CategoryFilter) -> list[str]:
    """The server's categories that get entities: by name, at most ``rule.limit``."""
    return sorted(store.categories)[: rule.limit] if rule.enabled else []


def category_values(figures: Figures) -> dict[str, Any]:
    """The current value of every per-category entity."""
    return {e.key: e.value_fn(figures) for e in CATEGORY_ENTITIES}


def category_id(name: str) -> str:
    """A category as a topic level and unique-id part.

    Its name's letters and digits, and a short digest of the name: two names alike in letters
    stay apart, and "/", "+", "#" never reach a topic.
    """
    letters = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40] or "category"
    return f"{letters}_{hashlib.blake2b(name.encode(), digest_size=3).hexdigest()}"


def global_values(
    store: SyncStore, capabilities: frozenset[Capability] = ALL_CAPABILITIES
) -> dict[str, Any]:
    """The current value of every global entity that has one (and can work)."""
    return {
        e.key: e.value_fn(store)
        for e in supported(GLOBAL_ENTITIES, capabilities)
        if e.value_fn is not None
    }


def torrent_values(torrent: Torrent) -> dict[str, Any]:
    """The current value of every per-torrent entity."""
    return {e.key: e.value_fn(torrent) for e in TORRENT_ENTITIES}


def matches(store: SyncStore, torrent_hash: str, rule: TorrentFilter) -> bool:
    """Whether a torrent passes a per-torrent filter (the cap is applied by ``capped``)."""
    if rule.states or rule.active_only:  # the groups only when asked: a walk of them costs
        groups = {g.value for g in store.groups(torrent_hash)}
        if rule.states and not rule.states.intersection(groups):
            return False
        if rule.active_only and StateGroup.ACTIVE.value not in groups:
            return False
    if rule.categories and store.category(torrent_hash) not in rule.categories:
        return False
    return not rule.tags or bool(rule.tags.intersection(store.torrent_tags(torrent_hash)))


def capped(store: SyncStore, hashes: Iterable[str], rule: TorrentFilter) -> list[str]:
    """At most ``rule.limit`` of ``hashes``, in the rule's order.

    Newest added first by default; oldest first; highest ratio or progress first; names A to Z.
    """

    def key(h: str) -> tuple[Any, str]:
        raw = store.raw(h)
        if rule.order == "name":
            return (str(raw.get("name", "")).casefold(), h)
        if rule.order in {"ratio", "progress"}:
            return (-float(raw.get(rule.order) or 0), h)
        added = int(raw.get("added_on") or 0)
        return (-added if rule.order == "newest" else added, h)

    return sorted(hashes, key=key)[: rule.limit]


def selected_torrents(store: SyncStore, rule: TorrentFilter) -> list[str]:
    """The torrents that get per-torrent entities: matching the filter, in order, capped."""
    if not rule.enabled:
        return []
    return capped(store, (h for h in store.hashes() if matches(store, h, rule)), rule)
