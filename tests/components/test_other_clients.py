"""The component on uTorrent (a stand-in): found from the URL, only entities that can work, and
actions the client cannot do refused with the reason."""

from __future__ import annotations

import pytest
from homeassistant import config_entries
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er

from custom_components.qbt_bridge.const import CONF_CLIENT, DOMAIN
from tests.standins.common import FakeTorrent
from tests.standins.utorrent import UTorrentStandIn
from tests.telegram.botapi import BotApi


async def _submit(
    hass: HomeAssistant, data: dict[str, object], flow_id: str | None = None
) -> dict[str, object]:
    """Fill the user form (of a new flow, or again of ``flow_id`` after an error)."""
    if flow_id is None:
        flow = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": config_entries.SOURCE_USER}
        )
        flow_id = flow["flow_id"]
    return dict(await hass.config_entries.flow.async_configure(flow_id, data))


async def test_utorrent_entry_has_only_what_can_work(
    hass: HomeAssistant, utorrent: UTorrentStandIn
) -> None:
    utorrent.add(FakeTorrent(hash="ab" * 20, name="Shared ISO"))
    credentials = {CONF_USERNAME: utorrent.username, CONF_PASSWORD: "wrong"}
    refused = await _submit(hass, {CONF_URL: utorrent.url, **credentials})
    assert refused["errors"] == {"base": "invalid_auth"}

    credentials[CONF_PASSWORD] = utorrent.password
    result = await _submit(hass, {CONF_URL: utorrent.url, **credentials}, str(refused["flow_id"]))
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    assert result["data"][CONF_CLIENT] == "utorrent"  # type: ignore[index]
    assert str(result["title"]).startswith("uTorrent ")
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]

    registry = er.async_get(hass)
    keys = {
        e.unique_id.removeprefix(f"{entry.unique_id}_")
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
    }
    assert {"download_speed", "upload_speed", "total_torrents", "pause_all"} <= keys
    for cannot in ("alt_speed", "free_space", "downloaded_all_time", "connection_status"):
        assert cannot not in keys, f"{cannot} cannot work on uTorrent"
    total = registry.async_get_entity_id("sensor", DOMAIN, f"{entry.unique_id}_total_torrents")
    assert total is not None
    state = hass.states.get(total)
    assert state is not None
    assert state.state == "1"

    target = {"config_entry_id": entry.entry_id, "torrents": ["Shared ISO"]}
    with pytest.raises(ServiceValidationError, match="uTorrent cannot use tags"):
        await hass.services.async_call(DOMAIN, "add_tags", {**target, "tags": ["x"]}, blocking=True)
    await hass.services.async_call(
        DOMAIN, "set_category", {**target, "category": "iso"}, blocking=True
    )
    assert utorrent.torrents["ab" * 20].label == "iso"

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def test_a_server_that_is_no_torrent_client_is_named_so(hass: HomeAssistant) -> None:
    other = BotApi()
    await other.start()
    try:
        result = await _submit(
            hass, {CONF_URL: other.url, CONF_USERNAME: "admin", CONF_PASSWORD: "x"}
        )
    finally:
        await other.stop()
    assert result["errors"] == {"base": "not_a_torrent_client"}
