"""The refresh tiers and the poll loop (the tiers are described in bridge.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from qbt_bridge.clients.base import Capability
from qbt_bridge.core.errors import AuthenticationError, QbtBridgeError
from qbt_bridge.core.memory import give_back_freed_memory
from qbt_bridge.core.models import Torrent, TorrentState
from qbt_bridge.core.redact import redact_text
from qbt_bridge.engine.diskguard import GUARD_SWEEP, DiskGuard, wants_fresh_space, watch_disk
from qbt_bridge.engine.events import Event, EventKind
from qbt_bridge.engine.link import Link

_LOGGER = logging.getLogger(__name__)

HASH_CHUNK = 200
WAITING_EVERY = 30.0  # seconds between looks at downloads that wait (stalled or queued)
MAX_BACKOFF = 60.0
ALT_SPEED_EVERY = 6  # fast ticks between reads of the alt-speed mode
LIMITS_EVERY = 300.0  # seconds between reads of the four speed limits (sooner when they move)
MAX_REASON = 300  # characters of an error reason
MAX_EXPLAINED = 20  # errored torrents per refresh whose reason is asked of qBittorrent
GIVE_BACK_AFTER = 1000  # torrents in a whole answer, after which freed memory is handed back
# How often to sweep, by what a sweep costs (the seconds a sync/maindata sweep with rid takes;
# on 4.x they grow with the library: 0.02 s at 200 torrents, 0.2 s at 1 000, 2.1 s at 10 000
# on 4.5.2, bench/signals.py). A sweep of CHEAP_SWEEP seconds or less runs at the fast interval;
# a dearer one waits longer by the cube of its cost (twice as dear, eight times as rare), so its
# share of qBittorrent's time falls as the library grows; never longer than the full interval.
CHEAP_SWEEP = 0.25
SWEEP_COST_WEIGHT = 0.3  # of the newest sweep in the running estimate of a sweep's cost
MISSING_FILES_TEXT = "its files are missing (moved or deleted outside qBittorrent?)"
IO_ERROR_TEXT = "qBittorrent reports an error and says no more"


@dataclass
class Clock:
    """When each refresh tier last ran, and what is due."""

    last_sweep: float = -1e18
    last_early_sweep: float = -1e18
    sweep_requested: bool = False
    ticks: int = 0
    watch_until: float = -1e18  # sweep on every tick until then (a link is being fetched)
    pushed: set[str] = field(default_factory=set)
    last_waiting: float = -1e18
    last_limits: float = -1e18
    last_port: float = -1e18
    limits_seen: tuple[int, int, bool | None] | None = None  # in force at the last read
    push_working: bool = False  # a push came, or qBittorrent's program slots hold the push line
    sweep_cost: float | None = None  # seconds a sweep takes (a running estimate)


@dataclass
class Timing:
    """What the refreshes cost: how many, how many failed, their seconds (for /metrics)."""

    count: int = 0
    failures: int = 0
    seconds: float = 0.0
    last: float | None = None  # seconds of the last one


def sweep_interval_for(cost: float, fastest: float, slowest: float) -> float:
    """Seconds between sweeps that each take ``cost`` seconds, within [fastest, slowest]."""
    return min(slowest, fastest * max(1.0, (cost / CHEAP_SWEEP) ** 3))


class Refresher:
    """Keeps the link's store up to date: the tiers, the poll loop, availability, settling."""

    def __init__(self, link: Link, disk_guard: DiskGuard | None = None) -> None:
        self.link = link
        self.disk_guard = disk_guard
        self.clock = Clock()
        self.timing = Timing()
        # Looks that follow each successful refresh (the port file, timers, rules on add …):
        # each is given the refresh's events and answers events of its own.
        self.after_refresh: list[Callable[[list[Event]], Awaitable[list[Event]]]] = []
        self._wake = asyncio.Event()
        self._down_reported = False

    def notify(self, torrent_hash: str | None = None) -> None:
        """Push from qBittorrent: look at this torrent (or sweep, without a hash) right away."""
        clock = self.clock
        if torrent_hash and not clock.sweep_requested:
            clock.pushed.add(torrent_hash.lower())
        # A flood (a recheck of thousands finishing at once) is one sweep, not many queries.
        if not torrent_hash or len(clock.pushed) > HASH_CHUNK:
            clock.sweep_requested = True
            clock.pushed.clear()
        self._wake.set()

    def push_confirmed(self) -> None:
        """Push works for this server: sweep at the policy's push interval from now on."""
        self.clock.push_working = True

    @property
    def sweep_interval(self) -> float:
        """Seconds between sweeps now: by their measured cost, within the policy's bounds.

        The most is the full interval (the push one once push is known to work); a sweep that
        costs qBittorrent little runs sooner, down to the fast interval.
        """
        policy = self.link.policy
        longer = policy.push_full_interval
        most = longer if self.clock.push_working and longer else policy.full_interval
        if not policy.sweep_by_cost:
            return most
        cost = self.clock.sweep_cost
        if cost is None:  # the first sweep sent everything: the next one, at once, is measured
            return policy.fast_interval
        return sweep_interval_for(cost, policy.fast_interval, most)

    def request_sweep(self) -> None:
        """Make the next refresh a full ``sync/maindata`` sweep."""
        self.clock.sweep_requested = True

    async def refresh(self, *, full: bool = False) -> list[Event]:
        """One sync step: the tiers that are due. Raises the client's errors.

        Whatever refreshes (the poll loop, Home Assistant's coordinator, a command) keeps
        ``available`` true: one notion of reachable, set here and nowhere else.
        """
        started = time.perf_counter()
        try:
            await self.link.connect()
            async with self.link.lock:
                events = await self._refresh(full=full)
            errored = [e for e in events if e.kind is EventKind.ERRORED]
            # qBittorrent is asked why for the first few; a storm (a disk gone: every torrent
            # at once) is said from the state alone rather than with two calls per torrent.
            asked = {id(e) for e in errored[:MAX_EXPLAINED]}
            events = [await self._explained(e, ask=id(e) in asked) for e in events]
        except QbtBridgeError as err:
            self.timing.failures += 1
            self._went_down(err)
            raise
        else:
            self._came_up()
        finally:
            self._timed(time.perf_counter() - started)
            self.link.refreshed()
        for look in self.after_refresh:
            events += await look(list(events))
        self.link.dispatch(events)
        return events

    def _timed(self, seconds: float) -> None:
        self.timing.count += 1
        self.timing.seconds += seconds
        self.timing.last = seconds

    async def _refresh(self, *, full: bool) -> list[Event]:
        events = await self._tiers(full=full)
        await self._read_limits()
        await self._read_port()
        if self.disk_guard is not None:
            if Capability.FREE_SPACE not in self.link.client.capabilities:
                _LOGGER.warning(
                    "%s: the disk guard is off: %s does not report free disk space",
                    self.link.instance_id, self.link.client.product,
                )  # fmt: skip
                self.disk_guard = None
            else:
                events += await watch_disk(self.disk_guard, self.link.store, self.link.client)
        return events

    async def _explained(self, event: Event, *, ask: bool = True) -> Event:
        """An errored event with why: what qBittorrent logged, or what its state says.

        The reason stays with the torrent (its ``error``) until it leaves the error states.
        """
        if event.kind is not EventKind.ERRORED or event.hash not in self.link.store:
            return event
        missing = self.link.store.state(event.hash) is TorrentState.MISSING_FILES
        line = tracker = None
        try:
            if ask:
                line, tracker = await self.link.client.error_reasons(event.hash, event.name)
        except QbtBridgeError as err:  # the event goes out anyway, with what the state says
            _LOGGER.debug(
                "%s: no reason for %s's error: %s", self.link.instance_id, event.name, err
            )
        fallback = MISSING_FILES_TEXT if missing else IO_ERROR_TEXT
        message = redact_text(line)[:MAX_REASON] if line else fallback
        detail = {"reason": "missing_files" if missing else "io_error", "message": message}
        if tracker:
            detail["tracker_message"] = redact_text(tracker)[:MAX_REASON]
        self.link.store.set_error(event.hash, message)
        return replace(event, torrent=self.link.store.torrent(event.hash), detail=detail)

    async def _read_limits(self) -> None:
        """The four speed limits, where the client has alternative ones.

        Read when the limits in force moved since the last read and are not the ones read
        (changed in qBittorrent), and every LIMITS_EVERY (a change to the pair not in force shows
        no sooner). A pair in force that never matches (should a release report it otherwise)
        costs one read per move, not one per tick.
        """
        if Capability.ALT_SPEED not in self.link.client.capabilities:
            return
        now, clock, server = time.monotonic(), self.clock, self.link.store.server()
        in_force = (server.download_limit, server.upload_limit, server.alt_speed_enabled)
        moved = in_force != clock.limits_seen and self.link.store.limits_stale()
        if self.link.store.speed_limits is None or moved or now - clock.last_limits >= LIMITS_EVERY:
            self.link.store.speed_limits = await self.link.client.transfer_speed_limits()
            clock.last_limits, clock.limits_seen = now, in_force

    async def _read_port(self) -> None:
        """The listening port, every LIMITS_EVERY (a command that sets it reads it back)."""
        link, clock, now = self.link, self.clock, time.monotonic()
        if Capability.LISTEN_PORT in link.client.capabilities and (
            link.store.listen_port is None or now - clock.last_port >= LIMITS_EVERY
        ):
            link.store.listen_port = await link.client.listen_port()
            clock.last_port = now

    async def _tiers(self, *, full: bool) -> list[Event]:
        now = time.monotonic()
        clock = self.clock
        since = now - clock.last_sweep
        due = since >= self.sweep_interval or now < clock.watch_until
        # free space comes with sweeps: a guard watching downloads wants it fresher
        due = due or (since >= GUARD_SWEEP and wants_fresh_space(self.disk_guard, self.link.store))
        sweep = full or due or clock.sweep_requested or self.link.client.refresh_by_sweep
        if sweep or not self.link.store.initialised:
            return await self._sweep(now)
        # A count that moved (a torrent added without a push, or removed) is worth a sweep;
        # torrents/count is O(1) for qBittorrent, where the release has it.
        count = await self.link.client.torrents_count()
        if count is not None and count != len(self.link.store):
            return await self._sweep(now)
        info = await self.link.client.transfer_info()
        known = self.link.store.server_state
        # The alt-speed mode is read every ALT_SPEED_EVERY ticks, and at once when the
        # effective limits move (switching the mode switches the limits in force).
        limits_moved = (known.get("dl_rate_limit"), known.get("up_rate_limit")) != (
            info.download_limit,
            info.upload_limit,
        )
        clock.ticks += 1
        alt = None
        if limits_moved or clock.ticks % ALT_SPEED_EVERY == 0:
            alt = await self.link.client.transfer_speed_limits_mode()
        events = self.link.store.apply_transfer(info, alt)
        pushed, clock.pushed = clock.pushed, set()
        targets = set(self.link.store.active_hashes()) | pushed
        waiting_due = now - clock.last_waiting >= WAITING_EVERY
        if waiting_due:
            targets |= set(self.link.store.waiting_hashes())
            clock.last_waiting = now
        events += await self.fetch(targets)
        unexplained = self._unexplained_activity()
        if unexplained and not waiting_due and (waiting := self.link.store.waiting_hashes()):
            # Something moves that the polled torrents do not explain: most likely a waiting
            # download found a peer. Looking at those is cheap; a sweep is the last resort.
            events += await self.fetch(waiting)
            clock.last_waiting = now
            unexplained = self._unexplained_activity()
        if unexplained and now - clock.last_early_sweep >= self.link.policy.early_sweep_after:
            clock.last_early_sweep = now
            clock.sweep_requested = True
        return events

    async def _sweep(self, now: float) -> list[Event]:
        """A ``sync/maindata`` sweep (the link's lock must be held)."""
        clock = self.clock
        # This sweep covers what was asked so far; a push that comes while it runs is kept.
        clock.sweep_requested = False
        clock.pushed.clear()
        rid = self.link.store.rid
        started = time.perf_counter()
        try:
            data = await self.link.client.sync_maindata(rid)
        except BaseException:
            clock.sweep_requested = True
            raise
        if rid:  # a first sweep (rid 0) sends everything: not what the next ones cost
            took = time.perf_counter() - started
            last = clock.sweep_cost
            weight = SWEEP_COST_WEIGHT
            clock.sweep_cost = took if last is None else last + weight * (took - last)
        self.link.store.active_by_state = self.link.client.active_by_state  # known after a call
        events = self.link.store.apply_maindata(data)
        clock.last_sweep = clock.last_waiting = now  # it saw the waiting downloads too
        if data.full_update and len(data.torrents) >= GIVE_BACK_AFTER:
            del data  # the decoded answer: the store kept its records
            give_back_freed_memory()
        return events

    async def fetch(self, hashes: Iterable[str]) -> list[Event]:
        """Targeted refresh of some torrents (the link's lock must be held)."""
        wanted = sorted(set(hashes))
        events: list[Event] = []
        # A client that reads its whole list for any call (refresh_by_sweep) gets one call.
        size = max(len(wanted), 1) if self.link.client.refresh_by_sweep else HASH_CHUNK
        for start in range(0, len(wanted), size):
            chunk = wanted[start : start + size]
            found = await self.link.client.torrents_info_raw(hashes=chunk)
            events += self.link.store.apply_torrents(found, chunk)
        return events

    async def settle(self, hashes: Sequence[str], effect: Callable[[Torrent | None], bool]) -> bool:
        """Refresh the touched torrents until ``effect`` holds for each, or the deadline."""
        link = self.link
        deadline = time.monotonic() + link.policy.settle_timeout
        while True:
            async with link.lock:
                events = await self.fetch(hashes)
                done = all(effect(link.store.torrent(h)) for h in hashes)
            link.refreshed()
            link.dispatch(events)
            if done:
                return True
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.1)

    async def refresh_transfer(self) -> None:
        """Read the global figures and the alt-speed mode now (after a change to them)."""
        link = self.link
        async with link.lock:
            events = link.store.apply_transfer(
                await link.client.transfer_info(), await link.client.transfer_speed_limits_mode()
            )
        link.refreshed()
        link.dispatch(events)

    def watch_links(self, seconds: float) -> None:
        """Sweep on every tick for a while: qBittorrent is fetching a link that was added."""
        self.clock.watch_until = time.monotonic() + seconds

    def _unexplained_activity(self) -> bool:
        """Whether the server moves more data than the torrents we watch closely explain."""
        server = self.link.store.server()
        total = server.download_speed + server.upload_speed
        known = 0
        for torrent_hash in self.link.store.active_hashes():
            raw = self.link.store.raw(torrent_hash)
            known += int(raw.get("dlspeed", 0)) + int(raw.get("upspeed", 0))
        return total > 2 * known + 16 * 1024

    def next_delay(self) -> float:
        """Seconds until the next tier is due."""
        if self.clock.sweep_requested or self.clock.pushed:
            return 0.0
        if time.monotonic() < self.clock.watch_until:
            return min(self.link.policy.fast_interval, 2.0)
        until_sweep = self.clock.last_sweep + self.sweep_interval - time.monotonic()
        return max(0.0, min(self.link.policy.fast_interval, until_sweep))

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Poll until ``stop`` is set: tiers on time, back-off while the client is down."""
        stop = stop or asyncio.Event()
        backoff = 1.0
        while not stop.is_set():
            try:
                await self.refresh()
            except QbtBridgeError as err:
                delay = backoff * (4 if isinstance(err, AuthenticationError) else 1)
                backoff = min(backoff * 2, MAX_BACKOFF)
            else:
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
        self.link.last_error = err
        self.link.available = False
        if not self._down_reported:
            self._down_reported = True
            _LOGGER.warning("%s: qBittorrent unavailable: %s", self.link.instance_id, err)
            self.link.dispatch(
                [
                    Event(
                        EventKind.CONNECTION_LOST, self.link.instance_id, detail={"error": str(err)}
                    )
                ]
            )

    def _came_up(self) -> None:
        self.link.available = True
        self.link.last_error = None
        if self._down_reported:
            self._down_reported = False
            self.clock.sweep_requested = True
            _LOGGER.info("%s: qBittorrent is back", self.link.instance_id)
            self.link.dispatch([Event(EventKind.CONNECTION_RESTORED, self.link.instance_id)])
