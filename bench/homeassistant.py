"""Benchmark: a real Home Assistant with the integration and a 10 000-torrent qBittorrent.

Starts a real ``hass`` (the one in ``.venv``, with its recorder on SQLite, as a user's default
install has) and a real qbittorrent-nox loaded with tiny paused torrents, then sets the
integration up as a user does: the config flow (push on), then the options with per-torrent and
per-category entities on (the per-torrent cap at its default). For ``--window`` seconds another
client moves 1 % of the torrents to another category every 5 s (bench/refresh.py's churn).
Per size:
  setup          seconds from the config flow's submit until the entry's first refresh ended
  refresh        the coordinator's refresh times in the window ("Finished fetching … in X s",
                 Home Assistant's own debug line): how many, median, worst
  memory         hass's RSS before the entry, and every 30 s in the window (with its drift)
  entities       the integration's entities, and torrent devices against the cap
  recorder       state rows written per minute in the window: the integration's entities (and
                 which of them), and all of Home Assistant's, from its database

Run: .venv/bin/python bench/homeassistant.py [--sizes 1000,10000] [--window 300]
     [--release host]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import secrets
import shutil
import sqlite3
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from refresh import churn, load, rss_mib  # bench/ is the script's folder

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalQBittorrent, Release
from qbt_bridge.daemon.homeassistant import LocalHomeAssistant, Tokens

SAMPLE_EVERY = 30.0
FINISHED = re.compile(r"Finished fetching qbt_bridge .* data in ([0-9.]+) seconds")
CAP = 25  # the integration's default per-torrent cap (custom_components/…/const.py)
SETTLE = 120.0  # seconds allowed for the entities to appear after the options


def _refreshes(log: Path, start: int) -> list[float]:
    """The coordinator's refresh times logged from byte ``start`` on."""
    with log.open("rb") as f:
        f.seek(start)
        text = f.read().decode("utf-8", "replace")
    return [float(m.group(1)) for m in FINISHED.finditer(text)]


async def _registry(ha: LocalHomeAssistant, session: aiohttp.ClientSession, tokens: Tokens) -> Any:
    """The integration's entities: (entity id -> kind), torrent devices."""
    async with ha.websocket(session, tokens) as ws:
        entities = await ws.call("config/entity_registry/list")
        devices = await ws.call("config/device_registry/list")
    torrents = {d["id"] for d in devices if d.get("model") == "Torrent"}
    categories = {d["id"] for d in devices if d.get("model") == "Category"}
    kinds = {}
    for e in entities:
        if e["platform"] != "qbt_bridge":
            continue
        if e["device_id"] in torrents:
            kinds[e["entity_id"]] = "per torrent"
        elif e["device_id"] in categories or "_category_" in (e.get("unique_id") or ""):
            kinds[e["entity_id"]] = "per category"
        else:
            kinds[e["entity_id"]] = "server"
    return kinds, len(torrents)


def _writes(database: Path, since: float, until: float) -> Counter[str]:
    """State rows the recorder wrote between two Unix times, per entity id."""
    with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        rows = db.execute(
            "SELECT m.entity_id, count(*) FROM states s JOIN states_meta m"
            " ON s.metadata_id = m.metadata_id"
            " WHERE s.last_updated_ts >= ? AND s.last_updated_ts < ? GROUP BY m.entity_id",
            (since, until),
        ).fetchall()
    return Counter({str(entity): int(n) for entity, n in rows})


@dataclass
class Row:
    """One size's figures."""

    setup: float = 0.0
    before: float = 0.0
    samples: list[float] = field(default_factory=list)
    moved: int = 0
    refreshes: list[float] = field(default_factory=list)
    writes: Counter[str] = field(default_factory=Counter)
    kinds: dict[str, str] = field(default_factory=dict)
    devices: int = 0
    minutes: float = 1.0


