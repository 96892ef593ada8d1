"""What the per-refresh looks over the whole library cost the daemon at 10 000 torrents.

The downloads' outlook (next/last done, progress, bytes left: once per store generation) and
the watchdog (at most once a minute) each walk every torrent, and so does a scrape of the
daemon's ``/metrics`` (counts per group, per category and per tracker, 50 torrents' own
series). This fills a store with 10 000 torrents in 20 categories on 5 trackers (each with its
own announce URL), 1 000 of them downloading, and prints the milliseconds one walk takes:
``.venv/bin/python bench/watch_cost.py``.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import generate_latest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.models import MainData
from qbt_bridge.daemon.metrics import BridgeCollector
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.catalog import TorrentFilter
from qbt_bridge.engine.watchdog import StallRule

SIZE = 10_000
DOWNLOADING = 1_000
ROUNDS = 20


def _library() -> dict[str, dict[str, object]]:
    torrents: dict[str, dict[str, object]] = {}
    for n in range(SIZE):
        down = n < DOWNLOADING
        torrents[f"{n:040x}"] = {
            "name": f"t{n}", "state": "downloading" if down else "stalledUP",
            "size": 2**30, "amount_left": 2**29 if down else 0, "eta": 600 + n,
            "dlspeed": 1024 if down else 0, "added_on": 1_700_000_000 + n,
            "category": f"c{n % 20}", "tracker": f"https://t{n % 5}.example/{n:032x}/announce",
        }  # fmt: skip
    return torrents


async def main() -> None:
    """Print the cost of one outlook and of one watchdog look."""
    client = QBittorrentClient("http://127.0.0.1:9")  # never called: the store is filled here
    bridge = Bridge(client, "bench", stalled=StallRule(after=3600, metadata_after=3600))
    store = bridge.store
    store.apply_maindata(MainData.from_api({"rid": 1, "full_update": True, "torrents": _library()}))
    start = time.perf_counter()
    for _n in range(ROUNDS):
        store.generation += 1  # as a refresh that touched a torrent: computed again
        store.outlook()
    outlook_ms = (time.perf_counter() - start) / ROUNDS * 1000
    if bridge.watchdog is None:
        raise SystemExit("no watchdog")
    start = time.perf_counter()
    for _n in range(ROUNDS):
        bridge.watchdog._last_look = -1e18  # noqa: SLF001 - a look each round, for the figure
        await bridge.watchdog.check()
    watchdog_ms = (time.perf_counter() - start) / ROUNDS * 1000
    registry = CollectorRegistry(auto_describe=False)
    registry.register(BridgeCollector([bridge], TorrentFilter(enabled=True, limit=50)))
    start = time.perf_counter()
    for _n in range(ROUNDS):
        size = len(generate_latest(registry))
    scrape_ms = (time.perf_counter() - start) / ROUNDS * 1000
    await client.close()
    print(f"{SIZE} torrents, {DOWNLOADING} downloading:")
    print(f"  downloads' outlook: {outlook_ms:.1f} ms a refresh that changed something")
    print(f"  watchdog look:      {watchdog_ms:.1f} ms, at most once a minute")
    print(f"  /metrics scrape:    {scrape_ms:.1f} ms, {size / 1024:.0f} KiB of text")


if __name__ == "__main__":
    asyncio.run(main())
