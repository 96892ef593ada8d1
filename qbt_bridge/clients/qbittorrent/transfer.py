"""``transfer/*``: global speeds, limits and the alternative-speed mode."""

from __future__ import annotations

from collections.abc import Iterable

from qbt_bridge.clients.qbittorrent.request import (
    RequestCore,
    route,
)
from qbt_bridge.core.models import (
    TransferInfo,
)


class TransferAPI(RequestCore):
    """``transfer/*``: global speeds, limits and the alternative-speed mode."""

    async def transfer_info(self) -> TransferInfo:
        """``transfer/info``: global speeds, session totals, limits and connection status."""
        return TransferInfo.from_api(await self._json(route("transfer/info")) or {})

    async def transfer_speed_limits_mode(self) -> bool:
        """``transfer/speedLimitsMode``: whether the alternative speed limits are on."""
        return (await self._text(route("transfer/speedLimitsMode"))) == "1"

    async def transfer_toggle_speed_limits_mode(self) -> None:
        """``transfer/toggleSpeedLimitsMode``: switch the alternative speed limits."""
        await self._call(route("transfer/toggleSpeedLimitsMode"))

    async def transfer_set_speed_limits_mode(self, enabled: bool) -> None:
        """Turn the alternative speed limits on or off (toggles only when needed)."""
        if await self.transfer_speed_limits_mode() != enabled:
            await self.transfer_toggle_speed_limits_mode()

    async def transfer_download_limit(self) -> int:
        """``transfer/downloadLimit``: the global download limit in bytes/s (0: none)."""
        return int((await self._text(route("transfer/downloadLimit"))) or 0)

    async def transfer_set_download_limit(self, limit: int) -> None:
        """``transfer/setDownloadLimit``: set the global download limit in bytes/s (0: none)."""
        await self._call(route("transfer/setDownloadLimit"), {"limit": limit})

    async def transfer_upload_limit(self) -> int:
        """``transfer/uploadLimit``: the global upload limit in bytes/s (0: none)."""
        return int((await self._text(route("transfer/uploadLimit"))) or 0)

    async def transfer_set_upload_limit(self, limit: int) -> None:
        """``transfer/setUploadLimit``: set the global upload limit in bytes/s (0: none)."""
        await self._call(route("transfer/setUploadLimit"), {"limit": limit})

    async def transfer_ban_peers(self, peers: Iterable[str]) -> bool | None:
        """``transfer/banPeers``: ban ``host:port`` peers."""
        return await self._action(route("transfer/banPeers", "2.3.0"), {"peers": "|".join(peers)})
