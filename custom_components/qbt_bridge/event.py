"""An event entity for torrent events (added, completed, removed, errored)."""

from __future__ import annotations

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from qbt_bridge.engine.catalog import EntitySpec
from qbt_bridge.engine.events import Event

from .const import EVENT_KINDS
from .coordinator import QbtConfigEntry
from .entity import QbtEntity

PARALLEL_UPDATES = 0
DESCRIPTION = EntitySpec(key="torrent_event", name="Torrent event", icon="mdi:bell-ring")


class TorrentEvent(QbtEntity, EventEntity):
    """Fires once per engine event (a completion exactly once)."""

    _attr_event_types = list(EVENT_KINDS)  # noqa: RUF012 - Home Assistant's attribute

    async def async_added_to_hass(self) -> None:
        """Listen to the engine's events while added."""
        await super().async_added_to_hass()
        listeners = self.coordinator.event_listeners
        listeners.append(self._on_event)
        self.async_on_remove(lambda: listeners.remove(self._on_event))

    @callback
    def _on_event(self, event: Event) -> None:
        self._trigger_event(event.kind.value, event.as_dict())
        self.async_write_ha_state()


async def async_setup_entry(
    _hass: HomeAssistant, entry: QbtConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """One event entity per server."""
    async_add_entities([TorrentEvent(entry.runtime_data, DESCRIPTION)])
