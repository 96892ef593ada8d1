"""Broker and qBittorrent restarts, Home Assistant's birth message, leftovers, auth and TLS."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import aiomqtt
import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import BrokerTLS, LocalMosquitto, LocalQBittorrent, Release
from qbt_bridge.mqtt.render import node_id
from tests.helpers import make_ca, tiny_torrent, wait_for
from tests.mqtt.helpers import PREFIX, Probe, make_config, running
from tests.releases import RELEASES, require

SERVER_CONFIG = f"homeassistant/device/{node_id('test')}/server/config"


async def test_broker_restart_reconnects_resubscribes_and_republishes(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = make_config(qbt, broker.port, tmp_path)
    async with running(config) as run:
        await run.connected()
        broker.restart()  # retained messages are gone with it
        await wait_for(lambda: _at_least(run.front.connections, 2), "a reconnection")
        async with Probe(broker.port) as probe:
            assert await probe.value(f"{PREFIX}/bridge/status") == b"online"
            assert await probe.value(f"{PREFIX}/test/availability") == b"online"
            await probe.value(f"{PREFIX}/test/state/alt_speed")
            await probe.json(SERVER_CONFIG)
            # Subscriptions are back too: a command is answered.
            assert (await probe.command("alt_speed", "ON"))["result"] == {"enabled": True}


async def _at_least(value: int, wanted: int) -> bool:
    return value >= wanted


async def test_events_raised_while_the_broker_is_away_are_delivered_after(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    with LocalMosquitto(persistence=True) as broker:
        config = make_config(qbt, broker.port, tmp_path)
        listener = {"identifier": "event-listener", "clean_session": False}
        async with Probe(broker.port, v5=False, **listener):
            pass  # a persistent session subscribed to everything, kept by the broker
        torrent, info_hash = tiny_torrent(tmp_path, "while-away")
        async with running(config) as run:
            await run.connected()
            broker.stop()
            await wait_for(lambda: _is_down(run), "the daemon to notice the broker is gone")
            await qbt_client.torrents_add(torrent_files=[torrent], paused=True)
            await wait_for(lambda: _queued(run, "while-away"), "the added event in the outbox")
            broker.start()
            async with Probe(broker.port, v5=False, **listener) as probe:

                async def added() -> list[dict[str, str]]:
                    return [
                        e
                        for raw in probe.on(f"{PREFIX}/test/events")
                        if (e := json.loads(raw))["event"] == "added"
                    ]

                events = await wait_for(added, "the added event after the broker came back")
        assert events[0]["hash"] == info_hash


async def _is_down(run: object) -> bool:
    return not run.front.connected.is_set()  # type: ignore[attr-defined]


async def _queued(run: object, name: str) -> bool:
    await run.bridge.refresh(full=True)  # type: ignore[attr-defined]
    return any(name.encode() in item.payload for item in run.front._outbox)  # type: ignore[attr-defined]


async def test_qbittorrent_down_means_offline_and_error_answers(
    broker: LocalMosquitto, tmp_path: Path
) -> None:
    with LocalQBittorrent(require(Release.named(RELEASES[-1]))) as own:
        config = make_config(own, broker.port, tmp_path)
        async with Probe(broker.port) as probe, running(config) as run:
            await run.connected()
            assert await probe.value(f"{PREFIX}/test/availability", lambda p: p == b"online")
            own.stop()
            await probe.value(f"{PREFIX}/test/availability", lambda p: p == b"offline")
            answer = await probe.command("pause", "all")
            assert answer["ok"] is False
            assert answer["error"]["code"] == "unavailable"
            listed = await probe.command("list", "")
            assert listed["error"]["code"] == "unavailable"
            own.start()
            await probe.value(f"{PREFIX}/test/availability", lambda p: p == b"online")
            assert (await probe.command("list", ""))["ok"]


async def test_home_assistant_birth_message_brings_discovery_again(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = make_config(qbt, broker.port, tmp_path)
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        await probe.json(SERVER_CONFIG)
        before = len(probe.on(SERVER_CONFIG))
        await probe.client.publish("homeassistant/status", "online", qos=1)
        await wait_for(
            lambda: _at_least(len(probe.on(SERVER_CONFIG)), before + 1), "discovery republished"
        )


async def test_leftover_retained_torrents_from_an_earlier_run_are_removed(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    gone = "f" * 40
    leftovers = [
        f"homeassistant/device/{node_id('test')}/{gone}/config",
        f"{PREFIX}/test/torrent/{gone}",
    ]
    async with Probe(broker.port) as probe:
        for topic in leftovers:
            await probe.client.publish(topic, "{}", qos=1, retain=True)
        config = make_config(qbt, broker.port, tmp_path, torrents={"enabled": True})
        async with running(config) as run:
            await run.connected()
            for topic in leftovers:
                await probe.value(topic, lambda p: p == b"", f"{topic} to be emptied")
    async with Probe(broker.port) as late:
        await late.value(f"{PREFIX}/bridge/status")
        assert not any(t in late.retained for t in leftovers)


async def test_broker_credentials_work_and_wrong_ones_fail_clearly(
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    password = "broker-secret-4711"
    with LocalMosquitto(users={"bridge": password}) as broker:
        good = make_config(qbt, broker.port, tmp_path, username="bridge", password=password)
        async with running(good) as run:
            await run.connected()
        caplog.set_level(logging.WARNING)
        bad = make_config(qbt, broker.port, tmp_path, username="bridge", password="wrong-one")
        async with running(bad) as run:
            record = await wait_for(lambda: _logged(caplog, "MQTT broker"), "a log line")
            assert not run.front.connected.is_set()
        assert "unavailable" in record.getMessage()
        assert "uthori" in record.getMessage()  # "Not authorized" / "not authorised"
        assert password not in caplog.text
        assert "wrong-one" not in caplog.text
        with pytest.raises(aiomqtt.MqttError):
            async with Probe(broker.port):
                pass  # anonymous is refused by this broker


async def _logged(caplog: pytest.LogCaptureFixture, words: str) -> logging.LogRecord | None:
    return next((r for r in caplog.records if words in r.getMessage()), None)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_ca(tmp_path_factory.mktemp("ca"))


async def test_tls_with_our_ca_and_a_client_certificate(
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    tmp_path: Path,
    certificates: dict[str, Path],
    caplog: pytest.LogCaptureFixture,
) -> None:
    tls = BrokerTLS(
        certificates["ca"], certificates["server"], certificates["server_key"],
        require_certificate=True,
    )  # fmt: skip
    with LocalMosquitto(tls=tls) as broker:
        trusted = {
            "ca_file": str(certificates["ca"]),
            "cert_file": str(certificates["client"]),
            "key_file": str(certificates["client_key"]),
        }
        async with running(make_config(qbt, broker.port, tmp_path, tls=trusted)) as run:
            await run.connected()
        caplog.set_level(logging.WARNING)
        unknown_ca = {
            "cert_file": str(certificates["client"]),
            "key_file": str(certificates["client_key"]),
        }
        async with running(make_config(qbt, broker.port, tmp_path, tls=unknown_ca)) as run:
            record = await wait_for(lambda: _logged(caplog, "MQTT broker"), "a log line")
        assert "certificate verify failed" in record.getMessage()
        insecure = {**unknown_ca, "insecure": True}
        async with running(make_config(qbt, broker.port, tmp_path, tls=insecure)) as run:
            await run.connected()
