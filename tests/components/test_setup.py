"""Setup, entities with real values, actions, events, options, diagnostics and unload."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.service import async_get_all_descriptions
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.qbt_bridge.const import DOMAIN
from custom_components.qbt_bridge.diagnostics import async_get_config_entry_diagnostics
from custom_components.qbt_bridge.services import services_description
from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.torrentfile import bdecode, bencode
from qbt_bridge.core.versions import Version
from qbt_bridge.daemon.demo import LocalQbitManage, LocalQBittorrent, free_port
from tests.components.helpers import entity_id, make_entry
from tests.helpers import (
    SEARCH_PLUGIN,
    FileServer,
    folder_torrent,
    tiny_torrent,
    wait_for,
    wait_torrent,
)
from tests.releases import Seed

MAGNET = "magnet:?xt=urn:btih:" + "ab" * 20 + "&dn=from-home-assistant"


async def test_setup_creates_the_servers_entities_with_real_values(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient
) -> None:
    assert loaded.state is ConfigEntryState.LOADED
    total = hass.states.get(entity_id(hass, loaded, "sensor", "total_torrents"))
    assert total is not None
    assert total.state == "0"
    # A fresh qBittorrent reports its ratio as a placeholder: a state, never an error.
    ratio = hass.states.get(entity_id(hass, loaded, "sensor", "global_ratio"))
    assert ratio is not None
    assert ratio.state != "unavailable"
    speed = hass.states.get(entity_id(hass, loaded, "sensor", "download_speed"))
    assert speed is not None
    assert speed.attributes["unit_of_measurement"] == "MiB/s"
    switch = hass.states.get(entity_id(hass, loaded, "switch", "alt_speed"))
    assert switch is not None
    assert switch.state == "off"
    assert hass.states.get(entity_id(hass, loaded, "button", "pause_all")) is not None
    assert hass.states.get(entity_id(hass, loaded, "event", "torrent_event")) is not None


async def test_every_entity_has_a_name(hass: HomeAssistant, loaded: MockConfigEntry) -> None:
    """A catalog entry without a translated name shows as "<device> None"."""
    entries = er.async_entries_for_config_entry(er.async_get(hass), loaded.entry_id)
    assert len(entries) > 30
    for entry in entries:
        assert "none" not in entry.entity_id.split(".")[1].split("_"), entry.entity_id
        state = hass.states.get(entry.entity_id)
        if state is None:  # disabled by default: the registry's name is what would show
            assert entry.original_name is not None, entry.entity_id
            continue
        assert "None" not in state.attributes["friendly_name"].split(), entry.entity_id


async def test_a_change_made_in_qbittorrent_shows_after_refreshes(
    hass: HomeAssistant,
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    tmp_path: Path,
) -> None:
    entry = make_entry(qbt, options={"scan_interval": 2})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    data, _hash = tiny_torrent(tmp_path, "made-elsewhere")
    await qbt_client.torrents_add(torrent_files=[data], paused=True)
    coordinator = entry.runtime_data
    total = entity_id(hass, entry, "sensor", "total_torrents")

    # Seen at the next refresh where the release counts torrents cheaply (4.6+), else at the
    # next sweep (minutes apart: asked for here).
    sweep_needed = await qbt_client.torrents_count() is None

    async def shown() -> bool:
        if sweep_needed:
            coordinator.bridge.refresher.request_sweep()
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        state = hass.states.get(total)
        return state is not None and state.state == "1"

    await wait_for(shown, "the new torrent to be counted")
    await hass.config_entries.async_unload(entry.entry_id)


async def test_the_switch_shows_the_real_state_right_after_each_command(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient
) -> None:
    switch = entity_id(hass, loaded, "switch", "alt_speed")
    for service, wanted in (("turn_on", "on"), ("turn_off", "off"), ("turn_on", "on")):
        await hass.services.async_call("switch", service, {"entity_id": switch}, blocking=True)
        state = hass.states.get(switch)
        assert state is not None
        assert state.state == wanted
        assert await qbt_client.transfer_speed_limits_mode() is (wanted == "on")


async def test_speed_limit_numbers_set_and_follow_qbittorrent(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient
) -> None:
    alt = entity_id(hass, loaded, "number", "alt_download_limit")
    state = hass.states.get(alt)
    assert state is not None
    assert state.attributes["unit_of_measurement"] == "KiB/s"
    assert float(state.state) * 1024 == (await qbt_client.transfer_speed_limits()).alt_download
    await hass.services.async_call(
        "number", "set_value", {"entity_id": alt, "value": 750}, blocking=True
    )
    assert (await qbt_client.transfer_speed_limits()).alt_download == 750 * 1024
    state = hass.states.get(alt)
    assert state is not None
    assert float(state.state) == 750
    # set in qBittorrent itself: the limit in force moved, so the next refresh reads it
    await qbt_client.transfer_set_speed_limits(download=2048 * 1024)
    await loaded.runtime_data.async_refresh()
    await hass.async_block_till_done()
    download = hass.states.get(entity_id(hass, loaded, "number", "global_download_limit"))
    assert download is not None
    assert float(download.state) == 2048
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "number", "set_value", {"entity_id": alt, "value": -1}, blocking=True
        )
    await qbt_client.transfer_set_speed_limits(download=0, alt_download=0)


async def test_the_listening_port_number_sets_qbittorrents_port(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient
) -> None:
    port = entity_id(hass, loaded, "number", "listen_port")
    before = await qbt_client.listen_port()
    state = hass.states.get(port)
    assert state is not None
    assert float(state.state) == before
    wanted = free_port()
    try:
        await hass.services.async_call(
            "number", "set_value", {"entity_id": port, "value": wanted}, blocking=True
        )
        assert await qbt_client.listen_port() == wanted
        state = hass.states.get(port)
        assert state is not None
        assert float(state.state) == wanted
        with pytest.raises(ServiceValidationError):  # under the entity's minimum
            await hass.services.async_call(
                "number", "set_value", {"entity_id": port, "value": 80}, blocking=True
            )
        assert await qbt_client.listen_port() == wanted
    finally:
        await qbt_client.set_listen_port(before)  # the shared daemon's own port again


async def test_actions_change_the_real_daemon(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    entry = {"config_entry_id": loaded.entry_id}

    async def call(service: str, response: bool = False, **data: Any) -> Any:
        return await hass.services.async_call(
            DOMAIN, service, {**entry, **data}, blocking=True, return_response=response
        )

    added = await call("add_torrent", response=True, source=MAGNET, tags=["ha"])
    assert added["hash"] == "ab" * 20
    hash_ = "ab" * 20
    await qbt_client.torrents_create_category("tv")
    await call("set_category", torrents=["from-home"], category="tv")
    await call("add_tags", torrents=[hash_[:8]], tags=["two"])
    await call("pause", torrents=["from-home-assistant"])
    torrent = (await qbt_client.torrents_info(hashes=[hash_]))[0]
    assert torrent.category == "tv"
    assert set(torrent.tags) == {"ha", "two"}
    assert torrent.state.is_stopped
    resumed = await call("resume", response=True, torrents=["all"])  # the table's answer
    assert resumed["confirmed"] is True
    assert [t["hash"] for t in resumed["torrents"]] == [hash_]
    assert not (await qbt_client.torrents_info(hashes=[hash_]))[0].state.is_stopped
    await call("set_limits", torrents=[hash_], download=100_000)
    assert (await qbt_client.torrents_info(hashes=[hash_]))[0].download_limit == 100_000

    listed = await call("get_torrents", response=True, category="tv")
    assert [t["hash"] for t in listed["torrents"]] == [hash_]
    assert await call("get_torrents", response=True, tag="nope") == {"count": 0, "torrents": []}
    with pytest.raises(vol.Invalid):
        await call("get_torrents", response=True, state="sleeping")  # one filter vocabulary

    data, file_hash = tiny_torrent(tmp_path, "from-a-file")
    path = tmp_path / "from-a-file.torrent"
    path.write_bytes(data)
    with pytest.raises(ServiceValidationError, match="allowlist"):
        await call("add_torrent", file=str(path))
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    assert (await call("add_torrent", response=True, file=str(path)))["hash"] == file_hash

    with pytest.raises(ServiceValidationError, match="no torrent matches"):
        await call("pause", torrents=["nothing-like-this"])
    path.write_bytes(b"not a torrent")
    with pytest.raises(ServiceValidationError, match="not a valid .torrent"):
        await call("add_torrent", file=str(path))

    await call("rss_add_rule", name="shows", must_contain="show", category="tv")
    assert (await qbt_client.rss_rules())["shows"].must_contain == "show"
    await call("rss_remove_rule", name="shows")
    assert "shows" not in await qbt_client.rss_rules()
    with pytest.raises(ServiceValidationError, match="no RSS rule"):
        await call("rss_remove_rule", name="shows")

    await call("delete", torrents=["all"], delete_files=True)
    assert not await qbt_client.torrents_info()


async def test_actions_carry_their_commands_names_and_the_old_ones_still_work(
    hass: HomeAssistant, loaded: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    entry = {"config_entry_id": loaded.entry_id}
    new = await hass.services.async_call(
        DOMAIN, "list", {**entry, "limit": 5}, blocking=True, return_response=True
    )
    for _ in range(2):
        old = await hass.services.async_call(
            DOMAIN, "get_torrents", {**entry, "limit": 5}, blocking=True, return_response=True
        )
        assert old == new
    deprecated = [r for r in caplog.records if "get_torrents is deprecated" in r.getMessage()]
    assert len(deprecated) == 1
    assert "qbt_bridge.list" in deprecated[0].getMessage()


async def test_every_command_of_the_table_is_an_action(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient
) -> None:
    """The commands that had no action before: each one runs through the table as it is."""
    entry = {"config_entry_id": loaded.entry_id}
    rules = await hass.services.async_call(
        DOMAIN, "rss_rules", entry, blocking=True, return_response=True
    )
    assert rules is not None
    assert isinstance(rules["result"], list)  # a list answer comes as "result"
    answer = await hass.services.async_call(
        DOMAIN, "reannounce", {**entry, "torrents": ["all"]}, blocking=True, return_response=True
    )
    assert answer is not None
    assert answer["torrents"] == []
    if await qbt_client.webapi_version() < Version(2, 16, 2):
        with pytest.raises(ServiceValidationError, match="cannot export RSS rules"):
            await hass.services.async_call(
                DOMAIN, "rss_export_rules", entry, blocking=True, return_response=True
            )


async def test_actions_need_a_loaded_server(hass: HomeAssistant, loaded: MockConfigEntry) -> None:
    with pytest.raises(ServiceValidationError, match="No qbt-bridge server"):
        await hass.services.async_call(
            DOMAIN, "pause", {"config_entry_id": "nope", "torrents": ["all"]}, blocking=True
        )


async def test_low_disk_space_fires_on_the_bus_and_the_event_entity(
    hass: HomeAssistant, qbt: LocalQBittorrent, qbt_client: QBittorrentClient
) -> None:
    fired: list[Event] = []
    hass.bus.async_listen(f"{DOMAIN}_low_disk_space", fired.append)
    # more GiB than any disk here has free: low at the first look
    entry = make_entry(qbt, options={"disk_min_free_gib": 2**20})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert [e.data["threshold"] for e in fired] == [2**50]
    assert fired[0].data["free"] < 2**50
    # the space comes back (here: the threshold drops, as the disk cannot be filled here)
    bridge = entry.runtime_data.bridge
    bridge.refresher.disk_guard = replace(bridge.refresher.disk_guard, min_free=1)
    await entry.runtime_data.async_refresh()
    await hass.async_block_till_done()
    state = hass.states.get(entity_id(hass, entry, "event", "torrent_event"))
    assert state is not None
    assert state.attributes["event_type"] == "disk_space_ok"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_the_port_file_sets_the_port_and_fires_port_changed(
    hass: HomeAssistant, qbt: LocalQBittorrent, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    fired: list[Event] = []
    hass.bus.async_listen(f"{DOMAIN}_port_changed", fired.append)
    before = await qbt_client.listen_port()
    forwarded = free_port()
    port_file = tmp_path / "forwarded_port"
    port_file.write_text(f"{forwarded}\n")
    entry = make_entry(qbt, options={"port_file": str(port_file)})
    entry.add_to_hass(hass)
    try:
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert await qbt_client.listen_port() == forwarded
        assert [(e.data["port"], e.data["previous"]) for e in fired] == [(forwarded, before)]
        # The VPN forwards another port: the event entity (there now) says so too.
        again = free_port()
        port_file.write_text(f"{again}\n")
        await entry.runtime_data.async_refresh()
        await hass.async_block_till_done()
        assert await qbt_client.listen_port() == again
        assert [e.data["port"] for e in fired] == [forwarded, again]
        state = hass.states.get(entity_id(hass, entry, "event", "torrent_event"))
        assert state is not None
        assert state.attributes["event_type"] == "port_changed"
        number = hass.states.get(entity_id(hass, entry, "number", "listen_port"))
        assert number is not None
        assert float(number.state) == again
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await qbt_client.set_listen_port(before)  # the shared daemon's own port again


async def test_events_fire_once_on_a_real_completion(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient, seed: Seed
) -> None:
    fired: list[Event] = []
    hass.bus.async_listen(f"{DOMAIN}_torrent_completed", fired.append)
    coordinator = loaded.runtime_data
    await qbt_client.torrents_add(torrent_files=[seed.torrent])

    async def listed() -> bool:
        return bool(await qbt_client.torrents_info(hashes=[seed.meta.info_hash]))

    await wait_for(listed, "the download to be listed")
    await qbt_client.torrents_add_peers([seed.meta.info_hash], [seed.peer])

    async def completed() -> bool:
        coordinator.bridge.notify(seed.meta.info_hash)  # as qBittorrent's push would
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        return bool(fired)

    await wait_for(completed, "the completion event")
    await coordinator.async_refresh()
    await hass.async_block_till_done()
    assert len(fired) == 1
    assert fired[0].data["hash"] == seed.meta.info_hash
    state = hass.states.get(entity_id(hass, loaded, "event", "torrent_event"))
    assert state is not None
    assert state.attributes["event_type"] == "completed"
    # A session's first megabytes show at the default unit and display precision (3 MiB came).
    downloaded = entity_id(hass, loaded, "sensor", "downloaded_session")
    session = hass.states.get(downloaded)
    assert session is not None
    assert session.attributes["unit_of_measurement"] == "MiB"
    registered = er.async_get(hass).async_get(downloaded)
    assert registered is not None
    precision = registered.options["sensor"]["suggested_display_precision"]
    assert round(float(session.state), precision) >= seed.meta.total_size / 2**20
    # Nothing left to download: the downloads' figures are unknown, never a fake zero.
    for key in ("next_finish", "last_finish", "downloads_progress", "remaining"):
        outlook = hass.states.get(entity_id(hass, loaded, "sensor", key))
        assert outlook is not None
        assert outlook.state == "unknown", key


async def test_options_turn_per_torrent_entities_on_and_their_removal(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    for name in ("older", "newer"):
        data, _hash = tiny_torrent(tmp_path, name)
        hass.config.allowlist_external_dirs = {str(tmp_path)}
        await hass.services.async_call(
            DOMAIN, "add_torrent",
            {"config_entry_id": loaded.entry_id, "file": _write(tmp_path, name, data)},
            blocking=True,
        )  # fmt: skip
    hass.config_entries.async_update_entry(
        loaded, options={"torrent_entities": True, "limit": 1, "scan_interval": 10}
    )
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    torrent_entities = [
        e for e in er.async_entries_for_config_entry(registry, loaded.entry_id)
        if re.search(r"_[0-9a-f]{40}_progress$", e.unique_id)  # a torrent's, not the server's
    ]  # fmt: skip
    assert len(torrent_entities) == 1  # the cap: the newest only
    newest_hash = torrent_entities[0].unique_id.split("_")[-2]
    assert hass.states.get(torrent_entities[0].entity_id) is not None

    await qbt_client.torrents_delete([newest_hash], delete_files=True)
    coordinator = hass.config_entries.async_get_entry(loaded.entry_id).runtime_data  # type: ignore[union-attr]

    async def gone() -> bool:
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        return registry.async_get(torrent_entities[0].entity_id) is None

    await wait_for(gone, "the removed torrent's entities to leave the registry")

    hass.config_entries.async_update_entry(loaded, options={"torrent_entities": True, "limit": 5})
    await hass.async_block_till_done()
    assert _torrent_devices(hass, loaded)
    hass.config_entries.async_update_entry(loaded, options={"torrent_entities": False})
    await hass.async_block_till_done()
    assert not _torrent_devices(hass, loaded)  # turned off: their devices are gone


def _torrent_devices(hass: HomeAssistant, entry: MockConfigEntry) -> list[Any]:
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    return [d for d in devices if d.model == "Torrent"]


def _write(folder: Path, name: str, data: bytes) -> str:
    path = folder / f"{name}.torrent"
    path.write_bytes(data)
    return str(path)


async def test_diagnostics_hold_no_secret(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt: LocalQBittorrent, tmp_path: Path
) -> None:
    passkey = "feedfacefeedfacefeedfacefeedface"
    data, _hash = tiny_torrent(tmp_path, "private")
    with_tracker = bencode(
        {**bdecode(data), b"announce": f"https://t.example/{passkey}/a".encode()}
    )
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    await hass.services.async_call(
        DOMAIN, "add_torrent",
        {"config_entry_id": loaded.entry_id, "file": _write(tmp_path, "private", with_tracker)},
        blocking=True,
    )  # fmt: skip
    diagnostics = await async_get_config_entry_diagnostics(hass, loaded)
    text = json.dumps(diagnostics, default=str)
    assert qbt.password not in text
    assert passkey not in text
    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"
    assert diagnostics["server"]["counts"]["total"] == 1
    assert diagnostics["server"]["available"] is True


async def test_unload_leaves_nothing_running(hass: HomeAssistant, loaded: MockConfigEntry) -> None:
    assert await hass.config_entries.async_unload(loaded.entry_id)
    await hass.async_block_till_done()
    assert loaded.state is ConfigEntryState.NOT_LOADED
    # The plugin's own teardown fails the test on lingering tasks or timers.


async def test_unreachable_server_is_retried_not_crashed(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    with LocalQBittorrent() as gone_soon:
        entry = make_entry(gone_soon)
    entry.add_to_hass(hass)  # its daemon has stopped
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            DOMAIN, "pause", {"config_entry_id": entry.entry_id, "torrents": ["all"]}, blocking=True
        )


async def test_buttons_pause_and_resume_everything(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    data, info_hash = tiny_torrent(tmp_path, "pressed")
    await hass.services.async_call(
        DOMAIN, "add_torrent",
        {"config_entry_id": loaded.entry_id, "file": _write(tmp_path, "pressed", data)},
        blocking=True,
    )  # fmt: skip
    steps = (("pause_all", True), ("resume_all", False), ("pause_all", True),
             ("resume_paused", False))  # fmt: skip
    for key, stopped in steps:
        button = entity_id(hass, loaded, "button", key)
        await hass.services.async_call("button", "press", {"entity_id": button}, blocking=True)
        assert (await qbt_client.torrents_info(hashes=[info_hash]))[0].state.is_stopped is stopped


async def test_search_action_returns_results_without_links_and_search_add_adds_one(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    qbt_client: QBittorrentClient,
    files: FileServer,
    tmp_path: Path,
) -> None:
    found_hashes = []
    for index in range(3):
        data, info_hash = tiny_torrent(tmp_path, f"ha-found-{index}")
        files.add(f"/files/result-{index}.torrent", data, "application/x-bittorrent")
        found_hashes.append(info_hash)
    url = files.add("/plugins/qbtbridgetest.py", SEARCH_PLUGIN.format(port=files.port).encode())
    await qbt_client.search_install_plugin([url])
    await wait_for(qbt_client.search_plugins, "the plugin")
    try:
        await _search_and_add(hass, loaded, qbt_client, found_hashes)
    finally:
        await qbt_client.search_uninstall_plugin(["qbtbridgetest"])


async def _search_and_add(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient, hashes: list[str]
) -> None:
    entry = {"config_entry_id": loaded.entry_id}
    found = await hass.services.async_call(
        DOMAIN, "search", {**entry, "query": "debian iso"}, blocking=True, return_response=True
    )
    assert found is not None
    assert found["finished"] is True
    assert [r["seeders"] for r in found["results"]] == [42, 17, 5]  # type: ignore[index, union-attr]
    assert "http" not in json.dumps(found)
    added = await hass.services.async_call(
        DOMAIN, "search_add", {**entry, "job_id": found["job_id"], "index": 0, "category": "found"},
        blocking=True, return_response=True,
    )  # fmt: skip
    assert added is not None
    best = hashes[1]  # 42 seeders: result-1
    assert added["hash"] == best
    torrent = await wait_torrent(qbt_client, best, lambda t: t.category == "found")
    assert torrent.hash == best
    with pytest.raises(ServiceValidationError, match="no result number 9"):
        await hass.services.async_call(
            DOMAIN, "search_add", {**entry, "job_id": found["job_id"], "index": 9}, blocking=True
        )
    # in one call: search for a pattern, add result 1 (17 seeders: result-2)
    one_call = await hass.services.async_call(
        DOMAIN, "search_add", {**entry, "pattern": "debian iso", "index": 1},
        blocking=True, return_response=True,
    )  # fmt: skip
    assert one_call is not None
    assert one_call["hash"] == hashes[2]
    await wait_torrent(qbt_client, hashes[2])
    with pytest.raises(ServiceValidationError, match="give job_id .* or pattern"):
        await hass.services.async_call(DOMAIN, "search_add", {**entry, "index": 0}, blocking=True)


async def test_file_actions_list_and_set_priorities(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    data, info_hash = folder_torrent(tmp_path / "ha-files", [f"f{n}.txt" for n in range(3)])
    await qbt_client.torrents_add(torrent_files=[data], paused=True)
    await wait_torrent(qbt_client, info_hash)
    entry = {"config_entry_id": loaded.entry_id, "torrent": info_hash[:10]}
    listed = await hass.services.async_call(
        DOMAIN, "get_files", entry, blocking=True, return_response=True
    )
    assert listed is not None
    assert [f["name"] for f in listed["files"]] == [f"ha-files/f{n}.txt" for n in range(3)]  # type: ignore[union-attr, index]
    await hass.services.async_call(
        DOMAIN, "set_file_priority", {**entry, "files": "0, 2", "priority": "skip"}, blocking=True
    )
    assert [r["priority"] for r in await qbt_client.torrents_files(info_hash)] == [0, 1, 0]
    with pytest.raises(ServiceValidationError, match="no file 7"):
        await hass.services.async_call(
            DOMAIN, "set_file_priority", {**entry, "files": [7], "priority": "max"}, blocking=True
        )


async def test_category_actions(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient
) -> None:
    entry = {"config_entry_id": loaded.entry_id}
    await hass.services.async_call(
        DOMAIN, "create_category", {**entry, "name": "ha-cat"}, blocking=True
    )
    listed = await hass.services.async_call(
        DOMAIN, "get_categories", entry, blocking=True, return_response=True
    )
    assert listed is not None
    assert "ha-cat" in [c["name"] for c in listed["categories"]]  # type: ignore[union-attr, index]
    await hass.services.async_call(
        DOMAIN, "remove_category", {**entry, "name": "ha-cat"}, blocking=True
    )
    assert "ha-cat" not in (await qbt_client.torrents_categories() or {})
    with pytest.raises(ServiceValidationError, match="no category 'ha-cat'"):
        await hass.services.async_call(
            DOMAIN, "remove_category", {**entry, "name": "ha-cat"}, blocking=True
        )


async def test_bad_action_input_is_refused_clearly(
    hass: HomeAssistant, loaded: MockConfigEntry, tmp_path: Path
) -> None:
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    entry = {"config_entry_id": loaded.entry_id}
    with pytest.raises(ServiceValidationError, match="Give a magnet link"):
        await hass.services.async_call(DOMAIN, "add_torrent", entry, blocking=True)
    with pytest.raises(ServiceValidationError, match="Cannot read"):
        await hass.services.async_call(
            DOMAIN, "add_torrent", {**entry, "file": str(tmp_path / "missing.torrent")},
            blocking=True,
        )  # fmt: skip
    with pytest.raises(ServiceValidationError, match="no RSS feed 'nope'"):
        await hass.services.async_call(
            DOMAIN, "rss_add_rule", {**entry, "name": "x", "feeds": ["nope"]}, blocking=True
        )


async def test_qbittorrent_down_after_setup(hass: HomeAssistant, tmp_path: Path) -> None:
    with LocalQBittorrent() as own:
        entry = make_entry(own)
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        bridge = entry.runtime_data.bridge
        assert bridge.available  # the coordinator's refresh says so, as the daemon's loop does
        own.stop()
        with pytest.raises(HomeAssistantError, match="unreachable"):
            await hass.services.async_call(
                DOMAIN, "pause", {"config_entry_id": entry.entry_id, "torrents": ["all"]},
                blocking=True,
            )  # fmt: skip
        await entry.runtime_data.async_refresh()
        total = hass.states.get(entity_id(hass, entry, "sensor", "total_torrents"))
        assert total is not None
        assert total.state == "unavailable"
        assert not bridge.available
        diagnostics = await async_get_config_entry_diagnostics(hass, entry)
        assert diagnostics["server"]["available"] is False
        await hass.config_entries.async_unload(entry.entry_id)


async def test_qbit_manage_action(hass: HomeAssistant, manager: LocalQbitManage) -> None:
    entry = make_entry(manager.qbt)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    data = {"config_entry_id": entry.entry_id, "commands": ["cat_update"], "dry_run": True}
    with pytest.raises(ServiceValidationError, match="no qbit_manage is configured"):
        await hass.services.async_call(DOMAIN, "run_qbit_manage", data, blocking=True)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    bad = await hass.config_entries.options.async_configure(
        result["flow_id"], {"scan_interval": 10, "torrent_entities": False, "limit": 5,
                            "qbit_manage_url": "ftp://nowhere"},
    )  # fmt: skip
    assert bad["errors"] == {"qbit_manage_url": "invalid_url"}
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"scan_interval": 10, "torrent_entities": False, "limit": 5,
                            "qbit_manage_url": manager.url},
    )  # fmt: skip
    await hass.async_block_till_done()
    version = await entry.runtime_data.bridge.client.version()
    if version > Version.parse("5.2.4"):
        # qbit_manage 4.14 refuses newer qBittorrents; its answer reaches the user as said.
        with pytest.raises(HomeAssistantError, match="only compatible with v5.2.4 or lower"):
            await hass.services.async_call(DOMAIN, "run_qbit_manage", data, blocking=True)
    else:
        ran = await hass.services.async_call(
            DOMAIN, "run_qbit_manage", data, blocking=True, return_response=True
        )
        assert ran is not None
        assert ran["status"] == "success"
    with pytest.raises(vol.Invalid):
        await hass.services.async_call(
            DOMAIN, "run_qbit_manage", {**data, "commands": ["bogus"]}, blocking=True
        )
    await hass.config_entries.async_unload(entry.entry_id)


async def test_home_assistant_reads_the_generated_services_yaml(
    hass: HomeAssistant, loaded: MockConfigEntry
) -> None:
    """What Home Assistant loads for each action is what the table gives."""
    shown = (await async_get_all_descriptions(hass))[DOMAIN]
    expected = services_description()
    assert set(shown) == set(expected)
    for action, spec in expected.items():
        assert set(shown[action]["fields"]) == set(spec["fields"]), action
    assert shown["list"]["fields"]["limit"]["selector"]["number"]["max"] == 1000


async def test_alternative_speed_for_a_while_shows_until_and_comes_back_after_a_restart(
    hass: HomeAssistant, loaded: MockConfigEntry, qbt_client: QBittorrentClient
) -> None:
    """The alt_speed action with a duration; its end survives a restart of the integration."""
    switch = entity_id(hass, loaded, "switch", "alt_speed")
    until = entity_id(hass, loaded, "sensor", "alt_speed_until")
    await hass.services.async_call(
        DOMAIN, "alt_speed",
        {"config_entry_id": loaded.entry_id, "enabled": True, "duration": {"minutes": 30}},
        blocking=True,
    )  # fmt: skip
    assert await qbt_client.transfer_speed_limits_mode() is True
    state, sensor = hass.states.get(switch), hass.states.get(until)
    assert state is not None
    assert sensor is not None
    assert state.state == "on"
    end = state.attributes["until"]
    assert sensor.state == end.isoformat()
    assert 29 * 60 < end.timestamp() - time.time() <= 30 * 60
    with pytest.raises(vol.Invalid, match="not a duration"):  # the table's own check
        await hass.services.async_call(
            DOMAIN, "alt_speed",
            {"config_entry_id": loaded.entry_id, "enabled": False, "duration": "soon"},
            blocking=True,
        )  # fmt: skip
    assert await qbt_client.transfer_speed_limits_mode() is True

    # Home Assistant goes away; the end passes meanwhile (the ledger says so); it comes back.
    assert await hass.config_entries.async_unload(loaded.entry_id)
    ledger = Path(hass.config.path(".storage", f"{DOMAIN}.{loaded.entry_id}.completed.json"))
    kept = json.loads(ledger.read_text(encoding="utf-8"))
    kept["timers"]["alt_speed"]["until"] = time.time() - 1
    ledger.write_text(json.dumps(kept), encoding="utf-8")
    assert await hass.config_entries.async_setup(loaded.entry_id)
    await hass.async_block_till_done()
    assert await qbt_client.transfer_speed_limits_mode() is False
    await loaded.runtime_data.async_refresh()
    await hass.async_block_till_done()
    state, sensor = hass.states.get(switch), hass.states.get(until)
    assert state is not None
    assert sensor is not None
    assert (state.state, state.attributes["until"], sensor.state) == ("off", None, "unknown")
