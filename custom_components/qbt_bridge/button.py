"""The catalog's buttons (pause all, resume all, resume what pause all paused)."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.engine.catalog import EntityKind, GlobalEntity

from .coordinator import QbtConfigEntry
from .entity import QbtEntity, server_entities
from .errors import translated

PARALLEL_UPDATES = 0


class CommandButton(QbtEntity, ButtonEntity):
    """A button that runs one engine command."""

    description: GlobalEntity

    async def async_press(self) -> None:
        """Run the command."""
        command = self.description.command
        assert command is not None  # noqa: S101 - every catalog button names its command
        async with translated():
            await execute(self.coordinator.bridge, request(Name(command), {}))


async def async_setup_entry(
    _hass: HomeAssistant, entry: QbtConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """The catalog's buttons."""
    async_add_entities(server_entities(entry.runtime_data, EntityKind.BUTTON, CommandButton))
