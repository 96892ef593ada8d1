"""A torrent's files: listed with progress and priority, and their priorities set."""

from __future__ import annotations

from collections.abc import Sequence

from qbt_bridge.clients import Capability
from qbt_bridge.core.content import FilePriority, TorrentFile
from qbt_bridge.core.errors import InvalidRequestError
from qbt_bridge.engine.link import Link, requires
from qbt_bridge.engine.results import CommandResult
from qbt_bridge.engine.targets import Targets


class Content:
    """A torrent's files and their priorities (qBittorrent's WebAPI v2)."""

    def __init__(self, link: Link, targets: Targets) -> None:
        self.link = link
        self._targets = targets

    @requires(Capability.FILES)
    async def files(self, target: str) -> tuple[str, list[TorrentFile]]:
        """The files of the one torrent ``target`` names: its hash and the files, in order.

        A torrent still fetching its metadata (a magnet) has none yet.
        """
        torrent_hash = await self._targets.resolve_single(target)
        rows = await self.link.client.torrents_files(torrent_hash)
        return torrent_hash, [TorrentFile.from_row(row, n) for n, row in enumerate(rows or [])]

    @requires(Capability.FILES)
    async def set_file_priority(
        self, target: str, files: Sequence[int] | None, priority: FilePriority
    ) -> CommandResult:
        """Give files of one torrent a priority (``files`` None: all of them).

        An index the torrent does not have is refused before anything changes.
        """
        torrent_hash, listed = await self.files(target)
        count = len(listed)
        if not listed:
            raise InvalidRequestError("that torrent has no files yet (its metadata is not there)")
        indexes = list(range(count)) if files is None else sorted(set(files))
        wrong = [i for i in indexes if not 0 <= i < count]
        if wrong:
            raise InvalidRequestError(
                f"no file {wrong[0]} in that torrent: it has {count} (0 to {count - 1})"
            )
        await self.link.client.torrents_file_prio(torrent_hash, indexes, int(priority))
        torrent = self.link.store.torrent(torrent_hash)
        shown = await self.link.client.torrents_files(torrent_hash)
        confirmed = all(
            TorrentFile.from_row(shown[i], i).priority is priority
            for i in indexes
            if i < len(shown)
        )
        what = "all files" if files is None else f"{len(indexes)} file(s)"
        return CommandResult(
            (torrent_hash,),
            (torrent.name,) if torrent else (),
            confirmed,
            f"{what} set to {priority.word}",
        )
