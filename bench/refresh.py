"""Benchmark: what keeping a large qBittorrent in view costs it, the viewer and the network.

Loads N tiny torrents (added paused; 1 % resumed, so they are "active") into a real
qbittorrent-nox, then measures each way of keeping a view of it over the same window while
another client moves 1 % of the torrents to another category every 5 s. One row per front at
its default settings, each with and without push, driven through the engine code the front
runs (``make_bridge`` with the front's intervals; the integration's coordinator calls the same
``Bridge.refresh`` on its interval and on a push):

  daemon(+push)  every 5 s transfer/info, torrents/count (4.6+) and the torrents that move
                 data (downloads waiting for peers every 30 s); a sync/maindata sweep every
                 300 s, 900 s once push works
  ha(+push)      the same every 10 s; a sweep every 240 s, 900 s once push works
  ha-core        sync/maindata without rid every 30 s (Home Assistant's core integration)
  core@Ns        the same at a front's own freshness (what being as fresh would cost)
  info           torrents/info (the full list) every 30 s (most other integrations)

Sweeps are rarer than the window: one is measured and counted as (60 / sweep interval) sweeps
per minute. Per minute: qBittorrent's CPU (from /proc/<pid>/stat) and the viewer's own CPU, each
minus an idle window with the same churn; bytes received; requests; how old each kind of data
can get; and a real completion (a 1 MiB download from a second daemon), from the moment a 50 ms
watcher first sees it complete to the engine's event — pushed by qBittorrent's own program
(curl) with push. ``--soak S`` also runs the real daemon (``qbt-bridge run``, push and MQTT on)
for S seconds against the loaded server and samples its RSS every 30 s.

Run: scripts/bench [--sizes 1000,5000,10000] [--window 60] [--soak 600]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import itertools
import os
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.torrentfile import bencode, make_torrent, read_torrent
from qbt_bridge.daemon.demo import LocalMosquitto, LocalQBittorrent, Release, free_port
from qbt_bridge.engine.bridge import Bridge, RefreshPolicy
from qbt_bridge.engine.events import EventKind
from qbt_bridge.engine.push import PushReceiver, PushTarget, install_push, push_line
from qbt_bridge.engine.store import SyncStore

TICKS = os.sysconf("SC_CLK_TCK")
BATCH = 500
CHURN_EVERY = 5.0
POLL_EVERY = 30.0
FRESH_PATIENCE = 60.0


@dataclass(frozen=True)
class Front:
    """A front's default refresh settings (seconds)."""

    name: str
    fast: float
    full: float
    push_full: float

    def policy(self) -> RefreshPolicy:
        return RefreshPolicy(
            fast_interval=self.fast, full_interval=self.full, push_full_interval=self.push_full
        )


# The daemon's defaults (daemon/config.py) and the integration's (custom_components/…/const.py).
FRONTS = (Front("daemon", 5, 300, 900), Front("ha", 10, 240, 900))

Work = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


def tiny_torrent(index: int, salt: str) -> bytes:
    """A unique 1 KiB single-file torrent, without any data on disk."""
    piece = hashlib.sha1(f"{salt}-{index}".encode()).digest()  # noqa: S324
    name = f"bench-{salt}-{index:05d}.bin"
    return bencode({"info": {"name": name, "length": 1024, "piece length": 16384, "pieces": piece}})


def rss_mib(pid: int) -> float:
    """A process's resident memory."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


@dataclass
class Figures:
    """One approach's figures, per minute."""

    name: str
    qbt_cpu: float
    own_cpu: float
    bytes: float
    requests: float
    globals_age: float
    active_age: float
    inactive_age: float
    completion: str
    fresh: str = ""  # added / edited / paused elsewhere: seconds until the engine had each


