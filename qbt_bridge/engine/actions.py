"""Torrent commands that settle (answer whether qBittorrent showed the change), and adding."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence

from qbt_bridge.clients import Capability
from qbt_bridge.core.content import FilePriority
from qbt_bridge.core.errors import InvalidRequestError
from qbt_bridge.core.models import SpeedLimits, StateGroup, Torrent, TorrentState
from qbt_bridge.core.torrentfile import BencodeError, magnet_info_hash, read_torrent
from qbt_bridge.engine.link import Link, connected, requires
from qbt_bridge.engine.refresh import Refresher
from qbt_bridge.engine.results import AddOutcome, CommandResult
from qbt_bridge.engine.targets import Targets

_LOGGER = logging.getLogger(__name__)

URL_WATCH = 60.0  # seconds of sweeps on every tick after a link was added (it is being fetched)


class TorrentActions:
    """Torrent commands that settle (answer whether qBittorrent showed the change), and adding."""

    def __init__(self, link: Link, refresher: Refresher, targets: Targets) -> None:
        self.link = link
        self._refresher = refresher
        self._targets = targets

    async def _on_targets(
        self,
        targets: str | Iterable[str],
        action: Callable[[list[str]], Awaitable[object]],
        effect: Callable[[Torrent | None], bool],
    ) -> CommandResult:
        hashes = await self._targets.resolve(targets)
        names = tuple(t.name for h in hashes if (t := self.link.store.torrent(h)) is not None)
        await action(hashes)
        confirmed = await self._refresher.settle(hashes, effect)
        return CommandResult(tuple(hashes), names, confirmed)

    @connected
    async def pause(self, targets: str | Iterable[str]) -> CommandResult:
        """Pause (4.x) / stop (5.x) torrents."""
        return await self._on_targets(targets, self.link.client.pause, _stopped(want=True))

    @connected
    async def resume(self, targets: str | Iterable[str]) -> CommandResult:
        """Resume (4.x) / start (5.x) torrents."""
        return await self._on_targets(targets, self.link.client.resume, _stopped(want=False))

    @connected
    async def delete(
        self, targets: str | Iterable[str], *, delete_files: bool = False
    ) -> CommandResult:
        """Remove torrents, with their data when asked."""

        async def action(hashes: list[str]) -> None:
            await self.link.client.torrents_delete(hashes, delete_files=delete_files)

        return await self._on_targets(targets, action, lambda t: t is None)

    @connected
    async def recheck(self, targets: str | Iterable[str]) -> CommandResult:
        """Verify torrents' data."""
        return await self._on_targets(targets, self.link.client.torrents_recheck, _present)

    @requires(Capability.REANNOUNCE)
    async def reannounce(self, targets: str | Iterable[str]) -> CommandResult:
        """Announce to the trackers now."""
        return await self._on_targets(targets, self.link.client.torrents_reannounce, _present)

    @requires(Capability.CATEGORIES)
    async def set_category(self, targets: str | Iterable[str], category: str) -> CommandResult:
        """Set a category ("" clears it); the category must exist."""

        async def action(hashes: list[str]) -> None:
            await self.link.client.torrents_set_category(hashes, category)

        return await self._on_targets(
            targets, action, lambda t: t is not None and t.category == category
        )

    @requires(Capability.TAGS)
    async def add_tags(self, targets: str | Iterable[str], tags: Iterable[str]) -> CommandResult:
        """Add tags (created as needed)."""
        wanted = _clean_tags(tags)

        async def action(hashes: list[str]) -> None:
            await self.link.client.torrents_add_tags(hashes, wanted)

        return await self._on_targets(
            targets, action, lambda t: t is not None and set(wanted) <= set(t.tags)
        )

    @requires(Capability.TAGS)
    async def remove_tags(self, targets: str | Iterable[str], tags: Iterable[str]) -> CommandResult:
        """Remove tags."""
        unwanted = _clean_tags(tags)

        async def action(hashes: list[str]) -> None:
            await self.link.client.torrents_remove_tags(hashes, unwanted)

        return await self._on_targets(
            targets, action, lambda t: t is not None and not set(unwanted) & set(t.tags)
        )

    @requires(Capability.FORCE_START)
    async def force_start(
        self, targets: str | Iterable[str], *, enable: bool = True
    ) -> CommandResult:
        """Force start on or off (ignores queue limits)."""

        async def action(hashes: list[str]) -> None:
            await self.link.client.torrents_set_force_start(hashes, value=enable)

        return await self._on_targets(
            targets, action, lambda t: t is not None and t.force_start is enable
        )

    @requires(Capability.TORRENT_LIMITS)
    async def set_torrent_limits(
        self,
        targets: str | Iterable[str],
        *,
        download: int | None = None,
        upload: int | None = None,
    ) -> CommandResult:
        """Per-torrent speed limits in bytes/s (0: none)."""
        SpeedLimits.check(download, upload)

        async def action(hashes: list[str]) -> None:
            if download is not None:
                await self.link.client.torrents_set_download_limit(hashes, download)
            if upload is not None:
                await self.link.client.torrents_set_upload_limit(hashes, upload)

        return await self._on_targets(targets, action, _present)

    @connected
    async def pause_all(self) -> CommandResult:
        """Pause every torrent; the result names those that changed (see ``_after_global``)."""
        before = await self._not_yet(stopped=True)
        await self.link.client.pause("all")
        result = await self._after_global(before, stopped=True)
        ledger = self.link.store.ledger
        ledger.paused_by_pause_all |= set(result.hashes)  # kept across restarts
        ledger.save()
        return result

    @connected
    async def resume_paused(self) -> CommandResult:
        """Resume only what ``pause_all`` paused and is still paused (not the user's own)."""
        await self._refresher.refresh(full=True)
        ledger, store = self.link.store.ledger, self.link.store
        wanted = [
            h
            for h in sorted(ledger.paused_by_pause_all)
            if h in store and store.state(h).is_stopped
        ]
        ledger.paused_by_pause_all.clear()  # resumed now, running again, or gone
        ledger.save()
        if not wanted:
            return CommandResult(message="nothing that pause all paused is still paused")
        return await self.resume(wanted)

    @connected
    async def resume_all(self) -> CommandResult:
        """Resume every torrent; the result names those that changed."""
        before = await self._not_yet(stopped=False)
        await self.link.client.resume("all")
        return await self._after_global(before, stopped=False)

    async def _not_yet(self, *, stopped: bool) -> set[str]:
        await self._refresher.refresh(full=True)
        return {
            h
            for h in self.link.store.hashes()
            if self.link.store.state(h).is_stopped is not stopped
        }

    async def _after_global(self, before: set[str], *, stopped: bool) -> CommandResult:
        """Sweep until the torrents that can change did (a sweep is O(N), but this is rare).

        Only those that changed are reported: some were so already, and qBittorrent cannot
        pause a torrent in error (missing files): the message says how many of each.
        """
        deadline = time.monotonic() + self.link.policy.settle_timeout
        while True:
            await self._refresher.refresh(full=True)
            store = self.link.store
            left = {h for h in before if h in store and store.state(h).is_stopped is not stopped}
            stuck = {h for h in left if stopped and StateGroup.ERRORED in store.groups(h)}
            if left <= stuck or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.25)
        named = self._targets.named([h for h in before if h in store and h not in left])
        notes = []
        if already := len(store) - len(before):
            notes.append(f"{already} already {'paused' if stopped else 'running'}")
        if stuck:
            notes.append(f"{len(stuck)} in error (missing files) cannot be paused")
        return CommandResult(
            tuple(h for h, _name in named),
            tuple(name for _h, name in named),
            confirmed=left <= stuck,
            message="; ".join(notes),
        )

    @connected
    async def add(
        self,
        source: str | bytes,
        *,
        category: str | None = None,
        tags: Iterable[str] | None = None,
        save_path: str | None = None,
        paused: bool | None = None,
        file_priorities: Sequence[FilePriority] | None = None,
    ) -> AddOutcome:
        """Add a magnet link, an http(s) link to a .torrent, or .torrent bytes.

        The magnet or file is checked before it is sent; a torrent already present is
        answered as such and not sent again. With ``file_priorities`` (in file order, for
        .torrent files on every release with files) the torrent is added stopped, its files
        set, then started unless ``paused``. A link has no files before qBittorrent fetched
        its metadata: set them after (``Content.set_file_priority``).
        """
        if not file_priorities:
            return await self._add(source, category, tags, save_path, paused=paused)
        if not isinstance(source, bytes):
            raise InvalidRequestError(
                "file priorities go with a .torrent file; add a link first, then set them "
                "(set_file_priority) once qBittorrent has its metadata"
            )
        self.link.need(Capability.FILES)
        count = _file_count(source)
        if len(file_priorities) > count:
            raise InvalidRequestError(
                f"{len(file_priorities)} file priorities for a torrent of {count} file(s)"
            )
        outcome = await self._add(source, category, tags, save_path, paused=True)
        if outcome.already_present or outcome.hash is None:
            return outcome  # nothing added here: its files are left as they are
        groups: dict[FilePriority, list[int]] = {}
        for index, priority in enumerate(file_priorities):
            groups.setdefault(priority, []).append(index)
        for priority, indexes in groups.items():
            if priority is not FilePriority.NORMAL:  # qBittorrent's own default
                await self.link.client.torrents_file_prio(outcome.hash, indexes, int(priority))
        if not paused:
            await self.resume(outcome.hash)
        return outcome

    async def _add(
        self,
        source: str | bytes,
        category: str | None,
        tags: Iterable[str] | None,
        save_path: str | None,
        *,
        paused: bool | None,
    ) -> AddOutcome:
        for needed, capability in (
            (tags, Capability.TAGS),
            (category, Capability.CATEGORIES),
            (save_path, Capability.ADD_OPTIONS),
        ):
            if needed:
                self.link.need(capability)
        if not self.link.store.initialised:
            await self._refresher.refresh(full=True)
        info_hash, name, urls, files = _read_source(source)
        known = self.link.store.torrent(info_hash) if len(info_hash) == 40 else None
        if known is not None:
            return AddOutcome(known.hash, known.name, already_present=True)
        before = set(self.link.store.hashes())
        # Without add options (uTorrent, qBittorrent 3.1) the category and "stopped" are set
        # once the torrent is listed.
        later = not self.link.supports(Capability.ADD_OPTIONS)
        await self.link.client.torrents_add(
            urls=urls,
            torrent_files=files,
            category=None if later else category or None,
            tags=_clean_tags(tags) if tags else None,
            save_path=save_path or None,
            paused=None if later else paused,
        )
        if len(info_hash) != 40:
            outcome = await self._await_url_add(before)
        else:
            confirmed = await self._refresher.settle(
                [info_hash], _added(paused=None if later else paused)
            )
            torrent = self.link.store.torrent(info_hash)
            outcome = AddOutcome(info_hash, torrent.name if torrent else name, confirmed=confirmed)
        if later and outcome.hash is not None and outcome.hash in self.link.store:
            if category:
                await self.set_category(outcome.hash, category)
            if paused:
                await self.pause(outcome.hash)
        return outcome

    async def _await_url_add(self, before: set[str]) -> AddOutcome:
        """QBittorrent fetches the link itself: sweep until a new torrent shows up.

        Past the deadline the sweeps go on in the poll loop for a while (``URL_WATCH``).
        """
        self._refresher.watch_links(URL_WATCH)
        deadline = time.monotonic() + self.link.policy.settle_timeout
        while True:
            await self._refresher.refresh(full=True)
            new = [h for h in self.link.store.hashes() if h not in before]
            if new:
                torrent = self.link.store.torrent(new[0])
                return AddOutcome(new[0], torrent.name if torrent else None)
            if time.monotonic() >= deadline:
                return AddOutcome(None, None, confirmed=False)
            await asyncio.sleep(0.25)


