"""The real qBittorrent releases the tests run against, and helpers around their daemons."""

from __future__ import annotations

import os

import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.torrentfile import read_torrent
from qbt_bridge.daemon.demo import LocalQBittorrent, Release

# The releases every real-daemon test runs against; QBT_BRIDGE_RELEASES narrows it for a quick run.
RELEASES = os.environ.get("QBT_BRIDGE_RELEASES", "host,trixie,forky").split(",")


def require(release: Release) -> Release:
    if not release.available:
        pytest.fail(
            f"qBittorrent release {release.name!r} is not unpacked; "
            "run scripts/setup --with-test-releases"
        )
    return release


async def empty_server(qbt: QBittorrentClient) -> None:
    """Remove every torrent, category, tag, RSS rule and feed a test left on a shared daemon."""
    await qbt.torrents_delete("all", delete_files=True)
    categories = await qbt.torrents_categories()
    if categories:
        await qbt.torrents_remove_categories(categories)
    tags = await qbt.torrents_tags()
    if tags:
        await qbt.torrents_delete_tags(tags)
    for name in await qbt.rss_rules():
        await qbt.rss_remove_rule(name)
    for feed in await qbt.rss_items():
        await qbt.rss_remove_item(feed.path.split("\\")[0])


class Seed:
    """A torrent with real data, seeded by a host daemon on loopback."""

    def __init__(self, qbt: LocalQBittorrent, torrent: bytes) -> None:
        self.daemon = qbt
        self.torrent = torrent
        self.meta = read_torrent(torrent)

    @property
    def peer(self) -> str:
        return f"127.0.0.1:{self.daemon.bt_port}"
