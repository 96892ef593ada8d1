"""The real daemon (``qbt-bridge run``'s Daemon) in a test's event loop: with push on, or
serving the demo."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from qbt_bridge.daemon.config import Config, parse_config
from qbt_bridge.daemon.demo import free_port
from qbt_bridge.daemon.process import Daemon
from qbt_bridge.daemon.showcase import Showcase
from tests.helpers import wait_for
from tests.mqtt.helpers import Probe

SECRET = "push-secret-0123456789abcdef"
HOUR = 3600


def push_config(url: str, tmp_path: Path, **push: Any) -> Config:
    """One instance ``test`` that is never polled (an hour between refreshes), with push."""
    instance: dict[str, Any] = {"id": "test", "url": url, "fast_interval": HOUR}
    return parse_config(
        {
            "instances": [{**instance, "full_interval": HOUR, **push.pop("instance", {})}],
            "push": {"port": free_port(), "secret": SECRET, **push},
            "state_dir": str(tmp_path / "state"),
        }
    )


@contextlib.asynccontextmanager
async def serving(config: Config) -> AsyncIterator[Daemon]:
    """The daemon for the block; it must still be running at the end."""
    daemon = Daemon(config)
    stop = asyncio.Event()
    task = asyncio.create_task(daemon.run(stop))
    try:
        await wait_for(lambda: _listening(daemon, task), "the push and metrics endpoints to listen")
        yield daemon
        assert not task.done(), "the daemon stopped on its own"
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def _listening(daemon: Daemon, task: asyncio.Task[None]) -> bool:
    if task.done():
        task.result()
    servers = [server for server in (daemon.push, daemon.metrics) if server is not None]
    return bool(servers) and all(server.listening for server in servers)


@contextlib.asynccontextmanager
async def demo_served(size: int, rate: int) -> AsyncIterator[tuple[Showcase, Daemon, Probe]]:
    """The demo (``scripts/run``) served by the daemon past its first refresh, and a probe on
    the demo's broker; the daemon must still be running at the end."""
    demo = Showcase(size=size, rate=rate)
    try:
        await asyncio.to_thread(demo.start)
        daemon, stop = Daemon(demo.config()), asyncio.Event()
        async with Probe(demo.broker.port) as probe:
            task = asyncio.create_task(daemon.run(stop))
            try:
                await wait_for(lambda: _initialised(daemon), "the first refresh")
                yield demo, daemon, probe
                assert not task.done(), "the daemon stopped on its own"
            finally:
                stop.set()
                await asyncio.wait_for(task, 30)
    finally:
        await asyncio.to_thread(demo.cleanup)


async def _initialised(daemon: Daemon) -> bool:
    return all(b.store.initialised for b in daemon.bridges)