@dataclass
class Bench:
    """One loaded daemon and the clients that measure it."""

    qbt: LocalQBittorrent
    admin: QBittorrentClient
    churner: QBittorrentClient
    hashes: list[str]
    seconds: float

    async def window(self, work: Work) -> tuple[float, float]:
        """Run ``work`` for the window with churn; (qBittorrent CPU, own CPU) per minute."""
        stop = asyncio.Event()
        pid = self.qbt.pid or 0
        cpu0, own0 = cpu_seconds(pid), time.process_time()
        tasks = [asyncio.create_task(self._churn(stop)), asyncio.create_task(work(stop))]
        await asyncio.sleep(self.seconds)
        stop.set()
        await asyncio.gather(*tasks)
        scale = 60.0 / self.seconds
        return (cpu_seconds(pid) - cpu0) * scale, (time.process_time() - own0) * scale

    async def _churn(self, stop: asyncio.Event) -> None:
        await churn(self.churner, self.hashes, stop)


async def churn(
    client: QBittorrentClient,
    hashes: list[str],
    stop: asyncio.Event,
    moved: Callable[[int], None] = lambda _n: None,
) -> None:
    """Until ``stop``: every 5 s, move 1 % of the torrents to the other category (``moved``)."""
    rng = random.Random(7)  # noqa: S311 - a repeatable sample, not a secret
    sample = max(1, len(hashes) // 100)
    flip = 0
    while not stop.is_set():
        await client.torrents_set_category(rng.sample(hashes, sample), f"bench-{flip % 2}")
        moved(sample)
        flip += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), CHURN_EVERY)


async def load(client: QBittorrentClient, count: int, salt: str) -> list[str]:
    """Add ``count`` paused torrents and wait until qBittorrent lists them all."""
    hashes = []
    for start in range(0, count, BATCH):
        files = [tiny_torrent(i, salt) for i in range(start, min(count, start + BATCH))]
        hashes += [read_torrent(f).info_hash for f in files]
        await client.torrents_add(torrent_files=files, paused=True)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if len((await client.sync_maindata()).torrents) >= count:
            return hashes
        await asyncio.sleep(1)
    raise RuntimeError("qBittorrent did not list every torrent in time")


async def _idle(stop: asyncio.Event) -> None:
    await stop.wait()


async def measure_poller(
    bench: Bench, name: str, *, full_view: bool, every: float = POLL_EVERY
) -> Figures:
    """Today's integrations: a full dump every ``every`` seconds."""
    qbt = bench.qbt
    async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as viewer:
        await viewer.transfer_info()  # log in outside the window
        b0, r0 = viewer.bytes_received, viewer.requests_sent

        async def poll(stop: asyncio.Event) -> None:
            while not stop.is_set():
                await (viewer.sync_maindata() if full_view else viewer.torrents_info())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), every)

        qbt_cpu, own = await bench.window(poll)
        scale = 60.0 / bench.seconds
        return Figures(name, qbt_cpu, own, (viewer.bytes_received - b0) * scale,
                       (viewer.requests_sent - r0) * scale, every, every, every,
                       f"≤ {every:g} s (poll only)")  # fmt: skip


