"""The MQTT front on uTorrent (a stand-in): detection, discovery of what works, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

from qbt_bridge.daemon.config import parse_config
from qbt_bridge.daemon.demo import LocalMosquitto
from qbt_bridge.mqtt.render import node_id
from tests.mqtt.helpers import Probe, running
from tests.standins.utorrent import UTorrentStandIn

DISCOVERY = f"homeassistant/device/{node_id('test')}/server/config"


async def test_mqtt_on_utorrent(
    utorrent: UTorrentStandIn, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = parse_config(
        {
            "instances": [
                {
                    "id": "test",
                    "url": utorrent.url,  # no "client:": found out from the URL
                    "username": utorrent.username,
                    "password": utorrent.password,
                    "fast_interval": 1,
                }
            ],
            "mqtt": {"host": "127.0.0.1", "port": broker.port},
            "state_dir": str(tmp_path / "state"),
        }
    )
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        discovery = await probe.json(DISCOVERY)
        components = discovery["components"]
        assert discovery["device"]["model"] == "uTorrent"
        assert {"download_speed", "upload_speed", "download_limit", "pause_all"} <= set(components)
        for cannot in ("alt_speed", "free_space", "downloaded_all_time", "dht_nodes"):
            assert cannot not in components, f"{cannot} cannot work on uTorrent"

        added = await probe.command("add", f"magnet:?xt=urn:btih:{'cd' * 20}&dn=via-mqtt")
        assert added["ok"] and added["result"]["confirmed"], added
        assert "cd" * 20 in utorrent.torrents

        tags = await probe.command("add_tags", json.dumps({"torrents": "via-mqtt", "tags": "a"}))
        assert not tags["ok"]
        assert tags["error"]["code"] == "not_supported"
        assert tags["error"]["message"] == "uTorrent cannot use tags"

        alt = await probe.command("alt_speed", "ON")
        assert alt["error"]["code"] == "not_supported"

        paused = await probe.command("pause", "via-mqtt")
        assert paused["ok"] and paused["result"]["confirmed"], paused
        assert not utorrent.torrents["cd" * 20].started
        assert not run.task.done()
