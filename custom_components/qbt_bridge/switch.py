"""The alternative-speed switch."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.engine.catalog import EntityKind, GlobalEntity

from .coordinator import QbtConfigEntry
from .entity import QbtEntity, server_entities
from .errors import translated

PARALLEL_UPDATES = 0


class AltSpeedSwitch(QbtEntity, SwitchEntity):
    """Alternative speed limits; the state is qBittorrent's, read back after each command."""

    description: GlobalEntity

    @property
    def is_on(self) -> bool | None:
        """What qBittorrent last said."""
        assert self.description.value_fn is not None  # noqa: S101 - switches have one
        return bool(self.description.value_fn(self.coordinator.bridge.store))

    async def async_turn_on(self, **_kwargs: Any) -> None:
        """Turn the alternative limits on."""
        async with translated():
            await execute(self.coordinator.bridge, request(Name.ALT_SPEED, {"enabled": True}))

    async def async_turn_off(self, **_kwargs: Any) -> None:
        """Turn the alternative limits off."""
        async with translated():
            await execute(self.coordinator.bridge, request(Name.ALT_SPEED, {"enabled": False}))


async def async_setup_entry(
    _hass: HomeAssistant, entry: QbtConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """The catalog's switches."""
    async_add_entities(server_entities(entry.runtime_data, EntityKind.SWITCH, AltSpeedSwitch))
