"""Benchmark: what each cheap signal costs qBittorrent at N torrents, per call.

Loads N tiny paused torrents (1 % resumed) into a real qbittorrent-nox and calls each endpoint
the refresh tiers use or could use, many times in a row, reading qBittorrent's CPU from
/proc/<pid>/stat around each batch: transfer/info, torrents/count (WebAPI 2.9.3+), the
category and tag lists, torrents/info for 100 hashes, and a sync/maindata sweep with rid.

Run: .venv/bin/python bench/signals.py [--size 10000] [--release forky] [--calls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from refresh import cpu_seconds, load  # bench/ is the script's folder

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalQBittorrent, Release


async def per_call(
    qbt: LocalQBittorrent, call: Callable[[], Awaitable[Any]], calls: int
) -> tuple[float, float]:
    """qBittorrent's CPU and the wall time per call, in milliseconds."""
    await call()  # warm: a first call may log in or fill a cache
    pid = qbt.pid or 0
    cpu0, wall0 = cpu_seconds(pid), time.monotonic()
    for _ in range(calls):
        await call()
    return (cpu_seconds(pid) - cpu0) / calls * 1e3, (time.monotonic() - wall0) / calls * 1e3


async def main() -> None:
    """Load, then measure each signal."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--release", default="forky", help="host (4.5.2), trixie or forky")
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with LocalQBittorrent(Release.named(args.release)) as qbt:
        async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
            print(f"loading {args.size} torrents into {args.release} ...", flush=True)
            hashes = await load(client, args.size, f"signals{args.size}")
            await client.resume(hashes[: max(1, args.size // 100)])
            await asyncio.sleep(5)
            version = await client.version()
            sample = hashes[:100]
            rid = [(await client.sync_maindata()).rid]

            async def sweep() -> None:  # as the engine sweeps: each call with the last rid
                rid[0] = (await client.sync_maindata(rid[0])).rid

            signals: list[tuple[str, Callable[[], Awaitable[Any]], int]] = [
                ("transfer/info", client.transfer_info, args.calls),
                ("torrents/count", client.torrents_count, args.calls),
                ("torrents/categories", client.torrents_categories, args.calls),
                ("torrents/tags", client.torrents_tags, args.calls),
                ("torrents/info, 100 hashes", lambda: client.torrents_info_raw(hashes=sample),
                 args.calls // 4),
                ("sync/maindata with rid", sweep, 10),
            ]  # fmt: skip
            print(f"\nqBittorrent {version}, {args.size} torrents; per call:")
            print(f"{'signal':<28} {'qBt CPU ms':>10} {'wall ms':>8}")
            for name, call, calls in signals:
                if name == "torrents/count" and await client.torrents_count() is None:
                    print(f"{name:<28} {'(not in this release)':>19}")
                    continue
                cpu, wall = await per_call(qbt, call, calls)
                print(f"{name:<28} {cpu:>10.2f} {wall:>8.2f}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
