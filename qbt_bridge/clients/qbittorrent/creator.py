"""``torrentcreator/*``: qBittorrent makes ``.torrent`` files from data it can read (5.0+)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from qbt_bridge.clients.qbittorrent.request import (
    RequestCore,
    flag,
    route,
)

_SINCE = "2.10.4"


class TorrentCreatorAPI(RequestCore):
    """``torrentcreator/*``: qBittorrent makes ``.torrent`` files (WebAPI 2.10.4, 5.0)."""

    async def torrentcreator_add_task(
        self,
        source_path: str,
        *,
        torrent_file_path: str | None = None,
        private: bool | None = None,
        torrent_format: str | None = None,
        piece_size: int | None = None,
        optimize_alignment: bool | None = None,
        padded_file_size_limit: int | None = None,
        start_seeding: bool | None = None,
        comment: str | None = None,
        source: str | None = None,
        trackers: Iterable[str] | None = None,
        url_seeds: Iterable[str] | None = None,
    ) -> str | None:
        """``torrentcreator/addTask``: start making a torrent of ``source_path``; its task id.

        ``torrent_format`` is ``v1``, ``v2`` or ``hybrid``; without ``torrent_file_path`` the
        file stays with qBittorrent (``torrentcreator_torrent_file``). 409 (too many tasks)
        raises InvalidRequestError.
        """
        options: dict[str, Any] = {
            "sourcePath": source_path,
            "torrentFilePath": torrent_file_path,
            "private": private,
            "format": torrent_format,
            "pieceSize": piece_size,
            "optimizeAlignment": optimize_alignment,
            "paddedFileSizeLimit": padded_file_size_limit,
            "startSeeding": start_seeding,
            "comment": comment,
            "source": source,
            "trackers": None if trackers is None else "|".join(trackers),
            "urlSeeds": None if url_seeds is None else "|".join(url_seeds),
        }
        form = {
            key: flag(value) if isinstance(value, bool) else str(value)
            for key, value in options.items()
            if value is not None
        }
        data = await self._json(route("torrentcreator/addTask", _SINCE), form)
        return None if data is None else str(data["taskID"])

    async def torrentcreator_status(
        self, task_id: str | None = None
    ) -> list[dict[str, Any]] | None:
        """``torrentcreator/status``: every task's state and progress, or one task's."""
        form = {} if task_id is None else {"taskID": task_id}
        data = await self._json(route("torrentcreator/status", _SINCE, item=True), form)
        return None if data is None else cast("list[dict[str, Any]]", data)

    async def torrentcreator_torrent_file(self, task_id: str) -> bytes | None:
        """``torrentcreator/torrentFile``: a finished task's ``.torrent`` (409 until finished)."""
        route_ = route("torrentcreator/torrentFile", _SINCE, item=True)
        return await self._bytes(route_, {"taskID": task_id})

    async def torrentcreator_delete_task(self, task_id: str) -> bool | None:
        """``torrentcreator/deleteTask``: forget a task (and stop it when it runs)."""
        route_ = route("torrentcreator/deleteTask", _SINCE, item=True)
        return await self._action(route_, {"taskID": task_id})
