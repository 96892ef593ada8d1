"""Which API a server speaks, found from its URL alone, and the client for it.

Probes, without credentials, so no failed login counts towards qBittorrent's ban:

1. ``GET /api/v2/app/webapiVersion``: qBittorrent 4.1+ answers 200 (a version) or 403
   (login needed). qBittorrent 3.1 answers every path with a ``Digest`` challenge (401).
2. ``GET /gui/token.html``: uTorrent answers 401 with a ``Basic`` challenge (or 200 when it
   asks for no password) and a page with ``id='token'``.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import TypedDict, Unpack

import aiohttp

from qbt_bridge.clients.base import TorrentClient
from qbt_bridge.clients.http import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
    HttpResponse,
    HttpTransport,
    normalize_url,
)
from qbt_bridge.clients.legacy.qbittorrent31 import QBittorrent31Client
from qbt_bridge.clients.legacy.utorrent import UTorrentClient
from qbt_bridge.clients.qbittorrent import QBittorrentClient
from qbt_bridge.core.errors import NotSupportedError

_LOGGER = logging.getLogger(__name__)


class ConnectionSettings(TypedDict, total=False):
    """How to reach a server, beside its URL and login (for ``client_for``/``open_client``)."""

    api_key: str | None
    session: aiohttp.ClientSession | None
    verify_certificate: bool
    request_timeout: float


class ClientKind(StrEnum):
    """The APIs qbt-bridge speaks."""

    AUTO = "auto"
    QBITTORRENT = "qbittorrent"  # WebAPI v2: qBittorrent 4.1 to 5.x
    QBITTORRENT_31 = "qbittorrent-3.1"
    UTORRENT = "utorrent"


def _challenge(response: HttpResponse) -> str:
    return response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()


async def detect(
    url: str,
    *,
    session: aiohttp.ClientSession | None = None,
    verify_certificate: bool = True,
    probe_timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> ClientKind:
    """Find which API the server at ``url`` speaks; raises when it speaks none we know."""
    base = normalize_url(url)
    async with HttpTransport(
        base,
        session=session,
        verify_certificate=verify_certificate,
        connect_timeout=probe_timeout,
        request_timeout=probe_timeout,
    ) as http:
        probe = await http.request("GET", "api/v2/app/webapiVersion")
        if probe.status in {200, 403} and _challenge(probe) == "":
            return ClientKind.QBITTORRENT
        if probe.status == 401 and _challenge(probe) == "digest":
            return ClientKind.QBITTORRENT_31
        token = await http.request("GET", "gui/token.html")
        if (token.status == 401 and _challenge(token) == "basic") or (
            token.status == 200 and "id='token'" in token.text.replace('"', "'")
        ):
            return ClientKind.UTORRENT
        if token.status == 401 and _challenge(token) == "digest":
            return ClientKind.QBITTORRENT_31
    raise NotSupportedError(
        f"{base} is not a qBittorrent or uTorrent WebUI (it answered HTTP {probe.status} "
        f"to qBittorrent's version call and {token.status} to uTorrent's token page)"
    )


def client_for(
    kind: ClientKind | str,
    url: str,
    username: str | None = None,
    password: str | None = None,
    *,
    api_key: str | None = None,
    session: aiohttp.ClientSession | None = None,
    verify_certificate: bool = True,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
) -> TorrentClient:
    """The client of a known kind (``auto`` is not one: see ``open_client``)."""
    kind = ClientKind(kind)
    if kind is ClientKind.AUTO:
        raise ValueError("client_for needs a kind; open_client finds one out")
    if kind is ClientKind.QBITTORRENT:
        return QBittorrentClient(
            url,
            username,
            password,
            api_key=api_key,
            session=session,
            verify_certificate=verify_certificate,
            connect_timeout=min(request_timeout, DEFAULT_CONNECT_TIMEOUT),
            request_timeout=request_timeout,
        )
    if api_key:
        raise NotSupportedError(f"{kind.value} has no API keys; use a username and password")
    client_class = QBittorrent31Client if kind is ClientKind.QBITTORRENT_31 else UTorrentClient
    return client_class(
        url,
        username,
        password,
        session=session,
        verify_certificate=verify_certificate,
        connect_timeout=min(request_timeout, DEFAULT_CONNECT_TIMEOUT),
        request_timeout=request_timeout,
    )


async def open_client(
    url: str,
    username: str | None = None,
    password: str | None = None,
    *,
    kind: ClientKind | str = ClientKind.AUTO,
    **settings: Unpack[ConnectionSettings],
) -> TorrentClient:
    """The client for ``url``: of the given kind, or of the kind ``detect`` finds.

    An API key is a qBittorrent 5.2+ thing: with one, no other kind is tried.
    """
    kind = ClientKind(kind)
    if kind is ClientKind.AUTO:
        if settings.get("api_key"):
            kind = ClientKind.QBITTORRENT
        else:
            timeout = settings.get("request_timeout", DEFAULT_REQUEST_TIMEOUT)
            kind = await detect(
                url,
                session=settings.get("session"),
                verify_certificate=settings.get("verify_certificate", True),
                probe_timeout=min(timeout, DEFAULT_CONNECT_TIMEOUT),
            )
            _LOGGER.info("%s speaks %s", normalize_url(url), kind.value)
    return client_for(kind, url, username, password, **settings)
