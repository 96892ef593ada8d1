"""Messages that once ended or silenced the daemon: each is answered, and the daemon serves on.

Against the real daemon, a real Mosquitto and a real qbittorrent-nox.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalMosquitto, LocalQBittorrent
from tests.helpers import wait_for
from tests.mqtt.helpers import PREFIX, Probe, make_config, running

SURROGATES = [
    ("list", rb'{"request_id": "\ud83d"}'),
    ("pause", rb'{"torrents": "\ud83d"}'),
    ("add", rb'{"source": "magnet:?xt=urn:btih:\udc00", "request_id": 7}'),
    ("set_category", rb'{"torrents": "all", "category": "\ud800x"}'),
    ("rss_add_feed", rb'{"url": "http://127.0.0.1/\udfff"}'),
]
NOT_TORRENTS = [
    b"d4:infod6:lengthd1:ai1ee4:name1:xee",  # a length that is a dictionary
    b"d4:infod5:filesi3e4:name1:x12:piece lengthi1e6:pieces0:ee",  # files that are a number
    b"d4:infod4:name1:x12:piece lengthi1e6:pieces0:5:filesl1:xeee",  # a file that is a string
    b"d4:info" + b"l" * 5000 + b"e" * 5000 + b"e",  # nesting deep enough to exhaust recursion
    b"d4:infoi1ee",
    b"d8:announcei3e4:infod6:lengthi1e4:name1:x12:piece lengthi1e6:pieces0:ee",
]


async def test_lone_surrogates_are_refused_and_the_daemon_serves_on(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = make_config(qbt, broker.port, tmp_path)
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        for name, payload in SURROGATES:
            answer = await probe.command(name, payload)
            assert answer["ok"] is False, (name, answer)
            assert answer["error"]["code"] == "invalid_request", (name, answer)
            assert "surrogate" in answer["error"]["message"]
            assert answer["request_id"] in {None, 7}
        assert not run.task.done()
        assert run.front.connections == 1
        assert (await probe.command("list", ""))["ok"]


async def test_files_that_are_not_torrents_are_bad_input_logged_in_one_line(
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    broker: LocalMosquitto,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = make_config(qbt, broker.port, tmp_path)
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        caplog.set_level(logging.INFO)
        for junk in NOT_TORRENTS:
            answer = await probe.command("add", junk)
            assert answer["ok"] is False, junk[:40]
            assert answer["error"]["code"] == "invalid_request", (junk[:40], answer)
            assert "not a valid .torrent file" in answer["error"]["message"]
        tracebacks = [r for r in caplog.records if r.exc_info]
        assert tracebacks == []
        assert len([r for r in caplog.records if "refused" in r.getMessage()]) == len(NOT_TORRENTS)
        assert not await qbt_client.torrents_info()


async def test_an_unusable_response_topic_is_answered_on_the_reply_topic(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = make_config(qbt, broker.port, tmp_path)
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic = "/".join(["deep"] * 250)  # Mosquitto allows 200 levels
        properties.CorrelationData = uuid.uuid4().bytes
        await probe.client.publish(
            f"{PREFIX}/test/cmd/alt_speed",
            b'{"enabled": true, "request_id": "deep"}',
            qos=1,
            properties=properties,
        )
        answer = await probe.json(f"{PREFIX}/test/reply", lambda a: a["request_id"] == "deep")
        assert answer["ok"] is False
        assert answer["error"]["code"] == "invalid_request"
        assert "more than 200 levels" in answer["error"]["message"]
        assert not await qbt_client.transfer_speed_limits_mode(), "nothing was done"
        # The answers behind it flow: eight more commands, eight answers, one connection.
        for _ in range(8):
            assert (await probe.command("list", ""))["ok"]
        assert run.front.connections == 1
        assert not run.task.done()


async def test_the_reconnect_back_off_starts_afresh_after_a_connection_that_lived(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = make_config(qbt, broker.port, tmp_path)
    async with running(config) as run:
        await run.connected()
        for restart in range(2, 6):
            broker.restart()
            await wait_for(lambda n=restart: _reached(run, n), f"reconnection {restart}")
            # One failed try at most before each reconnection: the wait never grew past 2 s
            # (it doubled on every restart before: 2, 4, 8, 16 s …).
            assert run.front.backoff <= 4, run.front.backoff


async def _reached(run: object, connections: int) -> bool:
    return run.front.connections >= connections and run.front.connected.is_set()  # type: ignore[attr-defined]
