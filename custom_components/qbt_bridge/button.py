"""Pause-all and resume-all buttons."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from qbt_bridge.engine.catalog import GLOBAL_ENTITIES, GlobalEntity, Platform, supported

from .coordinator import QbtConfigEntry
from .entity import QbtEntity
from .errors import translated

PARALLEL_UPDATES = 0


class CommandButton(QbtEntity, ButtonEntity):
    """A button that runs one engine command."""

    description: GlobalEntity

    async def async_press(self) -> None:
        """Run the command."""
        bridge = self.coordinator.bridge
        async with translated():
            if self.description.command == "pause_all":
                await bridge.pause_all()
            else:
                await bridge.resume_all()


async def async_setup_entry(
    _hass: HomeAssistant, entry: QbtConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """The catalog's buttons."""
    async_add_entities(
        CommandButton(entry.runtime_data, d)
        for d in supported(GLOBAL_ENTITIES, entry.runtime_data.bridge.capabilities)
        if d.platform is Platform.BUTTON
    )
