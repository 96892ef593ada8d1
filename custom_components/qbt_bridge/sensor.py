"""Sensors rendered from the engine's catalog: the server's, per torrent and per category."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddEntitiesCallback

from qbt_bridge.engine.catalog import (
    CATEGORY_ENTITIES,
    GLOBAL_ENTITIES,
    TORRENT_ENTITIES,
    EntityKind,
    EntitySpec,
    GlobalEntity,
    GroupEntity,
    TorrentEntity,
    category_id,
    selected_categories,
    selected_torrents,
    supported,
)
from qbt_bridge.engine.snapshot import Figures

from .const import DOMAIN
from .coordinator import QbtConfigEntry, QbtCoordinator
from .entity import QbtEntity
from .options import category_filter, torrent_filter

PARALLEL_UPDATES = 0  # the coordinator does the I/O


def sensor_description(entity: EntitySpec) -> SensorEntityDescription:
    """Home Assistant's description of one catalog entity: its units, classes and options."""
    return SensorEntityDescription(
        key=entity.key,
        translation_key=entity.key,
        icon=entity.icon,
        entity_registry_enabled_default=entity.enabled_by_default,
        native_unit_of_measurement=entity.unit,
        suggested_unit_of_measurement=entity.suggested_unit,
        suggested_display_precision=entity.suggested_precision,
        device_class=SensorDeviceClass(entity.device_class) if entity.device_class else None,
        state_class=SensorStateClass(entity.state_class) if entity.state_class else None,
        entity_category=(
            EntityCategory(entity.entity_category) if entity.entity_category else None
        ),
        options=list(entity.options) if entity.options else None,
    )


# Built once from the catalog, the one definition of every entity.
SERVER_SENSORS = {
    e.key: sensor_description(e) for e in GLOBAL_ENTITIES if e.platform is EntityKind.SENSOR
}
TORRENT_SENSORS = {e.key: sensor_description(e) for e in TORRENT_ENTITIES}
CATEGORY_SENSORS = {e.key: sensor_description(e) for e in CATEGORY_ENTITIES}


class ServerSensor(QbtEntity, SensorEntity):
    """One value of the whole server."""

    description: GlobalEntity

    def __init__(self, coordinator: QbtCoordinator, description: GlobalEntity) -> None:
        super().__init__(coordinator, description)
        self.entity_description = SERVER_SENSORS[description.key]

    @property
    def native_value(self) -> Any:
        """The catalog's value; placeholders ("-", -1, 8640000) are already None."""
        assert self.description.value_fn is not None  # noqa: S101 - sensors have one
        return self.description.value_fn(self.coordinator.bridge.store)


class TorrentSensor(QbtEntity, SensorEntity):
    """One value of one torrent (a device under the server)."""

    description: TorrentEntity

    def __init__(
        self, coordinator: QbtCoordinator, description: TorrentEntity, torrent_hash: str
    ) -> None:
        super().__init__(coordinator, description)
        self.entity_description = TORRENT_SENSORS[description.key]
        entry = coordinator.config_entry
        self.torrent_hash = torrent_hash
        self._attr_unique_id = f"{entry.unique_id}_{torrent_hash}_{description.key}"
        torrent = coordinator.bridge.store.torrent(torrent_hash)
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.unique_id}_{torrent_hash}")},
            name=(torrent.name if torrent else torrent_hash)[:100],
            model="Torrent",
            via_device=(DOMAIN, entry.unique_id or entry.entry_id),
        )

    @property
    def available(self) -> bool:
        """Available while the torrent is there."""
        return super().available and self.torrent_hash in self.coordinator.bridge.store

    @property
    def native_value(self) -> Any:
        """The catalog's value for this torrent."""
        torrent = self.coordinator.bridge.store.torrent(self.torrent_hash)
        return None if torrent is None else self.description.value_fn(torrent)


class CategorySensor(QbtEntity, SensorEntity):
    """One figure of one category (on the server's device)."""

    description: GroupEntity

    def __init__(self, coordinator: QbtCoordinator, description: GroupEntity, name: str) -> None:
        super().__init__(coordinator, description)
        self.entity_description = CATEGORY_SENSORS[description.key]
        self.category = name
        entry = coordinator.config_entry
        self._attr_unique_id = category_unique_id(entry, name, description.key)
        self._attr_translation_placeholders = {"category": name}

    @property
    def available(self) -> bool:
        """Available while the category is there."""
        return super().available and self.category in self.coordinator.bridge.store.categories

    @property
    def native_value(self) -> Any:
        """The category's figure, as the catalog reads it."""
        figures = self.coordinator.bridge.store.by_category().get(self.category, Figures())
        return self.description.value_fn(figures)


