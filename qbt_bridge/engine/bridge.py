"""The engine: one client and its store, the tiered refresh, the poll loop and the command API.

Every front (Home Assistant, MQTT, Telegram) calls this and nothing below it.

Refresh tiers, so a large qBittorrent stays idle (``sync/maindata`` costs it O(N) CPU per call
even when nothing changed, ``transfer/info`` and ``torrents/info?hashes=`` almost nothing):

* every fast tick: ``transfer/info`` + the alt-speed mode, and ``torrents/info?hashes=`` for the
  torrents the store knows to be active plus any hash pushed by ``notify()``;
* a ``sync/maindata`` sweep with the previous ``rid`` every ``full_interval``, sooner when the
  global speed is not explained by the torrents known to be active, and after a reconnect;
* after a command: the touched torrents, polled until the change shows (or a short deadline);
* push: qBittorrent's "run external program" on added/finished calls ``notify(hash)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Concatenate

from qbt_bridge.clients import Capability, TorrentClient
from qbt_bridge.clients.base import not_supported
from qbt_bridge.clients.qbit_manage import ManageResult, QbitManageClient, check_commands
from qbt_bridge.core.errors import (
    AmbiguousTargetError,
    AuthenticationError,
    ConnectionFailedError,
    InvalidRequestError,
    NotFoundError,
    NotSupportedError,
    QbtBridgeError,
)
from qbt_bridge.core.models import (
    RssFeed,
    RssRule,
    SearchPlugin,
    SearchResult,
    StateGroup,
    Torrent,
    TorrentState,
)
from qbt_bridge.core.redact import is_redacted, redact_text
from qbt_bridge.core.torrentfile import BencodeError, magnet_info_hash, read_torrent
from qbt_bridge.engine.events import Event, EventKind
from qbt_bridge.engine.store import CompletionLedger, SyncStore

_LOGGER = logging.getLogger(__name__)

_HEX = re.compile(r"^[0-9a-fA-F]+$")
MIN_PREFIX = 6
HASH_CHUNK = 200
MAX_BACKOFF = 60.0
URL_WATCH = 60.0
ALT_SPEED_EVERY = 6  # fast ticks between reads of the alt-speed mode

Listener = Callable[[Event], None]


def _connected[**P, R](
    method: Callable[Concatenate[Bridge, P], Awaitable[R]],
) -> Callable[Concatenate[Bridge, P], Awaitable[R]]:
    """Mark a command: the client is made first if need be (the server asked which API it speaks).

    So a command that arrives before the first refresh is carried out, not refused.
    """

    async def command(bridge: Bridge, /, *args: P.args, **kwargs: P.kwargs) -> R:
        await bridge.connect()
        return await method(bridge, *args, **kwargs)

    return functools.update_wrapper(command, method)


@dataclass(frozen=True, slots=True)
class RefreshPolicy:
    """How often each tier runs (seconds)."""

    fast_interval: float = 5.0
    full_interval: float = 300.0
    early_sweep_after: float = 30.0  # soonest sweep when unexplained activity is seen
    settle_timeout: float = 5.0  # how long a command waits for its effect to show


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What a command did: the torrents it touched and whether the change showed in time."""

    hashes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    confirmed: bool = True
    message: str = ""


@dataclass(frozen=True, slots=True)
class AddOutcome:
    """The outcome of an add: the hash (when known before the server fetched the link)."""

    hash: str | None
    name: str | None
    already_present: bool = False
    confirmed: bool = True


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of a search job's results, best seeded first."""

    job_id: int
    results: tuple[SearchResult, ...]
    total: int
    running: bool
    page: int
    pages: int


@dataclass
class _Clock:
    last_sweep: float = -1e18
    last_early_sweep: float = -1e18
    sweep_requested: bool = False
    ticks: int = 0
    watch_until: float = -1e18  # sweep on every tick until then (a link is being fetched)
    pushed: set[str] = field(default_factory=set)


