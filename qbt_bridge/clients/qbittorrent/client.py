"""Client for qBittorrent's WebAPI v2 (qBittorrent 4.1 to 5.3).

One typed method per endpoint, named after it (``torrents/addTags`` is ``torrents_add_tags``),
plus version-aware helpers (``pause``/``resume``/``torrents_add``) that pick the endpoint and
parameters the server's release understands. Each WebAPI namespace is a module of its own over
one request core (``request.py``).
"""

from __future__ import annotations

from qbt_bridge.clients.qbittorrent.adding import AddingAPI
from qbt_bridge.clients.qbittorrent.app import AppAPI
from qbt_bridge.clients.qbittorrent.clientdata import ClientDataAPI
from qbt_bridge.clients.qbittorrent.content import TorrentContentAPI
from qbt_bridge.clients.qbittorrent.creator import TorrentCreatorAPI
from qbt_bridge.clients.qbittorrent.labels import LabelsAPI
from qbt_bridge.clients.qbittorrent.log import LogAPI
from qbt_bridge.clients.qbittorrent.rss import RssAPI
from qbt_bridge.clients.qbittorrent.search import SearchAPI
from qbt_bridge.clients.qbittorrent.sync import SyncAPI
from qbt_bridge.clients.qbittorrent.torrents import TorrentsAPI
from qbt_bridge.clients.qbittorrent.transfer import TransferAPI

# torrents/trackers statuses: 4 not working; 5 tracker error, 6 unreachable (WebAPI 2.13)
_FAILING_TRACKER = frozenset({4, 5, 6})


class QBittorrentClient(
    AppAPI,
    LogAPI,
    SyncAPI,
    TransferAPI,
    TorrentsAPI,
    AddingAPI,
    LabelsAPI,
    TorrentContentAPI,
    TorrentCreatorAPI,
    RssAPI,
    SearchAPI,
    ClientDataAPI,
):
    """Async client for one qBittorrent WebUI.

    Credentials come from the arguments or the ``QBITTORRENTAPI_*`` environment variables. An
    API key (qBittorrent >= 5.2) wins over username/password and needs no login. A session that
    expires is renewed once, transparently.
    """

    async def error_reasons(self, torrent_hash: str, name: str) -> tuple[str | None, str | None]:
        """Why a torrent is in error, from what qBittorrent tells: (log line, tracker message).

        The WebAPI has no field for a torrent's error; qBittorrent writes it to its log ("File
        error alert. Torrent: "NAME" … Reason: …"): the newest warning or critical line naming
        the torrent. The tracker message is the first failing tracker's (URL and message, as
        qBittorrent gives them: redact before showing).
        """
        log = await self.log_main(normal=False, info=False)
        quoted = f'"{name}"'
        line = next(
            (e.message for e in sorted(log, key=lambda e: -e.id) if quoted in e.message), None
        )
        tracker = None
        for item in await self.torrents_trackers(torrent_hash):
            if item.get("status") in _FAILING_TRACKER and item.get("msg"):
                tracker = f"{item.get('url', '')}: {item['msg']}"
                break
        return line, tracker