def category_unique_id(entry: QbtConfigEntry, name: str, key: str) -> str:
    """The unique id of one category's entity."""
    return f"{entry.unique_id}_category_{category_id(name)}_{key}"


async def async_setup_entry(
    hass: HomeAssistant, entry: QbtConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """The server's sensors, and per-torrent ones when the options ask for them."""
    coordinator = entry.runtime_data
    async_add_entities(
        ServerSensor(coordinator, d)
        for d in supported(GLOBAL_ENTITIES, coordinator.bridge.capabilities)
        if d.platform is EntityKind.SENSOR
    )
    per_torrent = supported(TORRENT_ENTITIES, coordinator.bridge.capabilities)
    rule = torrent_filter(entry.options)
    known: set[str] = set()

    @callback
    def sync_torrents() -> None:
        ordered = selected_torrents(coordinator.bridge.store, rule)
        wanted = set(ordered)
        new = [h for h in ordered if h not in known]  # added in the option's order
        if new:
            async_add_entities(TorrentSensor(coordinator, d, h) for h in new for d in per_torrent)
        for gone in known - wanted:
            _remove_torrent(hass, entry, gone)
        known.clear()
        known.update(wanted)

    # Devices of torrents that are gone, or of per-torrent entities now turned off.
    _remove_leftovers(hass, entry, set(selected_torrents(coordinator.bridge.store, rule)))
    if rule.enabled:
        sync_torrents()
        entry.async_on_unload(coordinator.async_add_listener(sync_torrents))
    _category_entities(hass, entry, async_add_entities)


def _category_entities(
    hass: HomeAssistant, entry: QbtConfigEntry, async_add_entities: AddEntitiesCallback
) -> None:
    """Entities for each category, added and removed as categories come and go (capped)."""
    coordinator = entry.runtime_data
    rule = category_filter(entry.options)
    registry = er.async_get(hass)
    shown: set[str] = set()

    @callback
    def sync_categories() -> None:
        wanted = selected_categories(coordinator.bridge.store, rule)
        new = [name for name in wanted if name not in shown]
        if new:
            async_add_entities(
                CategorySensor(coordinator, d, name) for name in new for d in CATEGORY_ENTITIES
            )
        for gone in shown - set(wanted):
            for d in CATEGORY_ENTITIES:
                unique_id = category_unique_id(entry, gone, d.key)
                if entity_id := registry.async_get_entity_id("sensor", DOMAIN, unique_id):
                    registry.async_remove(entity_id)
        shown.clear()
        shown.update(wanted)

    # Category entities of an earlier run (or of the option now off) that are not wanted.
    keep = {
        category_unique_id(entry, name, d.key)
        for name in selected_categories(coordinator.bridge.store, rule)
        for d in CATEGORY_ENTITIES
    }
    prefix = f"{entry.unique_id}_category_"
    for found in er.async_entries_for_config_entry(registry, entry.entry_id):
        if found.unique_id.startswith(prefix) and found.unique_id not in keep:
            registry.async_remove(found.entity_id)
    if rule.enabled:
        sync_categories()
        entry.async_on_unload(coordinator.async_add_listener(sync_categories))


def _remove_torrent(hass: HomeAssistant, entry: QbtConfigEntry, torrent_hash: str) -> None:
    """Take a torrent's entities and device out of the registries."""
    devices = dr.async_get(hass)
    device = devices.async_get_device(identifiers={(DOMAIN, f"{entry.unique_id}_{torrent_hash}")})
    if device is not None:
        devices.async_remove_device(device.id)  # removes its entities too
    registry = er.async_get(hass)
    for description in TORRENT_ENTITIES:
        unique_id = f"{entry.unique_id}_{torrent_hash}_{description.key}"
        entity_id = registry.async_get_entity_id("sensor", DOMAIN, unique_id)
        if entity_id is not None:
            registry.async_remove(entity_id)


def _remove_leftovers(hass: HomeAssistant, entry: QbtConfigEntry, keep: set[str]) -> None:
    """Per-torrent devices of an earlier run (or of options now off) that are not wanted."""
    devices = dr.async_get(hass)
    server = entry.unique_id or entry.entry_id
    for device in dr.async_entries_for_config_entry(devices, entry.entry_id):
        for domain, identifier in device.identifiers:
            if domain == DOMAIN and identifier != server:
                torrent_hash = identifier.rsplit("_", 1)[-1]
                if torrent_hash not in keep:
                    _remove_torrent(hass, entry, torrent_hash)
