"""Fixtures for the Home Assistant component, run by pytest-homeassistant-custom-component.

Everything talks to a real qbittorrent-nox on loopback, so sockets are enabled for each test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.qbt_bridge.const import DOMAIN
from qbt_bridge.daemon.demo import LocalQBittorrent


@pytest.fixture(autouse=True)
def _real_parts(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom_components/qbt_bridge; allow loopback sockets."""


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


@pytest.fixture
async def loaded(
    hass: HomeAssistant, qbt: LocalQBittorrent, qbt_client: Any
) -> AsyncIterator[MockConfigEntry]:
    """The integration set up for the shared daemon (emptied after the test)."""
    entry = make_entry(qbt)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


def entity_id(hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str) -> str:
    """The entity id of one of the entry's entities, by its catalog key."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{entry.unique_id}_{key}")
    assert found is not None, f"no {platform} {key}"
    return found