class Bridge:
    """One torrent client, its snapshot and everything fronts may ask of it."""

    min_prefix = MIN_PREFIX  # shortest hex string taken as a hash prefix

    def __init__(
        self,
        client: TorrentClient | None,
        instance_id: str = "default",
        *,
        opener: Callable[[], Awaitable[TorrentClient]] | None = None,
        url: str | None = None,
        policy: RefreshPolicy | None = None,
        ledger_path: Path | None = None,
        manage: QbitManageClient | None = None,
        manage_config: str | None = None,
    ) -> None:
        if client is None and opener is None:
            raise ValueError("give a client or an opener")
        self._client = client
        self._opener = opener
        self.url = url or (client.base_url if client is not None else "")
        self.manage_client = manage
        self.manage_config = manage_config
        self.instance_id = instance_id
        self.policy = policy or RefreshPolicy()
        self.store = SyncStore(instance_id, CompletionLedger(ledger_path))
        self.available = False
        self.last_error: QbtBridgeError | None = None
        self._clock = _Clock()
        self._lock = asyncio.Lock()
        self._connect_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._listeners: list[Listener] = []
        self._refresh_listeners: list[Callable[[], None]] = []
        self._down_reported = False

    # ------------------------------------------------------------------ client

    @property
    def client(self) -> TorrentClient:
        """The torrent client (known once ``connect`` found which kind the server is)."""
        if self._client is None:
            raise ConnectionFailedError(
                f"{self.instance_id}: not connected yet (the server has not answered so far)",
                "it has not answered since the start",
            )
        return self._client

    @property
    def connected(self) -> bool:
        """Whether the kind of torrent client is known (its client exists)."""
        return self._client is not None

    async def connect(self) -> TorrentClient:
        """Make the client, finding out which API the server speaks, if not done yet."""
        if self._client is None:
            async with self._connect_lock:
                if self._client is None:
                    assert self._opener is not None  # noqa: S101 - checked in __init__
                    self._client = await self._opener()
                    self.url = self._client.base_url
        return self._client

    def retry_login(self) -> None:
        """After a refused login, allow one new attempt (a person asked for a refresh)."""
        if self._client is not None:
            self._client.retry_login()

    async def close(self) -> None:
        """Close the torrent client and the qbit_manage client."""
        if self._client is not None:
            await self._client.close()
        if self.manage_client is not None:
            await self.manage_client.close()

    # ------------------------------------------------------------------ events

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for every event; returns a function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def add_refresh_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every refresh attempt and availability change."""
        self._refresh_listeners.append(listener)
        return lambda: self._refresh_listeners.remove(listener)

    def _refreshed(self) -> None:
        for listener in list(self._refresh_listeners):
            try:
                listener()
            except Exception:
                _LOGGER.exception("refresh listener failed")

    def _dispatch(self, events: Iterable[Event]) -> None:
        for event in events:
            for listener in list(self._listeners):
                try:
                    listener(event)
                except Exception:
                    _LOGGER.exception("event listener failed on %s", event.kind)

    # ------------------------------------------------------------------ refresh

    def notify(self, torrent_hash: str | None = None) -> None:
        """Push from qBittorrent: look at this torrent (or sweep, without a hash) right away."""
        if torrent_hash:
            self._clock.pushed.add(torrent_hash.lower())
        else:
            self._clock.sweep_requested = True
        self._wake.set()

    def request_sweep(self) -> None:
        """Make the next refresh a full ``sync/maindata`` sweep."""
        self._clock.sweep_requested = True

    async def refresh(self, *, full: bool = False) -> list[Event]:
        """One sync step: the tiers that are due. Raises the client's errors."""
        try:
            await self.connect()
            async with self._lock:
                events = await self._refresh(full=full)
        finally:
            self._refreshed()
        self._dispatch(events)
        return events

    async def _refresh(self, *, full: bool) -> list[Event]:
        now = time.monotonic()
        clock = self._clock
        due = now - clock.last_sweep >= self.policy.full_interval or now < clock.watch_until
        sweep = full or due or clock.sweep_requested or self.client.refresh_by_sweep
        if sweep or not self.store.initialised:
            data = await self.client.sync_maindata(self.store.rid)
            self.store.active_by_state = self.client.active_by_state  # known after a call
            events = self.store.apply_maindata(data)
            clock.last_sweep = now
            clock.sweep_requested = False
            clock.pushed.clear()
            return events
        info = await self.client.transfer_info()
        known = self.store.server_state
        # The alt-speed mode is read every ALT_SPEED_EVERY ticks, and at once when the
        # effective limits move (switching the mode switches the limits in force).
        limits_moved = (known.get("dl_rate_limit"), known.get("up_rate_limit")) != (
            info.download_limit,
            info.upload_limit,
        )
        clock.ticks += 1
        alt = None
        if limits_moved or clock.ticks % ALT_SPEED_EVERY == 0:
            alt = await self.client.transfer_speed_limits_mode()
        events = self.store.apply_transfer(info, alt)
        pushed, clock.pushed = clock.pushed, set()
        targets = set(self.store.active_hashes()) | pushed
        events += await self._fetch(targets)
        if (
            self._unexplained_activity()
            and now - clock.last_early_sweep >= self.policy.early_sweep_after
        ):
            clock.last_early_sweep = now
            clock.sweep_requested = True
        return events

    async def _fetch(self, hashes: Iterable[str]) -> list[Event]:
        """Targeted refresh of some torrents (the store's lock must be held)."""
        wanted = sorted(set(hashes))
        events: list[Event] = []
        # A client that reads its whole list for any call (refresh_by_sweep) gets one call.
        size = max(len(wanted), 1) if self.client.refresh_by_sweep else HASH_CHUNK
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            found = await self.client.torrents_info_raw(hashes=chunk)
            events += self.store.apply_torrents(found, chunk)
        return events

    def _unexplained_activity(self) -> bool:
        """Whether the server moves more data than the torrents we watch closely explain."""
        server = self.store.server()
        total = server.download_speed + server.upload_speed
        known = 0
        for torrent_hash in self.store.active_hashes():
            raw = self.store.raw(torrent_hash)
            known += int(raw.get("dlspeed", 0)) + int(raw.get("upspeed", 0))
        return total > 2 * known + 16 * 1024

    def next_delay(self) -> float:
        """Seconds until the next tier is due."""
        if self._clock.sweep_requested or self._clock.pushed:
            return 0.0
        if time.monotonic() < self._clock.watch_until:
            return min(self.policy.fast_interval, 2.0)
        until_sweep = self._clock.last_sweep + self.policy.full_interval - time.monotonic()
        return max(0.0, min(self.policy.fast_interval, until_sweep))

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Poll until ``stop`` is set: tiers on time, back-off while the client is down."""
        stop = stop or asyncio.Event()
        backoff = 1.0
        while not stop.is_set():
            try:
                await self.refresh()
            except QbtBridgeError as err:
                self._went_down(err)
                delay = backoff * (4 if isinstance(err, AuthenticationError) else 1)
                backoff = min(backoff * 2, MAX_BACKOFF)
            else:
                self._came_up()
                backoff = 1.0
                delay = self.next_delay()
            await self._sleep(delay, stop)

    async def _sleep(self, delay: float, stop: asyncio.Event) -> None:
        self._wake.clear()
        if delay <= 0:
            return
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
        try:
            await asyncio.wait(waiters, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*waiters, return_exceptions=True)

    def _went_down(self, err: QbtBridgeError) -> None:
        """Report the first failure of a run of failures (once), keep the latest error."""
        self.last_error = err
        self.available = False
        if not self._down_reported:
            self._down_reported = True
            _LOGGER.warning("%s: qBittorrent unavailable: %s", self.instance_id, err)
            self._dispatch(
                [Event(EventKind.CONNECTION_LOST, self.instance_id, detail={"error": str(err)})]
            )
            self._refreshed()

    def _came_up(self) -> None:
        self.available = True
        self.last_error = None
        if self._down_reported:
            self._down_reported = False
            self._clock.sweep_requested = True
            _LOGGER.info("%s: qBittorrent is back", self.instance_id)
            self._dispatch([Event(EventKind.CONNECTION_RESTORED, self.instance_id)])
            self._refreshed()

    # ------------------------------------------------------------------ capabilities

    @property
    def capabilities(self) -> frozenset[Capability]:
        """What the torrent client behind this bridge can do (nothing known before connect)."""
        return self._client.capabilities if self._client is not None else frozenset()

    def supports(self, capability: Capability) -> bool:
        """Whether the torrent client can do ``capability``."""
        return capability in self.capabilities

    def _there[T](self, answer: T | None, what: str) -> T:
        """A client's answer; None (the server's release has no such endpoint) is refused."""
        if answer is None:
            raise NotSupportedError(f"{self.client.product} cannot {what} (its WebAPI lacks it)")
        return answer

    def need(self, capability: Capability) -> None:
        """Raise NotSupportedError (worded for people) unless the client can do it."""
        if capability not in self.client.capabilities:
            raise not_supported(self.client.product, capability)

    # ------------------------------------------------------------------ targets

    async def resolve(self, targets: str | Iterable[str]) -> list[str]:
        """Turn targets into hashes.

        Each target is ``all``, a full hash, a unique hash prefix (6+ hex digits), a name or
        name fragment (case-insensitive), ``category:NAME`` or ``tag:NAME``. Ambiguity raises
        AmbiguousTargetError with the candidates; nothing found raises NotFoundError.
        """
        if not self.store.initialised:
            await self.refresh(full=True)
        items = [targets] if isinstance(targets, str) else list(targets)
        if not items:
            raise InvalidRequestError("no torrent named")
        found: dict[str, None] = {}
        for item in items:
            try:
                hits = self._resolve_one(item.strip())
            except NotFoundError:
                # Added outside the engine since the last sweep? Look once more, afresh.
                await self.refresh(full=True)
                hits = self._resolve_one(item.strip())
            found.update(dict.fromkeys(hits))
        return list(found)

    def _resolve_one(self, target: str) -> list[str]:
        if not target:
            raise InvalidRequestError("empty torrent name or hash")
        lowered = target.lower()
        if lowered == "all":
            return self.store.hashes()
        if lowered.startswith(("category:", "tag:")):
            return self._by_label(target)
        if _HEX.match(target) and len(target) == 40:
            if lowered not in self.store:
                raise NotFoundError(f"no torrent with hash {lowered}")
            return [lowered]
        if _HEX.match(target) and len(target) >= self.min_prefix:
            hits = [h for h in self.store.hashes() if h.startswith(lowered)]
            if hits:
                return self._unique(target, hits)
        return self._by_name(target)

    def _by_label(self, target: str) -> list[str]:
        kind, _, value = target.partition(":")
        kind = kind.lower()
        store = self.store
        if kind == "category":
            hits = [h for h in store.hashes() if store.category(h) == value]
        else:
            hits = [h for h in store.hashes() if value in store.torrent_tags(h)]
        if not hits:
            raise NotFoundError(f"no torrent with {kind} {value!r}")
        return hits

    def _by_name(self, target: str) -> list[str]:
        lowered = target.lower()
        names = [(h, self.store.name(h).lower()) for h in self.store.hashes()]
        exact = [h for h, name in names if name == lowered]
        hits = exact or [h for h, name in names if lowered in name]
        if not hits:
            raise NotFoundError(f"no torrent matches {target!r}")
        return self._unique(target, hits)

    def _unique(self, target: str, hits: list[str]) -> list[str]:
        if len(hits) > 1:
            raise AmbiguousTargetError(target, self._named(hits))
        return hits

    def _named(self, hashes: Sequence[str]) -> list[tuple[str, str]]:
        return sorted(
            ((h, self.store.name(h)) for h in hashes if h in self.store),
            key=lambda pair: pair[1].lower(),
        )

    # ------------------------------------------------------------------ commands

    async def _settle(
        self, hashes: Sequence[str], effect: Callable[[Torrent | None], bool]
    ) -> bool:
        """Refresh the touched torrents until ``effect`` holds for each, or the deadline."""
        deadline = time.monotonic() + self.policy.settle_timeout
        while True:
            async with self._lock:
                events = await self._fetch(hashes)
                done = all(effect(self.store.torrent(h)) for h in hashes)
            self._refreshed()
            self._dispatch(events)
            if done:
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.1)

    async def _on_targets(
        self,
        targets: str | Iterable[str],
        action: Callable[[list[str]], Awaitable[object]],
        effect: Callable[[Torrent | None], bool],
    ) -> CommandResult:
        hashes = await self.resolve(targets)
        names = tuple(t.name for h in hashes if (t := self.store.torrent(h)) is not None)
        await action(hashes)
        confirmed = await self._settle(hashes, effect)
        return CommandResult(tuple(hashes), names, confirmed)

    @_connected
    async def pause(self, targets: str | Iterable[str]) -> CommandResult:
        """Pause (4.x) / stop (5.x) torrents."""
        return await self._on_targets(targets, self.client.pause, _stopped(want=True))

    @_connected
    async def resume(self, targets: str | Iterable[str]) -> CommandResult:
        """Resume (4.x) / start (5.x) torrents."""
        return await self._on_targets(targets, self.client.resume, _stopped(want=False))

    @_connected
    async def delete(
        self, targets: str | Iterable[str], *, delete_files: bool = False
    ) -> CommandResult:
        """Remove torrents, with their data when asked."""

        async def action(hashes: list[str]) -> None:
            await self.client.torrents_delete(hashes, delete_files=delete_files)

        return await self._on_targets(targets, action, lambda t: t is None)

    @_connected
    async def recheck(self, targets: str | Iterable[str]) -> CommandResult:
        """Verify torrents' data."""
        return await self._on_targets(targets, self.client.torrents_recheck, _present)

    @_connected
    async def reannounce(self, targets: str | Iterable[str]) -> CommandResult:
        """Announce to the trackers now."""
        self.need(Capability.REANNOUNCE)
        return await self._on_targets(targets, self.client.torrents_reannounce, _present)

    @_connected
    async def set_category(self, targets: str | Iterable[str], category: str) -> CommandResult:
        """Set a category ("" clears it); the category must exist."""
        self.need(Capability.CATEGORIES)

        async def action(hashes: list[str]) -> None:
            await self.client.torrents_set_category(hashes, category)

        return await self._on_targets(
            targets, action, lambda t: t is not None and t.category == category
        )

    @_connected
    async def add_tags(self, targets: str | Iterable[str], tags: Iterable[str]) -> CommandResult:
        """Add tags (created as needed)."""
        self.need(Capability.TAGS)
        wanted = _clean_tags(tags)

        async def action(hashes: list[str]) -> None:
            await self.client.torrents_add_tags(hashes, wanted)

        return await self._on_targets(
            targets, action, lambda t: t is not None and set(wanted) <= set(t.tags)
        )

    @_connected
    async def remove_tags(self, targets: str | Iterable[str], tags: Iterable[str]) -> CommandResult:
        """Remove tags."""
        self.need(Capability.TAGS)
        unwanted = _clean_tags(tags)

        async def action(hashes: list[str]) -> None:
            await self.client.torrents_remove_tags(hashes, unwanted)

        return await self._on_targets(
            targets, action, lambda t: t is not None and not set(unwanted) & set(t.tags)
        )

    @_connected
    async def force_start(
        self, targets: str | Iterable[str], *, enable: bool = True
    ) -> CommandResult:
        """Force start on or off (ignores queue limits)."""
        self.need(Capability.FORCE_START)

        async def action(hashes: list[str]) -> None:
            await self.client.torrents_set_force_start(hashes, value=enable)

        return await self._on_targets(
            targets, action, lambda t: t is not None and t.force_start is enable
        )

    @_connected
    async def set_torrent_limits(
        self,
        targets: str | Iterable[str],
        *,
        download: int | None = None,
        upload: int | None = None,
    ) -> CommandResult:
        """Per-torrent speed limits in bytes/s (0: none)."""
        self.need(Capability.TORRENT_LIMITS)
        _check_limits(download, upload)

        async def action(hashes: list[str]) -> None:
            if download is not None:
                await self.client.torrents_set_download_limit(hashes, download)
            if upload is not None:
                await self.client.torrents_set_upload_limit(hashes, upload)

        return await self._on_targets(targets, action, _present)

    @_connected
    async def pause_all(self) -> CommandResult:
        """Pause every torrent; the result names those that changed (see ``_after_global``)."""
        before = await self._not_yet(stopped=True)
        await self.client.pause("all")
        return await self._after_global(before, stopped=True)

    @_connected
    async def resume_all(self) -> CommandResult:
        """Resume every torrent; the result names those that changed."""
        before = await self._not_yet(stopped=False)
        await self.client.resume("all")
        return await self._after_global(before, stopped=False)

    async def _not_yet(self, *, stopped: bool) -> set[str]:
        await self.refresh(full=True)
        return {h for h in self.store.hashes() if self.store.state(h).is_stopped is not stopped}

    async def _after_global(self, before: set[str], *, stopped: bool) -> CommandResult:
        """Sweep until the torrents that can change did (a sweep is O(N), but this is rare).

        Only those that changed are reported: some were so already, and qBittorrent cannot
        pause a torrent in error (missing files): the message says how many of each.
        """
        deadline = time.monotonic() + self.policy.settle_timeout
        while True:
            await self.refresh(full=True)
            store = self.store
            left = {h for h in before if h in store and store.state(h).is_stopped is not stopped}
            stuck = {h for h in left if stopped and StateGroup.ERRORED in store.groups(h)}
            if left <= stuck or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.25)
        named = self._named([h for h in before if h in store and h not in left])
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

    @_connected
    async def set_alt_speed(self, enabled: bool | None = None) -> bool:
        """Alternative speed limits on, off, or (None) toggled; returns the new mode."""
        self.need(Capability.ALT_SPEED)
        if enabled is None:
            await self.client.transfer_toggle_speed_limits_mode()
        else:
            await self.client.transfer_set_speed_limits_mode(enabled)
        await self._refresh_transfer()
        return bool(self.store.server().alt_speed_enabled)

    @_connected
    async def set_global_limits(
        self, *, download: int | None = None, upload: int | None = None
    ) -> None:
        """Global speed limits in bytes/s (0: none)."""
        self.need(Capability.GLOBAL_LIMITS)
        _check_limits(download, upload)
        if download is not None:
            await self.client.transfer_set_download_limit(download)
        if upload is not None:
            await self.client.transfer_set_upload_limit(upload)
        await self._refresh_transfer()

    async def _refresh_transfer(self) -> None:
        async with self._lock:
            events = self.store.apply_transfer(
                await self.client.transfer_info(), await self.client.transfer_speed_limits_mode()
            )
        self._refreshed()
        self._dispatch(events)

    # ------------------------------------------------------------------ add

    @_connected
    async def add(
        self,
        source: str | bytes,
        *,
        category: str | None = None,
        tags: Iterable[str] | None = None,
        save_path: str | None = None,
        paused: bool | None = None,
    ) -> AddOutcome:
        """Add a magnet link, an http(s) link to a .torrent, or .torrent bytes.

        The magnet or file is checked before it is sent; a torrent already present is
        answered as such and not sent again.
        """
        for needed, capability in (
            (tags, Capability.TAGS),
            (category, Capability.CATEGORIES),
            (save_path, Capability.ADD_OPTIONS),
        ):
            if needed:
                self.need(capability)
        if not self.store.initialised:
            await self.refresh(full=True)
        info_hash, name, urls, files = _read_source(source)
        known = self.store.torrent(info_hash) if len(info_hash) == 40 else None
        if known is not None:
            return AddOutcome(known.hash, known.name, already_present=True)
        before = set(self.store.hashes())
        # Without add options (uTorrent, qBittorrent 3.1) the category and "stopped" are set
        # once the torrent is listed.
        later = not self.supports(Capability.ADD_OPTIONS)
        await self.client.torrents_add(
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
            confirmed = await self._settle([info_hash], _added(paused=None if later else paused))
            torrent = self.store.torrent(info_hash)
            outcome = AddOutcome(info_hash, torrent.name if torrent else name, confirmed=confirmed)
        if later and outcome.hash is not None and outcome.hash in self.store:
            if category:
                await self.set_category(outcome.hash, category)
            if paused:
                await self.pause(outcome.hash)
        return outcome

    async def _await_url_add(self, before: set[str]) -> AddOutcome:
        """QBittorrent fetches the link itself: sweep until a new torrent shows up.

        Past the deadline the sweeps go on in the poll loop for a while (``URL_WATCH``).
        """
        self._clock.watch_until = time.monotonic() + URL_WATCH
        deadline = time.monotonic() + self.policy.settle_timeout
        while True:
            await self.refresh(full=True)
            new = [h for h in self.store.hashes() if h not in before]
            if new:
                torrent = self.store.torrent(new[0])
                return AddOutcome(new[0], torrent.name if torrent else None)
            if time.monotonic() >= deadline:
                return AddOutcome(None, None, confirmed=False)
            await asyncio.sleep(0.25)

    @_connected
    async def categories(self) -> list[str]:
        """The server's category names, read now (a sweep may be minutes away)."""
        return sorted(self._there(await self.client.torrents_categories(), "use categories"))

    # ------------------------------------------------------------------ qbit_manage

    async def manage(
        self,
        commands: Iterable[str],
        targets: str | Iterable[str] | None = None,
        *,
        dry_run: bool = False,
    ) -> ManageResult:
        """Run qbit_manage commands (on the targeted torrents only, when given)."""
        if self.manage_client is None:
            raise NotSupportedError(f"no qbit_manage is configured for {self.instance_id}")
        names = check_commands(commands, with_hashes=targets is not None)
        hashes = await self.resolve(targets) if targets is not None else None
        result = await self.manage_client.run_command(
            names, hashes=hashes, dry_run=dry_run, config_file=self.manage_config
        )
        if not dry_run:
            self.request_sweep()  # it may have re-categorised, tagged or removed torrents
        return result

    # ------------------------------------------------------------------ rss

    @_connected
    async def rss_feeds(self) -> list[RssFeed]:
        """Every RSS feed with its articles."""
        self.need(Capability.RSS)
        return await self.client.rss_items(with_data=True)

    @_connected
    async def rss_add_feed(self, url: str, path: str = "") -> None:
        """Subscribe to a feed (``path``: where in qBittorrent's RSS tree, default its title)."""
        self.need(Capability.RSS)
        if not re.match(r"^https?://\S+$", url.strip(), re.IGNORECASE):
            raise InvalidRequestError("a feed URL must start with http:// or https://")
        await self.client.rss_add_feed(url.strip(), path)

    @_connected
    async def rss_remove_feed(self, path: str) -> None:
        """Unsubscribe from a feed (or remove a folder) by its path."""
        self.need(Capability.RSS)
        path = await self._feed_path(path)
        await self.client.rss_remove_item(path)

    @_connected
    async def rss_refresh(self, path: str | None = None) -> None:
        """Fetch one feed, or every feed, now."""
        self.need(Capability.RSS)
        paths = (
            [await self._feed_path(path)]
            if path
            else [f.path for f in await self.client.rss_items()]
        )
        for item in paths:
            await self.client.rss_refresh_item(item)

    async def _feed_path(self, path: str) -> str:
        """The server's path of a feed or folder, also from the redacted form answers show.

        A feed named after its URL keeps its pass-key on the server, never in an answer.
        """
        paths = [f.path for f in await self.client.rss_items()]
        if path and any(p == path or p.startswith(path + "\\") for p in paths):
            return path
        if path and is_redacted(path):
            hits = [p for p in paths if redact_text(p) == path]
            if len(hits) == 1:
                return hits[0]
        raise NotFoundError(f"no RSS feed or folder {path!r}")

    @_connected
    async def rss_rules(self) -> dict[str, RssRule]:
        """Every auto-downloading rule by name."""
        self.need(Capability.RSS)
        return await self.client.rss_rules()

    @_connected
    async def rss_set_rule(self, rule: RssRule) -> None:
        """Add or replace a rule; keeps server-side keys of an existing rule of that name."""
        self.need(Capability.RSS)
        if not rule.name.strip():
            raise InvalidRequestError("a rule needs a name")
        if rule.use_regex:
            for what, pattern in (("must_contain", rule.must_contain),
                                  ("must_not_contain", rule.must_not_contain)):  # fmt: skip
                try:
                    re.compile(pattern)
                except re.error as err:
                    raise InvalidRequestError(
                        f"{what}: not a valid regular expression: {err}"
                    ) from err
        existing = (await self.client.rss_rules()).get(rule.name)
        if existing is not None:
            merged = {**existing.raw, **rule.to_api()}
            rule = RssRule.from_rule(rule.name, merged)
        await self.client.rss_set_rule(rule)

    @_connected
    async def rss_rename_rule(self, name: str, new_name: str) -> None:
        """Rename a rule."""
        self.need(Capability.RSS)
        await self._rule(name)
        if not new_name.strip():
            raise InvalidRequestError("a rule needs a name")
        await self.client.rss_rename_rule(name, new_name)

    @_connected
    async def rss_enable_rule(self, name: str, *, enabled: bool) -> None:
        """Enable or disable a rule."""
        self.need(Capability.RSS)
        rule = await self._rule(name)
        await self.client.rss_set_rule(RssRule.from_rule(name, {**rule.raw, "enabled": enabled}))

    @_connected
    async def rss_remove_rule(self, name: str) -> None:
        """Delete a rule."""
        self.need(Capability.RSS)
        await self._rule(name)
        await self.client.rss_remove_rule(name)

    @_connected
    async def rss_matching(self, name: str) -> dict[str, list[str]]:
        """Article titles the rule matches, by feed."""
        self.need(Capability.RSS)
        await self._rule(name)
        return await self.client.rss_matching_articles(name) or {}

    async def _rule(self, name: str) -> RssRule:
        rule = (await self.client.rss_rules()).get(name)
        if rule is None:
            raise NotFoundError(f"no RSS rule named {name!r}")
        return rule

    # ------------------------------------------------------------------ search

    @_connected
    async def search_plugins(self) -> list[SearchPlugin]:
        """Installed search plugins."""
        self.need(Capability.SEARCH)
        return self._there(await self.client.search_plugins(), "search")

    @_connected
    async def search_start(
        self, pattern: str, *, plugins: str = "enabled", category: str = "all"
    ) -> int:
        """Start a search; returns the job id. No enabled plugin is an error that says so."""
        self.need(Capability.SEARCH)
        if not pattern.strip():
            raise InvalidRequestError("search for what? the pattern is empty")
        if not any(p.enabled for p in await self.search_plugins()):
            raise InvalidRequestError(
                "no search plugin is installed and enabled; install one in qBittorrent "
                "(Search tab → Search plugins) or with search/installPlugin"
            )
        job = await self.client.search_start(pattern.strip(), plugins, category)
        return self._there(job, "search").id

    @_connected
    async def search_results(
        self, job_id: int, *, page: int = 0, page_size: int = 10
    ) -> SearchPage:
        """A page of results, best seeded first (all results fetched, then sorted)."""
        self.need(Capability.SEARCH)
        if page < 0 or page_size < 1:
            raise InvalidRequestError("page must be >= 0 and page size >= 1")
        data = await self.client.search_results(job_id)
        if data is None:
            raise InvalidRequestError("this qBittorrent has no search")
        ordered = sorted(data.results, key=lambda r: r.seeders, reverse=True)
        pages = max(1, -(-len(ordered) // page_size))
        chunk = tuple(ordered[page * page_size : (page + 1) * page_size])
        return SearchPage(job_id, chunk, data.total, data.running, page, pages)

    @_connected
    async def search_add(
        self,
        job_id: int,
        index: int,
        *,
        category: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> AddOutcome:
        """Add the ``index``-th result (in ``search_results`` order) of a search job.

        The result's link stays inside the engine: it may carry a tracker pass-key.
        """
        self.need(Capability.SEARCH)
        data = await self.client.search_results(job_id)
        if data is None:
            raise InvalidRequestError("this qBittorrent has no search")
        ordered = sorted(data.results, key=lambda r: r.seeders, reverse=True)
        if not 0 <= index < len(ordered):
            raise NotFoundError(f"search {job_id} has no result number {index}")
        return await self.add(ordered[index].file_url, category=category, tags=tags)

    @_connected
    async def search_stop(self, job_id: int) -> None:
        """Stop a running search."""
        self.need(Capability.SEARCH)
        await self.client.search_stop(job_id)

    @_connected
    async def search_delete(self, job_id: int) -> None:
        """Forget a search and its results."""
        self.need(Capability.SEARCH)
        await self.client.search_delete(job_id)


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


def _check_limits(download: int | None, upload: int | None) -> None:
    if download is None and upload is None:
        raise InvalidRequestError("give a download or an upload limit")
    for value in (download, upload):
        if value is not None and value < 0:
            raise InvalidRequestError("a limit cannot be negative")


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
