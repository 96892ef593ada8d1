"""The engine's facade: one torrent client, its store, and everything fronts may ask of it.

Every front (Home Assistant, MQTT, Telegram) calls this and nothing below it.

Refresh tiers, so a large qBittorrent stays idle (``sync/maindata`` costs it O(N) CPU per call
even when nothing changed, ``transfer/info`` and ``torrents/info?hashes=`` almost nothing):

* every fast tick: ``transfer/info`` + the alt-speed mode, and ``torrents/info?hashes=`` for the
  torrents the store knows to be active plus any hash pushed by ``notify()``;
* a ``sync/maindata`` sweep with the previous ``rid`` every ``full_interval``, sooner when the
  global speed is not explained by the torrents known to be active, and after a reconnect;
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
from qbt_bridge.engine.manage import ManageService
from qbt_bridge.engine.rss import RssService
from qbt_bridge.engine.search import SearchService

__all__ = ["AddOutcome", "Bridge", "CommandResult", "Listener", "RefreshPolicy", "SearchPage"]


class Bridge(RssService, SearchService, ManageService):
    """One torrent client, its snapshot and everything fronts may ask of it.

    Its parts, one module each: ``core`` (the client, listeners, capabilities), ``refresh``
    (tiers and the poll loop), ``targets`` (what a name or prefix means), ``actions`` (torrent
    commands that settle, adding), ``rss``, ``search`` and ``manage`` (qbit_manage).
    """
