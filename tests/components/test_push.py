"""Push through Home Assistant's webhook, end to end: the options flow sets the line in a real
qBittorrent, which runs curl against Home Assistant's real HTTP app on add and on finish."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.qbt_bridge.const import DOMAIN, EVENT_PREFIX
from custom_components.qbt_bridge.diagnostics import async_get_config_entry_diagnostics
from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalQBittorrent
from qbt_bridge.engine.push import MAX_BODY
from tests.components.helpers import entry_data, make_entry
from tests.helpers import wait_for
from tests.releases import Seed

HOUR = 3600
SLOTS = ("autorun", "autorun_on_torrent_added")


@pytest.fixture
async def reachable(hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator) -> str:
    """Home Assistant's HTTP app on a loopback port, known as its internal URL."""
    # Their paths (the webhook's view, the card's bundle) before the app starts: the test client
    # freezes its router, as Home Assistant's own server does not.
    assert await async_setup_component(hass, "webhook", {})
    assert await async_setup_component(hass, DOMAIN, {})
    client = await hass_client_no_auth()
    url = f"http://127.0.0.1:{client.port}"
    await hass.config.async_update(internal_url=url)
    return url


@pytest.fixture
async def slots_restored(qbt_client: QBittorrentClient) -> AsyncIterator[None]:
    """The shared daemon's program slots are emptied again after the test."""
    yield
    await qbt_client.app_set_preferences(
        {key: value for slot in SLOTS for key, value in ((f"{slot}_program", ""),
                                                         (f"{slot}_enabled", False))}
    )  # fmt: skip


async def _set_up(hass: HomeAssistant, qbt: LocalQBittorrent, **options: Any) -> MockConfigEntry:
    entry = make_entry(qbt, options={"scan_interval": HOUR, **options})  # no poll in the test
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _options(hass: HomeAssistant, entry: MockConfigEntry, **changes: Any) -> Any:
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    assert flow["type"] is FlowResultType.FORM
    return flow, await hass.config_entries.options.async_configure(
        flow["flow_id"], {"scan_interval": HOUR, **changes}
    )


async def test_qbittorrent_pushes_added_and_completed_through_the_webhook(
    hass: HomeAssistant,
    reachable: str,
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    slots_restored: None,
    seed: Seed,
) -> None:
    entry = await _set_up(hass, qbt)
    hook = entry.data[CONF_WEBHOOK_ID]
    flow, done = await _options(hass, entry, push_install=True)
    line = flow["description_placeholders"]["push_line"]
    assert line == f"curl -fsS -m 5 -d hash=%K {reachable}/api/webhook/{hook}"
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert "push_install" not in entry.options  # a request, not a setting
    await hass.async_block_till_done()  # the entry reloads with its new options
    prefs = await qbt_client.app_preferences()
    assert all(prefs[f"{slot}_program"] == line and prefs[f"{slot}_enabled"] for slot in SLOTS)
    bridge = entry.runtime_data.bridge
    assert bridge.refresher.clock.push_working  # sweeps at most every push_full_interval

    fired: list[Event] = []
    for kind in ("added", "completed"):
        hass.bus.async_listen(f"{EVENT_PREFIX}{kind}", fired.append)
    await qbt_client.torrents_add(torrent_files=[seed.torrent])

    async def fired_kinds() -> list[str]:
        await hass.async_block_till_done()
        return [e.event_type.removeprefix(EVENT_PREFIX) for e in fired]

    await wait_for(lambda: _has(fired_kinds, "added"), "the pushed added event")
    await qbt_client.torrents_add_peers([seed.meta.info_hash], [seed.peer])
    await wait_for(lambda: _has(fired_kinds, "completed"), "the pushed completed event")
    assert await fired_kinds() == ["added", "completed"]
    assert all(e.data["hash"] == seed.meta.info_hash for e in fired)

    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert hook not in str(diagnostics)  # the webhook id is the push secret


async def _add_server(hass: HomeAssistant, qbt: LocalQBittorrent) -> dict[str, Any]:
    """The user step of a new flow, filled: the push step it leads to."""
    flow = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    offered = await hass.config_entries.flow.async_configure(flow["flow_id"], entry_data(qbt))
    assert (offered["type"], offered["step_id"]) == (FlowResultType.FORM, "push")
    return dict(offered)


