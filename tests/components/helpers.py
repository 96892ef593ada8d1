"""Helpers of the components tests (their fixtures are in conftest.py)."""

from __future__ import annotations

from typing import Any

from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.qbt_bridge.const import DOMAIN
from qbt_bridge.daemon.demo import LocalQBittorrent


def entry_data(qbt: LocalQBittorrent, **overrides: Any) -> dict[str, Any]:
    return {
        CONF_URL: qbt.url,
        CONF_USERNAME: qbt.username,
        CONF_PASSWORD: qbt.password,
        CONF_VERIFY_SSL: True,
        **overrides,
    }


def make_entry(
    qbt: LocalQBittorrent, options: dict[str, Any] | None = None, **data: Any
) -> MockConfigEntry:
    """An entry as the config flow makes it (unique id: the URL, lower case)."""
    values = entry_data(qbt, **data)
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"qBittorrent {values[CONF_URL].split('://')[1]}",
        unique_id=values[CONF_URL].lower(),
        data=values,
        options=options or {},
    )


def entity_id(hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str) -> str:
    """The entity id of one of the entry's entities, by its catalog key."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{entry.unique_id}_{key}")
    assert found is not None, f"no {platform} {key}"
    return found
