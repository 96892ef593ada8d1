"""``transfer/*``: global speeds, limits and the alternative-speed mode."""

from __future__ import annotations

import json
from collections.abc import Iterable

from qbt_bridge.clients.qbittorrent.request import (
    RequestCore,
    route,
)
from qbt_bridge.core.models import (
    SpeedLimits,
    TransferInfo,
)
from qbt_bridge.core.versions import WEBAPI_SESSION_PAUSE


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
        """``transfer/setSpeedLimitsMode`` (WebAPI 2.8.14): alternative speed limits on or off.

        Older releases get a toggle, only when the mode differs.
        """
        endpoint = route("transfer/setSpeedLimitsMode", "2.8.14")
        if await self._has_endpoint(endpoint):
            await self._call(endpoint, {"mode": int(enabled)})
        elif await self.transfer_speed_limits_mode() != enabled:
            await self.transfer_toggle_speed_limits_mode()

    async def transfer_speed_limits(self) -> SpeedLimits:
        """The four global limits in bytes/s (0: none): normal and alternative.

        ``transfer/getSpeedLimits`` (WebAPI 2.16) in one call; before, ``app/preferences``,
        which holds them in the same unit.
        """
        endpoint = route("transfer/getSpeedLimits", "2.16.0")
        # Asked first, not tried: a client that raises on a missing endpoint falls back too.
        if not await self._has_endpoint(endpoint):
            endpoint = route("app/preferences")
        return SpeedLimits.from_api(await self._json(endpoint) or {})

    async def transfer_set_speed_limits(self, **limits: int) -> None:
        """Set any of the four global limits; the others stay.

        By name: ``download``, ``upload``, ``alt_download``, ``alt_upload`` (bytes/s, 0: none).

        ``transfer/setSpeedLimits`` (WebAPI 2.16) wants all four, so the current ones fill in;
        before, ``app/setPreferences`` takes those given.
        """
        wire = SpeedLimits.to_wire(limits)
        endpoint = route("transfer/setSpeedLimits", "2.16.0")
        if await self._has_endpoint(endpoint):
            current = await self.transfer_speed_limits()
            await self._call(endpoint, {**SpeedLimits.to_wire(current.as_dict()), **wire})
        else:
            await self._call(route("app/setPreferences"), {"json": json.dumps(wire)})

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

    async def transfer_pause_session(self) -> bool | None:
        """``transfer/pauseSession`` (WebAPI 2.16.2): suspend the whole session.

        Nothing moves and no peer is connected, but each torrent keeps its own state, so
        ``transfer_resume_session`` puts every one back as it was. It does not outlast a restart
        of qBittorrent; ``sync/maindata`` says ``session_state: true`` while it lasts.
        """
        return await self._action(route("transfer/pauseSession", str(WEBAPI_SESSION_PAUSE)))

    async def transfer_resume_session(self) -> bool | None:
        """``transfer/resumeSession`` (WebAPI 2.16.2): end a ``transfer_pause_session``."""
        return await self._action(route("transfer/resumeSession", str(WEBAPI_SESSION_PAUSE)))