async def test_adding_a_server_offers_push_checked_when_the_slots_are_free(
    hass: HomeAssistant,
    reachable: str,
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    slots_restored: None,
) -> None:
    offered = await _add_server(hass, qbt)
    assert offered["data_schema"]({}) == {"push_install": True}  # both slots free: checked
    line = offered["description_placeholders"]["push_line"]
    assert line.startswith(f"curl -fsS -m 5 -d hash=%K {reachable}/api/webhook/")
    assert offered["description_placeholders"]["slots"] == "-"
    done = await hass.config_entries.flow.async_configure(
        offered["flow_id"], {"push_install": True}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    prefs = await qbt_client.app_preferences()
    assert all(prefs[f"{slot}_program"] == line and prefs[f"{slot}_enabled"] for slot in SLOTS)
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert line.endswith(f"/api/webhook/{entry.data[CONF_WEBHOOK_ID]}")  # the entry's own hook
    await hass.async_block_till_done()
    assert entry.runtime_data.bridge.refresher.clock.push_working  # found set at setup
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_slot_with_another_program_is_left_and_each_form_says_so(
    hass: HomeAssistant,
    reachable: str,
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    slots_restored: None,
) -> None:
    theirs = "/config/qbit_manage.sh %I"
    await qbt_client.app_set_preferences({"autorun_program": theirs, "autorun_enabled": True})
    # Adding the server: the push step is not checked, and names the slot.
    offered = await _add_server(hass, qbt)
    assert offered["data_schema"]({}) == {"push_install": False}
    assert offered["description_placeholders"]["slots"] == "when one finishes"
    done = await hass.config_entries.flow.async_configure(
        offered["flow_id"], {"push_install": True}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    prefs = await qbt_client.app_preferences()
    assert prefs["autorun_program"] == theirs  # never overwritten
    assert "/api/webhook/" in prefs["autorun_on_torrent_added_program"]  # the free one
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    assert not entry.runtime_data.bridge.refresher.clock.push_working  # one slot only
    # The options form, later: the same rule, said as an error.
    _flow, result = await _options(hass, entry, push_install=True)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "push_slot_taken"}
    assert result["description_placeholders"]["slots"] == "when one finishes"
    assert (await qbt_client.app_preferences())["autorun_program"] == theirs
    assert entry.state is ConfigEntryState.LOADED
    await hass.config_entries.async_unload(entry.entry_id)


async def test_bad_pushes_get_clear_answers(
    hass: HomeAssistant, reachable: str, qbt: LocalQBittorrent, qbt_client: QBittorrentClient
) -> None:
    entry = await _set_up(hass, qbt)
    hook = entry.data[CONF_WEBHOOK_ID]
    async with aiohttp.ClientSession() as session:
        url = f"{reachable}/api/webhook/{hook}"
        async with session.post(url, data={"hash": "not-a-hash"}) as response:
            assert response.status == 400
            assert "not a torrent id" in await response.text()
        async with session.post(url, data={"hash": "ab" * 20}) as response:
            assert response.status == 202  # unknown to qBittorrent: looked at, nothing happens
            # qBittorrent is up: the answer does not call it unreachable
            assert await response.text() == "accepted 1\n"
        async with session.get(url) as response:
            assert response.status == 405


async def _has(kinds: Any, kind: str) -> bool:
    return kind in await kinds()


async def test_the_webhook_reads_bodies_within_the_push_bounds(
    hass: HomeAssistant, reachable: str, qbt: LocalQBittorrent, caplog: pytest.LogCaptureFixture
) -> None:
    """The same bounds as the daemon's endpoint: 64 KiB inclusive, form-encoded, one line each."""
    entry = await _set_up(hass, qbt)
    url = f"{reachable}/api/webhook/{entry.data[CONF_WEBHOOK_ID]}"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    prefix = b"hash=" + b"ab" * 20 + b"&pad="
    exact = prefix + b"0" * (MAX_BODY - len(prefix))
    async with aiohttp.ClientSession() as session:
        for _ in range(3):
            async with session.post(url, data=exact, headers=form) as response:
                assert response.status == 202, await response.text()
            async with session.post(url, data=exact + b"0", headers=form) as response:
                assert response.status == 413
            multipart = aiohttp.FormData()
            multipart.add_field("hash", "ab" * 20, filename="ids.txt")
            async with session.post(url, data=multipart) as response:
                assert response.status == 415
    # once per kind until a good push: each 202 lets the next refusal be said again
    assert len([r for r in caplog.records if "over 64 KiB" in r.getMessage()]) == 3
    assert not [r for r in caplog.records if r.exc_info]
