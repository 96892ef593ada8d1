"""Benchmark: many torrents in one daemon — one instance of growing size, then many instances.

Each row runs the real daemon (``qbt-bridge run``: the MQTT front on a real Mosquitto, push
installed, per-torrent and per-category topics on at their default caps) against real
qbittorrent-nox daemons loaded with tiny paused torrents, while another client moves 1 % of each
server's torrents to another category every 5 s (the churn), and a subscriber counts what the
daemon publishes. Every row has the same window, so figures per instance compare. Per row:
  first state   seconds from the daemon's start to its first state topic of each instance
  own CPU       the daemon's CPU seconds per minute (and per instance) over the window
  qBt CPU       the qBittorrents' CPU seconds per minute, summed (and per instance), beside
                two baselines on the same servers with the same churn: Home Assistant core's
                approach (sync/maindata without rid every 30 s per server) before the daemon,
                after half a baseline window for qBittorrent to settle, and idle (no viewer)
                after it; the ratio daemon / core, and (daemon - idle) / (core - idle)
  RSS           the daemon's resident memory every 30 s over the window, and its drift
  MQTT          messages per minute, and per change the churn made

Part 1: one instance of each ``--sizes``; part 2: ``--instances`` of ``--size`` each.

Run: .venv/bin/python bench/scale.py [--sizes 1000,10000,50000] [--instances 10]
     [--size 10000] [--window 600] [--baseline 120] [--release host]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiomqtt
from refresh import POLL_EVERY, churn, cpu_seconds, load, rss_mib  # bench/: the script's folder

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalMosquitto, LocalQBittorrent, Release, free_port

SAMPLE_EVERY = 30.0


@dataclass
class Server:
    """One loaded qbittorrent-nox and the client that churns it."""

    qbt: LocalQBittorrent
    hashes: list[str]
    name: str
    changes: int = 0

    def count(self, moved: int) -> None:
        """The churn moved this many torrents."""
        self.changes += moved


@dataclass
class Counter:
    """What the daemon published: messages, and the first state topic of each instance."""

    expected: int
    messages: int = 0
    first_state: dict[str, float] = field(default_factory=dict)
    all_seen: asyncio.Event = field(default_factory=asyncio.Event)


async def _loaded(release: Release, size: int, name: str) -> Server:
    qbt = LocalQBittorrent(release)
    qbt.start()
    async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
        hashes = await load(client, size, name)
        for category in ("bench-0", "bench-1"):  # the churn moves torrents between these
            await client.torrents_create_category(category)
    return Server(qbt, hashes, name)


async def _churn(server: Server, stop: asyncio.Event) -> None:
    async with QBittorrentClient(server.qbt.url, server.qbt.username, server.qbt.password) as c:
        await churn(c, server.hashes, stop, moved=server.count)


async def _core(server: Server, stop: asyncio.Event) -> None:
    """Home Assistant core's approach: the whole sync/maindata (no rid) every 30 s."""
    async with QBittorrentClient(server.qbt.url, server.qbt.username, server.qbt.password) as c:
        while not stop.is_set():
            await c.sync_maindata()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), POLL_EVERY)


async def qbt_cpu(servers: list[Server], seconds: float, *, core: bool) -> float:
    """qBittorrent CPU s/min, summed, over ``seconds`` of churn (and core's approach, if asked)."""
    stop = asyncio.Event()
    pids = [s.qbt.pid or 0 for s in servers]
    cpu0 = sum(cpu_seconds(p) for p in pids)
    tasks = [asyncio.create_task(_churn(s, stop)) for s in servers]
    if core:
        tasks += [asyncio.create_task(_core(s, stop)) for s in servers]
    begun = time.monotonic()
    await asyncio.sleep(seconds)
    figure = (sum(cpu_seconds(p) for p in pids) - cpu0) * 60 / (time.monotonic() - begun)
    stop.set()
    await asyncio.gather(*tasks)
    return figure


async def _listen(port: int, counter: Counter, started: float, stop: asyncio.Event) -> None:
    async with aiomqtt.Client("127.0.0.1", port) as client:
        await client.subscribe("qbt-bridge/#")
        async for message in client.messages:
            counter.messages += 1
            parts = str(message.topic).split("/")
            if len(parts) > 2 and parts[2] == "state" and parts[1] not in counter.first_state:
                counter.first_state[parts[1]] = time.monotonic() - started
                if len(counter.first_state) >= counter.expected:
                    counter.all_seen.set()
            if stop.is_set():
                return


def _config(folder: Path, servers: list[Server], broker_port: int) -> Path:
    """The daemon's configuration: every server, push, MQTT with per-torrent and category topics."""
    instances = "".join(
        f"  - {{id: {s.name}, url: '{s.qbt.url}', username: {s.qbt.username}, "
        f"password: '{s.qbt.password}'}}\n"
        for s in servers
    )
    config = folder / "config.yaml"
    config.write_text(
        f"instances:\n{instances}push: {{port: {free_port()}, install: true}}\n"
        f"mqtt: {{host: 127.0.0.1, port: {broker_port}, torrents: {{enabled: true}}, "
        f"categories: {{enabled: true}}}}\nlog_level: warning\n"
        f"state_dir: {folder / 'state'}\n",
        encoding="utf-8",
    )
    return config


