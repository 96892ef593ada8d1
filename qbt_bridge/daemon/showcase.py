"""What ``qbt-bridge run --demo`` sets up: a demo where things happen."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.models import Torrent
from qbt_bridge.core.torrentfile import make_torrent, read_torrent
from qbt_bridge.daemon.config import Config, parse_config
from qbt_bridge.daemon.demo import START_TIMEOUT, LocalMosquitto, LocalQBittorrent, free_port

DEMO_SIZE = 32 * 2**20  # the file the demo downloads: ~70 s at DEMO_RATE (16 MiB took 34 s)
DEMO_RATE = 512 * 1024  # bytes/s: about a minute for it
DEMO_NAME = "qbt-bridge-demo"


class Showcase:
    """``qbt-bridge run --demo``: a qBittorrent to serve, a second that seeds it a file, a broker.

    Once the daemon serves the first, ``start_transfer`` adds the file's torrent there (its
    download rate limited so it takes about a minute) with the seeder as its peer: speeds,
    progress, an *added* and a *completed* event, pushed by qBittorrent's own program.
    """

    def __init__(self, size: int = DEMO_SIZE, rate: int = DEMO_RATE) -> None:
        self.size = size
        self.rate = rate
        self.qbt = LocalQBittorrent()
        self.seeder = LocalQBittorrent()
        self.broker = LocalMosquitto()
        self.torrent = b""

    def start(self) -> None:
        """Start the three servers and write the seeder's file (its torrent in ``torrent``)."""
        self.qbt.start()
        self.seeder.start()
        self.broker.start()
        payload = self.seeder.downloads / f"{DEMO_NAME}.bin"
        with payload.open("wb") as handle:
            for done in range(0, self.size, 2**20):
                handle.write(os.urandom(min(2**20, self.size - done)))
        self.torrent = make_torrent(payload)

    def config(self) -> Config:
        """The daemon's config: the first qBittorrent, the broker, push on loopback."""
        qbt = self.qbt
        return parse_config(
            {
                "instances": [
                    {"id": "demo", "url": qbt.url, "username": qbt.username,
                     "password": qbt.password, "name": "qBittorrent demo"},
                ],
                "mqtt": {"host": "127.0.0.1", "port": self.broker.port,
                         "torrents": {"enabled": True}},
                "push": {"port": free_port(), "install": True},
                "state_dir": str(qbt.workspace / "state"),
            }
        )  # fmt: skip

    async def start_transfer(self) -> None:
        """Seed the file from the second qBittorrent; add it, rate-limited, to the first."""
        seeder, qbt = self.seeder, self.qbt
        info_hash = read_torrent(self.torrent).info_hash
        async with (
            QBittorrentClient(seeder.url, seeder.username, seeder.password) as source,
            QBittorrentClient(qbt.url, qbt.username, qbt.password) as target,
        ):
            await source.torrents_add(
                torrent_files=[self.torrent], save_path=str(seeder.downloads_inside)
            )
            await _until(source, info_hash, lambda t: t.progress >= 1.0)  # the seeder checks
            await target.torrents_add(torrent_files=[self.torrent], download_limit=self.rate)
            await _until(target, info_hash, lambda _t: True)
            await target.torrents_add_peers([info_hash], [f"127.0.0.1:{seeder.bt_port}"])

    def cleanup(self) -> None:
        """Stop and remove all three."""
        for server in (self.broker, self.seeder, self.qbt):
            server.cleanup()


async def _until(
    client: QBittorrentClient, info_hash: str, done: Callable[[Torrent], bool]
) -> None:
    """Wait (up to START_TIMEOUT) until the torrent is listed and ``done``."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        found = await client.torrents_info(hashes=[info_hash])
        if found and done(found[0]):
            return
        await asyncio.sleep(0.2)
    raise TimeoutError(f"{client.base_url}: the demo torrent did not get ready")
