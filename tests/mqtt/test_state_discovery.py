"""State topics, events and Home Assistant discovery on a real broker and qBittorrent."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path

import jinja2

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalMosquitto, LocalQBittorrent
from qbt_bridge.engine.catalog import category_id
from qbt_bridge.engine.diskguard import DiskGuard
from qbt_bridge.mqtt.render import node_id
from tests.helpers import tiny_torrent, wait_for
from tests.mqtt.helpers import PREFIX, Probe, make_config, running

DISCOVERY = f"homeassistant/device/{node_id('test')}"


async def test_global_state_availability_and_server_discovery(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = make_config(qbt, broker.port, tmp_path)
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        # retained: an earlier test's daemon left "offline" there; this one must replace it
        online = lambda p: p == b"online"  # noqa: E731
        assert await probe.value(f"{PREFIX}/bridge/status", online) == b"online"
        assert await probe.value(f"{PREFIX}/test/availability", online) == b"online"
        assert await probe.value(f"{PREFIX}/test/state/alt_speed") == b"OFF"
        assert await probe.value(f"{PREFIX}/test/state/total_torrents") == b"0"
        ratio = await probe.value(f"{PREFIX}/test/state/global_ratio")
        assert ratio == b"None" or float(ratio) >= 0
        server = await probe.json(f"{DISCOVERY}/server/config")
        assert server["device"]["identifiers"] == [node_id("test")]
        assert server["origin"]["name"] == "qbt-bridge"
        components = server["components"]
        assert components["alt_speed"]["platform"] == "switch"
        assert components["alt_speed"]["command_topic"] == f"{PREFIX}/test/cmd/alt_speed"
        assert components["pause_all"]["platform"] == "button"
        assert components["download_speed"]["unit_of_measurement"] == "B/s"
        assert len({c["unique_id"] for c in components.values()}) == len(components)
        assert [a["topic"] for a in server["availability"]] == [
            f"{PREFIX}/bridge/status",
            f"{PREFIX}/test/availability",
        ]
        # Retained, so a late subscriber gets them too.
        async with Probe(broker.port) as late:
            assert await late.value(f"{PREFIX}/test/state/alt_speed") == b"OFF"
            await late.json(f"{DISCOVERY}/server/config")
    # A clean stop marks everything offline.
    async with Probe(broker.port) as after:
        assert await after.value(f"{PREFIX}/bridge/status") == b"offline"
        assert await after.value(f"{PREFIX}/test/availability") == b"offline"


async def test_torrent_topics_follow_the_torrent_and_vanish_with_it(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = make_config(qbt, broker.port, tmp_path, torrents={"enabled": True})
    torrent, info_hash = tiny_torrent(tmp_path, "mqtt-torrent")
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        answer = await probe.command("add", json.dumps({"file": _b64(torrent), "paused": True}))
        assert answer["ok"], answer
        assert answer["result"]["hash"] == info_hash
        state_topic = f"{PREFIX}/test/torrent/{info_hash}"
        state = await probe.json(state_topic)
        assert state["name"] == "mqtt-torrent"
        assert state["state"] == "stopped"
        device = await probe.json(f"{DISCOVERY}/{info_hash}/config")
        assert device["device"]["via_device"] == node_id("test")
        assert device["components"]["progress"]["value_template"] == (
            "{{ value_json.progress if value_json is defined else None }}"
        )
        events = await _events(probe, "added")
        assert events[0]["hash"] == info_hash

        await qbt_client.torrents_create_category("films")
        await qbt_client.torrents_set_category([info_hash], "films")
        await run.bridge.refresh(full=True)
        await probe.json(state_topic, lambda s: s["category"] == "films")

        await qbt_client.torrents_delete([info_hash])
        await run.bridge.refresh(full=True)
        assert await probe.value(state_topic, lambda p: p == b"", "state removed") == b""
        await probe.value(
            f"{DISCOVERY}/{info_hash}/config", lambda p: p == b"", "discovery removed"
        )
        removed = await _events(probe, "removed")
        assert removed[0]["name"] == "mqtt-torrent"
        # Home Assistant drops the entities before their state topic empties (no template runs
        # on an empty payload).
        emptied = [str(m.topic) for m in probe.messages if not m.payload]
        assert emptied.index(f"{DISCOVERY}/{info_hash}/config") < emptied.index(state_topic)


async def test_category_topics_come_and_go_with_the_categories(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    """mqtt.categories: one topic and three entities per category, capped, gone with it."""
    for name in ("a+tv #1", "b-films", "c-music"):  # the first could be no topic level
        await qbt_client.torrents_create_category(name)
    torrent, _hash = tiny_torrent(tmp_path, "in-a-category")
    await qbt_client.torrents_add(torrent_files=[torrent], category="a+tv #1", paused=True)
    config = make_config(qbt, broker.port, tmp_path, categories={"enabled": True, "limit": 2})
    tv, films, music = (category_id(n) for n in ("a+tv #1", "b-films", "c-music"))
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        state = await probe.json(f"{PREFIX}/test/category/{tv}", lambda s: s["category_torrents"])
        assert state == {"name": "a+tv #1", "category_torrents": 1,
                         "category_download_speed": 0, "category_upload_speed": 0}  # fmt: skip
        device = await probe.json(f"{DISCOVERY}/category_{tv}/config")
        assert device["device"] == {"identifiers": [node_id("test")]}  # the server's device
        assert device["components"]["category_torrents"]["name"] == "a+tv #1 torrents"
        await probe.json(f"{PREFIX}/test/category/{films}")
        await qbt_client.torrents_remove_categories(["a+tv #1"])
        await run.bridge.refresh(full=True)
        await probe.value(f"{DISCOVERY}/category_{tv}/config", lambda p: p == b"", "gone")
        await probe.value(f"{PREFIX}/test/category/{tv}", lambda p: p == b"", "state gone")
        await probe.json(f"{PREFIX}/test/category/{music}")  # within the cap now
        shown = {str(m.topic) for m in probe.messages if "/category/" in str(m.topic)}
        assert shown <= {f"{PREFIX}/test/category/{c}" for c in (tv, films, music)}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def _events(probe: Probe, kind: str) -> list[dict[str, object]]:
    async def found() -> list[dict[str, object]]:
        return [
            event
            for raw in probe.on(f"{PREFIX}/test/events")
            if (event := json.loads(raw))["event"] == kind
        ]

    return await wait_for(found, f"a {kind} event")


async def test_speed_limit_numbers_set_qbittorrent_as_home_assistant_would(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = make_config(qbt, broker.port, tmp_path)
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        components = (await probe.json(f"{DISCOVERY}/server/config"))["components"]
        numbers = {k: c for k, c in components.items() if c["platform"] == "number"}
        assert set(numbers) == {"global_download_limit", "global_upload_limit",
                                "alt_download_limit", "alt_upload_limit",
                                "listen_port"}  # fmt: skip
        alt = numbers["alt_download_limit"]
        assert (alt["unit_of_measurement"], alt["min"], alt["mode"]) == ("KiB/s", 0, "box")
        assert alt["state_topic"] == f"{PREFIX}/test/state/alt_download_limit"
        # Home Assistant renders the template with the number the user typed, and publishes it
        payload = jinja2.Template(alt["command_template"]).render(value=1536.0)
        await probe.client.publish(alt["command_topic"], payload, qos=1)

        async def set_in_qbittorrent() -> bool:
            return (await qbt_client.transfer_speed_limits()).alt_download == 1536 * 1024

        await wait_for(set_in_qbittorrent, "the alternative limit in qBittorrent")
        await probe.value(alt["state_topic"], lambda p: p == b"1536", "the new value")
        # set in qBittorrent itself (its limit in force): the number follows
        await qbt_client.transfer_set_speed_limits(upload=64 * 1024)
        await probe.command("refresh")
        upload = numbers["global_upload_limit"]["state_topic"]
        await probe.value(upload, lambda p: p == b"64", "the upload limit set elsewhere")
    await qbt_client.transfer_set_speed_limits(upload=0, alt_download=0)


async def test_low_disk_space_is_an_event_on_the_events_topic(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = make_config(qbt, broker.port, tmp_path)
    # more than any disk here has free: low at the first look
    first = config.instances[0]
    guarded = replace(first, server=replace(first.server, disk_guard=DiskGuard(min_free=2**50)))
    config = replace(config, instances=(guarded,))
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        event = (await _events(probe, "low_disk_space"))[0]
        assert event["instance"] == "test"
        assert event["threshold"] == 2**50
        assert 0 < event["free"] < 2**50
        assert event["paused"] == 0  # pause was not asked for
