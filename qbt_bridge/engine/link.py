"""The link to one server: its client (made on first use), its store, listeners, capabilities.

Every part of the engine is given the link and nothing else of its siblings but what it uses.
Also the decorators every command wears: ``connected`` (make the client first) and
``requires`` (refuse what this client cannot do, with one NotSupportedError).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, Protocol

import voluptuous as vol

from qbt_bridge.clients import Capability, TorrentClient
from qbt_bridge.clients.base import not_supported
from qbt_bridge.clients.http import normalize_url
from qbt_bridge.core.errors import ConnectionFailedError, NotSupportedError, QbtBridgeError
from qbt_bridge.core.settings import SECONDS, setting
from qbt_bridge.engine.events import Event, in_order
from qbt_bridge.engine.store import CompletionLedger, SyncStore

_LOGGER = logging.getLogger(__name__)

Listener = Callable[[Event], None]


@dataclass(frozen=True, slots=True)
class RefreshPolicy:
    """How often each tier runs, and how long a command waits for its effect (seconds)."""

    fast_interval: float = setting(
        default=5.0,
        help="seconds between cheap looks (global figures, torrents that move data)",
        check=SECONDS, minimum=0.5, maximum=86400,
    )  # fmt: skip
    full_interval: float = setting(
        default=300.0,
        help="most seconds between full sweeps of every torrent (sooner when sweeps are cheap)",
        check=SECONDS, minimum=0.5, maximum=86400,
    )  # fmt: skip
    # Sweeps once push is known to work (added/finished torrents come without one): only edits
    # made elsewhere to idle torrents (category, tags, limits) and removals wait for a sweep.
    push_full_interval: float | None = setting(
        default=900.0,
        help="seconds between full sweeps once push works (a push: section is set)",
        check=SECONDS, minimum=0.5, maximum=86400,
    )  # fmt: skip
    sweep_by_cost: bool = setting(
        default=True,
        help="sweep as often as the measured cost of a sweep allows (a small library at the "
        "fast interval), never less often than the full intervals; off: exactly those",
        check=bool,
    )
    early_sweep_after: float = 30.0  # soonest sweep when unexplained activity is seen
    settle_timeout: float = 5.0  # how long a command waits for its effect to show


def check_url(value: Any) -> str:
    """A server's URL (``nas:8080`` gets ``http://``), for a settings check."""
    if not isinstance(value, str) or not value.strip():
        raise vol.Invalid("expected a URL such as http://nas:8080")
    try:
        return normalize_url(value)
    except ValueError as err:
        raise vol.Invalid(str(err)) from err


class Linked(Protocol):
    """A part of the engine: it holds the link to its server."""

    @property
    def link(self) -> Link:
        """The link to the server this part acts on."""
        ...


def connected[S: Linked, **P, R](
    method: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[S, P], Awaitable[R]]:
    """Mark a command: the client is made first if need be (the server asked which API it speaks).

    So a command that arrives before the first refresh is carried out, not refused.
    """

    async def command(part: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        await part.link.connect()
        return await method(part, *args, **kwargs)

    return functools.update_wrapper(command, method)


def requires[S: Linked, **P, R](
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
        async def command(part: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
            await part.link.connect()
            part.link.need(capability)
            return await method(part, *args, **kwargs)

        return functools.update_wrapper(command, method)

    return decorate


class Link:
    """One torrent client and its snapshot: what every part of the engine stands on."""

    def __init__(
        self,
        client: TorrentClient | None,
        instance_id: str = "default",
        *,
        opener: Callable[[], Awaitable[TorrentClient]] | None = None,
        url: str | None = None,
        policy: RefreshPolicy | None = None,
        ledger_path: Path | None = None,
    ) -> None:
        if client is None and opener is None:
            raise ValueError("give a client or an opener")
        self._client = client
        self._opener = opener
        self.url = url or (client.base_url if client is not None else "")
        self.instance_id = instance_id
        self.policy = policy or RefreshPolicy()
        self.store = SyncStore(instance_id, CompletionLedger(ledger_path))
        self.available = False  # set by each refresh (refresh.py), and nowhere else
        self.last_error: QbtBridgeError | None = None
        self.lock = asyncio.Lock()  # held while the store is brought up to date
        self._connect_lock = asyncio.Lock()
        self._listeners: list[Listener] = []
        self._refresh_listeners: list[Callable[[], None]] = []

    @property
    def link(self) -> Link:
        """The link itself (so the decorators serve it as they serve the parts)."""
        return self

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

    async def close(self) -> None:
        """Close the torrent client."""
        if self._client is not None:
            await self._client.close()

    def retry_login(self) -> None:
        """After a refused login, allow one new attempt (a person asked for a refresh)."""
        if self._client is not None:
            self._client.retry_login()

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` for every event; returns a function that removes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def add_refresh_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every refresh attempt and availability change."""
        self._refresh_listeners.append(listener)
        return lambda: self._refresh_listeners.remove(listener)

    def refreshed(self) -> None:
        """Tell the refresh listeners that the store or the availability may have moved."""
        for listener in list(self._refresh_listeners):
            try:
                listener()
            except Exception:
                _LOGGER.exception("refresh listener failed")

    def dispatch(self, events: Iterable[Event]) -> None:
        """Hand events to the listeners, in the order they happened."""
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

    def there[T](self, answer: T | None, what: str) -> T:
        """A client's answer; None (the server's release has no such endpoint) is refused."""
        if answer is None:
            raise NotSupportedError(f"{self.client.product} cannot {what} (its WebAPI lacks it)")
        return answer

    def need(self, capability: Capability) -> None:
        """Raise NotSupportedError (worded for people) unless the client can do it."""
        if capability not in self.client.capabilities:
            raise not_supported(self.client.product, capability)
