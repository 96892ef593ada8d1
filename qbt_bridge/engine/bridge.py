"""The engine's facade: one torrent client, its store, and everything fronts may ask of it.

Every front (Home Assistant, MQTT, Telegram) calls this and nothing below it.

Refresh tiers, so a large qBittorrent stays idle (``sync/maindata`` costs it O(N) CPU per call
even when nothing changed, ``transfer/info`` and ``torrents/info?hashes=`` almost nothing):

* every fast tick: ``transfer/info`` + the alt-speed mode, ``torrents/count`` (4.6+; a count
  that moved brings a sweep), and ``torrents/info?hashes=`` for the torrents that move data
  plus any hash pushed by ``notify()`` — downloads that wait for peers or their turn every 30 s;
* a ``sync/maindata`` sweep with the previous ``rid`` every ``full_interval`` (``push_full_
  interval`` once push works), sooner when the global speed is not explained by the torrents
  polled, and after a reconnect;
* from qBittorrent 5.1 (``refresh_by_sweep``) every tick is that sweep: there it answers only
  what changed, for well under a millisecond of qBittorrent's CPU;
* after a command: the touched torrents, polled until the change shows (or a short deadline);
* push: qBittorrent's "run external program" on added/finished calls ``notify(hash)``.
"""

from __future__ import annotations

from qbt_bridge.engine.core import (
    AddOutcome,
    CommandResult,
    Listener,
    RefreshPolicy,
    SearchPage,
)
from qbt_bridge.engine.labels import LabelService
from qbt_bridge.engine.manage import ManageService
from qbt_bridge.engine.rss import RssService
from qbt_bridge.engine.search import SearchService

__all__ = ["AddOutcome", "Bridge", "CommandResult", "Listener", "RefreshPolicy", "SearchPage"]


class Bridge(LabelService, RssService, SearchService, ManageService):
    """One torrent client, its snapshot and everything fronts may ask of it.

    Its parts, one module each: ``core`` (the client, listeners, capabilities), ``refresh``
    (tiers and the poll loop), ``targets`` (what a name or prefix means), ``actions`` (torrent
    commands that settle, adding), ``transfer`` (alt speed, global limits), ``content``
    (files), ``labels`` (categories, tags), ``rss``, ``search`` and ``manage`` (qbit_manage);
    ``diskguard`` watches the free space after each refresh.
    """
