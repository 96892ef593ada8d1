"""What the two legacy stand-ins share: their torrents, and the loopback aiohttp server.

The torrents are plain records a test can change (finish one, make one move data) the way a
real server's torrents change while it runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from qbt_bridge.core.torrentfile import magnet_info_hash, read_torrent
from qbt_bridge.daemon.demo import free_port
from tests.helpers import serve_loopback


@dataclass
class FakeTorrent:
    """One torrent of a stand-in server."""

    hash: str  # lowercase hex
    name: str
    size: int = 1 << 20
    done: int = 0  # bytes present
    started: bool = True
    paused: bool = False
    queued: bool = True  # under the queue (not forced)
    checking: bool = False
    error: bool = False
    label: str = ""
    down_speed: int = 0
    up_speed: int = 0
    uploaded: int = 0
    dl_limit: int = 0
    up_limit: int = 0
    added_on: int = field(default_factory=lambda: int(time.time()))
    completed_on: int = 0
    queue: int = 0  # place in the queue (1 first; 0 outside it)
    trackers: list[str] = field(default_factory=list)
    file_priorities: dict[int, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.done >= self.size

    def finish(self) -> None:
        """All data present, as after a download."""
        self.done = self.size
        self.down_speed = 0
        self.completed_on = int(time.time())


def torrent_from_link(link: str) -> FakeTorrent:
    """A new torrent for a magnet link (name from ``dn``, else the hash)."""
    info_hash = magnet_info_hash(link)
    names = parse_qs(urlsplit(link).query).get("dn", [])
    return FakeTorrent(hash=info_hash, name=names[0] if names else info_hash)


def torrent_from_file(data: bytes) -> FakeTorrent:
    """A new torrent for ``.torrent`` content (raises ValueError when it is not one)."""
    meta = read_torrent(data)
    return FakeTorrent(hash=meta.info_hash, name=meta.name, size=max(meta.total_size, 1))


class LoopbackServer:
    """An aiohttp application on a free loopback port."""

    def __init__(self) -> None:
        self.port = free_port()
        self._runner: web.AppRunner | None = None
        self.torrents: dict[str, FakeTorrent] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        app = web.Application()
        self.routes(app)
        self._runner = await serve_loopback(app, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def restart(self) -> None:
        """Stop and start again on the same port (the torrents stay)."""
        await self.stop()
        await self.start()

    def add(self, torrent: FakeTorrent) -> FakeTorrent:
        """A torrent added on the server itself (not through the engine)."""
        self.torrents.setdefault(torrent.hash, torrent)
        return self.torrents[torrent.hash]
