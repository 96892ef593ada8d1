"""The request core of the qBittorrent client: one place that sends calls and reads answers.

It keeps the login (cookie or API key), the server's versions and, per endpoint, the releases
that have it (``route(path, since, until)``): a call the release lacks answers None.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from qbt_bridge.clients.base import ALL_CAPABILITIES, Capability
from qbt_bridge.clients.http import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_REQUEST_TIMEOUT,
    AsyncClosing,
    HttpResponse,
    HttpTransport,
    normalize_url,
)
from qbt_bridge.core.errors import (
    AddTorrentError,
    APIError,
    AuthenticationError,
    EndpointNotImplementedError,
    InvalidRequestError,
    InvalidTorrentFileError,
    LoginBannedError,
    NotFoundError,
    UnsupportedVersionError,
)
from qbt_bridge.core.versions import (
    WEBAPI_ACTIVE_BY_RATE,
    WEBAPI_API_KEY,
    WEBAPI_CHEAP_SYNC,
    WEBAPI_SESSION_PAUSE,
    WEBAPI_STOP_START,
    Version,
    is_supported,
)

_LOGGER = logging.getLogger(__name__)

Hashes = str | Iterable[str]
JSON = Any
# The whole list (sync/maindata, torrents/info) may take this many request timeouts: it grows
# with the library, to about 10 s for 50 000 torrents on qBittorrent 4.5.2.
WHOLE_LIST = 6.0

ENV_HOST = "QBITTORRENTAPI_HOST"
ENV_USERNAME = "QBITTORRENTAPI_USERNAME"
ENV_PASSWORD = "QBITTORRENTAPI_PASSWORD"  # noqa: S105 - the variable's name, not a secret
ENV_API_KEY = "QBITTORRENTAPI_API_KEY"
ENV_DO_NOT_VERIFY = "QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE"

_MAX_ERROR_TEXT = 300


_VERSION_PATHS = frozenset({"app/version", "app/webapiVersion"})
LOGIN_RETRY_AFTER = 3600.0  # seconds before the one automatic login after a refusal
AUTO_LOGIN_RETRIES = 1  # automatic logins after a refusal, until one succeeds or is asked for


def join_hashes(hashes: Hashes) -> str:
    """The WebAPI's form of a hash list: ``all`` or hashes joined by ``|``."""
    if isinstance(hashes, str):
        return hashes
    return "|".join(hashes)


def flag(value: bool) -> str:
    """A boolean as the WebAPI spells it."""
    return "true" if value else "false"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An endpoint's path and the WebAPI versions that have it."""

    path: str
    since: Version | None = None
    until: Version | None = None  # first version without it
    item_404: bool = False  # a 404 means "no such torrent/job", not "no such endpoint"
    patience: float = 1.0  # request timeouts it may take (WHOLE_LIST: the whole list)


def route(
    path: str,
    since: str | None = None,
    until: str | None = None,
    *,
    item: bool = False,
    patience: float = 1.0,
) -> Endpoint:
    """An endpoint present from WebAPI ``since`` until (without) ``until``."""
    return Endpoint(
        path,
        Version.parse(since) if since else None,
        Version.parse(until) if until else None,
        item,
        patience,
    )