async def run_row(servers: list[Server], window: float, baseline: float, label: str) -> None:
    """Core's approach, the daemon (first state, the window with churn), then idle."""
    await asyncio.sleep(baseline / 2)  # not counted: qBittorrent settles after loading
    core = await qbt_cpu(servers, baseline, core=True)
    folder = Path(tempfile.mkdtemp(prefix="qbt-bench-scale-"))
    broker = LocalMosquitto()
    broker.start()
    config = _config(folder, servers, broker.port)
    counter = Counter(len(servers))
    stop = asyncio.Event()
    started = time.monotonic()
    listener = asyncio.create_task(_listen(broker.port, counter, started, stop))
    daemon = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "qbt_bridge.daemon.cli", "run", "--config", str(config)
    )
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(counter.all_seen.wait(), 300)
        firsts = sorted(counter.first_state.values())
        await asyncio.sleep(10)  # the first sweep's discovery and state are out
        qbt_pids = [s.qbt.pid or 0 for s in servers]
        own0, qbt0 = cpu_seconds(daemon.pid), sum(cpu_seconds(p) for p in qbt_pids)
        messages0 = counter.messages
        for s in servers:
            s.changes = 0
        churn = [asyncio.create_task(_churn(s, stop)) for s in servers]
        samples: list[float] = []
        begun = time.monotonic()
        while time.monotonic() - begun < window:
            await asyncio.sleep(min(SAMPLE_EVERY, window - (time.monotonic() - begun)))
            samples.append(rss_mib(daemon.pid))
        elapsed = time.monotonic() - begun
        own = (cpu_seconds(daemon.pid) - own0) * 60 / elapsed
        qbt = (sum(cpu_seconds(p) for p in qbt_pids) - qbt0) * 60 / elapsed
        messages = (counter.messages - messages0) * 60 / elapsed
        changes = sum(s.changes for s in servers) * 60 / elapsed
        stop.set()
        await asyncio.gather(*churn)
    finally:
        stop.set()
        daemon.terminate()
        await daemon.wait()
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
            await listener
        broker.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
    idle = await qbt_cpu(servers, baseline, core=False)  # last: start-up work long done
    n = len(servers)
    half = len(samples) // 2
    drift = max(samples[half:]) - max(samples[:half]) if half else 0.0
    print(
        f"{label}\n"
        f"  first state on MQTT      {', '.join(f'{f:.1f}' for f in firsts)} s "
        f"({len(firsts)} of {n} instances)\n"
        f"  own CPU                  {own:.2f} s/min ({own / n:.2f} per instance)\n"
        f"  qBittorrent CPU          {qbt:.2f} s/min ({qbt / n:.2f} per instance); idle "
        f"{idle:.2f}, core's approach {core:.2f}; ratio {qbt / core * 100 if core else 0:.1f} %, "
        f"less idle {ratio(qbt, idle, core)}\n"
        f"  RSS every {SAMPLE_EVERY:g} s (MiB)    {', '.join(f'{m:.1f}' for m in samples)}; "
        f"second half minus first {drift:+.1f}\n"
        f"  MQTT                     {messages:.0f} messages/min for {changes:.0f} changes/min "
        f"({messages / changes if changes else 0:.2f} per change)",
        flush=True,
    )


def ratio(daemon: float, idle: float, core: float) -> str:
    """(daemon - idle) / (core - idle), as a percentage."""
    if core <= idle:
        return "n/a (core's approach cost no more than idle)"
    return f"{max(0.0, daemon - idle) / (core - idle) * 100:.1f} %"


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--instances", type=int, default=10)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--window", type=float, default=600.0)
    parser.add_argument("--baseline", type=float, default=120.0)
    parser.add_argument("--release", default="host")
    args = parser.parse_args()
    release = Release.named(args.release)
    for size in (int(s) for s in args.sizes.split(",") if s):
        loaded = time.monotonic()
        server = await _loaded(release, size, "one")
        print(f"loaded {size} torrents in {time.monotonic() - loaded:.0f} s", flush=True)
        try:
            await run_row([server], args.window, args.baseline, f"one instance of {size} torrents")
        finally:
            server.qbt.cleanup()
    if args.instances:
        loaded = time.monotonic()
        servers = []
        try:
            for i in range(args.instances):
                # one at a time, each kept at once: the cleanup stops every one started
                servers.append(await _loaded(release, args.size, f"q{i:02d}"))  # noqa: PERF401
            print(
                f"loaded {args.instances} x {args.size} torrents in "
                f"{time.monotonic() - loaded:.0f} s",
                flush=True,
            )
            label = f"{args.instances} instances of {args.size} torrents"
            await run_row(servers, args.window, args.baseline, label)
        finally:
            for server in servers:
                server.qbt.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
