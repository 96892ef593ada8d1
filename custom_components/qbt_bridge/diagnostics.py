"""Diagnostics: the entry, the server's figures and torrent summaries, secrets redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from qbt_bridge.api.answers import torrent_summary
from qbt_bridge.core.errors import QbtBridgeError
from qbt_bridge.core.redact import redact_url
from qbt_bridge.engine.catalog import global_values

from .const import CONF_API_KEY
from .coordinator import QbtConfigEntry

TO_REDACT = {CONF_PASSWORD, CONF_API_KEY, CONF_USERNAME, CONF_WEBHOOK_ID}  # the id: its secret
MAX_TORRENTS = 50


async def async_get_config_entry_diagnostics(
    _hass: HomeAssistant, entry: QbtConfigEntry
) -> dict[str, Any]:
    """What support needs; no password, key, cookie or tracker URL."""
    coordinator = entry.runtime_data
    bridge = coordinator.bridge
    store = bridge.store
    data = async_redact_data(dict(entry.data), TO_REDACT)
    data["url"] = redact_url(str(data.get("url", "")))
    try:
        version: str | None = str(await bridge.client.version())  # cached after the first read
    except QbtBridgeError:
        version = None
    torrents = [
        torrent_summary(t)
        for h in store.hashes()[:MAX_TORRENTS]
        if (t := store.torrent(h)) is not None
    ]
    return {
        "entry": {"data": data, "options": dict(entry.options), "title": entry.title},
        "server": {
            "version": version,
            "product": bridge.client.product,
            "capabilities": sorted(bridge.capabilities),
            "available": bridge.available,
            "values": global_values(store, bridge.capabilities),
            "counts": store.counts(),
            "categories": sorted(store.category_list()),
        },
        "torrents": torrents,
        "last_update_success": coordinator.last_update_success,
    }
