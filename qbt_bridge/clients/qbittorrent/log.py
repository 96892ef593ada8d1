"""``log/*``: the main and peer logs."""

from __future__ import annotations

from qbt_bridge.clients.qbittorrent.request import (
    RequestCore,
    flag,
    route,
)
from qbt_bridge.core.models import (
    LogEntry,
    PeerLogEntry,
)


class LogAPI(RequestCore):
    """``log/*``: the main and peer logs."""

    async def log_main(
        self,
        *,
        normal: bool = True,
        info: bool = True,
        warning: bool = True,
        critical: bool = True,
        last_known_id: int = -1,
    ) -> list[LogEntry]:
        """``log/main``: the application log, newer than ``last_known_id``."""
        data = await self._json(
            route("log/main"),
            {
                "normal": flag(normal),
                "info": flag(info),
                "warning": flag(warning),
                "critical": flag(critical),
                "last_known_id": last_known_id,
            },
        )
        return [LogEntry.from_api(item) for item in data or ()]

    async def log_peers(self, last_known_id: int = -1) -> list[PeerLogEntry]:
        """``log/peers``: the peer log, newer than ``last_known_id``."""
        data = await self._json(route("log/peers"), {"last_known_id": last_known_id})
        return [PeerLogEntry.from_api(item) for item in data or ()]
