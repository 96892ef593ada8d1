"""The config flow against a real qBittorrent: success, every error, duplicates, reauth."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import voluptuous as vol
from homeassistant import config_entries
from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er

import custom_components.qbt_bridge as component
from custom_components.qbt_bridge.const import DOMAIN
from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalQBittorrent, Release, free_port
from qbt_bridge.engine.catalog import category_id
from qbt_bridge.engine.watchdog import StallRule
from tests.components.helpers import entry_data, make_entry
from tests.helpers import tiny_torrent, wait_for
from tests.releases import RELEASES, require


async def _submit(hass: HomeAssistant, data: dict[str, object]) -> dict[str, object]:
    flow = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert flow["type"] is FlowResultType.FORM
    return dict(await hass.config_entries.flow.async_configure(flow["flow_id"], data))


async def test_a_server_is_added_once(hass: HomeAssistant, qbt: LocalQBittorrent) -> None:
    offered = await _submit(hass, entry_data(qbt, **{CONF_URL: qbt.url + "/"}))
    assert (offered["type"], offered["step_id"]) == (FlowResultType.FORM, "push")
    result = await hass.config_entries.flow.async_configure(
        str(offered["flow_id"]), {"push_install": False}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_URL] == qbt.url  # type: ignore[index]
    await hass.async_block_till_done()
    # The same server again, written with a trailing slash: refused.
    again = await _submit(hass, entry_data(qbt, **{CONF_URL: qbt.url.upper() + "/"}))
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_configured"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({CONF_URL: "127.0.0.1:8080"}, {CONF_URL: "invalid_url"}),
        ({CONF_URL: "ftp://127.0.0.1:8080"}, {CONF_URL: "invalid_url"}),
        ({CONF_PASSWORD: "wrong"}, {"base": "invalid_auth"}),
        ({CONF_USERNAME: "", CONF_PASSWORD: ""}, {"base": "credentials_required"}),
    ],
)
async def test_form_errors(
    hass: HomeAssistant, qbt: LocalQBittorrent, change: dict[str, str], error: dict[str, str]
) -> None:
    result = await _submit(hass, entry_data(qbt, **change))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error


async def test_nothing_listening_and_a_silent_server_cannot_connect(
    hass: HomeAssistant, qbt: LocalQBittorrent, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = await _submit(hass, entry_data(qbt, **{CONF_URL: f"http://127.0.0.1:{free_port()}"}))
    assert refused["errors"] == {"base": "cannot_connect"}
    monkeypatch.setattr(component, "REQUEST_TIMEOUT", 1.0)  # the user sees the real 10 s
    with _silent_server() as port:
        silent = await _submit(hass, entry_data(qbt, **{CONF_URL: f"http://127.0.0.1:{port}"}))
    assert silent["errors"] == {"base": "cannot_connect"}
    https = await _submit(hass, entry_data(qbt, **{CONF_URL: qbt.url.replace("http", "https")}))
    assert https["errors"] == {"base": "cannot_connect"}


@pytest.fixture
def banning_qbt() -> Iterator[LocalQBittorrent]:
    with LocalQBittorrent(require(Release.named(RELEASES[-1])), max_auth_failures=2) as daemon:
        yield daemon


async def test_a_banned_address_is_told_so(
    hass: HomeAssistant, banning_qbt: LocalQBittorrent
) -> None:
    flow = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    wrong = entry_data(banning_qbt, **{CONF_PASSWORD: "wrong"})
    first = await hass.config_entries.flow.async_configure(flow["flow_id"], wrong)
    assert first["errors"] == {"base": "invalid_auth"}
    for _ in range(3):
        await hass.config_entries.flow.async_configure(flow["flow_id"], wrong)
    # Now even the right password is refused, and the form says why.
    banned = await hass.config_entries.flow.async_configure(
        flow["flow_id"], entry_data(banning_qbt)
    )
    assert banned["errors"] == {"base": "banned"}


async def test_a_password_that_stopped_working_asks_to_reauthenticate(
    hass: HomeAssistant, qbt: LocalQBittorrent
) -> None:
    entry = make_entry(qbt, **{CONF_PASSWORD: "no-longer-right"})
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is config_entries.ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == [config_entries.SOURCE_REAUTH]

    wrong = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_USERNAME: qbt.username, CONF_PASSWORD: "still-wrong"}
    )
    assert wrong["errors"] == {"base": "invalid_auth"}
    done = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"], {CONF_USERNAME: qbt.username, CONF_PASSWORD: qbt.password}
    )
    assert done["type"] is FlowResultType.ABORT
    assert done["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.state is config_entries.ConfigEntryState.LOADED
    assert entry.data[CONF_PASSWORD] == qbt.password
    await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_changes_the_server(hass: HomeAssistant, qbt: LocalQBittorrent) -> None:
    entry = make_entry(qbt, **{CONF_URL: f"http://127.0.0.1:{free_port()}"})
    entry.add_to_hass(hass)
    flow = await entry.start_reconfigure_flow(hass)
    bad = await hass.config_entries.flow.async_configure(
        flow["flow_id"], entry_data(qbt, **{CONF_URL: f"http://127.0.0.1:{free_port()}"})
    )
    assert bad["errors"] == {"base": "cannot_connect"}
    other = make_entry(qbt, **{CONF_URL: "http://127.0.0.1:1"})
    other.add_to_hass(hass)
    taken = await entry.start_reconfigure_flow(hass)
    clash = await hass.config_entries.flow.async_configure(
        taken["flow_id"], entry_data(qbt, **{CONF_URL: "http://127.0.0.1:1"})
    )
    assert clash["reason"] == "already_configured"
    done = await hass.config_entries.flow.async_configure(flow["flow_id"], entry_data(qbt))
    assert done["reason"] == "reconfigure_successful"
    assert entry.data[CONF_URL] == qbt.url
    assert entry.unique_id == qbt.url.lower()
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(entry.entry_id)


async def test_options_flow(hass: HomeAssistant, loaded: object) -> None:
    entry = loaded
    result = await hass.config_entries.options.async_init(entry.entry_id)  # type: ignore[attr-defined]
    assert result["type"] is FlowResultType.FORM
    done = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"scan_interval": 30, "torrent_entities": True, "states": ["downloading"],
         "categories": "tv, movies", "tags": "", "limit": 5, "events": ["completed"]},
    )  # fmt: skip
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert entry.options["limit"] == 5  # type: ignore[attr-defined]


async def test_the_watchdog_options_reach_the_engine(hass: HomeAssistant, loaded: Any) -> None:
    # By default the engine's own: 6 h without progress, 30 min for metadata, no action.
    watchdog = loaded.runtime_data.bridge.watchdog
    assert watchdog is not None
    assert watchdog.rule == StallRule()
    result = await hass.config_entries.options.async_init(loaded.entry_id)
    shown = {
        str(key): key.default()
        for key in result["data_schema"].schema
        if key.default is not vol.UNDEFINED
    }
    assert (shown["stalled_hours"], shown["metadata_minutes"], shown["stalled_action"]) == (
        6,
        30,
        "none",
    )
    # Every field of the form has its label: none is left to Home Assistant's raw key.
    labels = json.loads((Path(component.__file__).parent / "translations" / "en.json").read_text())[
        "options"
    ]["step"]["init"]["data"]
    assert [str(key) for key in result["data_schema"].schema if str(key) not in labels] == []
    # Its bounds are the engine's, in hours and minutes: a year at most, a second at least.
    hours = next(v for k, v in result["data_schema"].schema.items() if str(k) == "stalled_hours")
    with pytest.raises(vol.Invalid):
        hours(365 * 24 + 1)
    assert hours(365 * 24) == 365 * 24
    done = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"stalled_hours": 2, "metadata_minutes": 10, "stalled_action": "pause"},
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the entry reloads with its new options
    rule = loaded.runtime_data.bridge.watchdog.rule
    assert (rule.after, rule.metadata_after, rule.action) == (7200, 600, "pause")
    result = await hass.config_entries.options.async_init(loaded.entry_id)
    await hass.config_entries.options.async_configure(result["flow_id"], {"stalled_hours": 0})
    await hass.async_block_till_done()
    assert loaded.runtime_data.bridge.watchdog is None  # 0 hours: off


async def test_rules_on_add_from_the_options_rule_a_new_torrent(
    hass: HomeAssistant, loaded: Any, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    """The options' rules (the engine's own schema) reach the engine and rule a real torrent."""
    assert loaded.runtime_data.bridge.rules is None  # none by default
    result = await hass.config_entries.options.async_init(loaded.entry_id)
    bad = await hass.config_entries.options.async_configure(
        result["flow_id"], {"rules": [{"category": "tv"}]}
    )
    assert bad["errors"] == {"rules": "invalid_rules"}
    assert "nothing to do" in bad["description_placeholders"]["rules_error"]
    needs = await hass.config_entries.options.async_configure(
        result["flow_id"], {"rules": [{"manage": ["tag_update"]}]}
    )
    assert needs["errors"] == {"rules": "rules_need_manage"}
    done = await hass.config_entries.options.async_configure(
        result["flow_id"], {"rules": [{"tag": "ha", "download_limit": "1M", "tags": ["ruled"]}]}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the entry reloads with its new options
    bridge = loaded.runtime_data.bridge
    assert bridge.rules is not None
    data, torrent_hash = tiny_torrent(tmp_path, "ruled-by-home-assistant")
    await qbt_client.torrents_add(torrent_files=[data], tags=["ha"], paused=True)

    async def ruled() -> dict[str, Any] | None:
        await loaded.runtime_data.async_refresh()
        raw = await qbt_client.torrents_info_raw(hashes=[torrent_hash])
        return raw[0] if raw and "ruled" in raw[0]["tags"] else None

    raw = await wait_for(ruled, "the rule on the new torrent")
    assert raw["dl_limit"] == 2**20


async def test_category_entities_come_and_go_with_the_categories(
    hass: HomeAssistant, loaded: Any, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    """The option: three sensors per category (the catalog's), named after it, removed with it."""
    await qbt_client.torrents_create_category("tv")
    data, _hash = tiny_torrent(tmp_path, "a-show")
    await qbt_client.torrents_add(torrent_files=[data], category="tv", paused=True)
    result = await hass.config_entries.options.async_init(loaded.entry_id)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {"category_entities": True}
    )
    await hass.async_block_till_done()  # the entry reloads with its new options
    registry = er.async_get(hass)

    def named(name: str) -> str | None:
        return next(
            (e.entity_id for e in er.async_entries_for_config_entry(registry, loaded.entry_id)
             if e.unique_id.endswith(f"_{name}")),
            None,
        )  # fmt: skip

    async def counted() -> str | None:
        await loaded.runtime_data.async_refresh()
        await hass.async_block_till_done()
        entity = named(f"{category_id('tv')}_category_torrents")
        state = hass.states.get(entity) if entity else None
        return entity if state is not None and state.state == "1" else None

    entity = await wait_for(counted, "the tv category's torrent count")
    state = hass.states.get(entity)
    assert state is not None
    assert state.attributes["friendly_name"].endswith("tv torrents")
    await qbt_client.torrents_remove_categories(["tv"])

    async def removed() -> bool:
        await loaded.runtime_data.async_refresh()
        await hass.async_block_till_done()
        return named(f"{category_id('tv')}_category_torrents") is None

    await wait_for(removed, "the tv category's entities to go")


def _silent_server() -> _SilentServer:
    return _SilentServer()


class _SilentServer:
    """Accepts connections and never answers (a hung server)."""

    def __enter__(self) -> int:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.stop = threading.Event()
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()
        return int(self.sock.getsockname()[1])

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                self.held.append(self.sock.accept()[0])
            except TimeoutError:
                continue
            except OSError:
                return

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)
        for held in self.held:
            held.close()
        self.sock.close()
