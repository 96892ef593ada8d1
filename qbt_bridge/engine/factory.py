"""One recipe for a bridge from connection settings, for the daemon and Home Assistant alike."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import voluptuous as vol

from qbt_bridge.clients import ClientKind, TorrentClient, client_for, open_client
from qbt_bridge.clients.detect import ConnectionSettings
from qbt_bridge.clients.qbit_manage import QbitManageClient
from qbt_bridge.core.errors import UnsupportedVersionError
from qbt_bridge.core.settings import SECONDS, TEXT, setting
from qbt_bridge.engine.bridge import Bridge, RefreshPolicy
from qbt_bridge.engine.diskguard import DiskGuard
from qbt_bridge.engine.link import check_url
from qbt_bridge.engine.rules import AddRule
from qbt_bridge.engine.watchdog import StallRule


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerSettings:
    """How to reach one torrent client, how often to look, and where its ledger lives."""

    instance_id: str
    url: str = setting(help="the torrent client's WebUI, e.g. http://nas:8080", check=check_url)
    username: str | None = setting(default=None, help="WebUI user name")
    password: str | None = setting(default=None, help="WebUI password (or !env / !file)")
    api_key: str | None = setting(
        default=None,
        help="qBittorrent 5.2+ API key, in place of user name and password",
        check=TEXT,
    )
    kind: str = setting(
        default=ClientKind.AUTO.value,
        help="which API the server speaks; auto: it says so at first contact",
        check=vol.In([k.value for k in ClientKind]),
    )
    verify_certificate: bool = setting(
        default=True, help="check the server's HTTPS certificate", check=bool
    )
    request_timeout: float = setting(
        default=10.0,
        help="seconds each request may take (the whole torrent list: six times as long)",
        check=SECONDS,
        minimum=0.5,
        maximum=86400,
    )
    policy: RefreshPolicy = field(default_factory=RefreshPolicy)  # how often to look
    ledger_path: Path | None = None
    manage_url: str | None = None
    manage_config: str | None = None
    disk_guard: DiskGuard | None = None  # low free space: an event, maybe downloads paused
    stalled: StallRule | None = None  # the watchdog for stuck downloads (None: none)
    rules: tuple[AddRule, ...] = ()  # rules on add: what new torrents of a category/tag get
    port_file: str | None = setting(
        default=None,
        help="a file a VPN client writes its forwarded port to (gluetun: "
        "/tmp/gluetun/forwarded_port); qBittorrent is set to listen on it",
        check=TEXT,
    )

    def connection(self, session: aiohttp.ClientSession | None = None) -> ConnectionSettings:
        """How the client connects: API key, certificate check, timeout, HTTP session."""
        return {
            "api_key": self.api_key,
            "verify_certificate": self.verify_certificate,
            "request_timeout": self.request_timeout,
            "session": session,
        }


def make_bridge(
    settings: ServerSettings,
    *,
    session: aiohttp.ClientSession | None = None,
    manage_session: aiohttp.ClientSession | None = None,
) -> Bridge:
    """A bridge for one server (reads its completion ledger: call it off an event loop's hot path).

    The client is made now when the kind is known, else at the first refresh or command.
    """
    login = (settings.url, settings.username, settings.password)
    connection = settings.connection(session)
    known = settings.kind != ClientKind.AUTO

    def opener() -> Awaitable[TorrentClient]:
        return open_client(*login, kind=settings.kind, **connection)

    manage = (
        QbitManageClient(
            settings.manage_url, session=manage_session, connect_timeout=settings.request_timeout
        )
        if settings.manage_url
        else None
    )
    return Bridge(
        client_for(settings.kind, *login, **connection) if known else None,
        settings.instance_id,
        opener=None if known else opener,
        url=settings.url,
        policy=settings.policy,
        ledger_path=settings.ledger_path,
        manage=manage,
        manage_config=settings.manage_config,
        disk_guard=settings.disk_guard,
        port_file=settings.port_file,
        stalled=settings.stalled,
        rules=settings.rules,
    )


async def check_server(
    settings: ServerSettings, *, session: aiohttp.ClientSession | None = None
) -> str:
    """Try the credentials once: the server's product name (``qBittorrent 5.1.0``).

    Raises the engine's errors: AuthenticationError (LoginBannedError), ConnectionFailedError,
    UnsupportedVersionError for a release this library does not know, NotSupportedError for a
    server that is no torrent client.
    """
    client = await open_client(
        settings.url,
        settings.username,
        settings.password,
        kind=settings.kind,
        **settings.connection(session),
    )
    try:
        version = await client.version()
        await client.transfer_info()  # a call that needs the credentials, on every API
        if not await client.is_version_supported():
            raise UnsupportedVersionError(f"{client.product} ({version}) is not a known release")
        return client.product
    finally:
        await client.close()
