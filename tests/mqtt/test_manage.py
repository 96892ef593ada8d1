"""qbit_manage commands over MQTT, against the real qbit_manage and qbittorrent-nox."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalMosquitto, LocalQbitManage, LocalQBittorrent
from tests.helpers import with_server
from tests.mqtt.helpers import Probe, make_config, running


async def test_manage_commands_are_run_and_answered(
    manager: LocalQbitManage, broker: LocalMosquitto, tmp_path: Path
) -> None:
    config = make_config(manager.qbt, broker.port, tmp_path)
    instance = with_server(config.instances[0], manage_url=manager.url)
    config = dataclasses.replace(config, instances=(instance,))
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        answer = await probe.command(
            "manage", json.dumps({"commands": ["cat_update"], "dry_run": True})
        )
        assert answer["ok"], answer
        assert answer["result"]["status"] == "success"
        plain = await probe.command("manage", "tag_update,cat_update")
        assert plain["ok"], plain
        bad = await probe.command("manage", "rm_everything")
        assert bad["error"]["code"] == "invalid_request"
        assert "unknown qbit_manage command" in bad["error"]["message"]


async def test_manage_without_qbit_manage_says_so(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, broker: LocalMosquitto, tmp_path: Path
) -> None:
    async with Probe(broker.port) as probe, running(make_config(qbt, broker.port, tmp_path)) as run:
        await run.connected()
        answer = await probe.command("manage", "cat_update")
        assert answer["error"]["code"] == "not_supported"
        assert "no qbit_manage is configured" in answer["error"]["message"]
