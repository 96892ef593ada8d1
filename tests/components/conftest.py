"""Fixtures for the Home Assistant component, run by pytest-homeassistant-custom-component.

Everything talks to a real qbittorrent-nox on loopback, so sockets are enabled for each test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from qbt_bridge.daemon.demo import LocalQBittorrent
from tests.components.helpers import make_entry


@pytest.fixture(autouse=True)
def _real_parts(enable_custom_integrations: None, socket_enabled: None) -> None:
    """Load custom_components/qbt_bridge; allow loopback sockets."""


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
