"""Benchmark: what the MQTT front publishes for a large qBittorrent, how fast it answers, its RSS.

Loads N tiny paused torrents into a real qbittorrent-nox and serves it with the real daemon
(``qbt-bridge run``, a separate process) on a real Mosquitto, per-torrent topics on for every
torrent. A subscriber counts what reaches the broker:

  start-up   the first publish: global state, discovery, one state topic per torrent
  idle       nothing changes in qBittorrent
  churn      another client moves 1 % of the torrents to another category every poll

The daemon sweeps ``sync/maindata`` (with ``rid``) every poll here, so it sees every change
at once; what is measured is the front's share: messages and bytes per poll should follow
what changed, not the torrent count. The daemon's RSS (VmRSS, and its peak VmHWM) is read
from /proc after each phase.

Command latency: the daemon's own code in this process (same event loop as the publisher),
so the moment it calls qBittorrent can be stamped; ``--commands`` alt-speed commands
(alternating ON and OFF) are published one after another, each waiting for its answer. Here
the daemon runs its default refresh (5 s ticks, a sweep every 300 s). The broker and both
clients set TCP_NODELAY (Mosquitto: ``set_tcp_nodelay true``); without it each hop that
follows a PUBACK can wait ~40 ms for a delayed ACK.

Run: scripts/bench-mqtt [--size 10000] [--window 60] [--commands 300]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from refresh import load

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.config import parse_config
from qbt_bridge.daemon.demo import LocalMosquitto, LocalQBittorrent
from qbt_bridge.daemon.process import Daemon

POLL = 5.0
PREFIX = "qbt-bridge"


class Tally:
    """Every message a subscriber to ``#`` sees, by kind of topic."""

    def __init__(self) -> None:
        self.count: Counter[str] = Counter()
        self.bytes: Counter[str] = Counter()
        self.last = time.monotonic()

    def see(self, topic: str, payload: bytes) -> None:
        kind = _kind(topic)
        self.count[kind] += 1
        self.bytes[kind] += len(topic) + len(payload)
        self.last = time.monotonic()

    def snapshot(self) -> tuple[Counter[str], Counter[str]]:
        return Counter(self.count), Counter(self.bytes)


def _kind(topic: str) -> str:
    if topic.startswith("homeassistant/"):
        return "discovery"
    if "/torrent/" in topic:
        return "torrent"
    if "/state/" in topic:
        return "global"
    return "other"


