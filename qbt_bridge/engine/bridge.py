"""The engine's facade: the link to one server, and the parts everything fronts may ask of it.

Every front (Home Assistant, MQTT, Telegram) calls this and nothing below it.

Refresh tiers, so a large qBittorrent stays idle (``sync/maindata`` costs it O(N) CPU per call
even when nothing changed, ``transfer/info`` and ``torrents/info?hashes=`` almost nothing):

* every fast tick: ``transfer/info`` + the alt-speed mode, ``torrents/count`` (4.6+; a count
  that moved brings a sweep), and ``torrents/info?hashes=`` for the torrents that move data
  plus any hash pushed by ``notify()`` — downloads that wait for peers or their turn every 30 s;
* a ``sync/maindata`` sweep with the previous ``rid`` by its measured cost: at the fast
  interval while a sweep takes at most 0.25 s (on 4.5.2 up to about 1 000 torrents), rarer by
  the cube of its cost above that, at most every ``full_interval`` (``push_full_interval``
  once push works); sooner when the global speed is not explained by the torrents polled, and
  after a reconnect;
* from qBittorrent 5.1 (``refresh_by_sweep``) every tick is that sweep: there it answers only
  what changed, for well under a millisecond of qBittorrent's CPU;
* after a command: the touched torrents, polled until the change shows (or a short deadline);
* push: qBittorrent's "run external program" on added/finished calls ``notify(hash)``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from qbt_bridge.clients import TorrentClient
from qbt_bridge.clients.qbit_manage import QbitManageClient
from qbt_bridge.engine.actions import TorrentActions
from qbt_bridge.engine.content import Content
from qbt_bridge.engine.diskguard import DiskGuard
from qbt_bridge.engine.events import Event
from qbt_bridge.engine.labels import Labels
from qbt_bridge.engine.link import Link, Listener, RefreshPolicy
from qbt_bridge.engine.manage import Manage
from qbt_bridge.engine.portfile import PortFile
from qbt_bridge.engine.refresh import Refresher
from qbt_bridge.engine.results import AddOutcome, CommandResult
from qbt_bridge.engine.rss import Rss
from qbt_bridge.engine.rules import AddRule, Rules
from qbt_bridge.engine.search import Search, SearchPage
from qbt_bridge.engine.targets import Targets
from qbt_bridge.engine.timers import Timers
from qbt_bridge.engine.transfer import Transfer
from qbt_bridge.engine.watchdog import StallRule, Watchdog

__all__ = ["AddOutcome", "Bridge", "CommandResult", "Listener", "RefreshPolicy", "SearchPage"]


class Bridge(Link):
    """The link to one server (client, store, listeners) and the parts that act on it.

    Each part is built with exactly what it uses: ``refresher`` (tiers, the poll loop,
    availability), ``targets`` (what a name or prefix means), ``torrents`` (commands that
    settle, adding), ``transfer`` (alt speed, the session, global limits), ``content`` (files),
    ``labels`` (categories, tags), ``rss``, ``search``, ``manage`` (qbit_manage) and ``timers``
    (pause, pause all, alternative speed and limits for a while; they come back by themselves). The
    refresher watches the free space (``diskguard``) after each refresh, and ``port_file``
    (when given) sets the listening port a VPN client wrote; the ``watchdog`` (when given) says
    which downloads are stuck, and ``rules`` (when given) rule each torrent added.
    """

    def __init__(
        self,
        client: TorrentClient | None,
        instance_id: str = "default",
        *,
        opener: Callable[[], Awaitable[TorrentClient]] | None = None,
        url: str | None = None,
        policy: RefreshPolicy | None = None,
        ledger_path: Path | None = None,
        manage: QbitManageClient | None = None,
        manage_config: str | None = None,
        disk_guard: DiskGuard | None = None,
        port_file: str | None = None,
        stalled: StallRule | None = None,
        rules: Sequence[AddRule] = (),
    ) -> None:
        super().__init__(
            client, instance_id, opener=opener, url=url, policy=policy, ledger_path=ledger_path
        )
        self.refresher = Refresher(self, disk_guard)
        self.targets = Targets(self, self.refresher)
        self.torrents = TorrentActions(self, self.refresher, self.targets)
        self.transfer = Transfer(self, self.refresher)
        self.content = Content(self, self.targets)
        self.labels = Labels(self, self.refresher)
        self.rss = Rss(self)
        self.search = Search(self, self.torrents)
        self.manage = Manage(self, self.refresher, self.targets, manage, manage_config)
        self.timers = Timers(self, self.targets, self.torrents, self.transfer)
        self.refresher.after_refresh.append(self.timers.check)
        self.port_file = PortFile(self, self.transfer, port_file) if port_file else None
        if self.port_file is not None:
            self.refresher.after_refresh.append(self.port_file.check)
        self.watchdog = (
            Watchdog(self, self.torrents, stalled)
            if stalled is not None and stalled.enabled
            else None
        )
        if self.watchdog is not None:
            self.refresher.after_refresh.append(self.watchdog.check)
        self.rules = Rules(self, self.manage, rules) if rules else None
        if self.rules is not None:
            self.refresher.after_refresh.append(self.rules.check)

    async def refresh(self, *, full: bool = False) -> list[Event]:
        """One sync step: the tiers that are due (see ``Refresher.refresh``)."""
        return await self.refresher.refresh(full=full)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Poll until ``stop`` is set (see ``Refresher.run``)."""
        await self.refresher.run(stop)

    def notify(self, torrent_hash: str | None = None) -> None:
        """Push from qBittorrent: look at this torrent (or sweep, without a hash) right away."""
        self.refresher.notify(torrent_hash)

    async def close(self) -> None:
        """Close the torrent client and the qbit_manage client."""
        await super().close()
        if self.manage.client is not None:
            await self.manage.client.close()