async def _set_up(
    ha: LocalHomeAssistant, session: aiohttp.ClientSession, qbt: LocalQBittorrent, row: Row
) -> Tokens:
    """Onboarding, the config flow (timed to its first refresh), then the entities' options."""
    await ha.wait_ready(session)
    tokens = await ha.onboard(session, "bench", secrets.token_urlsafe(12))
    async with session.post(
        f"{ha.base}/api/services/logger/set_level",
        json={"custom_components.qbt_bridge": "debug"},
        headers={"Authorization": f"Bearer {tokens.access_token}"},
    ) as answer:
        answer.raise_for_status()
    row.before = rss_mib(ha.pid or 0)
    mark = ha.log.stat().st_size
    begun = time.monotonic()
    entry = await ha.add_qbittorrent(
        session, tokens, url=qbt.url, username=qbt.username, password=qbt.password
    )
    while not _refreshes(ha.log, mark):  # noqa: ASYNC110 - the log is another process's
        await asyncio.sleep(0.05)
    row.setup = time.monotonic() - begun
    await ha.set_options(session, tokens, entry, torrent_entities=True, category_entities=True)
    deadline = time.monotonic() + SETTLE
    while (await _registry(ha, session, tokens))[1] < CAP and time.monotonic() < deadline:  # noqa: ASYNC110 - another process
        await asyncio.sleep(1)
    await asyncio.sleep(15)  # the reload's first refreshes and their state writes
    row.kinds, row.devices = await _registry(ha, session, tokens)
    return tokens


async def _window(ha: LocalHomeAssistant, qbt: LocalQBittorrent, hashes: list[str], row: Row,
                  window: float) -> None:  # fmt: skip
    """The churn for ``window`` seconds: memory, refreshes and the recorder's writes."""
    mark, since = ha.log.stat().st_size, time.time()
    stop = asyncio.Event()

    def count(n: int) -> None:
        row.moved += n

    async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as churner:
        task = asyncio.create_task(churn(churner, hashes, stop, moved=count))
        started = time.monotonic()
        while (elapsed := time.monotonic() - started) < window:
            await asyncio.sleep(min(SAMPLE_EVERY, window - elapsed))
            row.samples.append(rss_mib(ha.pid or 0))
        stop.set()
        await task
    until = time.time()
    await asyncio.sleep(6)  # the recorder commits every 5 s
    row.refreshes = _refreshes(ha.log, mark)
    row.writes = _writes(ha.config / "home-assistant_v2.db", since, until)
    row.minutes = (until - since) / 60


async def bench_size(release: Release, size: int, window: float) -> None:
    qbt = LocalQBittorrent(release)
    qbt.start()
    ha = LocalHomeAssistant(extra_config="recorder:\n")
    row = Row()
    try:
        async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
            hashes = await load(client, size, "ha")
            for category in ("bench-0", "bench-1"):  # the churn moves torrents between these
                await client.torrents_create_category(category)
            version = await client.app_version()
        ha.start()
        async with aiohttp.ClientSession() as session:
            await _set_up(ha, session, qbt, row)
            await _window(ha, qbt, hashes, row, window)
    finally:
        ha.cleanup()
        qbt.cleanup()
        shutil.rmtree(ha.workspace, ignore_errors=True)
    print(f"qBittorrent {version} ({release.name}), {size} torrents, {window:g} s window")
    report(row)


def report(row: Row) -> None:
    """The row's figures, per minute where they are rates."""
    minutes = row.minutes
    ours = Counter[str]()
    for entity, n in row.writes.items():
        if entity in row.kinds:
            ours[row.kinds[entity]] += n
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(Counter(row.kinds.values()).items()))
    half = len(row.samples) // 2
    drift = max(row.samples[half:]) - max(row.samples[:half]) if half else 0.0
    times = row.refreshes or [0.0]
    print(
        f"  churn                    {row.moved / minutes:.0f} torrents moved/min\n"
        f"  setup                    {row.setup:.1f} s to the first refresh\n"
        f"  refresh                  {len(row.refreshes)} in the window, median "
        f"{statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms\n"
        f"  RSS (MiB)                {row.before:.1f} before the entry; every {SAMPLE_EVERY:g} s: "
        f"{', '.join(f'{m:.1f}' for m in row.samples)}; second half minus first {drift:+.1f}\n"
        f"  entities                 {len(row.kinds)}: {kinds}; "
        f"{row.devices} torrent devices (cap {CAP})\n"
        f"  recorder                 {sum(ours.values()) / minutes:.1f} writes/min of ours ("
        f"{', '.join(f'{k} {n / minutes:.1f}' for k, n in sorted(ours.items()))}); "
        f"{sum(row.writes.values()) / minutes:.1f} of all Home Assistant",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--window", type=float, default=300.0)
    parser.add_argument("--release", default="host")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",") if s):
        await bench_size(Release.named(args.release), size, args.window)


if __name__ == "__main__":
    asyncio.run(main())
