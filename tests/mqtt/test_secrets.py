"""Pass-keys in feed URLs never leave the daemon: not in answers, errors, events or log lines.

A feed added without a path is named by qBittorrent after its URL, pass-key and all; its own
error texts quote the URL too. Against the real daemon, Mosquitto and qbittorrent-nox.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalMosquitto, LocalQBittorrent
from tests.helpers import FileServer, wait_for
from tests.mqtt.helpers import Probe, make_config, running

PASSKEY = "5f3c0a9e1b7d4c2a8e6f0b1d3c5a7e9f"


async def test_feed_pass_keys_never_reach_mqtt_or_the_log(
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    broker: LocalMosquitto,
    files: FileServer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Not served: a feed that cannot load keeps its URL as its name (one that loads is renamed
    # after its title by qBittorrent).
    url = files.url(f"/rss/{PASSKEY}/tv.xml?passkey={PASSKEY}")
    config = make_config(qbt, broker.port, tmp_path)
    caplog.set_level(logging.DEBUG)
    async with Probe(broker.port) as probe, running(config) as run:
        await run.connected()
        added = await probe.command("rss_add_feed", json.dumps({"url": url}))
        assert added["ok"], added
        assert [f.path for f in await qbt_client.rss_items()] == [url], "named after its URL"

        feeds = (await probe.command("rss_feeds", ""))["result"]
        assert len(feeds) == 1
        assert "**REDACTED**" in feeds[0]["path"]
        again = await probe.command("rss_add_feed", json.dumps({"url": url}))
        assert again["ok"] is False
        assert "already exists" in again["error"]["message"]
        rule = await probe.command(
            "rss_set_rule", json.dumps({"name": "tv", "must_contain": "x", "feeds": [url]})
        )
        assert rule["ok"], rule
        await probe.command("rss_rules", "")

        # The path as answers show it still names the feed.
        removed = await probe.command("rss_remove_feed", json.dumps({"path": feeds[0]["path"]}))
        assert removed["ok"], removed
        await wait_for(lambda: _no_feeds(qbt_client), "the feed to go")

        # Everything published but the probe's own commands.
        seen = [bytes(m.payload) for m in probe.messages if "/cmd/" not in str(m.topic)]  # type: ignore[arg-type]
        assert len(seen) > 6
        assert not [p for p in seen if PASSKEY.encode() in p]
        assert PASSKEY not in caplog.text
        assert "already exists" in caplog.text  # the refusal was logged, redacted


async def _no_feeds(client: QBittorrentClient) -> bool:
    return not await client.rss_items()
