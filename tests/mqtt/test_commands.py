"""Commands over MQTT: each changes the real qBittorrent and gets an answer; bad input too."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from qbt_bridge.api.commands import COMMANDS, MAX_PAYLOAD
from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.config import parse_config
from qbt_bridge.daemon.demo import LocalMosquitto, LocalQBittorrent, free_port
from qbt_bridge.engine import RefreshPolicy
from tests.helpers import folder_torrent, tiny_torrent, wait_for, wait_torrent, with_server
from tests.mqtt.helpers import PREFIX, Probe, Running, make_config, running


@pytest.fixture
async def bridge_on_mqtt(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> AsyncIterator[tuple[Probe, Running]]:
    config = make_config(qbt, broker.port, tmp_path)
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        yield probe, run


async def test_torrent_commands_change_qbittorrent_and_answer(
    bridge_on_mqtt: tuple[Probe, Running], qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    probe, _run = bridge_on_mqtt
    torrent, info_hash = tiny_torrent(tmp_path, "commanded")
    magnet = f"magnet:?xt=urn:btih:{'ab' * 20}&dn=magnet-one"

    added = await probe.command("add", magnet)  # the plain form: the magnet is the payload
    assert added["ok"], added
    assert added["result"]["hash"] == "ab" * 20
    await wait_for(lambda: _exists(qbt_client, "ab" * 20), "the magnet in qBittorrent")

    file_added = await probe.command("add", torrent)  # raw .torrent bytes
    assert file_added["result"] == {
        "hash": info_hash,
        "name": "commanded",
        "already_present": False,
        "confirmed": True,
    }
    again = await probe.command("add", torrent)
    assert again["result"]["already_present"] is True

    paused = await probe.command("pause", info_hash[:8])  # plain: a hash prefix
    assert paused["ok"] and paused["result"]["confirmed"], paused
    assert (await qbt_client.torrents_info(hashes=[info_hash]))[0].state.is_stopped

    resumed = await probe.command("resume", json.dumps({"torrents": [info_hash]}))
    assert resumed["result"]["torrents"] == [{"hash": info_hash, "name": "commanded"}]
    assert not (await qbt_client.torrents_info(hashes=[info_hash]))[0].state.is_stopped

    await qbt_client.torrents_create_category("tv")
    category = await probe.command(
        "set_category", json.dumps({"torrents": "commanded", "category": "tv"})
    )
    assert category["ok"], category
    tagged = await probe.command(
        "add_tags", json.dumps({"torrents": info_hash, "tags": "one, two"})
    )
    assert tagged["ok"], tagged
    limited = await probe.command(
        "set_torrent_limits", json.dumps({"torrents": info_hash, "download": 50_000})
    )
    assert limited["ok"], limited
    torrent_now = (await qbt_client.torrents_info(hashes=[info_hash]))[0]
    assert torrent_now.category == "tv"
    assert set(torrent_now.tags) == {"one", "two"}
    assert torrent_now.download_limit == 50_000

    listed = await probe.command("list", json.dumps({"category": "tv"}))
    assert [t["hash"] for t in listed["result"]["torrents"]] == [info_hash]
    assert "tracker" not in json.dumps(listed)

    deleted = await probe.command(
        "delete", json.dumps({"torrents": info_hash, "delete_files": True})
    )
    assert deleted["ok"], deleted
    assert not await qbt_client.torrents_info(hashes=[info_hash])


async def test_commands_sent_back_to_back_run_in_order(
    bridge_on_mqtt: tuple[Probe, Running], qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    probe, _run = bridge_on_mqtt
    torrent, info_hash = tiny_torrent(tmp_path, "in-order")
    # Neither waits for the other's answer: the pause must still find the torrent just added.
    added = await probe.send("add", torrent)
    paused = await probe.send("pause", "in-order")
    listed = await probe.send("list", "")
    assert (await added)["ok"]
    assert (await paused)["result"]["torrents"] == [{"hash": info_hash, "name": "in-order"}]
    assert [t["hash"] for t in (await listed)["result"]["torrents"]] == [info_hash]
    assert (await qbt_client.torrents_info(hashes=[info_hash]))[0].state.is_stopped


async def _exists(client: QBittorrentClient, info_hash: str) -> bool:
    return bool(await client.torrents_info(hashes=[info_hash]))


async def test_alt_speed_switch_and_global_limits(
    bridge_on_mqtt: tuple[Probe, Running], qbt_client: QBittorrentClient
) -> None:
    probe, _run = bridge_on_mqtt
    on = await probe.command("alt_speed", "ON")
    assert on["result"] == {"enabled": True}
    assert await qbt_client.transfer_speed_limits_mode() is True
    # The state topic shows the new mode right after the command, not a poll later.
    assert await probe.value(f"{PREFIX}/test/state/alt_speed", lambda p: p == b"ON") == b"ON"
    off = await probe.command("alt_speed", "OFF")
    assert off["result"] == {"enabled": False}
    assert await probe.value(f"{PREFIX}/test/state/alt_speed", lambda p: p == b"OFF") == b"OFF"

    limits = await probe.command("set_global_limits", json.dumps({"upload": 300 * 1024}))
    assert limits["ok"], limits
    assert (await qbt_client.transfer_info()).upload_limit == 300 * 1024
    cleared = await probe.command("set_global_limits", json.dumps({"upload": 0}))
    assert cleared["ok"], cleared


async def test_the_listening_port_is_a_number_on_mqtt(
    bridge_on_mqtt: tuple[Probe, Running], qbt_client: QBittorrentClient
) -> None:
    probe, _run = bridge_on_mqtt
    before = await qbt_client.listen_port()
    topic = f"{PREFIX}/test/state/listen_port"
    assert await probe.value(topic, lambda p: p == str(before).encode())
    wanted = free_port()
    try:
        answer = await probe.command("set_listen_port", str(wanted))
        assert answer["result"] == {"port": wanted}
        assert await qbt_client.listen_port() == wanted
        assert await probe.value(topic, lambda p: p == str(wanted).encode())
        for bad in ("0", "80", "70000", "many"):
            refused = await probe.command("set_listen_port", bad)
            assert not refused["ok"]
            assert refused["error"]["code"] == "invalid_request", refused
        assert await qbt_client.listen_port() == wanted  # a refusal changes nothing
    finally:
        await qbt_client.set_listen_port(before)  # the shared daemon's own port again


async def test_alternative_speed_for_a_second_goes_back_by_itself_on_mqtt(
    bridge_on_mqtt: tuple[Probe, Running], qbt_client: QBittorrentClient
) -> None:
    """The daemon's own loop ends the timer: the mode and the until topic follow, unasked."""
    probe, _run = bridge_on_mqtt
    mode, until = f"{PREFIX}/test/state/alt_speed", f"{PREFIX}/test/state/alt_speed_until"
    answer = await probe.command("alt_speed", "ON 1s")
    assert answer["ok"], answer
    assert answer["result"]["enabled"] is True
    assert "until" in answer["result"]
    assert await probe.value(until, lambda p: p == answer["result"]["until"].encode())
    assert await probe.value(mode, lambda p: p == b"OFF")  # back by itself
    assert await probe.value(until, lambda p: p == b"None")
    assert await qbt_client.transfer_speed_limits_mode() is False
    refused = await probe.command("alt_speed", "ON for-ever")
    assert refused["error"]["code"] == "invalid_request", refused


