"""What the engine needs of a torrent client, and what each client can do (its capabilities).

The engine (``Bridge``) is written against ``TorrentClient``: qBittorrent's WebAPI v2 client
implements it natively; the qBittorrent 3.1 and uTorrent clients implement it on top of their
own protocols, speaking qBittorrent's vocabulary (field names, states) to the engine. A client
that cannot do something says so in ``capabilities``; asking anyway raises NotSupportedError.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from qbt_bridge.core.errors import NotSupportedError
from qbt_bridge.core.models import AddResult, Category, MainData, SpeedLimits, TransferInfo
from qbt_bridge.core.rss import RssFeed, RssRule
from qbt_bridge.core.search import SearchJob, SearchPlugin, SearchResults
from qbt_bridge.core.versions import Version

Hashes = str | Iterable[str]


class Capability(StrEnum):
    """Something a torrent client may or may not be able to do."""

    CATEGORIES = "categories"
    TAGS = "tags"
    RSS = "rss"
    SEARCH = "search"
    ALT_SPEED = "alt_speed"  # alternative speed limits (the "turtle")
    API_KEY = "api_key"
    FORCE_START = "force_start"
    REANNOUNCE = "reannounce"
    TORRENT_LIMITS = "torrent_limits"
    GLOBAL_LIMITS = "global_limits"
    ADD_OPTIONS = "add_options"  # save path and "added stopped" sent with the add itself
    FREE_SPACE = "free_space"
    ALL_TIME_TOTALS = "all_time_totals"  # all-time totals and the global ratio
    SESSION_TOTALS = "session_totals"  # data moved since the client started
    NETWORK_STATUS = "network_status"  # DHT nodes and the firewalled/connected status
    PUSH = "push"  # "run external program" to tell the engine about added/finished torrents
    FILES = "files"  # a torrent's files and their priorities
    SESSION_PAUSE = "session_pause"  # suspend the whole session (qBittorrent 5.3)
    LISTEN_PORT = "listen_port"  # the port it listens on for peers, read and set


ALL_CAPABILITIES = frozenset(Capability)

# How a capability reads in "… cannot …" messages.
_WHAT = {
    Capability.CATEGORIES: "use categories",
    Capability.TAGS: "use tags",
    Capability.RSS: "use RSS feeds or rules",
    Capability.SEARCH: "search",
    Capability.ALT_SPEED: "switch alternative speed limits",
    Capability.API_KEY: "log in with an API key",
    Capability.FORCE_START: "force-start torrents",
    Capability.REANNOUNCE: "reannounce torrents",
    Capability.TORRENT_LIMITS: "set per-torrent speed limits",
    Capability.GLOBAL_LIMITS: "set global speed limits",
    Capability.ADD_OPTIONS: "take a save path or 'stopped' when adding",
    Capability.FREE_SPACE: "report free disk space",
    Capability.ALL_TIME_TOTALS: "report all-time totals",
    Capability.SESSION_TOTALS: "report this session's totals",
    Capability.NETWORK_STATUS: "report DHT nodes or its network status",
    Capability.PUSH: "run a program when torrents are added or finish",
    Capability.FILES: "list a torrent's files or set their priorities",
    Capability.SESSION_PAUSE: "pause the whole session",
    Capability.LISTEN_PORT: "read or set its listening port",
}


def not_supported(product: str, capability: Capability) -> NotSupportedError:
    """The one error for "this client cannot do that", worded for people."""
    return NotSupportedError(f"{product} cannot {_WHAT[capability]}")


@runtime_checkable
class TorrentClient(Protocol):
    """The calls the engine makes; every client below ``qbt_bridge.clients`` provides them."""

    base_url: str

    @property
    def product(self) -> str:
        """The kind of server, for people (``qBittorrent 5.1.0``, ``uTorrent``)."""
        ...

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What this server can do."""
        ...

    @property
    def active_by_state(self) -> bool:
        """Whether "active" goes by state (qBittorrent before 5.2), not by data moving now."""
        ...

    @property
    def refresh_by_sweep(self) -> bool:
        """Whether each refresh should be a ``sync_maindata`` (no cheaper targeted reads)."""
        ...

    def retry_login(self) -> None:
        """Allow one login attempt again after a refused one (clients that keep no login: no-op)."""

    async def close(self) -> None:
        """Release the HTTP session the client owns."""

    async def version(self) -> Version:
        """The server's version."""
        ...

    async def is_version_supported(self) -> bool:
        """Whether this library knows the server's release."""
        ...

    async def webapi_version(self) -> Version | None:
        """The version of the server's WebAPI (None: it has no versioned WebAPI)."""
        ...

    async def sync_maindata(self, rid: int = 0) -> MainData:
        """Everything (rid 0) or what changed since answer ``rid``, in WebAPI v2 field names."""
        ...

    async def torrents_info_raw(self, *, hashes: Hashes | None = None) -> list[dict[str, Any]]:
        """Some torrents' current mappings (WebAPI v2 field names)."""
        ...

    async def torrents_count(self) -> int | None:
        """How many torrents the server has, cheaply (None: it cannot say without listing)."""
        ...

    async def transfer_info(self) -> TransferInfo:
        """Global speeds, session totals and limits."""
        ...

    async def transfer_speed_limits_mode(self) -> bool:
        """Whether the alternative speed limits are on."""
        ...

    async def transfer_toggle_speed_limits_mode(self) -> None:
        """Switch the alternative speed limits."""

    async def transfer_set_speed_limits_mode(self, enabled: bool) -> None:
        """Alternative speed limits on or off."""

    async def error_reasons(self, torrent_hash: str, name: str) -> tuple[str | None, str | None]:
        """Why a torrent is in error: (the client's own words, a failing tracker's message)."""
        ...

    async def torrents_files(self, torrent_hash: str) -> list[dict[str, Any]]:
        """A torrent's files (WebAPI v2 field names; FILES)."""
        ...

    async def torrents_file_prio(
        self, torrent_hash: str, file_ids: Iterable[int], priority: int
    ) -> None:
        """Set files' priority by index (0, 1, 6, 7; FILES)."""

    async def transfer_speed_limits(self) -> SpeedLimits:
        """The four global limits, normal and alternative (ALT_SPEED)."""
        ...

    async def transfer_set_speed_limits(self, **limits: int) -> None:
        """Set any of ``download``, ``upload``, ``alt_download``, ``alt_upload`` (ALT_SPEED)."""

    async def listen_port(self) -> int:
        """The port it listens on for incoming peers (LISTEN_PORT)."""
        ...

    async def set_listen_port(self, port: int) -> None:
        """Listen on another port for incoming peers (LISTEN_PORT)."""

    async def transfer_set_download_limit(self, limit: int) -> None:
        """Global download limit in bytes/s (0: none)."""

    async def transfer_set_upload_limit(self, limit: int) -> None:
        """Global upload limit in bytes/s (0: none)."""

    async def pause(self, hashes: Hashes) -> None:
        """Stop torrents (``all`` for every one)."""

    async def resume(self, hashes: Hashes) -> None:
        """Start torrents (``all`` for every one)."""

    async def torrents_delete(self, hashes: Hashes, delete_files: bool = False) -> None:
        """Remove torrents, with their data when asked."""

    async def torrents_recheck(self, hashes: Hashes) -> None:
        """Verify the torrents' data."""

    async def torrents_reannounce(self, hashes: Hashes) -> bool | None:
        """Announce to the trackers now."""
        ...

    async def torrents_set_category(self, hashes: Hashes, category: str) -> None:
        """Set the torrents' category ("" clears it)."""

    async def torrents_categories(self) -> Mapping[str, Category] | None:
        """Every category by name."""
        ...

    async def torrents_create_category(self, name: str, save_path: str = "") -> None:
        """Make a category (qBittorrent: its list; others may have none to add to)."""

    async def torrents_remove_categories(self, names: Iterable[str]) -> None:
        """Delete categories (their torrents keep going, without one)."""

    async def torrents_add_tags(self, hashes: Hashes, tags: Iterable[str]) -> bool | None:
        """Add tags."""
        ...

    async def torrents_remove_tags(self, hashes: Hashes, tags: Iterable[str] = ()) -> bool | None:
        """Remove tags."""
        ...

    async def torrents_set_force_start(self, hashes: Hashes, value: bool) -> None:
        """Force start on or off."""

    async def torrents_set_download_limit(self, hashes: Hashes, limit: int) -> None:
        """Per-torrent download limit in bytes/s (0: none)."""

    async def torrents_set_upload_limit(self, hashes: Hashes, limit: int) -> None:
        """Per-torrent upload limit in bytes/s (0: none)."""

    async def torrents_add(
        self,
        *,
        urls: Iterable[str] = (),
        torrent_files: Iterable[bytes | tuple[str, bytes]] = (),
        save_path: str | None = None,
        category: str | None = None,
        tags: Iterable[str] | None = None,
        paused: bool | None = None,
    ) -> AddResult:
        """Add torrents by link and by ``.torrent`` content."""
        ...

    async def rss_items(self, with_data: bool = False) -> list[RssFeed]:
        """RSS feeds."""
        ...

    async def rss_add_feed(self, url: str, path: str = "") -> None:
        """Subscribe to a feed."""

    async def rss_remove_item(self, path: str) -> None:
        """Remove a feed or folder."""

    async def rss_refresh_item(self, item_path: str) -> bool | None:
        """Fetch a feed now."""
        ...

    async def rss_rules(self) -> dict[str, RssRule]:
        """Auto-downloading rules."""
        ...

    async def rss_set_rule(self, rule: RssRule) -> None:
        """Add or replace a rule."""

    async def rss_rename_rule(self, name: str, new_name: str) -> None:
        """Rename a rule."""

    async def rss_remove_rule(self, name: str) -> None:
        """Delete a rule."""

    async def rss_matching_articles(self, name: str) -> dict[str, list[str]] | None:
        """Articles a rule matches."""
        ...

    async def rss_export_rules(self) -> dict[str, Any] | None:
        """Every rule as the server's rules file (None: the release lacks it)."""
        ...

    async def rss_import_rules(self, rules: Mapping[str, Any] | bytes) -> bool | None:
        """Add or replace rules from a rules file (None: the release lacks it)."""
        ...

    async def transfer_pause_session(self) -> bool | None:
        """Suspend the whole session (None: the release lacks it)."""
        ...

    async def transfer_resume_session(self) -> bool | None:
        """End a suspended session (None: the release lacks it)."""
        ...

    async def search_plugins(self) -> list[SearchPlugin] | None:
        """Search plugins."""
        ...

    async def search_start(
        self, pattern: str, plugins: str = "enabled", category: str = "all"
    ) -> SearchJob | None:
        """Start a search."""
        ...

    async def search_results(
        self, job_id: int, limit: int = 0, offset: int = 0
    ) -> SearchResults | None:
        """A search's results."""
        ...

    async def search_stop(self, job_id: int) -> bool | None:
        """Stop a search."""
        ...

    async def search_delete(self, job_id: int) -> bool | None:
        """Forget a search."""
        ...


def lower_hashes(hashes: Hashes, known: Iterable[str]) -> list[str]:
    """Hashes as a list of lowercase strings, ``all`` expanded to ``known``."""
    if isinstance(hashes, str):
        return list(known) if hashes == "all" else [h.lower() for h in hashes.split("|") if h]
    return [h.lower() for h in hashes]
