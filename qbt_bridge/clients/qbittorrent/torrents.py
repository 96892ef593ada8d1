"""``torrents/*``: listing, adding and acting on torrents, categories and tags."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict, Unpack, cast

from qbt_bridge.clients.qbittorrent.request import (
    WHOLE_LIST,
    Hashes,
    RequestCore,
    flag,
    join_hashes,
    route,
)
from qbt_bridge.core.errors import (
    InvalidRequestError,
)
from qbt_bridge.core.models import (
    Torrent,
)
from qbt_bridge.core.versions import (
    WEBAPI_INACTIVE_SEEDING_LIMIT,
    WEBAPI_SHARE_LIMIT_ACTION,
    WEBAPI_STOP_START,
)

# torrents/info's filters in every release's words; 5.0 renamed paused/resumed.
_NEW_FILTER_NAMES = {"paused": "stopped", "resumed": "running"}
_OLD_FILTER_NAMES = {new: old for old, new in _NEW_FILTER_NAMES.items()}
STATUS_FILTERS = frozenset(
    {"all", "downloading", "seeding", "completed", "active", "inactive", "stalled",
     "stalled_uploading", "stalled_downloading", "checking", "moving", "errored",
     *_NEW_FILTER_NAMES, *_OLD_FILTER_NAMES}
)  # fmt: skip


class TorrentsInfoQuery(TypedDict, total=False):
    """The filters ``torrents/info`` takes (``status_filter`` is the WebAPI's ``filter``)."""

    status_filter: str | None
    category: str | None
    tag: str | None
    sort: str | None
    reverse: bool | None
    limit: int | None
    offset: int | None
    hashes: Hashes | None
    private: bool | None  # WebAPI 2.11.1: only private (or only public) torrents
    include_files: bool | None  # WebAPI 2.11.8: each torrent with its files
    include_trackers: bool | None  # WebAPI 2.11.3: each torrent with its trackers


class TorrentsAPI(RequestCore):
    """``torrents/*``: listing, adding and acting on torrents, categories and tags."""

    async def torrents_info(self, **filters: Unpack[TorrentsInfoQuery]) -> list[Torrent]:
        """``torrents/info``: the torrent list, filtered and sorted by the server."""
        return [Torrent.from_api(item) for item in await self.torrents_info_raw(**filters)]

    async def torrents_info_raw(self, **filters: Unpack[TorrentsInfoQuery]) -> list[dict[str, Any]]:
        """``torrents/info`` as the server's mappings (for the store: no models built)."""
        names = {
            "status_filter": "filter",
            "include_files": "includeFiles",
            "include_trackers": "includeTrackers",
        }
        form: dict[str, Any] = {}
        for key, value in filters.items():
            if value is None:
                continue
            if key == "hashes":
                form[key] = join_hashes(cast("Hashes", value))
            elif key == "status_filter":
                form["filter"] = await self._status_filter(str(value))
            else:
                form[names.get(key, key)] = flag(value) if isinstance(value, bool) else value
        return cast(
            "list[dict[str, Any]]",
            await self._json(route("torrents/info", patience=WHOLE_LIST), form) or [],
        )

    async def _status_filter(self, name: str) -> str:
        """A ``torrents/info`` filter in the server's release's words.

        qBittorrent ignores a filter it does not know and lists every torrent, so 4.x's
        ``paused``/``resumed`` and 5.x's ``stopped``/``running`` are translated, and a word no
        release knows is refused.
        """
        word = name.strip().lower()
        if word not in STATUS_FILTERS:
            raise InvalidRequestError(
                f"no torrent filter {name[:40]!r}; known: {', '.join(sorted(STATUS_FILTERS))}"
            )
        new_names = await self.uses_stop_start()
        renamed = _NEW_FILTER_NAMES if new_names else _OLD_FILTER_NAMES
        return renamed.get(word, word)

    async def torrents_properties(self, torrent_hash: str) -> dict[str, Any]:
        """``torrents/properties``: a torrent's generic properties."""
        return cast("dict[str, Any]", await self._per_torrent("torrents/properties", torrent_hash))

    async def torrents_trackers(self, torrent_hash: str) -> list[dict[str, Any]]:
        """``torrents/trackers``: a torrent's trackers (URLs may hold pass-keys)."""
        return cast(
            "list[dict[str, Any]]", await self._per_torrent("torrents/trackers", torrent_hash)
        )

    async def torrents_download_limit(self, hashes: Hashes) -> dict[str, int]:
        """``torrents/downloadLimit``: per-torrent download limits (bytes/s, 0: none)."""
        data = await self._json(route("torrents/downloadLimit"), {"hashes": join_hashes(hashes)})
        return cast("dict[str, int]", data or {})

    async def torrents_upload_limit(self, hashes: Hashes) -> dict[str, int]:
        """``torrents/uploadLimit``: per-torrent upload limits (bytes/s, 0: none)."""
        data = await self._json(route("torrents/uploadLimit"), {"hashes": join_hashes(hashes)})
        return cast("dict[str, int]", data or {})

    async def torrents_pause(self, hashes: Hashes) -> bool | None:
        """``torrents/pause`` (until WebAPI 2.11): pause torrents."""
        return await self._on_hashes(route("torrents/pause", until=str(WEBAPI_STOP_START)), hashes)

    async def torrents_resume(self, hashes: Hashes) -> bool | None:
        """``torrents/resume`` (until WebAPI 2.11): resume torrents."""
        return await self._on_hashes(route("torrents/resume", until=str(WEBAPI_STOP_START)), hashes)

    async def torrents_stop(self, hashes: Hashes) -> bool | None:
        """``torrents/stop`` (WebAPI 2.11+): stop torrents."""
        return await self._on_hashes(route("torrents/stop", str(WEBAPI_STOP_START)), hashes)

    async def torrents_start(self, hashes: Hashes) -> bool | None:
        """``torrents/start`` (WebAPI 2.11+): start torrents."""
        return await self._on_hashes(route("torrents/start", str(WEBAPI_STOP_START)), hashes)

    async def pause(self, hashes: Hashes) -> None:
        """Pause (4.x) or stop (5.x) torrents, whichever the server understands."""
        if await self.uses_stop_start():
            await self.torrents_stop(hashes)
        else:
            await self.torrents_pause(hashes)

    async def resume(self, hashes: Hashes) -> None:
        """Resume (4.x) or start (5.x) torrents, whichever the server understands."""
        if await self.uses_stop_start():
            await self.torrents_start(hashes)
        else:
            await self.torrents_resume(hashes)

    async def torrents_delete(self, hashes: Hashes, delete_files: bool = False) -> None:
        """``torrents/delete``: remove torrents, with their data when asked."""
        await self._on_hashes(route("torrents/delete"), hashes, deleteFiles=flag(delete_files))

    async def torrents_recheck(self, hashes: Hashes) -> None:
        """``torrents/recheck``: verify the torrents' data."""
        await self._on_hashes(route("torrents/recheck"), hashes)

    async def torrents_reannounce(
        self, hashes: Hashes, trackers: Iterable[str] | None = None
    ) -> bool | None:
        """``torrents/reannounce``: announce to trackers now (only ``trackers``, WebAPI 2.11.10)."""
        extra = {} if trackers is None else {"urls": "|".join(trackers)}
        return await self._on_hashes(route("torrents/reannounce", "2.0.2"), hashes, **extra)

    async def torrents_add_trackers(self, torrent_hash: str, urls: Iterable[str]) -> None:
        """``torrents/addTrackers``: add tracker URLs to a torrent."""
        await self._call(
            route("torrents/addTrackers", item=True),
            {"hash": torrent_hash, "urls": "\n".join(urls)},
        )

    async def torrents_edit_tracker(
        self, torrent_hash: str, orig_url: str, new_url: str, tier: int | None = None
    ) -> bool | None:
        """``torrents/editTracker``: replace one tracker URL (and its tier, WebAPI 2.13).

        The old URL goes as ``origUrl`` and, for newer servers that renamed it, as ``url``.
        """
        form: dict[str, Any] = {
            "hash": torrent_hash,
            "origUrl": orig_url,
            "url": orig_url,
            "newUrl": new_url,
        }
        if tier is not None:
            form["tier"] = tier
        return await self._action(route("torrents/editTracker", "2.2.0", item=True), form)

    async def torrents_remove_trackers(self, torrent_hash: str, urls: Iterable[str]) -> bool | None:
        """``torrents/removeTrackers``: remove tracker URLs from a torrent."""
        form = {"hash": torrent_hash, "urls": "|".join(urls)}
        return await self._action(route("torrents/removeTrackers", "2.2.0", item=True), form)

    async def torrents_add_peers(self, hashes: Hashes, peers: Iterable[str]) -> bool | None:
        """``torrents/addPeers``: connect torrents to ``host:port`` peers."""
        return await self._on_hashes(
            route("torrents/addPeers", "2.3.0"), hashes, peers="|".join(peers)
        )

    async def torrents_increase_prio(self, hashes: Hashes) -> None:
        """``torrents/increasePrio``: move up the queue (409 when queueing is off)."""
        await self._on_hashes(route("torrents/increasePrio"), hashes)

    async def torrents_decrease_prio(self, hashes: Hashes) -> None:
        """``torrents/decreasePrio``: move down the queue."""
        await self._on_hashes(route("torrents/decreasePrio"), hashes)

    async def torrents_top_prio(self, hashes: Hashes) -> None:
        """``torrents/topPrio``: move to the top of the queue."""
        await self._on_hashes(route("torrents/topPrio"), hashes)

    async def torrents_bottom_prio(self, hashes: Hashes) -> None:
        """``torrents/bottomPrio``: move to the bottom of the queue."""
        await self._on_hashes(route("torrents/bottomPrio"), hashes)

    async def torrents_set_download_limit(self, hashes: Hashes, limit: int) -> None:
        """``torrents/setDownloadLimit``: per-torrent download limit in bytes/s."""
        await self._on_hashes(route("torrents/setDownloadLimit"), hashes, limit=limit)

    async def torrents_set_upload_limit(self, hashes: Hashes, limit: int) -> None:
        """``torrents/setUploadLimit``: per-torrent upload limit in bytes/s."""
        await self._on_hashes(route("torrents/setUploadLimit"), hashes, limit=limit)

    async def torrents_set_share_limits(
        self,
        hashes: Hashes,
        ratio_limit: float = -2,
        seeding_time_limit: int = -2,
        inactive_seeding_time_limit: int = -2,
        action: str = "Default",
    ) -> bool | None:
        """``torrents/setShareLimits``: ratio and seeding-time limits (-2 global, -1 none).

        ``action`` (WebAPI 2.12) is what happens at the limit: ``Default`` (the global
        setting), ``Stop``, ``Remove``, ``RemoveWithContent`` or ``EnableSuperSeeding``.
        """
        webapi = await self.webapi_version()
        extra: dict[str, Any] = {"ratioLimit": ratio_limit, "seedingTimeLimit": seeding_time_limit}
        if webapi >= WEBAPI_INACTIVE_SEEDING_LIMIT:
            extra["inactiveSeedingTimeLimit"] = inactive_seeding_time_limit
        if webapi >= WEBAPI_SHARE_LIMIT_ACTION:
            # 5.3 insists on both fields; the mode "Default" keeps the torrent's own.
            extra["shareLimitAction"] = action
            extra["shareLimitsMode"] = "Default"
        return await self._on_hashes(route("torrents/setShareLimits", "2.0.1"), hashes, **extra)

    async def torrents_set_location(self, hashes: Hashes, location: str) -> None:
        """``torrents/setLocation``: move torrents' data to another folder."""
        await self._on_hashes(route("torrents/setLocation"), hashes, location=location)

    async def torrents_rename(self, torrent_hash: str, name: str) -> None:
        """``torrents/rename``: rename a torrent."""
        await self._call(route("torrents/rename", item=True), {"hash": torrent_hash, "name": name})

    async def torrents_set_comment(self, hashes: Hashes, comment: str) -> bool | None:
        """``torrents/setComment`` (WebAPI 2.12.1): set the torrents' comment."""
        return await self._on_hashes(
            route("torrents/setComment", "2.12.1"), hashes, comment=comment
        )

    async def _set_path(self, path: str, hashes: Hashes, folder: str) -> bool | None:
        form = {"id": join_hashes(hashes), "path": folder}
        return await self._action(route(path, "2.8.4"), form)

    async def torrents_set_save_path(self, hashes: Hashes, path: str) -> bool | None:
        """``torrents/setSavePath`` (WebAPI 2.8.4): where the torrents' data goes.

        For manually managed torrents the data moves there.
        """
        return await self._set_path("torrents/setSavePath", hashes, path)

    async def torrents_set_download_path(self, hashes: Hashes, path: str) -> bool | None:
        """``torrents/setDownloadPath`` (WebAPI 2.8.4): where unfinished data stays."""
        return await self._set_path("torrents/setDownloadPath", hashes, path)

    async def torrents_count(self) -> int | None:
        """``torrents/count`` (WebAPI 2.9.3, qBittorrent 4.6): the number of torrents.

        O(1) for qBittorrent, unlike any listing; None on an older release.
        """
        text = await self._text(route("torrents/count", "2.9.3"))
        return None if text is None else int(text.strip())

    async def torrents_set_auto_management(self, hashes: Hashes, enable: bool) -> None:
        """``torrents/setAutoManagement``: automatic torrent management on or off."""
        await self._on_hashes(route("torrents/setAutoManagement"), hashes, enable=flag(enable))

    async def torrents_toggle_sequential_download(self, hashes: Hashes) -> None:
        """``torrents/toggleSequentialDownload``: flip sequential download."""
        await self._on_hashes(route("torrents/toggleSequentialDownload"), hashes)

    async def torrents_toggle_first_last_piece_prio(self, hashes: Hashes) -> None:
        """``torrents/toggleFirstLastPiecePrio``: flip first/last piece priority."""
        await self._on_hashes(route("torrents/toggleFirstLastPiecePrio"), hashes)

    async def torrents_set_force_start(self, hashes: Hashes, value: bool) -> None:
        """``torrents/setForceStart``: force start on or off."""
        await self._on_hashes(route("torrents/setForceStart"), hashes, value=flag(value))

    async def torrents_set_super_seeding(self, hashes: Hashes, value: bool) -> None:
        """``torrents/setSuperSeeding``: super seeding on or off."""
        await self._on_hashes(route("torrents/setSuperSeeding"), hashes, value=flag(value))
