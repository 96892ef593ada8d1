"""The engine's core: one client (made on first use), listeners and capabilities.

Also the decorators every command wears: ``connected`` (make the client first) and
``requires`` (refuse what this client cannot do, with one NotSupportedError).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Concatenate

from qbt_bridge.clients import Capability, TorrentClient
from qbt_bridge.clients.base import not_supported
from qbt_bridge.clients.qbit_manage import QbitManageClient
from qbt_bridge.core.errors import (
    ConnectionFailedError,
    NotSupportedError,
    QbtBridgeError,
)
from qbt_bridge.core.search import SearchResult
from qbt_bridge.engine.diskguard import DiskGuard
from qbt_bridge.engine.events import Event, in_order
from qbt_bridge.engine.store import CompletionLedger, SyncStore

_LOGGER = logging.getLogger(__name__)

MIN_PREFIX = 6
HASH_CHUNK = 200
WAITING_EVERY = 30.0  # seconds between looks at downloads that wait (stalled or queued)
MAX_BACKOFF = 60.0
URL_WATCH = 60.0
ALT_SPEED_EVERY = 6  # fast ticks between reads of the alt-speed mode
LIMITS_EVERY = 300.0  # seconds between reads of the four speed limits (sooner when they move)

Listener = Callable[[Event], None]


def connected[S: EngineCore, **P, R](
    method: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[S, P], Awaitable[R]]:
    """Mark a command: the client is made first if need be (the server asked which API it speaks).

    So a command that arrives before the first refresh is carried out, not refused.
    """

    async def command(engine: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        await engine.connect()
        return await method(engine, *args, **kwargs)

    return functools.update_wrapper(command, method)


def requires[S: EngineCore, **P, R](
    capability: Capability,
) -> Callable[
    [Callable[Concatenate[S, P], Awaitable[R]]], Callable[Concatenate[S, P], Awaitable[R]]
]:
    """Mark a command that needs a capability (python-elgato's ``requires_battery`` pattern).

    It connects first, then refuses the command with NotSupportedError (worded for people)
    on a client that cannot do it.
    """

    def decorate(
        method: Callable[Concatenate[S, P], Awaitable[R]],
    ) -> Callable[Concatenate[S, P], Awaitable[R]]:
        async def command(engine: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            await engine.connect()
            engine.need(capability)
            return await method(engine, *args, **kwargs)

        return functools.update_wrapper(command, method)

    return decorate


@dataclass(frozen=True, slots=True)
class RefreshPolicy:
    """How often each tier runs (seconds)."""

    fast_interval: float = 5.0
    full_interval: float = 300.0
    # Sweeps once push is known to work (added/finished torrents come without one): only edits
    # made elsewhere to idle torrents (category, tags, limits) and removals wait for a sweep.
    push_full_interval: float | None = None
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
    limits_seen: tuple[int, int, bool | None] | None = None  # in force at the last read
    push_working: bool = False  # a push came, or qBittorrent's program slots hold the push line


class EngineCore:
    """One torrent client and its snapshot: what every part of the engine stands on."""

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
        disk_guard: DiskGuard | None = None,
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
        self.disk_guard = disk_guard
        self.store = SyncStore(instance_id, CompletionLedger(ledger_path))
        self.available = False
        self.last_error: QbtBridgeError | None = None
        self._clock = Clock()
        self._lock = asyncio.Lock()
        self._connect_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._listeners: list[Listener] = []
        self._refresh_listeners: list[Callable[[], None]] = []
        self._down_reported = False

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
        for event in in_order(list(events)):  # as they happened, not as the server listed them
            for listener in list(self._listeners):
                try:
                    listener(event)
                except Exception:
                    _LOGGER.exception("event listener failed on %s", event.kind)

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