async def measure_front(
    bench: Bench, front: Front, seed: LocalQBittorrent, seed_torrent: bytes, *, push: bool
) -> Figures:
    """One front's refresh at its defaults, with qBittorrent's push or without."""
    qbt = bench.qbt
    async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
        bridge = Bridge(client, "bench", policy=front.policy())
        receiver = PushReceiver({"bench": PushTarget(bridge)})
        await receiver.start()
        url = receiver.url("bench")
        await bench.admin.app_set_preferences(  # empty slots: no earlier row's line
            {"autorun_program": "", "autorun_enabled": False,
             "autorun_on_torrent_added_program": "", "autorun_on_torrent_added_enabled": False}
        )  # fmt: skip
        if push:
            await install_push(bridge, push_line(url), url)  # push works from here on
        await bridge.refresh()  # the first full dump, outside the window
        await client.webapi_version()  # refresh_by_sweep below goes by it
        await asyncio.sleep(front.fast)
        cpu0, own0, bytes0 = cpu_seconds(qbt.pid or 0), time.process_time(), client.bytes_received
        await bridge.refresh(full=True)  # one steady-state sweep, to amortise
        sweep = (cpu_seconds(qbt.pid or 0) - cpu0, time.process_time() - own0,
                 client.bytes_received - bytes0)  # fmt: skip
        # The interval its measured cost gives. From 5.1 every tick is a rid sweep (the
        # cheapest read there), and a sweep due within the window runs in it: counted already.
        interval = front.fast if client.refresh_by_sweep else bridge.refresher.sweep_interval
        share = 0.0 if interval <= bench.seconds else 60.0 / interval
        name = f"{front.name}+push" if push else front.name
        print(f"  {name}: one rid sweep: qBittorrent {sweep[0]:.2f} s CPU, own {sweep[1]:.3f} s, "
              f"{sweep[2] / 1e3:.1f} kB; a sweep every {interval:g} s, "
              f"{share:.2f} per minute", flush=True)  # fmt: skip
        b0, r0 = client.bytes_received, client.requests_sent
        qbt_cpu, own = await bench.window(bridge.run)
        scale = 60.0 / bench.seconds
        figures = Figures(
            name, qbt_cpu + sweep[0] * share, own + sweep[1] * share,
            (client.bytes_received - b0) * scale + sweep[2] * share,
            (client.requests_sent - r0) * scale + share,
            front.fast, front.fast, interval,
            await completion_age(bridge, bench.admin, seed, seed_torrent, push=push),
            await freshness(bridge, bench, interval),
        )  # fmt: skip
        # With its data: the next row downloads it again (a torrent first seen complete is
        # not announced as completed).
        await bench.admin.torrents_delete([read_torrent(seed_torrent).info_hash], delete_files=True)
        await receiver.stop()
        return figures


async def completion_age(
    bridge: Bridge,
    admin: QBittorrentClient,
    seed: LocalQBittorrent,
    seed_torrent: bytes,
    *,
    push: bool,
) -> str:
    """A real 1 MiB download; from a 50 ms watcher's first sight of completion to the event."""
    seed_hash = read_torrent(seed_torrent).info_hash
    events: list[float] = []
    bridge.add_listener(
        lambda e: events.append(time.monotonic()) if e.kind is EventKind.COMPLETED else None
    )
    stop = asyncio.Event()
    loop = asyncio.create_task(bridge.run(stop))
    await admin.torrents_add(torrent_files=[seed_torrent])
    # A download is usually known long before it completes: without push it is learnt here
    # as a sweep would have (with push, qBittorrent's program tells at once).
    deadline = time.monotonic() + 60
    while seed_hash not in bridge.store and time.monotonic() < deadline:
        if not push:
            bridge.notify(seed_hash)
        await asyncio.sleep(0.5)
    await admin.torrents_add_peers([seed_hash], [f"127.0.0.1:{seed.bt_port}"])
    seen = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (seen and events):
        found = await admin.torrents_info(hashes=[seed_hash])
        if seen is None and found and found[0].progress >= 1.0:
            seen = time.monotonic()
        await asyncio.sleep(0.05)
    stop.set()
    await loop
    if seen is None or not events:
        return "not seen in 60 s"
    return f"{max(0.0, events[0] - seen):.2f} s after it was visible"


_FRESH = itertools.count()


