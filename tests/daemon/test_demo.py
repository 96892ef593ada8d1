"""``qbt-bridge run --demo`` shows things happening: a real transfer between two throwaway
qBittorrents, its *added* and *completed* events on the demo broker, pushed by qBittorrent."""

from __future__ import annotations

import asyncio
import json

from qbt_bridge.daemon.process import Daemon
from qbt_bridge.daemon.showcase import DEMO_NAME, Showcase
from tests.helpers import wait_for
from tests.mqtt.helpers import Probe


async def test_the_demo_downloads_and_announces_it() -> None:
    demo = Showcase(size=4 * 2**20, rate=2 * 2**20)  # two seconds instead of a minute
    try:
        await asyncio.to_thread(demo.start)
        config = demo.config()
        assert config.push is not None
        assert config.push.install
        daemon = Daemon(config)
        stop = asyncio.Event()
        async with Probe(demo.broker.port) as probe:
            task = asyncio.create_task(daemon.run(stop))
            try:
                await wait_for(lambda: _initialised(daemon), "the first refresh")
                await demo.start_transfer()

                async def events() -> list[str]:
                    payloads = probe.on("qbt-bridge/demo/events")
                    kinds = [json.loads(p)["event"] for p in payloads]
                    return kinds if "completed" in kinds else []

                kinds = await wait_for(events, "the demo's completed event")
                assert kinds[0] == "added"
                assert kinds.count("completed") == 1
                found = [p for p in probe.on("qbt-bridge/demo/events") if DEMO_NAME in p.decode()]
                assert found
                assert not task.done()
            finally:
                stop.set()
                await asyncio.wait_for(task, 30)
    finally:
        await asyncio.to_thread(demo.cleanup)


async def _initialised(daemon: Daemon) -> bool:
    return all(b.store.initialised for b in daemon.bridges)
