"""The common ground of clients whose server has no ``sync/maindata``: qBittorrent 3.1, uTorrent.

Such a client keeps the torrent list it last read, in WebAPI v2 field names, and numbers each
change with a generation. ``sync_maindata(rid)`` reads the server once (uTorrent: only what
changed, with its ``cid``; qBittorrent 3.1: the whole list) and answers with the rows changed
since generation ``rid`` and the hashes removed since then, exactly like qBittorrent's own
``sync/maindata`` — so the engine's store and events work unchanged.

What the server cannot do raises NotSupportedError through ``not_supported``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypedDict, Unpack

import aiohttp

from qbt_bridge.clients.base import Capability, Hashes, lower_hashes, not_supported
from qbt_bridge.clients.http import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
    AsyncClosing,
    HttpTransport,
    normalize_url,
)
from qbt_bridge.core.errors import APIError, InvalidRequestError, NotSupportedError
from qbt_bridge.core.models import AddResult, MainData, SpeedLimits, TransferInfo
from qbt_bridge.core.rss import RssFeed, RssRule
from qbt_bridge.core.search import SearchJob, SearchPlugin, SearchResults
from qbt_bridge.core.versions import Version

REMOVAL_LOG = 2048  # removed hashes remembered for partial answers; older rids get a full one


class HttpSettings(TypedDict, total=False):
    """How the legacy clients reach their server (beside URL and login)."""

    session: aiohttp.ClientSession | None
    verify_certificate: bool
    connect_timeout: float
    request_timeout: float


class SnapshotClient(AsyncClosing):
    """A client that builds ``sync/maindata`` answers from its own copy of the torrent list."""

    base_url: str
    product_name = "torrent client"
    capabilities: frozenset[Capability] = frozenset()
    active_by_state = False  # no such filter on the server: "active" is data moving now
    refresh_by_sweep = True

    api_path = ""  # below the base URL, where the API lives

    def __init__(
        self,
        host: str,
        username: str | None = None,
        password: str | None = None,
        **settings: Unpack[HttpSettings],
    ) -> None:
        self.base_url = normalize_url(host)
        self.username = username or ""
        self._password = password or ""
        self._http = HttpTransport(
            self.base_url + self.api_path,
            session=settings.get("session"),
            verify_certificate=settings.get("verify_certificate", True),
            connect_timeout=settings.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT),
            request_timeout=settings.get("request_timeout", DEFAULT_REQUEST_TIMEOUT),
        )
        self._poll_lock = asyncio.Lock()
        self._categories: list[str] = []  # as the server last named them
        self._rows: dict[str, dict[str, Any]] = {}
        self._changed_at: dict[str, int] = {}
        self._removed_at: dict[str, int] = {}
        self._generation = 0
        self._floor = 0  # partial answers are exact for rids >= this
        self._epoch = 0  # bumped when the snapshot restarts from scratch

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r}, user={self.username!r})"

    @property
    def requests_sent(self) -> int:
        """Requests sent so far (authentication round trips included)."""
        return self._http.requests_sent

    async def close(self) -> None:
        """Close an owned HTTP session (these servers have no session to log out of)."""
        await self._http.close()

    # ----------------------------------------------------------------- for subclasses

    async def _poll(self) -> None:
        """Read the server and feed ``_apply``."""
        raise NotImplementedError

    async def _server_state(self) -> dict[str, Any]:
        """Global figures in ``server_state`` field names (after ``_poll``)."""
        return self._sums()

    def _apply(
        self,
        rows: Mapping[str, dict[str, Any]],
        removed: Iterable[str] = (),
        *,
        full: bool,
    ) -> None:
        """One read of the server: changed (or, when ``full``, all) rows and removed hashes."""
        self._generation += 1
        generation = self._generation
        gone = set(removed)
        if full:
            gone |= set(self._rows) - set(rows)
        for torrent_hash, row in rows.items():
            if self._rows.get(torrent_hash) != row:
                self._rows[torrent_hash] = row
                self._changed_at[torrent_hash] = generation
                self._removed_at.pop(torrent_hash, None)  # back again: no longer removed
        for torrent_hash in gone:
            if self._rows.pop(torrent_hash, None) is not None:
                self._changed_at.pop(torrent_hash, None)
                self._removed_at[torrent_hash] = generation
        if len(self._removed_at) > REMOVAL_LOG:
            oldest = sorted(self._removed_at.items(), key=lambda item: item[1])
            for torrent_hash, _ in oldest[: len(oldest) - REMOVAL_LOG // 2]:
                del self._removed_at[torrent_hash]
            self._floor = min(self._removed_at.values())

    def _sums(self) -> dict[str, Any]:
        """Global speeds as the sums of the torrents' speeds (no global figure on the server)."""
        return {
            "dl_info_speed": sum(int(r.get("dlspeed", 0)) for r in self._rows.values()),
            "up_info_speed": sum(int(r.get("upspeed", 0)) for r in self._rows.values()),
        }

    def _known(self, hashes: Hashes) -> list[str]:
        return lower_hashes(hashes, self._rows)

    def _refuse(self, capability: Capability) -> None:
        if capability not in self.capabilities:
            raise not_supported(self.product, capability)

    def _read_rows[T](self, parse: Callable[[T], dict[str, Any]], items: Any) -> dict[str, Any]:
        """Parse list entries into v2 mappings by hash.

        An entry out of the protocol's form is the server's fault (APIError: the poll goes on
        and says so), never a crash of the engine.
        """
        try:
            rows = [parse(item) for item in items]
        except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError) as err:
            raise APIError(
                f"{self.product} sent a torrent list entry out of its documented form ({err})"
            ) from err
        return {row["hash"]: row for row in rows}

    # ----------------------------------------------------------------- engine calls

    def retry_login(self) -> None:
        """Nothing to allow: these servers take their credentials with every call."""

    @property
    def product(self) -> str:
        """The kind of server, for people."""
        return self.product_name

    async def version(self) -> Version:
        """The server's version (what its protocol tells; see the subclass)."""
        return Version(0)

    async def is_version_supported(self) -> bool:
        """Every release that speaks this protocol is supported."""
        return True

    async def webapi_version(self) -> Version | None:
        """No versioned WebAPI: the protocol is the release's own."""
        return None

    async def sync_maindata(self, rid: int = 0) -> MainData:
        """Read the server; answer like ``sync/maindata`` from generation ``rid`` on."""
        await self._poll()
        full = rid <= 0 or rid < self._floor or rid > self._generation
        if full:
            torrents = {h: dict(row) for h, row in self._rows.items()}
            removed: tuple[str, ...] = ()
        else:
            torrents = {h: dict(self._rows[h]) for h, at in self._changed_at.items() if at > rid}
            removed = tuple(h for h, at in self._removed_at.items() if at > rid)
        return MainData(
            rid=self._generation,
            full_update=full,
            torrents=torrents,
            torrents_removed=removed,
            categories={name: {"name": name, "savePath": ""} for name in self._categories},
            server_state=await self._server_state(),
        )

    async def torrents_info_raw(self, *, hashes: Hashes | None = None) -> list[dict[str, Any]]:
        """Read the server; the current rows of the given torrents (all without ``hashes``)."""
        await self._poll()
        wanted = list(self._rows) if hashes is None else self._known(hashes)
        return [dict(self._rows[h]) for h in wanted if h in self._rows]

    async def torrents_count(self) -> int | None:
        """Not a cheap question here: every read is the whole list (None)."""
        return None

    async def transfer_info(self) -> TransferInfo:
        """Global figures (read with the torrent list)."""
        await self._poll()
        return TransferInfo.from_api(await self._server_state())

    async def transfer_speed_limits_mode(self) -> bool:
        """No alternative speed limits here: always off."""
        return False

    async def transfer_toggle_speed_limits_mode(self) -> None:
        """Not supported."""
        self._refuse(Capability.ALT_SPEED)

    async def transfer_set_speed_limits_mode(self, enabled: bool) -> None:  # noqa: ARG002
        """Not supported."""
        self._refuse(Capability.ALT_SPEED)

    async def error_reasons(self, torrent_hash: str, name: str) -> tuple[str | None, str | None]:  # noqa: ARG002
        """These WebUIs give no reason for an error (their list has only the state)."""
        return None, None

    async def torrents_create_category(self, *_args: Any) -> None:
        """No list of categories to add to: a label exists while a torrent has it."""
        raise NotSupportedError(f"{self.product} keeps no list of categories to add to")

    async def torrents_remove_categories(self, *_args: Any) -> None:
        """No list of categories to remove from."""
        raise NotSupportedError(f"{self.product} keeps no list of categories to remove from")

    async def torrents_files(self, torrent_hash: str) -> list[dict[str, Any]]:  # noqa: ARG002
        """Not supported here."""
        raise not_supported(self.product, Capability.FILES)

    async def torrents_file_prio(self, *_args: Any) -> None:
        """Not supported here."""
        self._refuse(Capability.FILES)

    async def transfer_speed_limits(self) -> SpeedLimits:
        """Not supported: no alternative limits (the normal pair is in ``transfer_info``)."""
        raise not_supported(self.product, Capability.ALT_SPEED)

    async def transfer_set_speed_limits(self, **_limits: int) -> None:
        """Not supported (``transfer_set_download_limit``/``…_upload_limit`` are)."""
        self._refuse(Capability.ALT_SPEED)

    async def _add(self, links: list[str], files: list[tuple[str, bytes]]) -> None:
        """Send the links and ``.torrent`` files (subclasses)."""
        raise NotImplementedError

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
        """Add by link and by ``.torrent`` content; nothing else can go with the add here.

        The engine sets a category (where there are categories) and "stopped" once the
        torrent is listed; a save path or tags are refused.
        """
        for given, capability in (
            (tags, Capability.TAGS),
            (category, Capability.CATEGORIES),
            (save_path or paused or category, Capability.ADD_OPTIONS),
        ):
            if given:
                self._refuse(capability)
        links = [u for u in urls if u]
        files = [
            item if isinstance(item, tuple) else (f"upload-{index}.torrent", item)
            for index, item in enumerate(torrent_files)
        ]
        if not links and not files:
            raise InvalidRequestError("add: give at least one URL or torrent file")
        await self._add(links, files)
        return AddResult(raw={"answer": "sent", "count": len(links) + len(files)})

    async def torrents_reannounce(self, hashes: Hashes) -> bool | None:  # noqa: ARG002
        """Not supported."""
        self._refuse(Capability.REANNOUNCE)
        return None

    async def torrents_add_tags(self, hashes: Hashes, tags: Iterable[str]) -> bool | None:  # noqa: ARG002
        """Not supported."""
        self._refuse(Capability.TAGS)
        return None

    async def torrents_remove_tags(self, hashes: Hashes, tags: Iterable[str] = ()) -> bool | None:  # noqa: ARG002
        """Not supported."""
        self._refuse(Capability.TAGS)
        return None

    # RSS and search: neither server has them in its documented API.

    async def rss_items(self, with_data: bool = False) -> list[RssFeed]:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.RSS)

    async def rss_add_feed(self, url: str, path: str = "") -> None:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.RSS)

    async def rss_remove_item(self, path: str) -> None:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.RSS)

    async def rss_refresh_item(self, item_path: str) -> bool | None:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.RSS)

    async def rss_rules(self) -> dict[str, RssRule]:
        """Not supported."""
        raise not_supported(self.product, Capability.RSS)

    async def rss_set_rule(self, rule: RssRule) -> None:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.RSS)

    async def rss_rename_rule(self, name: str, new_name: str) -> None:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.RSS)

    async def rss_remove_rule(self, name: str) -> None:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.RSS)

    async def rss_matching_articles(self, name: str) -> dict[str, list[str]] | None:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.RSS)

    async def rss_export_rules(self) -> dict[str, Any] | None:
        """Not supported."""
        raise not_supported(self.product, Capability.RSS)

    async def rss_import_rules(self, rules: Mapping[str, Any] | bytes) -> bool | None:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.RSS)

    async def listen_port(self) -> int:
        """Not supported."""
        raise not_supported(self.product, Capability.LISTEN_PORT)

    async def set_listen_port(self, port: int) -> None:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.LISTEN_PORT)

    async def transfer_pause_session(self) -> bool | None:
        """Not supported."""
        raise not_supported(self.product, Capability.SESSION_PAUSE)

    async def transfer_resume_session(self) -> bool | None:
        """Not supported."""
        raise not_supported(self.product, Capability.SESSION_PAUSE)

    async def search_plugins(self) -> list[SearchPlugin] | None:
        """Not supported."""
        raise not_supported(self.product, Capability.SEARCH)

    async def search_start(
        self,
        pattern: str,  # noqa: ARG002
        plugins: str = "enabled",  # noqa: ARG002
        category: str = "all",  # noqa: ARG002
    ) -> SearchJob | None:
        """Not supported."""
        raise not_supported(self.product, Capability.SEARCH)

    async def search_results(
        self,
        job_id: int,  # noqa: ARG002
        limit: int = 0,  # noqa: ARG002
        offset: int = 0,  # noqa: ARG002
    ) -> SearchResults | None:
        """Not supported."""
        raise not_supported(self.product, Capability.SEARCH)

    async def search_stop(self, job_id: int) -> bool | None:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.SEARCH)

    async def search_delete(self, job_id: int) -> bool | None:  # noqa: ARG002
        """Not supported."""
        raise not_supported(self.product, Capability.SEARCH)


class Pace:
    """A gentle pace for servers that choke on bursts (a token bucket).

    ``burst`` calls may go at once, then one per ``interval`` seconds. Clock and sleep are
    injectable for tests.
    """

    def __init__(
        self,
        interval: float,
        burst: int = 4,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        """Return when the next call may go."""
        if self.interval <= 0:
            return
        async with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) / self.interval)
            self._stamp = now
            if self._tokens < 1:
                delay = (1 - self._tokens) * self.interval
                await self._sleep(delay)
                self._stamp = self._clock()
                self._tokens = 1.0
            self._tokens -= 1
