"""Push from qBittorrent: its "run external program" setting tells the engine about a torrent.

qBittorrent runs ``qbt-bridge notify --url URL --instance ID <hash>`` when a torrent is added
or finished; that posts to a loopback endpoint of the running daemon (``PushReceiver``), and the
bridge fetches just that torrent at once, so added and completed events come within a second
without any poll.
"""

from __future__ import annotations

import logging
import re
import shlex
import sys
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp import web

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.engine.bridge import Bridge

_LOGGER = logging.getLogger(__name__)
_HASH = re.compile(r"^[0-9a-fA-F]{40}$|^[0-9a-fA-F]{64}$")


class PushReceiver:
    """A loopback HTTP endpoint: ``POST /notify`` with ``instance`` and ``hash`` form fields."""

    def __init__(
        self, bridges: Mapping[str, Bridge], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.bridges = bridges
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Where ``qbt-bridge notify`` posts to."""
        return f"http://{self.host}:{self.port}/notify"

    async def start(self) -> None:
        """Listen (on a free port when none was given)."""
        app = web.Application(client_max_size=4096)
        app.router.add_post("/notify", self._notify)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            server = site._server  # noqa: SLF001 - aiohttp keeps the bound socket here
            sockets: list[Any] = list(getattr(server, "sockets", None) or [])
            self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _notify(self, request: web.Request) -> web.Response:
        form = await request.post()
        instance = str(form.get("instance", "")) or next(iter(self.bridges), "")
        torrent_hash = str(form.get("hash", "")).strip()
        bridge = self.bridges.get(instance)
        if bridge is None:
            return web.Response(status=404, text=f"no instance {instance!r}\n")
        if torrent_hash and not _HASH.match(torrent_hash):
            return web.Response(status=400, text="hash must be 40 or 64 hex digits\n")
        bridge.notify(torrent_hash or None)
        _LOGGER.debug("push for %s: %s", instance, torrent_hash or "sweep")
        return web.Response(status=202, text="ok\n")


def notify_command(url: str, instance: str) -> str:
    """The command line to put in qBittorrent's "run external program" settings."""
    python = shlex.quote(sys.executable)
    target = f"--url {shlex.quote(url)} --instance {shlex.quote(instance)}"
    return f"{python} -m qbt_bridge.daemon.cli notify {target} %I"


async def install_push(client: QBittorrentClient, command: str) -> None:
    """Make qBittorrent run ``command`` when a torrent is added and when one finishes."""
    await client.app_set_preferences(
        {
            "autorun_enabled": True,
            "autorun_program": command,
            "autorun_on_torrent_added_enabled": True,
            "autorun_on_torrent_added_program": command,
        }
    )


async def send_notify(url: str, instance: str, torrent_hash: str) -> None:
    """Post one notification to a running daemon (what ``qbt-bridge notify`` does)."""
    form = {"instance": instance, "hash": torrent_hash}
    client_timeout = aiohttp.ClientTimeout(total=5)
    async with (
        aiohttp.ClientSession(timeout=client_timeout) as session,
        session.post(url, data=form) as response,
    ):
        if response.status != 202:
            raise RuntimeError(f"{url}: {response.status} {(await response.text()).strip()}")