async def test_pause_all_button_press(
    bridge_on_mqtt: tuple[Probe, Running], qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    probe, _run = bridge_on_mqtt
    torrent, info_hash = tiny_torrent(tmp_path, "press")
    assert (await probe.command("add", torrent))["ok"]
    pressed = await probe.command("pause_all", "PRESS")  # what Home Assistant's button sends
    assert pressed["ok"] and pressed["result"]["confirmed"], pressed
    assert (await qbt_client.torrents_info(hashes=[info_hash]))[0].state.is_stopped
    assert (await probe.command("resume_all", ""))["ok"]


async def test_without_mqtt5_the_answer_goes_to_the_reply_topic_with_the_request_id(
    bridge_on_mqtt: tuple[Probe, Running], broker: LocalMosquitto
) -> None:
    async with Probe(broker.port, v5=False) as old:
        payload = json.dumps(
            {"request_id": "r-17", "torrents": "0123456789abcdef" * 2 + "01234567"}
        )
        await old.client.publish(f"{PREFIX}/test/cmd/pause", payload, qos=1)

        async def answer() -> dict[str, object] | None:
            for raw in old.on(f"{PREFIX}/test/reply"):
                data = json.loads(raw)
                if data.get("request_id") == "r-17":
                    return data
            return None

        reply = await wait_for(answer, "the answer on the reply topic")
    assert reply["ok"] is False
    assert reply["error"]["code"] == "not_found"  # type: ignore[index]
    assert "no torrent with hash" in reply["error"]["message"]  # type: ignore[index]


BAD = [
    ("pause", b"", "invalid_request", "torrents: required"),
    ("pause", b"{not json", "invalid_request", "not valid JSON"),
    ("pause", b"[1, 2]", "invalid_request", "must be an object"),
    ("pause", b'{"torrents": 5}', "invalid_request", "torrents"),
    ("pause", b'{"torrents": "all", "extra": 1}', "invalid_request", "extra: unknown argument"),
    ("pause", b"\xff\xfe\x00garbage", "invalid_request", "not UTF-8"),
    ("pause", b"nonexistent-torrent-name", "not_found", "no torrent matches"),
    ("frobnicate", b"{}", "invalid_request", "unknown command"),
    ("add", b"magnet:?xt=urn:btih:nothex", "invalid_request", "magnet"),
    ("add", b"d8:announce3:bad", "invalid_request", "not a valid .torrent"),
    ("add", b"\x00\x01\x02binary", "invalid_request", "not a magnet link"),
    ("add", b"\xd8\x00\xff binary", "invalid_request", "not a valid .torrent"),
    ("add", b"just some words", "invalid_request", "not a magnet link"),
    # a length prefix of 5 000 digits: more than Python's int() takes
    ("add", b"d4:infod4:name" + b"7" * 5_000 + b":x", "invalid_request", "not a valid .torrent"),
    (
        "add",
        json.dumps(
            {"file": base64.b64encode(b"d4:infod4:name" + b"7" * 5_000 + b":x").decode()}
        ).encode(),
        "invalid_request",
        "not a valid .torrent",
    ),
    ("alt_speed", b"maybe", "invalid_request", "expected ON, OFF or TOGGLE"),
    ("set_global_limits", b'{"upload": -5}', "invalid_request", "upload"),
    ("set_category", b"plain text", "invalid_request", "takes a JSON object"),
    ("search_results", b'{"job_id": "x"}', "invalid_request", "job_id"),
    ("pause", b"x" * (MAX_PAYLOAD + 1), "invalid_request", "over the limit"),
]


async def test_bad_input_gets_an_error_answer_and_the_daemon_keeps_going(
    bridge_on_mqtt: tuple[Probe, Running],
) -> None:
    probe, run = bridge_on_mqtt
    for command, payload, code, words in BAD:
        answer = await probe.command(command, payload)
        assert answer["ok"] is False, (command, payload)
        assert answer["error"]["code"] == code, (command, payload, answer)
        assert words in answer["error"]["message"], (command, payload, answer)
    assert not run.task.done()
    assert (await probe.command("list", ""))["ok"]


async def test_unknown_instance_is_answered(bridge_on_mqtt: tuple[Probe, Running]) -> None:
    probe, _run = bridge_on_mqtt
    answer = await probe.command("list", "", instance="elsewhere")
    assert answer["error"]["code"] == "not_found"
    assert "known: test" in answer["error"]["message"]


def test_every_engine_command_has_a_topic() -> None:
    assert {"add", "pause", "resume", "delete", "recheck", "reannounce", "set_category",
            "add_tags", "remove_tags", "force_start", "set_torrent_limits", "pause_all",
            "resume_all", "alt_speed", "set_global_limits", "rss_add_feed", "rss_remove_feed",
            "rss_set_rule", "rss_enable_rule", "rss_remove_rule", "rss_rename_rule",
            "rss_matching", "search_start", "search_results", "search_add", "search_stop",
            "search_delete"} <= set(COMMANDS)  # fmt: skip


async def test_mqtt_311_answers_on_the_reply_topic_with_the_request_id(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = make_config(qbt, broker.port, tmp_path, protocol="3.1.1")
    async with Probe(broker.port, v5=False) as probe, running(config) as run:
        await run.connected()
        await probe.client.publish(
            f"{PREFIX}/test/cmd/alt_speed", json.dumps({"enabled": True, "request_id": "r-311"}),
            qos=1,
        )  # fmt: skip

        async def answered() -> dict[str, object] | None:
            for raw in probe.on(f"{PREFIX}/test/reply"):
                answer = json.loads(raw)
                if answer.get("request_id") == "r-311":
                    return answer  # type: ignore[no-any-return]
            return None

        answer = await wait_for(answered, "the answer on the reply topic")
        assert answer["ok"] is True
        assert answer["result"] == {"enabled": True}
        assert await qbt_client.transfer_speed_limits_mode() is True


async def test_refresh_with_a_hash_is_a_push(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    """``mosquitto_pub -t …/cmd/refresh -m HASH``: that torrent is fetched, no sweep, no poll."""
    config = make_config(qbt, broker.port, tmp_path)
    slow = with_server(
        config.instances[0], policy=RefreshPolicy(fast_interval=3600, full_interval=3600)
    )
    config = replace(config, instances=(slow,))
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        await wait_for(lambda: _true(run.bridge.store.initialised), "the first sweep")
        torrent, info_hash = tiny_torrent(tmp_path, "pushed-by-mqtt")
        await qbt_client.torrents_add(torrent_files=[torrent], paused=True)
        await wait_for(lambda: await_listed(qbt_client, info_hash), "qBittorrent to list it")
        sweeps = run.bridge.refresher.clock.last_sweep
        answer = await probe.command("refresh", info_hash)
        assert answer["ok"], answer
        assert answer["result"]["events"] >= 1  # its "added"
        assert info_hash in run.bridge.store
        if not run.bridge.client.refresh_by_sweep:  # before 5.1: a targeted look, no sweep
            assert run.bridge.refresher.clock.last_sweep == sweeps
        bad = await probe.command("refresh", json.dumps({"hash": "zz" * 20}))
        assert bad["error"]["code"] == "invalid_request"
        assert "not a torrent id" in bad["error"]["message"]


async def await_listed(client: QBittorrentClient, info_hash: str) -> bool:
    return bool(await client.torrents_info(hashes=[info_hash]))


async def _true(value: object) -> bool:
    return bool(value)


async def test_files_and_their_priorities(
    bridge_on_mqtt: tuple[Probe, Running], qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    probe, _run = bridge_on_mqtt
    data, info_hash = folder_torrent(tmp_path / "mqtt-files", [f"f{n}.txt" for n in range(5)])
    await qbt_client.torrents_add(torrent_files=[data], paused=True)
    await wait_torrent(qbt_client, info_hash)
    listed = await probe.command(
        "files", json.dumps({"torrent": info_hash, "per_page": 2, "page": 2})
    )
    assert listed["ok"], listed
    result = listed["result"]
    assert (result["count"], result["pages"], result["page"]) == (5, 3, 2)
    assert result["files"] == [
        {"index": 4, "name": "mqtt-files/f4.txt", "size": 5, "progress": 0, "priority": "normal"}
    ]
    assert (await probe.command("files", info_hash[:8]))["result"]["count"] == 5  # plain payload
    done = await probe.command(
        "set_file_priority", json.dumps({"torrent": info_hash, "files": [1, 3], "priority": "high"})
    )
    assert done["ok"], done
    assert [r["priority"] for r in await qbt_client.torrents_files(info_hash)] == [1, 6, 1, 6, 1]
    for bad, why in (
        ({"torrent": info_hash, "files": [9], "priority": "skip"}, "no file 9"),
        ({"torrent": info_hash, "files": "all", "priority": "urgent"}, "expected one of skip"),
        ({"torrent": info_hash, "files": [], "priority": "skip"}, "files"),
    ):
        refused = await probe.command("set_file_priority", json.dumps(bad))
        assert not refused["ok"]
        assert why in refused["error"]["message"], refused
    assert [r["priority"] for r in await qbt_client.torrents_files(info_hash)] == [1, 6, 1, 6, 1]


async def test_categories_and_tags_commands(
    bridge_on_mqtt: tuple[Probe, Running], qbt_client: QBittorrentClient
) -> None:
    probe, _run = bridge_on_mqtt
    made = await probe.command(
        "create_category", json.dumps({"name": "mqtt-cat", "save_path": "/x"})
    )
    assert made["ok"], made
    listed = (await probe.command("categories"))["result"]["categories"]
    assert {"name": "mqtt-cat", "save_path": "/x", "torrents": 0} in [
        {**c, "save_path": c["save_path"].rstrip("/")} for c in listed
    ]
    again = await probe.command("create_category", "mqtt-cat")  # a plain payload is the name
    assert not again["ok"]
    assert "already" in again["error"]["message"]
    await qbt_client.torrents_create_tags(["mqtt-tag"])
    await probe.command("refresh")
    assert "mqtt-tag" in (await probe.command("tags"))["result"]["tags"]
    removed = await probe.command("remove_category", "mqtt-cat")
    assert removed["result"] == {"name": "mqtt-cat", "torrents": 0}
    assert "mqtt-cat" not in (await qbt_client.torrents_categories() or {})
    assert (await probe.command("remove_category", "mqtt-cat"))["error"]["code"] == "not_found"


async def test_add_on_several_servers_answers_for_each(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    """add with instances: two real qBittorrents, one answer per server; a stopped one says so."""
    with LocalQBittorrent() as other, LocalQBittorrent() as stopped:
        config = make_config(qbt, broker.port, tmp_path)
        second = {"url": other.url, "username": other.username, "password": other.password}
        third = {"url": stopped.url, "username": stopped.username, "password": stopped.password}
        raw = {
            "instances": [
                {"id": "test", "url": qbt.url, "username": qbt.username, "password": qbt.password},
                {"id": "seedbox", **second},
                {"id": "gone", **third},
            ],
            "mqtt": {"host": "127.0.0.1", "port": broker.port},
            "state_dir": str(config.state_dir),
        }
        stopped.stop()
        torrent, info_hash = tiny_torrent(tmp_path, "everywhere")
        file = base64.b64encode(torrent).decode()
        async with Probe(broker.port) as probe, running(parse_config(raw)) as run:
            await run.connected()
            payload = {"file": file, "paused": True, "instances": ["test", "seedbox", "gone"]}
            answer = await probe.command("add", json.dumps(payload))
            assert answer["ok"], answer
            servers = answer["result"]["servers"]
            assert servers["test"]["result"]["hash"] == info_hash
            assert servers["seedbox"]["result"]["hash"] == info_hash
            assert servers["gone"] == {"ok": False, "error": servers["gone"]["error"]}
            assert servers["gone"]["error"]["code"] == "unavailable"
            async with QBittorrentClient(other.url, other.username, other.password) as client:
                assert [t.hash for t in await client.torrents_info()] == [info_hash]
            assert [t.hash for t in await qbt_client.torrents_info()] == [info_hash]
            # A name the daemon does not serve refuses the whole add, before anything is done.
            again = {"source": f"magnet:?xt=urn:btih:{'cd' * 20}", "instances": ["test", "nowhere"]}
            refused = await probe.command("add", json.dumps(again))
            assert refused["error"]["code"] == "not_found", refused
            assert "nowhere" in refused["error"]["message"]
            assert len(await qbt_client.torrents_info()) == 1
