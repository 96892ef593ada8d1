"""The catalog's numbers: the four global speed limits, set through the command table."""

from __future__ import annotations

from homeassistant.components.number import NumberDeviceClass, NumberEntity, NumberMode
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.engine.catalog import (
    EntityKind,
    GlobalEntity,
    NumberSetting,
)

from .coordinator import QbtConfigEntry, QbtCoordinator
from .entity import QbtEntity, server_entities
from .errors import translated

PARALLEL_UPDATES = 0


class CommandNumber(QbtEntity, NumberEntity):
    """A value qBittorrent keeps, shown as read and set by one command of the table."""

    description: GlobalEntity
    _attr_mode = NumberMode.BOX

    def __init__(self, coordinator: QbtCoordinator, description: GlobalEntity) -> None:
        super().__init__(coordinator, description)
        assert description.number is not None  # noqa: S101 - only numbers come here
        self.setting: NumberSetting = description.number
        self._attr_native_min_value = self.setting.minimum
        self._attr_native_max_value = self.setting.maximum
        self._attr_native_step = self.setting.step
        self._attr_native_unit_of_measurement = description.unit
        if description.device_class:
            self._attr_device_class = NumberDeviceClass(description.device_class)
        if description.entity_category:
            self._attr_entity_category = EntityCategory(description.entity_category)

    @property
    def native_value(self) -> float | None:
        """The value as last read from qBittorrent."""
        assert self.description.value_fn is not None  # noqa: S101 - numbers have one
        value = self.description.value_fn(self.coordinator.bridge.store)
        return None if value is None else float(value)

    async def async_set_native_value(self, value: float) -> None:
        """Run the command with the value in the command's unit."""
        assert self.description.command is not None  # noqa: S101 - numbers name theirs
        args = {self.setting.argument: round(value * self.setting.scale)}
        async with translated():
            await execute(self.coordinator.bridge, request(Name(self.description.command), args))
        self.coordinator.async_update_listeners()


async def async_setup_entry(
    _hass: HomeAssistant, entry: QbtConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """The catalog's numbers."""
    async_add_entities(server_entities(entry.runtime_data, EntityKind.NUMBER, CommandNumber))