@contextlib.asynccontextmanager
async def subscriber(port: int, counter: Tally) -> AsyncIterator[aiomqtt.Client]:
    """A client subscribed to everything, feeding ``counter`` in the background."""
    async with aiomqtt.Client("127.0.0.1", port, max_queued_incoming_messages=0) as client:
        await client.subscribe("#", qos=0)

        async def read() -> None:
            async for message in client.messages:
                counter.see(str(message.topic), bytes(message.payload))

        task = asyncio.create_task(read())
        try:
            yield client
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def rss_mib(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM of a process, MiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


async def quiet(counter: Tally, seconds: float, limit: float = 600) -> None:
    """Wait until nothing has arrived for ``seconds`` (start-up publish done)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if time.monotonic() - counter.last >= seconds:
            return
        await asyncio.sleep(0.5)
    raise RuntimeError("the daemon did not settle")


def report_window(name: str, counter: Tally, window: float, before: Any) -> None:
    """Messages and bytes per poll in a window, by kind."""
    count, size = counter.snapshot()
    polls = window / POLL
    count.subtract(before[0])
    size.subtract(before[1])
    kinds = ", ".join(f"{k} {count[k] / polls:.1f}" for k in sorted(count) if count[k])
    print(
        f"  {name:<8} per poll: {sum(count.values()) / polls:8.1f} messages "
        f"({kinds or 'none'}), {sum(size.values()) / polls / 1e3:8.1f} kB",
        flush=True,
    )


async def churn(client: QBittorrentClient, hashes: list[str], stop: asyncio.Event) -> None:
    """Move 1 % of the torrents to the other category every poll."""
    step = max(1, len(hashes) // 100)
    offset = 0
    while not stop.is_set():
        chunk = [hashes[(offset + i) % len(hashes)] for i in range(step)]
        await client.torrents_set_category(chunk, f"bench-{(offset // len(hashes)) % 2}")
        offset += step
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), POLL)


def write_config(
    folder: Path, qbt: LocalQBittorrent, port: int, size: int, full_interval: float
) -> Path:
    path = folder / "bench.yml"
    config = {
        "instances": [
            {"id": "bench", "url": qbt.url, "username": qbt.username, "password": qbt.password,
             "fast_interval": POLL, "full_interval": full_interval, "request_timeout": 60,
             "kind": "qbittorrent"},
        ],
        "mqtt": {"host": "127.0.0.1", "port": port, "torrents": {"enabled": True, "limit": size}},
        "state_dir": str(folder / "state"),
        "log_level": "warning",
    }  # fmt: skip
    path.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    return path


async def publishing(
    qbt: LocalQBittorrent, broker: LocalMosquitto, hashes: list[str], window: float
) -> None:
    """Phases start-up, idle and churn against a daemon process; its RSS after each."""
    with tempfile.TemporaryDirectory(prefix="qbt-bridge-bench-") as folder:
        config = write_config(Path(folder), qbt, broker.port, len(hashes), POLL)
        counter = Tally()
        async with subscriber(broker.port, counter):
            started = time.monotonic()
            daemon = subprocess.Popen(  # noqa: ASYNC220 - started once, before the window
                [str(Path(sys.executable).parent / "qbt-bridge"), "run", "--config", str(config)],
                stdin=subprocess.DEVNULL,
            )
            try:
                await quiet(counter, 3 * POLL)
                took = counter.last - started
                count, size = counter.snapshot()
                kinds = ", ".join(f"{k} {count[k]}" for k in sorted(count))
                print(
                    f"  start-up: {sum(count.values())} messages ({kinds}), "
                    f"{sum(size.values()) / 1e6:.1f} MB, all out {took:.1f} s after launch; "
                    "RSS {:.1f} MiB (peak {:.1f})".format(*rss_mib(daemon.pid)),
                    flush=True,
                )
                before = counter.snapshot()
                await asyncio.sleep(window)
                report_window("idle", counter, window, before)
                print(
                    "           RSS {:.1f} MiB (peak {:.1f})".format(*rss_mib(daemon.pid)),
                    flush=True,
                )
                async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as other:
                    stop = asyncio.Event()
                    task = asyncio.create_task(churn(other, hashes, stop))
                    await asyncio.sleep(POLL)  # the first move reaches the daemon
                    before = counter.snapshot()
                    await asyncio.sleep(window)
                    report_window("churn", counter, window, before)
                    stop.set()
                    await task
                print(
                    "           RSS {:.1f} MiB (peak {:.1f})".format(*rss_mib(daemon.pid)),
                    flush=True,
                )
            finally:
                daemon.terminate()
                daemon.wait(60)


def stamp_requests(daemon: Daemon, stamps: list[tuple[float, str]]) -> None:
    """Record when the daemon's client sends each request (path and monotonic time)."""
    client = daemon.bridges[0].client
    if not isinstance(client, QBittorrentClient):
        raise TypeError("the benchmark measures qBittorrent's client")
    transport = client._http  # noqa: SLF001 - a benchmark's probe
    original: Callable[..., Awaitable[Any]] = transport.request

    async def request(method: str, path: str, **kwargs: Any) -> Any:
        stamps.append((time.monotonic(), path))
        return await original(method, path, **kwargs)

    transport.request = request  # type: ignore[method-assign]


async def latency(qbt: LocalQBittorrent, broker: LocalMosquitto, commands: int) -> None:
    """Publish→qBittorrent call and publish→answer, over ``commands`` alt-speed commands."""
    with tempfile.TemporaryDirectory(prefix="qbt-bridge-bench-") as folder:
        config = parse_config(
            json.loads(write_config(Path(folder), qbt, broker.port, 1, 300).read_text())
        )
        daemon = Daemon(config)
        stamps: list[tuple[float, str]] = []
        stamp_requests(daemon, stamps)
        stop = asyncio.Event()
        task = asyncio.create_task(daemon.run(stop))
        to_call: list[float] = []
        to_answer: list[float] = []
        async with aiomqtt.Client(
            "127.0.0.1",
            broker.port,
            protocol=aiomqtt.ProtocolVersion.V5,
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],  # as the daemon's
        ) as client:
            reply_to = f"bench/{uuid.uuid4().hex}"
            await client.subscribe(reply_to, qos=1)
            if daemon.mqtt is None:
                raise RuntimeError("the config has no MQTT section")
            await daemon.mqtt.connected.wait()
            messages = aiter(client.messages)
            for index in range(commands):
                properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
                properties.ResponseTopic = reply_to
                properties.CorrelationData = str(index).encode()
                sent = time.monotonic()
                await client.publish(
                    f"{PREFIX}/bench/cmd/alt_speed",
                    "ON" if index % 2 == 0 else "OFF",
                    qos=1,
                    properties=properties,
                )
                message = await anext(messages)
                to_answer.append(time.monotonic() - sent)
                answer = json.loads(bytes(message.payload))
                if not answer["ok"]:
                    raise RuntimeError(f"command failed: {answer}")
                call = next(
                    t
                    for t, path in stamps
                    if t >= sent and "SpeedLimitsMode" in path.split("/")[-1]
                )
                to_call.append(call - sent)
        stop.set()
        await task
    for name, values in (("publish → qBittorrent call", to_call), ("publish → answer", to_answer)):
        cuts = statistics.quantiles(values, n=100)
        print(
            f"  {name:<27} p50 {cuts[49] * 1e3:7.1f} ms   p99 {cuts[98] * 1e3:7.1f} ms   "
            f"(n = {len(values)})",
            flush=True,
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=60.0, help="seconds per phase")
    parser.add_argument("--commands", type=int, default=300)
    args = parser.parse_args()
    with LocalQBittorrent() as qbt, LocalMosquitto() as broker:
        async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as admin:
            version = await admin.version()
            for name in ("bench-0", "bench-1"):
                await admin.torrents_create_category(name)
            print(f"qBittorrent {version}: loading {args.size} torrents ...", flush=True)
            hashes = await load(admin, args.size, f"m{args.size}")
        print(f"N = {args.size}, a poll every {POLL:g} s, per-torrent topics for all:", flush=True)
        await publishing(qbt, broker, hashes, args.window)
        print(f"command latency ({args.commands} alt-speed commands, one at a time):", flush=True)
        await latency(qbt, broker, args.commands)


if __name__ == "__main__":
    asyncio.run(main())
