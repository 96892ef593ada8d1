"""``sync/*``: incremental snapshots of everything, and of one torrent's peers."""

from __future__ import annotations

from typing import Any, cast

from qbt_bridge.clients.qbittorrent.request import (
    WHOLE_LIST,
    RequestCore,
    route,
)
from qbt_bridge.core.models import (
    MainData,
)


class SyncAPI(RequestCore):
    """``sync/*``: incremental snapshots of everything, and of one torrent's peers."""

    async def sync_maindata(self, rid: int = 0) -> MainData:
        """``sync/maindata``: everything (rid 0) or the changes since answer ``rid``."""
        answer = await self._json(route("sync/maindata", patience=WHOLE_LIST), {"rid": rid})
        return MainData.from_api(answer or {})

    async def sync_torrent_peers(self, torrent_hash: str, rid: int = 0) -> dict[str, Any]:
        """``sync/torrentPeers``: a torrent's peers, full or since answer ``rid``."""
        data = await self._json(
            route("sync/torrentPeers", item=True), {"hash": torrent_hash, "rid": rid}
        )
        return cast("dict[str, Any]", data or {})
