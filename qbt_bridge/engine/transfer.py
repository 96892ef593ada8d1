"""The server's own settings: the alternative-speed switch and the four global speed limits."""

from __future__ import annotations

from qbt_bridge.clients import Capability
from qbt_bridge.core.models import SpeedLimits, check_listen_port
from qbt_bridge.engine.link import Link, requires
from qbt_bridge.engine.refresh import Refresher


class Transfer:
    """Alternative speed on or off, and the global speed limits, normal and alternative."""

    def __init__(self, link: Link, refresher: Refresher) -> None:
        self.link = link
        self._refresher = refresher

    @requires(Capability.ALT_SPEED)
    async def set_alt_speed(self, enabled: bool | None = None) -> bool:
        """Alternative speed limits on, off, or (None) toggled; returns the new mode."""
        if enabled is None:
            await self.link.client.transfer_toggle_speed_limits_mode()
        else:
            await self.link.client.transfer_set_speed_limits_mode(enabled)
        await self._refresher.refresh_transfer()
        return bool(self.link.store.server().alt_speed_enabled)

    @requires(Capability.SESSION_PAUSE)
    async def pause_session(self, *, paused: bool = True) -> bool:
        """Suspend (or resume) qBittorrent's whole session; whether it is suspended now.

        Unlike pausing all torrents, each torrent keeps its own state: resuming the session
        puts every one back as it was. A restart of qBittorrent ends it.
        """
        client = self.link.client
        call = client.transfer_pause_session if paused else client.transfer_resume_session
        self.link.there(await call(), "pause the whole session")
        await self._refresher.refresh(full=True)
        return bool(self.link.store.server().session_paused)

    @requires(Capability.LISTEN_PORT)
    async def set_listen_port(self, port: int) -> int:
        """Listen on ``port`` for incoming peers (LISTEN_PORTS); the port qBittorrent now has.

        qBittorrent takes it at once, without a restart.
        """
        check_listen_port(port)
        client = self.link.client
        await client.set_listen_port(port)
        self.link.store.listen_port = await client.listen_port()
        self.link.refreshed()
        return self.link.store.listen_port

    @requires(Capability.GLOBAL_LIMITS)
    async def limits_now(self) -> SpeedLimits:
        """The global limits as qBittorrent has them now (read, not remembered)."""
        if Capability.ALT_SPEED in self.link.capabilities:
            self.link.store.speed_limits = await self.link.client.transfer_speed_limits()
        else:
            await self._refresher.refresh_transfer()
        return self.link.store.configured_limits()

    @requires(Capability.GLOBAL_LIMITS)
    async def set_global_limits(
        self,
        *,
        download: int | None = None,
        upload: int | None = None,
        alt_download: int | None = None,
        alt_upload: int | None = None,
    ) -> SpeedLimits:
        """Global speed limits in bytes/s (0: none), normal and alternative; the new four.

        The alternative pair needs a client with alternative limits (NotSupportedError).
        """
        given = {"download": download, "upload": upload,
                 "alt_download": alt_download, "alt_upload": alt_upload}  # fmt: skip
        SpeedLimits.check(*given.values())
        limits = {name: value for name, value in given.items() if value is not None}
        if Capability.ALT_SPEED in self.link.capabilities:
            await self.link.client.transfer_set_speed_limits(**limits)
            self.link.store.speed_limits = await self.link.client.transfer_speed_limits()
        else:
            if alt_download is not None or alt_upload is not None:
                self.link.need(Capability.ALT_SPEED)
            if download is not None:
                await self.link.client.transfer_set_download_limit(download)
            if upload is not None:
                await self.link.client.transfer_set_upload_limit(upload)
        await self._refresher.refresh_transfer()
        return self.link.store.configured_limits()
