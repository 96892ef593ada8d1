"""``torrents/add``: adding torrents, with the options each release takes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import aiohttp

from qbt_bridge.clients.http import HttpResponse
from qbt_bridge.clients.qbittorrent.request import RequestCore, flag, route
from qbt_bridge.core.errors import (
    AddTorrentError,
    APIError,
    InvalidRequestError,
    NotSupportedError,
)
from qbt_bridge.core.models import AddResult
from qbt_bridge.core.versions import (
    WEBAPI_ADD_FILE_PRIORITIES,
    WEBAPI_ADD_JSON_ANSWER,
    WEBAPI_CONTENT_LAYOUT,
    WEBAPI_SEED_MODE,
    Version,
)


class AddingAPI(RequestCore):
    """``torrents/add``: adding torrents, with the options each release takes."""

    async def torrents_add(
        self,
        *,
        urls: Iterable[str] = (),
        torrent_files: Iterable[bytes | tuple[str, bytes]] = (),
        save_path: str | None = None,
        cookie: str | None = None,
        category: str | None = None,
        tags: Iterable[str] | None = None,
        skip_checking: bool | None = None,
        paused: bool | None = None,
        root_folder: bool | None = None,
        content_layout: str | None = None,
        rename: str | None = None,
        upload_limit: int | None = None,
        download_limit: int | None = None,
        ratio_limit: float | None = None,
        seeding_time_limit: int | None = None,
        auto_tmm: bool | None = None,
        sequential_download: bool | None = None,
        first_last_piece_prio: bool | None = None,
        stop_condition: str | None = None,
        download_path: str | None = None,
        use_download_path: bool | None = None,
        add_to_top_of_queue: bool | None = None,
        forced: bool | None = None,
        inactive_seeding_time_limit: int | None = None,
        share_limit_action: str | None = None,
        file_priorities: Iterable[int] | None = None,
    ) -> AddResult:
        """``torrents/add``: add torrents by URL/magnet and by ``.torrent`` content.

        ``paused`` is sent as ``paused`` and as ``stopped`` (5.x ignores the first), and
        ``skip_checking`` as ``seedMode`` from WebAPI 2.16. ``content_layout`` is ``Original``,
        ``Subfolder`` or ``NoSubfolder`` (WebAPI 2.7+); ``root_folder``, which those servers
        ignore, is sent to them as the layout it means. ``stop_condition`` is ``None``,
        ``MetadataReceived`` or ``FilesChecked``; ``share_limit_action`` ``Default``, ``Stop``,
        ``Remove``, ``RemoveWithContent`` or ``EnableSuperSeeding`` (WebAPI 2.12).
        ``file_priorities`` (0 skip, 1 normal, 6 high, 7 max, by file index; WebAPI 2.11.8) go
        with one link whose metadata qBittorrent already has (``torrents_fetch_metadata``),
        never with uploaded files; an older release raises NotSupportedError, as it would
        ignore them. Raises InvalidTorrentFileError (415) and AddTorrentError when the server
        added nothing.
        """
        url_list = [u for u in urls if u]
        files = list(torrent_files)
        if not url_list and not files:
            raise InvalidRequestError("torrents/add: give at least one URL or torrent file")
        webapi = await self.webapi_version()
        form = aiohttp.FormData()
        if url_list:
            form.add_field("urls", "\n".join(url_list))
        for index, item in enumerate(files):
            name, content = item if isinstance(item, tuple) else (f"upload-{index}.torrent", item)
            form.add_field(
                "torrents", content, filename=name, content_type="application/x-bittorrent"
            )
        options: dict[str, Any] = {
            "savepath": save_path,
            "cookie": cookie,
            "category": category,
            "tags": ",".join(tags) if tags is not None else None,
            **_layout(root_folder, content_layout, webapi),
            "rename": rename,
            "upLimit": upload_limit,
            "dlLimit": download_limit,
            "ratioLimit": ratio_limit,
            "seedingTimeLimit": seeding_time_limit,
            "autoTMM": None if auto_tmm is None else flag(auto_tmm),
            "sequentialDownload": None
            if sequential_download is None
            else flag(sequential_download),
            "firstLastPiecePrio": None
            if first_last_piece_prio is None
            else flag(first_last_piece_prio),
        }
        options |= {
            "stopCondition": stop_condition,
            "downloadPath": download_path,
            "inactiveSeedingTimeLimit": inactive_seeding_time_limit,
            "shareLimitAction": share_limit_action,
        }
        for key, value in (
            ("useDownloadPath", use_download_path),
            ("addToTopOfQueue", add_to_top_of_queue),
            ("forced", forced),
        ):
            options[key] = None if value is None else flag(value)
        options["filePriorities"] = _file_priorities(file_priorities, webapi)
        if paused is not None:
            options["paused"] = options["stopped"] = flag(paused)
        if skip_checking is not None:
            key = "seedMode" if webapi >= WEBAPI_SEED_MODE else "skip_checking"
            options[key] = flag(skip_checking)
        for key, value in options.items():
            if value is not None:
                form.add_field(key, str(value))
        response = await self._call(route("torrents/add"), form)
        return _add_result(response, webapi)


def _add_result(response: HttpResponse | None, webapi: Version) -> AddResult:
    if response is None:
        raise APIError("torrents/add: the server has no add endpoint")
    text = response.text.strip()
    if webapi >= WEBAPI_ADD_JSON_ANSWER and text.startswith("{"):
        result = AddResult.from_api(json.loads(text))
        if result.failure_count and not result.success_count and not result.pending_count:
            raise AddTorrentError("qBittorrent added none of the torrents")
        return result
    if text == "Fails.":
        raise AddTorrentError("qBittorrent added none of the torrents (duplicate or bad link?)")
    return AddResult(raw={"answer": text})


def _file_priorities(priorities: Iterable[int] | None, webapi: Version) -> str | None:
    if priorities is None:
        return None
    if webapi < WEBAPI_ADD_FILE_PRIORITIES:
        raise NotSupportedError(
            f"this qBittorrent (WebAPI {webapi}) cannot take file priorities when adding;"
            " set them once the torrent is added"
        )
    return ",".join(str(int(p)) for p in priorities)


_LAYOUTS = {"original": "Original", "subfolder": "Subfolder", "nosubfolder": "NoSubfolder"}


def _layout(root_folder: bool | None, layout: str | None, webapi: Version) -> dict[str, str]:
    """``torrents/add``'s folder option as the server's release takes it.

    ``root_folder`` before WebAPI 2.7, ``contentLayout`` from then on (those servers ignore
    ``root_folder``: files landed in a subfolder whatever it said).
    """
    if layout is not None:
        name = _LAYOUTS.get(layout.replace("_", "").replace(" ", "").lower())
        if name is None:
            raise InvalidRequestError("content_layout is Original, Subfolder or NoSubfolder")
        if root_folder is not None and name != ("Subfolder" if root_folder else "NoSubfolder"):
            raise InvalidRequestError("root_folder and content_layout disagree")
    elif root_folder is not None:
        name = "Subfolder" if root_folder else "NoSubfolder"
    else:
        return {}
    if webapi >= WEBAPI_CONTENT_LAYOUT:
        return {"contentLayout": name}
    if name == "Original":
        return {}
    return {"root_folder": flag(name == "Subfolder")}
