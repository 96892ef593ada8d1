"""Benchmark: what a refresh of the engine costs on uTorrent and on qBittorrent 3.1.

Neither program runs here, so the servers are the test stand-ins (tests/standins), loaded with
N torrents; a figure is therefore about this project's side: bytes the client receives, and
the engine's own CPU time per refresh (the stand-in's time measured apart and taken out).

Per kind: the first refresh (a full list), an idle refresh, and a refresh after 1 % of the
torrents changed (speeds moving). uTorrent answers with ``cid`` deltas; qBittorrent 3.1 sends
its whole list, as text, every time, and the client works out what changed.

Run: .venv/bin/python bench/legacy_clients.py [--size 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qbt_bridge.clients import QBittorrent31Client, UTorrentClient
from qbt_bridge.engine.bridge import Bridge
from tests.standins.common import FakeTorrent, LoopbackServer
from tests.standins.qbittorrent31 import QBittorrent31StandIn
from tests.standins.utorrent import UTorrentStandIn


class Timed:
    """CPU time spent in the stand-in's request handler (taken out of the engine's figure)."""

    def __init__(self, server: LoopbackServer) -> None:
        self.seconds = 0.0
        original = server._handle  # type: ignore[attr-defined]  # noqa: SLF001

        async def handle(request: object) -> object:
            start = time.process_time()
            try:
                return await original(request)
            finally:
                self.seconds += time.process_time() - start

        server._handle = handle  # type: ignore[attr-defined]  # noqa: SLF001


async def measure(kind: str, size: int, rounds: int) -> list[str]:
    server: UTorrentStandIn | QBittorrent31StandIn = (
        UTorrentStandIn() if kind == "utorrent" else QBittorrent31StandIn()
    )
    timed = Timed(server)
    await server.start()
    rng = random.Random(1)  # noqa: S311 - a benchmark's reproducible sample
    for n in range(size):
        server.add(FakeTorrent(hash=f"{n + 1:040x}", name=f"bench-{n:05d}", size=1 << 30))
    client: UTorrentClient | QBittorrent31Client = (
        UTorrentClient(server.url, server.username, server.password, pace=0)
        if kind == "utorrent"
        else QBittorrent31Client(server.url, server.username, server.password)
    )
    bridge = Bridge(client, "bench")
    lines = [f"{kind}, {size} torrents"]
    try:
        for label, change in (("first (full list)", 0), ("idle", 0), ("1 % changed", size // 100)):
            samples = []
            for _ in range(1 if label.startswith("first") else rounds):
                for torrent in rng.sample(list(server.torrents.values()), change):
                    torrent.down_speed = rng.randrange(1, 1 << 20)
                received, served = client._http.bytes_received, timed.seconds  # noqa: SLF001
                cpu = time.process_time()
                events = await bridge.refresh()
                own = time.process_time() - cpu - (timed.seconds - served)
                samples.append((client._http.bytes_received - received, own, len(events)))  # noqa: SLF001
            got = median(s[0] for s in samples)
            lines.append(
                f"  {label:<18} {got / 1024:10.1f} KiB received, "
                f"engine CPU {median(s[1] for s in samples) * 1000:8.1f} ms, "
                f"{median(s[2] for s in samples):.0f} events (median of {len(samples)})"
            )
    finally:
        await client.close()
        await server.stop()
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for kind in ("utorrent", "qbittorrent-3.1"):
        print("\n".join(await measure(kind, args.size, args.rounds)), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