def _read_source(
    source: str | bytes,
) -> tuple[str, str | None, list[str], list[tuple[str, bytes]]]:
    """Check what is to be added: (info hash or "", name or None, links, files)."""
    if isinstance(source, bytes):
        try:
            meta = read_torrent(source)
        except BencodeError as err:
            raise InvalidRequestError(f"not a valid .torrent file: {err}") from err
        return meta.info_hash, meta.name, [], [(f"{meta.info_hash}.torrent", source)]
    text = source.strip()
    if text.lower().startswith("magnet:"):
        try:
            return magnet_info_hash(text), None, [text], []
        except ValueError as err:
            raise InvalidRequestError(str(err)) from err
    if re.match(r"^https?://\S+$", text, re.IGNORECASE):
        return "", None, [text], []
    raise InvalidRequestError("not a magnet link, an http(s) link or a .torrent file")


def _file_count(data: bytes) -> int:
    try:
        return read_torrent(data).file_count
    except BencodeError as err:
        raise InvalidRequestError(f"not a valid .torrent file: {err}") from err


def _present(torrent: Torrent | None) -> bool:
    return torrent is not None


def _added(*, paused: bool | None) -> Callable[[Torrent | None], bool]:
    """Listed, past qBittorrent's first resume-data check, and stopped when asked."""

    def effect(torrent: Torrent | None) -> bool:
        if torrent is None or torrent.state is TorrentState.CHECKING_RESUME_DATA:
            return False
        return not paused or torrent.state.is_stopped

    return effect


def _stopped(*, want: bool) -> Callable[[Torrent | None], bool]:
    return lambda t: t is not None and t.state.is_stopped is want


def _clean_tags(tags: Iterable[str] | None) -> list[str]:
    cleaned = [t.strip() for t in tags or () if t.strip()]
    for tag in cleaned:
        if "," in tag:
            raise InvalidRequestError(f"a tag cannot contain a comma: {tag!r}")
    return cleaned
