"""The base of every entity: one device per server, unique ids from the entry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from qbt_bridge.engine.catalog import (
    GLOBAL_ENTITIES,
    EntityKind,
    EntitySpec,
    GlobalEntity,
    supported,
)

from .const import DOMAIN
from .coordinator import QbtCoordinator


class QbtEntity(CoordinatorEntity[QbtCoordinator]):
    """An entity of one qBittorrent server."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: QbtCoordinator, description: EntitySpec) -> None:
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self.description = description
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_translation_key = description.key
        self._attr_icon = description.icon
        self._attr_entity_registry_enabled_default = description.enabled_by_default
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.unique_id or entry.entry_id)},
            name=entry.title,
            model=coordinator.bridge.client.product.split(" ")[0],
            configuration_url=coordinator.bridge.url,
        )

    @property
    def available(self) -> bool:
        """Available while the last refresh worked."""
        return super().available and self.coordinator.bridge.store.initialised

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """``until``: when a command given for a while on this ends (None: none runs)."""
        key = self.description.until if isinstance(self.description, GlobalEntity) else None
        if key is None:
            return None
        value_fn = _BY_KEY[key].value_fn
        assert value_fn is not None  # noqa: S101 - an until entity has a value
        return {"until": value_fn(self.coordinator.bridge.store)}


_BY_KEY = {e.key: e for e in GLOBAL_ENTITIES}


def server_entities[E](
    coordinator: QbtCoordinator,
    platform: EntityKind,
    make: Callable[[QbtCoordinator, GlobalEntity], E],
) -> list[E]:
    """The catalog's server entities of one platform that this client can have."""
    return [
        make(coordinator, d)
        for d in supported(GLOBAL_ENTITIES, coordinator.bridge.capabilities)
        if d.platform is platform
    ]
