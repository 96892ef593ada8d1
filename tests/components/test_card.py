"""The dashboard card's server side: its bundle served and loaded, its live page, its commands."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.qbt_bridge import card, websocket
from qbt_bridge.clients import QBittorrentClient
from tests.helpers import tiny_torrent, wait_torrent


class LivePage:
    """The card's side of a subscription: applies each change as the card does."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.first: dict[str, Any] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.count = -1
        self.ended = False
        self._results: list[dict[str, Any]] = []

    async def subscribe(self, **message: Any) -> None:
        await self.client.send_json_auto_id({"type": "qbt_bridge/subscribe", **message})
        assert (await self.result())["success"]
        await self.until(lambda page: bool(page.first))

    async def _read(self) -> None:
        message = await self.client.receive_json()
        if message["type"] != "event":
            self._results.append(message)
            return
        event = message["event"]
        self.first = self.first or event
        self.rows.update(event.get("rows", {}))
        self.order = event.get("order", self.order)
        self.count = event.get("count", self.count)
        self.ended = event.get("ended", False)

    async def until(self, holds: Any) -> None:
        """Read until ``holds(self)`` (the harness times a test out)."""
        while not holds(self):
            await self._read()

    async def result(self) -> dict[str, Any]:
        """The next answer to a command (events may come before it)."""
        while not self._results:
            await self._read()
        return self._results.pop(0)

    def state(self, torrent_hash: str) -> str | None:
        return self.rows.get(torrent_hash, {}).get("state") if torrent_hash in self.order else None


async def test_the_card_is_served_from_the_integration(
    hass: HomeAssistant, loaded: MockConfigEntry, hass_client: Any
) -> None:
    client = await hass_client()
    response = await client.get(card.URL)
    assert response.status == 200
    assert await response.read() == card.BUNDLE.read_bytes()


async def test_every_dashboard_loads_the_card_where_home_assistant_has_its_ui(
    hass: HomeAssistant, qbt_client: QBittorrentClient
) -> None:
    pytest.importorskip("hass_frontend")  # the UI's package (the newest tier runs without it)
    from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL

    assert await async_setup_component(hass, "frontend", {})
    assert await async_setup_component(hass, "qbt_bridge", {})
    urls = [url for url in hass.data[DATA_EXTRA_MODULE_URL].urls if url.startswith(card.URL)]
    assert urls == [f"{card.URL}?v={card._digest()}"]


async def test_the_live_page_follows_qbittorrent_and_an_admin_acts_through_the_table(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    qbt_client: QBittorrentClient,
    hass_ws_client: Any,
    tmp_path: Path,
) -> None:
    client = await hass_ws_client(hass)
    live = LivePage(client)
    await live.subscribe(view={"sort": "name", "descending": False})
    first = live.first
    assert first["entry"] == {"id": loaded.entry_id, "title": loaded.title}
    assert first["can_act"] is True and first["available"] is True
    assert first["count"] == 0 and first["order"] == []
    assert first["header"]["counts"]["total"] == 0

    data, torrent_hash = tiny_torrent(tmp_path, "card-row")
    await qbt_client.torrents_add(torrent_files=[data], paused=True)
    await wait_torrent(qbt_client, torrent_hash, lambda t: t.state.is_stopped, "checked, stopped")
    await loaded.runtime_data.async_refresh()  # the poll (or a push) the card rides on
    await live.until(lambda page: torrent_hash in page.order)
    assert live.count == 1
    assert live.rows[torrent_hash]["name"] == "card-row"
    assert live.state(torrent_hash) == "stopped"

    await client.send_json_auto_id(
        {"type": "qbt_bridge/command", "command": "resume", "args": {"torrents": torrent_hash}}
    )
    answer = await live.result()
    assert answer["success"], answer
    assert answer["result"]["torrents"][0]["hash"] == torrent_hash
    # the command's own refresh moves the row: no poll in between
    await live.until(lambda page: page.state(torrent_hash) != "stopped")
    assert live.rows[torrent_hash]["status"] not in ("stoppedDL", "pausedDL")

    await client.send_json_auto_id(
        {"type": "qbt_bridge/command", "command": "pause", "args": {"torrents": "no-such"}}
    )
    refused = await live.result()
    assert refused["success"] is False
    assert refused["error"]["code"] == "not_found"
    assert "no-such" in refused["error"]["message"]

    await hass.config_entries.async_unload(loaded.entry_id)
    await live.until(lambda page: page.ended)