async def _until(seen: Callable[[], bool], seconds: float) -> None:
    """Look every 50 ms until ``seen()`` holds or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    for _ in itertools.count():
        if seen() or time.monotonic() >= deadline:
            return
        await asyncio.sleep(0.05)


async def freshness(bridge: Bridge, bench: Bench, interval: float) -> str:
    """Seconds from a change made in qBittorrent by another client to the engine having it:
    a torrent added (paused), a tag added to an idle torrent, an active torrent paused. Each
    is waited for up to the next sweep (and two fast ticks), FRESH_PATIENCE at most; later is
    shown as not seen (it shows at the next sweep: the 'inactive' column)."""
    stop = asyncio.Event()
    loop = asyncio.create_task(bridge.run(stop))
    patience = min(interval + 2 * bridge.policy.fast_interval + 5, FRESH_PATIENCE)
    store = bridge.store
    marks: list[str] = []
    try:
        unique = next(_FRESH)
        data = tiny_torrent(unique, "fresh")
        added = read_torrent(data).info_hash
        idle = bench.hashes[-1]  # paused since loading, never churned
        active = bench.hashes[0]  # one of the 1 % resumed
        await bench.admin.resume([active])
        await asyncio.sleep(2 * bridge.policy.fast_interval)  # the engine knows it running
        tag = f"fresh-{unique}"
        changes: list[tuple[str, Callable[[], Coroutine[Any, Any, Any]], Callable[[], bool]]] = [
            ("added", lambda: bench.admin.torrents_add(torrent_files=[data], paused=True),
             lambda: added in store),
            ("edited", lambda: bench.admin.torrents_add_tags([idle], [tag]),
             lambda: tag in getattr(store.torrent(idle), "tags", ())),
            ("paused", lambda: bench.admin.pause([active]),
             lambda: store.state(active).is_stopped),
        ]  # fmt: skip
        for name, change, seen in changes:
            await change()
            started = time.monotonic()
            await _until(seen, patience)
            took = time.monotonic() - started
            marks.append(f"{name} {took:.1f} s" if seen() else f"{name} > {patience:.0f} s")
        await bench.admin.torrents_delete([added], delete_files=True)
        await bench.admin.resume([active])
    finally:
        stop.set()
        await loop
    return ", ".join(marks)


async def measure_memory(client: QBittorrentClient) -> None:
    """What a full store of this server takes (tracemalloc)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    store = SyncStore()
    store.apply_maindata(await client.sync_maindata())
    store.torrents()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(f"  store memory for {len(store)} torrents: {used / 2**20:.1f} MiB (tracemalloc)")


