"""The alternative-speed switch."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from qbt_bridge.engine.catalog import GLOBAL_ENTITIES, GlobalEntity, Platform, supported

from .coordinator import QbtConfigEntry, QbtCoordinator
from .entity import QbtEntity
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
            await self.coordinator.bridge.set_alt_speed(enabled=True)

    async def async_turn_off(self, **_kwargs: Any) -> None:
        """Turn the alternative limits off."""
        async with translated():
            await self.coordinator.bridge.set_alt_speed(enabled=False)


async def async_setup_entry(
    _hass: HomeAssistant, entry: QbtConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """The catalog's switches."""
    coordinator: QbtCoordinator = entry.runtime_data
    async_add_entities(
        AltSpeedSwitch(coordinator, d)
        for d in supported(GLOBAL_ENTITIES, coordinator.bridge.capabilities)
        if d.platform is Platform.SWITCH
    )