async def test_a_user_who_is_not_an_admin_reads_but_may_not_act(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    qbt_client: QBittorrentClient,
    hass_ws_client: Any,
    hass_read_only_access_token: str,
) -> None:
    client = await hass_ws_client(hass, hass_read_only_access_token)
    live = LivePage(client)
    await live.subscribe(entry_id=loaded.entry_id)
    assert live.first["can_act"] is False
    await client.send_json_auto_id(
        {"type": "qbt_bridge/command", "command": "pause_all", "args": {}}
    )
    refused = await live.result()
    assert refused["success"] is False and refused["error"]["code"] == "unauthorized"
    await client.send_json_auto_id(
        {"type": "qbt_bridge/command", "command": "categories", "args": {}}
    )
    read = await live.result()
    assert read["success"] is True  # read-only commands answer anyone logged in


@pytest.mark.parametrize(
    ("message", "code", "words"),
    [
        ({"view": {"sort": "hash"}}, "invalid_request", "sort"),
        ({"view": {"limit": 0}}, "invalid_request", "limit"),
        ({"entry_id": "nope"}, "not_found", "nope"),
    ],
)
async def test_a_bad_subscription_is_refused_with_the_tables_words(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    hass_ws_client: Any,
    message: dict[str, Any],
    code: str,
    words: str,
) -> None:
    client = await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "qbt_bridge/subscribe", **message})
    refused = await client.receive_json()
    assert refused["success"] is False
    assert refused["error"]["code"] == code and words in refused["error"]["message"]


async def test_live_pages_per_server_are_bounded_and_the_refusal_logged_once(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    hass_ws_client: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(websocket, "MAX_SUBSCRIPTIONS", 2)
    client = await hass_ws_client(hass)
    live = LivePage(client)
    await live.subscribe()
    await live.subscribe()
    for _ in range(2):
        await client.send_json_auto_id({"type": "qbt_bridge/subscribe"})
        refused = await live.result()
        assert refused["success"] is False and refused["error"]["code"] == "too_many"
    assert caplog.text.count("live pages of the torrent list are open") == 1


async def test_a_user_the_options_name_may_act_in_the_card(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    qbt_client: QBittorrentClient,
    hass_ws_client: Any,
    hass_read_only_user: Any,
    hass_read_only_access_token: str,
) -> None:
    flow = await hass.config_entries.options.async_init(loaded.entry_id)
    offered = {
        option["value"]
        for key, field in flow["data_schema"].schema.items()
        if str(key) == "card_users"
        for option in field.config["options"]
    }
    assert hass_read_only_user.id in offered  # users who are not administrators, by name
    await hass.config_entries.options.async_configure(
        flow["flow_id"], {"card_users": [hass_read_only_user.id]}
    )
    await hass.async_block_till_done()  # the entry reloads with its new options
    client = await hass_ws_client(hass, hass_read_only_access_token)
    live = LivePage(client)
    await live.subscribe()
    assert live.first["can_act"] is True
    await client.send_json_auto_id(
        {"type": "qbt_bridge/command", "command": "pause_all", "args": {}}
    )
    assert (await live.result())["success"] is True


async def test_a_torrent_file_comes_as_base64_as_the_table_takes_it(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    qbt_client: QBittorrentClient,
    hass_ws_client: Any,
    tmp_path: Path,
) -> None:
    data, torrent_hash = tiny_torrent(tmp_path, "sent-as-base64")
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "qbt_bridge/command",
            "command": "add",
            "args": {"file": base64.b64encode(data).decode(), "paused": True},
        }
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    assert answer["result"]["hash"] == torrent_hash
    await wait_torrent(qbt_client, torrent_hash)