async def measure(
    release: Release,
    size: int,
    seconds: float,
    seed: LocalQBittorrent,
    seed_torrent: bytes,
    *,
    soak: float,
) -> list[Figures]:
    """Every row against one loaded daemon."""
    with LocalQBittorrent(release) as qbt:
        async with (
            QBittorrentClient(qbt.url, qbt.username, qbt.password) as admin,
            QBittorrentClient(qbt.url, qbt.username, qbt.password) as churner,
        ):
            for name in ("bench-0", "bench-1"):
                await admin.torrents_create_category(name)
            print(f"  loading {size} torrents ...", flush=True)
            hashes = await load(admin, size, f"n{size}")
            await admin.resume(hashes[: max(1, size // 100)])
            await asyncio.sleep(3)
            bench = Bench(qbt, admin, churner, hashes, seconds)
            await bench.window(_idle)  # a warm-up, not counted: qBittorrent settles after loading
            rows = [
                await measure_front(bench, front, seed, seed_torrent, push=push)
                for front in FRONTS
                for push in (True, False)
            ]
            rows.append(await measure_poller(bench, "ha-core", full_view=True))
            rows += [
                await measure_poller(bench, f"core@{f.fast:g}s", full_view=True, every=f.fast)
                for f in FRONTS
            ]
            rows.append(await measure_poller(bench, "info", full_view=False))
            await measure_memory(admin)
            idle_qbt, idle_own = await bench.window(_idle)  # last: start-up work is long done
            rows.append(Figures("idle", idle_qbt, idle_own, 0, 0, 0, 0, 0, "(churn only)"))
            if soak > 0:
                await soak_daemon(qbt, soak)
            return rows


async def soak_daemon(qbt: LocalQBittorrent, seconds: float) -> None:
    """The real daemon (push and the MQTT front on) against the loaded server: RSS over time."""
    folder = Path(tempfile.mkdtemp(prefix="qbt-bench-soak-"))
    broker = LocalMosquitto()
    broker.start()
    config = folder / "config.yaml"
    config.write_text(
        f"instances:\n  - {{id: bench, url: '{qbt.url}', username: {qbt.username}, "
        f"password: '{qbt.password}'}}\npush: {{port: {free_port()}, install: true}}\n"
        f"mqtt: {{host: 127.0.0.1, port: {broker.port}}}\n"
        "log_level: warning\n"
        f"state_dir: {folder / 'state'}\n",
        encoding="utf-8",
    )
    daemon = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "qbt_bridge.daemon.cli", "run", "--config", str(config)
    )
    samples: list[float] = []
    try:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            await asyncio.sleep(30)
            samples.append(rss_mib(daemon.pid))  # /proc: no disk behind it
    finally:
        daemon.terminate()
        await daemon.wait()
        broker.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
    series = ", ".join(f"{m:.1f}" for m in samples)
    print(f"  daemon RSS every 30 s over {seconds:g} s (MiB): {series}")
    half = len(samples) // 2
    if half:
        first, last = max(samples[:half]), max(samples[half:])
        print(
            f"  daemon RSS: steady {last:.1f} MiB, highest of the second half minus the "
            f"first {last - first:+.1f} MiB",
            flush=True,
        )


def report(size: int, rows: list[Figures]) -> None:
    """Print the table and each row's ratios to Home Assistant core's approach."""
    print(f"\nN = {size}, 1 % active, 1 % re-categorised every {CHURN_EVERY:g} s; per minute:")
    print(f"{'approach':<11} {'qBt CPU s':>9} {'own CPU s':>9} {'MB recv':>8} {'requests':>8} "
          f"{'globals':>8} {'active':>7} {'inactive':>8}  completion")  # fmt: skip
    for r in rows:
        print(f"{r.name:<11} {r.qbt_cpu:>9.3f} {r.own_cpu:>9.3f} {r.bytes / 1e6:>8.2f} "
              f"{r.requests:>8.0f} {r.globals_age:>7.0f}s {r.active_age:>6.0f}s "
              f"{r.inactive_age:>7.0f}s  {r.completion}")  # fmt: skip
        if r.fresh:
            print(f"{'':<11} changed elsewhere, seen after: {r.fresh}")  # fmt: skip
    named = {r.name: r for r in rows}
    core, idle = named["ha-core"], named["idle"]

    def net(value: float, base: float) -> float:
        return max(value - base, 0.0)

    def share(value: float, of: float, base: float) -> float:
        return net(value, base) / max(net(of, base), 1e-9)

    for front in FRONTS:
        fresh = named[f"core@{front.fast:g}s"]
        for name in (f"{front.name}+push", front.name):
            r = named[name]
            qbt = share(r.qbt_cpu, core.qbt_cpu, idle.qbt_cpu)
            print(
                f"ratio {name}: qBittorrent CPU {qbt:.1%}, "
                f"own CPU {share(r.own_cpu, core.own_cpu, idle.own_cpu):.1%} "
                f"({share(r.own_cpu, fresh.own_cpu, idle.own_cpu):.1%} of {fresh.name}), "
                f"bytes {r.bytes / max(core.bytes, 1):.1%}, globals ≤ {r.globals_age:g} s, "
                f"completion {r.completion}",
                flush=True,
            )
    print()


async def main() -> None:
    """Measure each size in turn."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--window", type=float, default=60.0, help="seconds per measurement")
    parser.add_argument("--soak", type=float, default=0.0, help="seconds of the real daemon")
    parser.add_argument(
        "--release", default="host", help="qbittorrent-nox to load: host (4.5.2), trixie, forky"
    )
    args = parser.parse_args()
    with LocalQBittorrent() as seed:
        payload = Path(seed.downloads) / "bench-payload.bin"
        payload.write_bytes(os.urandom(1024 * 1024))
        seed_torrent = make_torrent(payload)
        async with QBittorrentClient(seed.url, seed.username, seed.password) as seeder:
            await seeder.torrents_add(torrent_files=[seed_torrent], save_path=str(payload.parent))
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"measuring N = {size} ({args.window:g} s per window) ...", flush=True)
            rows = await measure(
                Release.named(args.release), size, args.window, seed, seed_torrent, soak=args.soak
            )
            report(size, rows)


if __name__ == "__main__":
    asyncio.run(main())
