"""``/metrics`` of the daemon, scraped as Prometheus would and read with prometheus_client's own
parser, against a real qbittorrent-nox."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.models import MainData
from qbt_bridge.daemon.config import parse_config
from qbt_bridge.daemon.demo import LocalQBittorrent, free_port
from qbt_bridge.daemon.metrics import BridgeCollector
from qbt_bridge.daemon.process import Daemon
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.catalog import TorrentFilter
from tests.daemon.serving import serving
from tests.helpers import tiny_torrent, wait_for

SECRET = "metrics-secret-0123456789abcdef"

NAS = (("server", "nas"),)
GROUPS = "qbittorrent_torrents"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _config(qbt: LocalQBittorrent, tmp_path: Path, **metrics: Any) -> Any:
    return parse_config(
        {
            "instances": [{"id": "nas", "url": qbt.url, "username": qbt.username,
                           "password": qbt.password, "fast_interval": 0.5}],
            "metrics": {"port": free_port(), **metrics},
            "state_dir": str(tmp_path / "state"),
        }
    )  # fmt: skip


async def _scrape(daemon: Daemon, secret: str | None = SECRET) -> Samples:
    """Every sample of one scrape, by name and labels (parsed by prometheus_client)."""
    assert daemon.metrics is not None
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    url = f"http://127.0.0.1:{daemon.metrics.port}/metrics"
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as answer:
        assert answer.status == 200, await answer.text()
        assert answer.headers["Content-Type"].startswith("text/plain; version=")
        text = await answer.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_say_what_qbittorrent_holds_per_group_category_and_torrent(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    await qbt_client.torrents_create_category("tv")
    for index, category in enumerate(("tv", "tv", "")):
        data, _hash = tiny_torrent(tmp_path, f"metered-{index}")
        await qbt_client.torrents_add(torrent_files=[data], category=category, paused=True)
    config = _config(qbt, tmp_path, secret=SECRET, torrents={"enabled": True, "limit": 2})
    async with serving(config) as daemon:

        async def counted() -> Samples | None:
            samples = await _scrape(daemon)
            # Three, checked by qBittorrent after the add and now stopped.
            stopped = samples.get(
                ("qbittorrent_torrents", (("group", "stopped"), ("server", "nas")))
            )
            return samples if stopped == 3 else None

        samples = await wait_for(counted, "three stopped torrents in the metrics")
        nas = NAS
        assert samples[("qbittorrent_up", nas)] == 1
        groups = {
            dict(k[1])["group"]: v for k, v in samples.items() if k[0] == "qbittorrent_torrents"
        }
        assert (groups["all"], groups["stopped"], groups["downloading"]) == (3, 3, 3), groups
        category = ("qbittorrent_category_torrents", (("category", "tv"), *nas))
        assert samples[category] == 2
        assert samples[("qbittorrent_category_torrents", (("category", ""), *nas))] == 1
        tracker = ("qbittorrent_tracker_torrents", (("server", "nas"), ("tracker", "")))
        assert samples[tracker] == 3  # none has a working tracker
        assert samples[("qbt_bridge_refresh_seconds_count", nas)] >= 1
        assert ("qbittorrent_session_downloaded_bytes_total", nas) in samples
        assert ("qbittorrent_free_space_bytes", nas) in samples
        progress = [key for key in samples if key[0] == "qbittorrent_torrent_progress"]
        assert len(progress) == 2  # the cap
        assert {dict(labels)["name"] for _n, labels in progress} <= {
            "metered-0", "metered-1", "metered-2"
        }  # fmt: skip


async def test_metrics_refuse_without_the_secret_and_say_each_refusal_once(
    qbt: LocalQBittorrent, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with serving(_config(qbt, tmp_path, secret=SECRET)) as daemon:
        assert daemon.metrics is not None
        base = f"http://127.0.0.1:{daemon.metrics.port}"
        async with aiohttp.ClientSession() as session:
            for _ in range(3):
                async with session.get(f"{base}/metrics") as refused:
                    assert refused.status == 401
                async with session.post(f"{base}/metrics", data=b"x") as wrong:
                    assert wrong.status == 405
                async with session.get(f"{base}/other") as missing:
                    assert missing.status == 404
        assert (await _scrape(daemon))[("qbittorrent_up", (("server", "nas"),))] in {0, 1}
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("qbt_bridge")]
    assert sum("wrong or missing secret" in line for line in lines) == 1
    assert sum(": 405 " in line for line in lines) == 1
    assert sum(": 404 " in line for line in lines) == 1
    assert not [r for r in caplog.records if r.exc_info], "no traceback"
    assert SECRET not in caplog.text


async def test_metrics_say_when_qbittorrent_is_down(tmp_path: Path) -> None:
    with LocalQBittorrent() as own:
        async with serving(_config(own, tmp_path)) as daemon:
            up = ("qbittorrent_up", (("server", "nas"),))

            async def says(value: int) -> bool:
                return (await _scrape(daemon, None)).get(up) == value

            await wait_for(lambda: says(1), "up 1")
            own.stop()
            await wait_for(lambda: says(0), "up 0 once qBittorrent is gone")
            failures = (await _scrape(daemon, None))[("qbt_bridge_refresh_failures_total", up[1])]
            assert failures >= 1


def test_the_configuration_page_names_every_series() -> None:
    """Each family /metrics serves (per-torrent ones included) is named in the docs."""
    bridge = Bridge(QBittorrentClient("http://127.0.0.1:9"), "nas")  # never asked
    bridge.store.apply_maindata(MainData.from_api({"rid": 1, "full_update": True}))
    collector = BridgeCollector([bridge], TorrentFilter(enabled=True))
    names = {family.name for family in collector.collect()}
    page = (Path(__file__).parents[2] / "docs/configuration.md").read_text(encoding="utf-8")
    shown = {n for n in names if any(f"`{n}{end}" in page for end in ("`", "_total`", "{"))}
    assert sorted(names - shown) == []
    assert len(names) > 20
