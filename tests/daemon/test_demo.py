"""``qbt-bridge run --demo`` shows things happening: a real transfer between two throwaway
qBittorrents, its *added* and *completed* events on the demo broker, pushed by qBittorrent."""

from __future__ import annotations

import json

from qbt_bridge.daemon.showcase import DEMO_NAME
from tests.daemon.serving import demo_served
from tests.helpers import wait_for


async def test_the_demo_downloads_and_announces_it() -> None:
    # two seconds instead of a minute
    async with demo_served(size=4 * 2**20, rate=2 * 2**20) as (demo, daemon, probe):
        push = daemon.config.push
        assert push is not None
        assert push.install
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
