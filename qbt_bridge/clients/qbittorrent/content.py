"""``torrents/*`` about one torrent's content: files, pieces, web seeds, metadata, export, SSL."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

import aiohttp

from qbt_bridge.clients.qbittorrent.request import (
    JSON,
    RequestCore,
    route,
)
from qbt_bridge.core.errors import InvalidRequestError


class TorrentContentAPI(RequestCore):
    """``torrents/*`` about one torrent's content: files, pieces, web seeds, metadata."""

    async def torrents_webseeds(self, torrent_hash: str) -> list[dict[str, Any]]:
        """``torrents/webseeds``: a torrent's web seeds."""
        return cast(
            "list[dict[str, Any]]", await self._per_torrent("torrents/webseeds", torrent_hash)
        )

    async def torrents_files(
        self, torrent_hash: str, indexes: Iterable[int] | None = None
    ) -> list[dict[str, Any]]:
        """``torrents/files``: a torrent's files with progress and priority."""
        form: dict[str, Any] = {"hash": torrent_hash}
        if indexes is not None:
            form["indexes"] = "|".join(str(i) for i in indexes)
        data = await self._json(route("torrents/files", item=True), form)
        return cast("list[dict[str, Any]]", data)

    async def torrents_piece_states(self, torrent_hash: str) -> list[int]:
        """``torrents/pieceStates``: 0 missing, 1 downloading, 2 have, per piece."""
        return cast("list[int]", await self._per_torrent("torrents/pieceStates", torrent_hash))

    async def torrents_piece_hashes(self, torrent_hash: str) -> list[str]:
        """``torrents/pieceHashes``: the SHA-1 of every piece."""
        return cast("list[str]", await self._per_torrent("torrents/pieceHashes", torrent_hash))

    async def torrents_file_prio(
        self, torrent_hash: str, file_ids: Iterable[int], priority: int
    ) -> None:
        """``torrents/filePrio``: set the priority (0, 1, 6, 7) of files by index."""
        form = {
            "hash": torrent_hash,
            "id": "|".join(str(i) for i in file_ids),
            "priority": priority,
        }
        await self._call(route("torrents/filePrio", item=True), form)

    async def torrents_rename_file(
        self, torrent_hash: str, old_path: str, new_path: str
    ) -> bool | None:
        """``torrents/renameFile``: rename a file inside a torrent."""
        form = {"hash": torrent_hash, "oldPath": old_path, "newPath": new_path}
        return await self._action(route("torrents/renameFile", "2.4.0", item=True), form)

    async def torrents_rename_folder(
        self, torrent_hash: str, old_path: str, new_path: str
    ) -> bool | None:
        """``torrents/renameFolder``: rename a folder inside a torrent."""
        form = {"hash": torrent_hash, "oldPath": old_path, "newPath": new_path}
        return await self._action(route("torrents/renameFolder", "2.8.0", item=True), form)

    async def torrents_piece_availability(self, torrent_hash: str) -> list[int] | None:
        """``torrents/pieceAvailability`` (WebAPI 2.15.1): peers that have each piece."""
        data = await self._per_torrent("torrents/pieceAvailability", torrent_hash, "2.15.1")
        return None if data is None else cast("list[int]", data)

    async def _web_seeds(self, path: str, torrent_hash: str, urls: Iterable[str]) -> bool | None:
        form = {"hash": torrent_hash, "urls": "|".join(urls)}
        return await self._action(route(path, "2.11.2", item=True), form)

    async def torrents_add_web_seeds(self, torrent_hash: str, urls: Iterable[str]) -> bool | None:
        """``torrents/addWebSeeds`` (WebAPI 2.11.2): add web seed URLs to a torrent."""
        return await self._web_seeds("torrents/addWebSeeds", torrent_hash, urls)

    async def torrents_remove_web_seeds(
        self, torrent_hash: str, urls: Iterable[str]
    ) -> bool | None:
        """``torrents/removeWebSeeds`` (WebAPI 2.11.2): remove web seed URLs from a torrent."""
        return await self._web_seeds("torrents/removeWebSeeds", torrent_hash, urls)

    async def torrents_edit_web_seed(
        self, torrent_hash: str, orig_url: str, new_url: str
    ) -> bool | None:
        """``torrents/editWebSeed`` (WebAPI 2.11.2): replace one web seed URL."""
        form = {"hash": torrent_hash, "origUrl": orig_url, "newUrl": new_url}
        return await self._action(route("torrents/editWebSeed", "2.11.2", item=True), form)

    async def torrents_export(self, torrent_hash: str) -> bytes | None:
        """``torrents/export`` (WebAPI 2.8.11): the torrent's ``.torrent`` file."""
        return await self._bytes(
            route("torrents/export", "2.8.11", item=True), {"hash": torrent_hash}
        )

    async def torrents_fetch_metadata(
        self, source: str, downloader: str | None = None
    ) -> dict[str, Any] | None:
        """``torrents/fetchMetadata`` (WebAPI 2.11.8): a torrent's metadata from a link or hash.

        While qBittorrent still fetches a magnet's metadata the answer holds only its hashes:
        ask again. ``downloader`` names a search plugin to fetch through (WebAPI 2.13.1).
        """
        form = {"source": source, **({"downloader": downloader} if downloader else {})}
        data = await self._json(route("torrents/fetchMetadata", "2.11.8"), form)
        return None if data is None else cast("dict[str, Any]", data)

    async def torrents_parse_metadata(
        self, torrent_files: Iterable[bytes]
    ) -> list[dict[str, Any]] | None:
        """``torrents/parseMetadata`` (WebAPI 2.11.8): the metadata of ``.torrent`` files.

        In the order given (before WebAPI 2.13 qBittorrent answered by upload name; that is
        put in order here).
        """
        files = list(torrent_files)
        if not files:
            raise InvalidRequestError("torrents/parseMetadata: give at least one torrent file")
        form = aiohttp.FormData()
        names = [f"upload-{index}.torrent" for index in range(len(files))]
        for name, content in zip(names, files, strict=True):
            form.add_field(name, content, filename=name, content_type="application/x-bittorrent")
        response = await self._call(route("torrents/parseMetadata", "2.11.8"), form)
        if response is None:
            return None
        data: JSON = json.loads(response.text)
        if isinstance(data, Mapping):
            return [cast("dict[str, Any]", data[name]) for name in names]
        return cast("list[dict[str, Any]]", data)

    async def torrents_save_metadata(self, source: str) -> bytes | None:
        """``torrents/saveMetadata`` (WebAPI 2.11.8): fetched or parsed metadata as ``.torrent``."""
        return await self._bytes(
            route("torrents/saveMetadata", "2.11.8", item=True), {"source": source}
        )

    async def torrents_download_file(self, torrent_hash: str, file: int | str) -> bytes | None:
        """``torrents/downloadFile`` (WebAPI 2.16): a completed file's content.

        ``file`` is the file's index or its path inside the torrent.
        """
        form = {"hash": torrent_hash, "file": str(file)}
        return await self._bytes(route("torrents/downloadFile", "2.16.0", item=True), form)

    async def torrents_ssl_parameters(self, torrent_hash: str) -> dict[str, str] | None:
        """``torrents/SSLParameters`` (WebAPI 2.10.3): an SSL torrent's certificate and keys.

        The answer holds a private key: keep it out of logs and messages.
        """
        data = await self._per_torrent("torrents/SSLParameters", torrent_hash, "2.10.3")
        return None if data is None else cast("dict[str, str]", data)

    async def torrents_set_ssl_parameters(
        self, torrent_hash: str, certificate: str, private_key: str, dh_params: str
    ) -> bool | None:
        """``torrents/setSSLParameters`` (WebAPI 2.10.3): PEM certificate, key and DH params."""
        form = {
            "hash": torrent_hash,
            "ssl_certificate": certificate,
            "ssl_private_key": private_key,
            "ssl_dh_params": dh_params,
        }
        return await self._action(route("torrents/setSSLParameters", "2.10.3", item=True), form)
