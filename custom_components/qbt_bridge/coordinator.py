"""The coordinator: one engine (``Bridge``) per config entry, refreshed on a schedule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from qbt_bridge.core.errors import AuthenticationError, QbtBridgeError
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.events import Event

from .const import DOMAIN, EVENT_KINDS, EVENT_PREFIX, LOGGER

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

type QbtConfigEntry = ConfigEntry[QbtCoordinator]

# A push refreshes at once; pushes within this many seconds share the next refresh.
PUSH_COOLDOWN = 0.5


class QbtCoordinator(DataUpdateCoordinator[None]):
    """Refreshes the engine; the engine's snapshot is the data every entity reads."""

    config_entry: QbtConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: QbtConfigEntry,
        bridge: Bridge,
        *,
        interval: float,
        events: frozenset[str],
    ) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=timedelta(seconds=interval),
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=PUSH_COOLDOWN, immediate=True
            ),
        )
        self.bridge = bridge
        self.events = events
        self._polling = False
        self.event_listeners: list[Callable[[Event], None]] = []
        self._unsubscribe = [
            bridge.add_listener(self._on_event),
            # A command refreshes what it touched: show it now, not a poll later.
            bridge.add_refresh_listener(self._on_refresh),
        ]

    async def _async_update_data(self) -> None:
        self._polling = True
        try:
            await self.bridge.refresh()
        except AuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except QbtBridgeError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="update_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        finally:
            self._polling = False

    @callback
    def _on_refresh(self) -> None:
        # The coordinator updates its entities after its own poll; this is for commands.
        if self.last_update_success and not self._polling:
            self.async_update_listeners()

    @callback
    def _on_event(self, event: Event) -> None:
        kind = event.kind.value
        if kind not in EVENT_KINDS:
            return
        for listener in self.event_listeners:
            listener(event)
        if kind in self.events:
            data = {**event.as_dict(), "entry_id": self.config_entry.entry_id}
            # qbt_bridge_torrent_added …; the server's own: qbt_bridge_low_disk_space …
            prefix = EVENT_PREFIX if event.hash else f"{DOMAIN}_"
            self.hass.bus.async_fire(f"{prefix}{kind}", data)

    @callback
    def pushed(self) -> None:
        """Refresh now: qBittorrent pushed torrent ids (the engine holds them)."""
        self.config_entry.async_create_background_task(
            self.hass, self.async_request_refresh(), f"{DOMAIN} push"
        )

    def detach(self) -> None:
        """Stop listening to the engine (on unload)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
