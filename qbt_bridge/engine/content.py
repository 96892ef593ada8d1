"""A torrent's files: listed with progress and priority, and their priorities set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qbt_bridge.clients import Capability
from qbt_bridge.core.content import FilePriority, TorrentFile
from qbt_bridge.core.errors import InvalidRequestError
from qbt_bridge.core.torrentfile import BencodeError, read_torrent
from qbt_bridge.engine.core import AddOutcome, CommandResult, requires
from qbt_bridge.engine.transfer import TransferService


class ContentService(TransferService):
    """A torrent's files and their priorities (qBittorrent's WebAPI v2)."""

    @requires(Capability.FILES)
    async def files(self, target: str) -> tuple[str, list[TorrentFile]]:
        """The files of the one torrent ``target`` names: its hash and the files, in order.

        A torrent still fetching its metadata (a magnet) has none yet.
        """
        torrent_hash = await self.resolve_single(target)
        rows = await self.client.torrents_files(torrent_hash)
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
        await self.client.torrents_file_prio(torrent_hash, indexes, int(priority))
        torrent = self.store.torrent(torrent_hash)
        shown = await self.client.torrents_files(torrent_hash)
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

    async def add(
        self,
        source: str | bytes,
        *,
        file_priorities: Sequence[FilePriority] | None = None,
        paused: bool | None = None,
        **options: Any,
    ) -> AddOutcome:
        """Add, and with ``file_priorities`` (in file order) give the files their priorities.

        That is for .torrent files, on every release with files: the torrent is added stopped,
        its files set, then started unless ``paused``. A link has no files before qBittorrent
        fetched its metadata: set them after (``set_file_priority``).
        """
        if not file_priorities:
            return await super().add(source, paused=paused, **options)
        if not isinstance(source, bytes):
            raise InvalidRequestError(
                "file priorities go with a .torrent file; add a link first, then set them "
                "(set_file_priority) once qBittorrent has its metadata"
            )
        self.need(Capability.FILES)
        count = _file_count(source)
        if len(file_priorities) > count:
            raise InvalidRequestError(
                f"{len(file_priorities)} file priorities for a torrent of {count} file(s)"
            )
        outcome = await super().add(source, paused=True, **options)
        if outcome.already_present or outcome.hash is None:
            return outcome  # nothing added here: its files are left as they are
        groups: dict[FilePriority, list[int]] = {}
        for index, priority in enumerate(file_priorities):
            groups.setdefault(priority, []).append(index)
        for priority, indexes in groups.items():
            if priority is not FilePriority.NORMAL:  # qBittorrent's own default
                await self.client.torrents_file_prio(outcome.hash, indexes, int(priority))
        if not paused:
            await self.resume(outcome.hash)
        return outcome


def _file_count(data: bytes) -> int:
    try:
        return read_torrent(data).file_count
    except BencodeError as err:
        raise InvalidRequestError(f"not a valid .torrent file: {err}") from err