class RequestCore(AsyncClosing):
    """The request core of the qBittorrent client: login, versions, and every call.

    Credentials come from the arguments or the ``QBITTORRENTAPI_*`` environment variables. An
    API key (qBittorrent >= 5.2) wins over username/password and needs no login. A session that
    expires is renewed once, transparently.
    """

    def __init__(
        self,
        host: str | None = None,
        username: str | None = None,
        password: str | None = None,
        *,
        api_key: str | None = None,
        session: aiohttp.ClientSession | None = None,
        verify_certificate: bool | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        extra_headers: Mapping[str, str] | None = None,
        raise_not_implemented: bool = False,
        raise_unsupported_version: bool = False,
    ) -> None:
        host = host or os.environ.get(ENV_HOST) or "localhost:8080"
        self.base_url = normalize_url(host)
        self.username = username if username is not None else os.environ.get(ENV_USERNAME)
        self._password = password if password is not None else os.environ.get(ENV_PASSWORD)
        self._api_key = api_key if api_key is not None else os.environ.get(ENV_API_KEY) or None
        if verify_certificate is None:
            verify_certificate = not os.environ.get(ENV_DO_NOT_VERIFY)
        self._http = HttpTransport(
            f"{self.base_url}/api/v2",
            session=session,
            verify_certificate=verify_certificate,
            connect_timeout=connect_timeout,
            request_timeout=request_timeout,
            extra_headers={"Referer": self.base_url, **(extra_headers or {})},
        )
        self.raise_not_implemented = raise_not_implemented
        self.raise_unsupported_version = raise_unsupported_version
        self._cookies: dict[str, str] = {}
        self._login_lock = asyncio.Lock()
        self._login_generation = 0
        # A refused login is not repeated by itself (qBittorrent bans an address after a few
        # failures, every client on it with it): once more after a long wait, then only when
        # asked (retry_login, or auth_log_in with new credentials).
        self._refused: AuthenticationError | None = None
        self._refused_at = 0.0
        self._auto_retries = AUTO_LOGIN_RETRIES
        self._app_version: Version | None = None
        self._webapi_version: Version | None = None
        self._version_lock = asyncio.Lock()

    def __repr__(self) -> str:
        auth = "api_key" if self._api_key else f"user={self.username!r}"
        return f"QBittorrentClient({self.base_url!r}, {auth})"

    @property
    def refresh_by_sweep(self) -> bool:
        """From 5.1 (WebAPI 2.11.4) a ``sync/maindata`` with rid is the cheapest read of all.

        It answers only what changed and costs qBittorrent well under a millisecond at 10 000
        torrents, where ``torrents/info`` for 100 hashes costs it 14 ms; before, a sweep is
        O(torrents) (1.6 s on 4.5.2) and targeted reads are cheaper (``bench/signals.py``).
        """
        return self._webapi_version is not None and self._webapi_version >= WEBAPI_CHEAP_SYNC

    @property
    def product(self) -> str:
        """``qBittorrent 5.1.0`` once the version was read, ``qBittorrent`` before."""
        return f"qBittorrent {self._app_version}" if self._app_version else "qBittorrent"

    @property
    def active_by_state(self) -> bool:
        """Before 5.2 (WebAPI 2.12), qBittorrent's "active" filter went by state."""
        return self._webapi_version is not None and self._webapi_version < WEBAPI_ACTIVE_BY_RATE

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Everything the release has (once the version is known).

        API keys arrive with WebAPI 2.14.1, pausing the session with 2.16.2.
        """
        webapi = self._webapi_version
        if webapi is None:
            return ALL_CAPABILITIES
        missing = {Capability.API_KEY} if webapi < WEBAPI_API_KEY else set()
        if webapi < WEBAPI_SESSION_PAUSE:
            missing.add(Capability.SESSION_PAUSE)
        return ALL_CAPABILITIES - missing

    # ----------------------------------------------------------------- plumbing

    @property
    def bytes_received(self) -> int:
        """Response body bytes received so far."""
        return self._http.bytes_received

    @property
    def requests_sent(self) -> int:
        """Requests sent so far (logins included)."""
        return self._http.requests_sent

    @property
    def uses_api_key(self) -> bool:
        """Whether requests authenticate with an API key instead of a session cookie."""
        return self._api_key is not None

    def _auth_headers(self) -> dict[str, str]:
        if self._api_key:
            return {"Authorization": f"Bearer {self._api_key}"}
        if self._cookies:
            return {"Cookie": "; ".join(f"{k}={v}" for k, v in self._cookies.items())}
        return {}

    async def _send(
        self, endpoint: Endpoint, params: Mapping[str, Any] | None, data: Any
    ) -> HttpResponse:
        # Every WebAPI call is a POST: action endpoints refuse GET and reads accept POST.
        return await self._http.request(
            "POST",
            endpoint.path,
            params=params,
            data=data,
            headers=self._auth_headers(),
            allow=self._http.request_timeout * endpoint.patience,
        )

    async def _call(
        self,
        endpoint: Endpoint,
        data: Mapping[str, Any] | aiohttp.FormData | None = None,
    ) -> HttpResponse | None:
        """Send one authenticated call; None when the server lacks the endpoint."""
        if self.raise_unsupported_version and endpoint.path not in _VERSION_PATHS:
            await self._load_versions()  # read once; an unsupported release stays refused
        if (endpoint.since or endpoint.until) and not await self._has_endpoint(endpoint):
            self._unimplemented(endpoint)
            return None
        if not self._api_key and not self._cookies and self._password is not None:
            await self._login_once(self._login_generation)
        generation = self._login_generation
        body = _form(data)
        response = await self._send(endpoint, None, body)
        if response.status in {401, 403} and not self._api_key and self._password is not None:
            _LOGGER.debug(
                "%s: session refused (%s), logging in again", self.base_url, response.status
            )
            self._cookies.clear()
            await self._login_once(generation)
            response = await self._send(endpoint, None, _form(data))
        return self._check(endpoint, response)

    def _check(self, endpoint: Endpoint, response: HttpResponse) -> HttpResponse | None:
        status = response.status
        if status in {200, 201, 202, 204}:
            return response
        detail = response.text.strip()[:_MAX_ERROR_TEXT]
        if status in {401, 403}:
            if self._api_key:
                raise AuthenticationError(f"{self.base_url}: the API key was refused")
            if self._password is None:
                raise AuthenticationError(f"{self.base_url}: qBittorrent wants a login; none given")
            raise AuthenticationError(f"{self.base_url}: the session was refused after a new login")
        if status == 404:
            if endpoint.item_404 and "Endpoint does not exist" not in detail:
                raise NotFoundError(f"{endpoint.path}: not found ({detail or 'no such item'})")
            self._unimplemented(endpoint)
            return None
        if status == 415:
            raise InvalidTorrentFileError(detail or "not a valid torrent file")
        if status == 409 and endpoint.path == "torrents/add":
            raise AddTorrentError(f"qBittorrent added none of the torrents ({detail})")
        if status in {400, 409}:
            raise InvalidRequestError(f"{endpoint.path}: {detail or 'request refused'} ({status})")
        raise APIError(f"{endpoint.path}: unexpected HTTP {status} ({detail})")

    def _unimplemented(self, endpoint: Endpoint) -> None:
        message = f"{self.base_url}: this qBittorrent has no endpoint {endpoint.path}"
        if self.raise_not_implemented:
            raise EndpointNotImplementedError(message)
        _LOGGER.debug(message)

    async def _has_endpoint(self, endpoint: Endpoint) -> bool:
        webapi = await self.webapi_version()
        if endpoint.since and webapi < endpoint.since:
            return False
        return not (endpoint.until and webapi >= endpoint.until)

    async def _json(self, endpoint: Endpoint, data: Mapping[str, Any] | None = None) -> JSON:
        response = await self._call(endpoint, data)
        if response is None or not response.body:
            return None
        # Decode, then let the bytes go before parsing: a full sync/maindata of 10 000 torrents
        # is ~10 MB, and holding bytes, text and objects at once set the daemon's peak memory.
        text = response.body.decode("utf-8", errors="replace")
        del response
        try:
            return json.loads(text)
        except ValueError as err:
            raise APIError(f"{endpoint.path}: the answer is not JSON") from err

    async def _text(self, endpoint: Endpoint, data: Mapping[str, Any] | None = None) -> str | None:
        response = await self._call(endpoint, data)
        return None if response is None else response.text

    async def _on_hashes(self, endpoint: Endpoint, hashes: Hashes, **extra: Any) -> bool | None:
        """An action on torrents by hash (``all`` for every one)."""
        return await self._action(endpoint, {"hashes": join_hashes(hashes), **extra})

    async def _per_torrent(self, path: str, torrent_hash: str, since: str | None = None) -> JSON:
        """A read of one torrent: a 404 from qBittorrent means no such torrent."""
        return await self._json(route(path, since, item=True), {"hash": torrent_hash})

    async def _bytes(
        self, endpoint: Endpoint, data: Mapping[str, Any] | None = None
    ) -> bytes | None:
        """A binary answer (a .torrent, a file); None when the server lacks the endpoint."""
        response = await self._call(endpoint, data)
        return None if response is None else response.body

    async def _action(
        self, endpoint: Endpoint, data: Mapping[str, Any] | None = None
    ) -> bool | None:
        """Call an endpoint that answers nothing useful: True when done, None when absent."""
        return None if await self._call(endpoint, data) is None else True

    async def _login_once(self, generation: int) -> None:
        """Log in unless another task already did since ``generation`` was read.

        After a refused login this raises the refusal again without asking the server, so
        polls and commands never add up to a ban (see ``retry_login``).
        """
        async with self._login_lock:
            if self._login_generation != generation and self._cookies:
                return
            if self._refused is not None:
                waited = time.monotonic() - self._refused_at
                if self._auto_retries <= 0 or waited < LOGIN_RETRY_AFTER:
                    raise AuthenticationError(
                        f"{self._refused} (not tried again by itself: repeated failures get "
                        "this address banned; correct it, or ask for a refresh to try once)"
                    )
                self._auto_retries -= 1
            await self.auth_log_in()

    def retry_login(self) -> None:
        """Allow one login attempt again after a refused one (an explicit refresh)."""
        self._refused = None

    # ----------------------------------------------------------------- auth

    async def auth_log_in(self, username: str | None = None, password: str | None = None) -> None:
        """``auth/login``: start a cookie session (skipped when an API key is set)."""
        if username is not None:
            self.username = username
        if password is not None:
            self._password = password
        if self._api_key:
            await self._check_release()
            return
        form = {"username": self.username or "", "password": self._password or ""}
        response = await self._http.request("POST", "auth/login", data=form)
        refusal: AuthenticationError | None = None
        if response.status == 403:
            refusal = LoginBannedError(
                f"{self.base_url}: qBittorrent banned this address after too many failed "
                "logins; wait for the ban to expire or restart qBittorrent"
            )
        elif response.status == 401 or (response.status == 200 and response.text.strip() != "Ok."):
            refusal = AuthenticationError(f"{self.base_url}: wrong username or password")
        if refusal is not None:
            self._refused, self._refused_at = refusal, time.monotonic()
            raise refusal
        if response.status not in {200, 204}:
            raise APIError(f"auth/login: unexpected HTTP {response.status}")
        self._refused, self._auto_retries = None, AUTO_LOGIN_RETRIES
        if not response.cookies:
            raise APIError("auth/login: qBittorrent set no session cookie")
        self._cookies = dict(response.cookies)
        self._login_generation += 1
        await self._check_release()

    async def _check_release(self) -> None:
        """With ``raise_unsupported_version``, refuse an unknown release at login already.

        A login that happens while the versions are being read (their request needed it)
        leaves the check to that read, which makes it once it has them.
        """
        if self.raise_unsupported_version and not self._version_lock.locked():
            await self._load_versions()

    async def auth_log_out(self) -> None:
        """``auth/logout``: end the cookie session."""
        if self._api_key or not self._cookies:
            return
        try:
            await self._send(route("auth/logout"), None, None)
        finally:
            self._cookies.clear()

    @property
    def is_logged_in(self) -> bool:
        """Whether a session cookie is held (always True with an API key)."""
        return bool(self._api_key or self._cookies)

    # ----------------------------------------------------------------- versions

    async def app_version(self) -> str:
        """``app/version``: the application version, e.g. ``v4.5.2``."""
        return (await self._text(route("app/version"))) or ""

    async def app_webapi_version(self) -> str:
        """``app/webapiVersion``: the WebAPI version, e.g. ``2.8.19``."""
        return (await self._text(route("app/webapiVersion"))) or ""

    async def _load_versions(self) -> tuple[Version, Version]:
        async with self._version_lock:
            if self._app_version is None or self._webapi_version is None:
                webapi = Version.parse(await self.app_webapi_version())
                app = Version.parse(await self.app_version())
                self._app_version, self._webapi_version = app, webapi
        app, webapi = self._app_version, self._webapi_version
        # Every time, not only when first read: an unsupported server stays refused.
        if self.raise_unsupported_version and not is_supported(app, webapi):
            raise UnsupportedVersionError(f"qBittorrent {app} (WebAPI {webapi}) is not supported")
        return app, webapi

    async def version(self) -> Version:
        """The server's qBittorrent version (read once, then cached)."""
        return (await self._load_versions())[0]

    async def webapi_version(self) -> Version:
        """The server's WebAPI version (read once, then cached)."""
        return (await self._load_versions())[1]

    async def is_version_supported(self) -> bool:
        """Whether this library knows the server's release."""
        return is_supported(*await self._load_versions())

    async def uses_stop_start(self) -> bool:
        """Whether the server names pause/resume ``stop``/``start`` (qBittorrent >= 5.0)."""
        return await self.webapi_version() >= WEBAPI_STOP_START

    # ----------------------------------------------------------------- lifecycle

    async def close(self) -> None:
        """Log out (cookie sessions) and close an owned HTTP session."""
        try:
            if self._cookies:
                await self.auth_log_out()
        except Exception:  # noqa: BLE001 - closing must not fail because the server is gone
            _LOGGER.debug("%s: logout on close failed", self.base_url)
        finally:
            await self._http.close()


def _form(data: Mapping[str, Any] | aiohttp.FormData | None) -> Any:
    if data is None or isinstance(data, aiohttp.FormData):
        return data
    return {key: str(value) for key, value in data.items()}
