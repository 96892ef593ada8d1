"""Client for qBittorrent's WebAPI v2 (qBittorrent 4.1 to 5.3).

One typed method per endpoint of the reference, named after it (``torrents/addTags`` is
``torrents_add_tags``), plus version-aware helpers (``pause``/``resume``/``add``) that pick the
endpoint and parameters the server's release understands.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack, cast

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
from qbt_bridge.core.models import (
    AddResult,
    BuildInfo,
    Category,
    LogEntry,
    MainData,
    PeerLogEntry,
    Preferences,
    RssFeed,
    RssRule,
    SearchJob,
    SearchPlugin,
    SearchResult,
    SearchResults,
    Torrent,
    TransferInfo,
    parse_rss_items,
)
from qbt_bridge.core.versions import (
    WEBAPI_ACTIVE_BY_RATE,
    WEBAPI_ADD_JSON_ANSWER,
    WEBAPI_API_KEY,
    WEBAPI_CONTENT_LAYOUT,
    WEBAPI_INACTIVE_SEEDING_LIMIT,
    WEBAPI_SEED_MODE,
    WEBAPI_SHARE_LIMIT_ACTION,
    WEBAPI_STOP_START,
    Version,
    is_supported,
)

_LOGGER = logging.getLogger(__name__)

Hashes = str | Iterable[str]
JSON = Any

ENV_HOST = "QBITTORRENTAPI_HOST"
ENV_USERNAME = "QBITTORRENTAPI_USERNAME"
ENV_PASSWORD = "QBITTORRENTAPI_PASSWORD"  # noqa: S105 - the variable's name, not a secret
ENV_API_KEY = "QBITTORRENTAPI_API_KEY"
ENV_DO_NOT_VERIFY = "QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE"

_MAX_ERROR_TEXT = 300


_VERSION_PATHS = frozenset({"app/version", "app/webapiVersion"})
LOGIN_RETRY_AFTER = 3600.0  # seconds before the one automatic login after a refusal
AUTO_LOGIN_RETRIES = 1  # automatic logins after a refusal, until one succeeds or is asked for
# torrents/info's filters in every release's words; 5.0 renamed paused/resumed.
_NEW_FILTER_NAMES = {"paused": "stopped", "resumed": "running"}
_OLD_FILTER_NAMES = {new: old for old, new in _NEW_FILTER_NAMES.items()}
STATUS_FILTERS = frozenset(
    {"all", "downloading", "seeding", "completed", "active", "inactive", "stalled",
     "stalled_uploading", "stalled_downloading", "checking", "moving", "errored",
     *_NEW_FILTER_NAMES, *_OLD_FILTER_NAMES}
)  # fmt: skip


class TorrentFilter(TypedDict, total=False):
    """The filters ``torrents/info`` takes (``status_filter`` is the WebAPI's ``filter``)."""

    status_filter: str | None
    category: str | None
    tag: str | None
    sort: str | None
    reverse: bool | None
    limit: int | None
    offset: int | None
    hashes: Hashes | None


def join_hashes(hashes: Hashes) -> str:
    """The WebAPI's form of a hash list: ``all`` or hashes joined by ``|``."""
    if isinstance(hashes, str):
        return hashes
    return "|".join(hashes)


def _flag(value: bool) -> str:
    return "true" if value else "false"


@dataclass(frozen=True, slots=True)
class _Endpoint:
    """An endpoint's path and the WebAPI versions that have it."""

    path: str
    since: Version | None = None
    until: Version | None = None  # first version without it
    item_404: bool = False  # a 404 means "no such torrent/job", not "no such endpoint"


def _ep(
    path: str, since: str | None = None, until: str | None = None, *, item: bool = False
) -> _Endpoint:
    return _Endpoint(
        path,
        Version.parse(since) if since else None,
        Version.parse(until) if until else None,
        item,
    )


class QBittorrentClient(AsyncClosing):
    """Async client for one qBittorrent WebUI.

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

    refresh_by_sweep = False  # transfer/info and torrents/info?hashes= are cheaper than a sweep

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
        """Everything, except API keys before WebAPI 2.14.1 (once the version is known)."""
        if self._webapi_version is not None and self._webapi_version < WEBAPI_API_KEY:
            return ALL_CAPABILITIES - {Capability.API_KEY}
        return ALL_CAPABILITIES

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
        self, endpoint: _Endpoint, params: Mapping[str, Any] | None, data: Any
    ) -> HttpResponse:
        # Every WebAPI call is a POST: action endpoints refuse GET and reads accept POST.
        return await self._http.request(
            "POST", endpoint.path, params=params, data=data, headers=self._auth_headers()
        )

    async def _call(
        self,
        endpoint: _Endpoint,
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

    def _check(self, endpoint: _Endpoint, response: HttpResponse) -> HttpResponse | None:
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

    def _unimplemented(self, endpoint: _Endpoint) -> None:
        message = f"{self.base_url}: this qBittorrent has no endpoint {endpoint.path}"
        if self.raise_not_implemented:
            raise EndpointNotImplementedError(message)
        _LOGGER.debug(message)

    async def _has_endpoint(self, endpoint: _Endpoint) -> bool:
        webapi = await self.webapi_version()
        if endpoint.since and webapi < endpoint.since:
            return False
        return not (endpoint.until and webapi >= endpoint.until)

    async def _json(self, endpoint: _Endpoint, data: Mapping[str, Any] | None = None) -> JSON:
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

    async def _text(self, endpoint: _Endpoint, data: Mapping[str, Any] | None = None) -> str | None:
        response = await self._call(endpoint, data)
        return None if response is None else response.text

    async def _action(
        self, endpoint: _Endpoint, data: Mapping[str, Any] | None = None
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
            await self._send(_ep("auth/logout"), None, None)
        finally:
            self._cookies.clear()

    @property
    def is_logged_in(self) -> bool:
        """Whether a session cookie is held (always True with an API key)."""
        return bool(self._api_key or self._cookies)

    # ----------------------------------------------------------------- versions

    async def app_version(self) -> str:
        """``app/version``: the application version, e.g. ``v4.5.2``."""
        return (await self._text(_ep("app/version"))) or ""

    async def app_webapi_version(self) -> str:
        """``app/webapiVersion``: the WebAPI version, e.g. ``2.8.19``."""
        return (await self._text(_ep("app/webapiVersion"))) or ""

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

    # ----------------------------------------------------------------- app

    async def app_build_info(self) -> BuildInfo | None:
        """``app/buildInfo``: versions of the libraries qBittorrent was built with."""
        data = await self._json(_ep("app/buildInfo", "2.3.0"))
        return None if data is None else BuildInfo.from_api(data)

    async def app_shutdown(self) -> None:
        """``app/shutdown``: quit qBittorrent."""
        await self._call(_ep("app/shutdown"))

    async def app_preferences(self) -> Preferences:
        """``app/preferences``: every setting, unknown keys kept."""
        return Preferences(await self._json(_ep("app/preferences")) or {})

    async def app_set_preferences(self, prefs: Mapping[str, Any]) -> None:
        """``app/setPreferences``: change the given settings only."""
        await self._call(_ep("app/setPreferences"), {"json": json.dumps(dict(prefs))})

    async def app_default_save_path(self) -> str:
        """``app/defaultSavePath``: the default download folder."""
        return (await self._text(_ep("app/defaultSavePath"))) or ""

    async def app_rotate_api_key(self) -> str | None:
        """``app/rotateAPIKey`` (WebAPI 2.14.1): make a new API key and return it."""
        data = await self._json(_ep("app/rotateAPIKey", str(WEBAPI_API_KEY)))
        return None if data is None else str(data["apiKey"])

    async def app_delete_api_key(self) -> bool | None:
        """``app/deleteAPIKey`` (WebAPI 2.14.1): revoke the API key."""
        return await self._action(_ep("app/deleteAPIKey", str(WEBAPI_API_KEY)))

    # ----------------------------------------------------------------- log

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
            _ep("log/main"),
            {
                "normal": _flag(normal),
                "info": _flag(info),
                "warning": _flag(warning),
                "critical": _flag(critical),
                "last_known_id": last_known_id,
            },
        )
        return [LogEntry.from_api(item) for item in data or ()]

    async def log_peers(self, last_known_id: int = -1) -> list[PeerLogEntry]:
        """``log/peers``: the peer log, newer than ``last_known_id``."""
        data = await self._json(_ep("log/peers"), {"last_known_id": last_known_id})
        return [PeerLogEntry.from_api(item) for item in data or ()]

    # ----------------------------------------------------------------- sync

    async def sync_maindata(self, rid: int = 0) -> MainData:
        """``sync/maindata``: everything (rid 0) or the changes since answer ``rid``."""
        return MainData.from_api(await self._json(_ep("sync/maindata"), {"rid": rid}) or {})

    async def sync_torrent_peers(self, torrent_hash: str, rid: int = 0) -> dict[str, Any]:
        """``sync/torrentPeers``: a torrent's peers, full or since answer ``rid``."""
        data = await self._json(
            _ep("sync/torrentPeers", item=True), {"hash": torrent_hash, "rid": rid}
        )
        return cast("dict[str, Any]", data or {})

    # ----------------------------------------------------------------- transfer

    async def transfer_info(self) -> TransferInfo:
        """``transfer/info``: global speeds, session totals, limits and connection status."""
        return TransferInfo.from_api(await self._json(_ep("transfer/info")) or {})

    async def transfer_speed_limits_mode(self) -> bool:
        """``transfer/speedLimitsMode``: whether the alternative speed limits are on."""
        return (await self._text(_ep("transfer/speedLimitsMode"))) == "1"

    async def transfer_toggle_speed_limits_mode(self) -> None:
        """``transfer/toggleSpeedLimitsMode``: switch the alternative speed limits."""
        await self._call(_ep("transfer/toggleSpeedLimitsMode"))

    async def transfer_set_speed_limits_mode(self, enabled: bool) -> None:
        """Turn the alternative speed limits on or off (toggles only when needed)."""
        if await self.transfer_speed_limits_mode() != enabled:
            await self.transfer_toggle_speed_limits_mode()

    async def transfer_download_limit(self) -> int:
        """``transfer/downloadLimit``: the global download limit in bytes/s (0: none)."""
        return int((await self._text(_ep("transfer/downloadLimit"))) or 0)

    async def transfer_set_download_limit(self, limit: int) -> None:
        """``transfer/setDownloadLimit``: set the global download limit in bytes/s (0: none)."""
        await self._call(_ep("transfer/setDownloadLimit"), {"limit": limit})

    async def transfer_upload_limit(self) -> int:
        """``transfer/uploadLimit``: the global upload limit in bytes/s (0: none)."""
        return int((await self._text(_ep("transfer/uploadLimit"))) or 0)

    async def transfer_set_upload_limit(self, limit: int) -> None:
        """``transfer/setUploadLimit``: set the global upload limit in bytes/s (0: none)."""
        await self._call(_ep("transfer/setUploadLimit"), {"limit": limit})

    async def transfer_ban_peers(self, peers: Iterable[str]) -> bool | None:
        """``transfer/banPeers``: ban ``host:port`` peers."""
        return await self._action(_ep("transfer/banPeers", "2.3.0"), {"peers": "|".join(peers)})

    # ----------------------------------------------------------------- torrents: reading

    async def torrents_info(self, **filters: Unpack[TorrentFilter]) -> list[Torrent]:
        """``torrents/info``: the torrent list, filtered and sorted by the server."""
        return [Torrent.from_api(item) for item in await self.torrents_info_raw(**filters)]

    async def torrents_info_raw(self, **filters: Unpack[TorrentFilter]) -> list[dict[str, Any]]:
        """``torrents/info`` as the server's mappings (for the store: no models built)."""
        names = {"status_filter": "filter"}
        form: dict[str, Any] = {}
        for key, value in filters.items():
            if value is None:
                continue
            if key == "hashes":
                form[key] = join_hashes(cast("Hashes", value))
            elif key == "status_filter":
                form["filter"] = await self._status_filter(str(value))
            else:
                form[names.get(key, key)] = _flag(value) if isinstance(value, bool) else value
        return cast("list[dict[str, Any]]", await self._json(_ep("torrents/info"), form) or [])

    async def _status_filter(self, name: str) -> str:
        """A ``torrents/info`` filter in the server's release's words.

        qBittorrent ignores a filter it does not know and lists every torrent, so 4.x's
        ``paused``/``resumed`` and 5.x's ``stopped``/``running`` are translated, and a word no
        release knows is refused.
        """
        word = name.strip().lower()
        if word not in STATUS_FILTERS:
            raise InvalidRequestError(
                f"no torrent filter {name[:40]!r}; known: {', '.join(sorted(STATUS_FILTERS))}"
            )
        new_names = await self.uses_stop_start()
        renamed = _NEW_FILTER_NAMES if new_names else _OLD_FILTER_NAMES
        return renamed.get(word, word)

    async def _per_torrent(self, path: str, torrent_hash: str, since: str | None = None) -> JSON:
        return await self._json(_ep(path, since, item=True), {"hash": torrent_hash})

    async def torrents_properties(self, torrent_hash: str) -> dict[str, Any]:
        """``torrents/properties``: a torrent's generic properties."""
        return cast("dict[str, Any]", await self._per_torrent("torrents/properties", torrent_hash))

    async def torrents_trackers(self, torrent_hash: str) -> list[dict[str, Any]]:
        """``torrents/trackers``: a torrent's trackers (URLs may hold pass-keys)."""
        return cast(
            "list[dict[str, Any]]", await self._per_torrent("torrents/trackers", torrent_hash)
        )

    async def torrents_webseeds(self, torrent_hash: str) -> list[dict[str, Any]]:
        """``torrents/webseeds``: a torrent's web seeds."""
        return cast(
            "list[dict[str, Any]]", await self._per_torrent("torrents/webseeds", torrent_hash)
        )

    async def torrents_files(
        self, torrent_hash: str, indexes: Iterable[int] | None = None
    ) -> list[dict[str, Any]]:
        """``torrents/files``: a torrent's files with progress and priority."""
        form: dict[str, Any] = {"hash": torrent_hash}
        if indexes is not None:
            form["indexes"] = "|".join(str(i) for i in indexes)
        data = await self._json(_ep("torrents/files", item=True), form)
        return cast("list[dict[str, Any]]", data)

    async def torrents_piece_states(self, torrent_hash: str) -> list[int]:
        """``torrents/pieceStates``: 0 missing, 1 downloading, 2 have, per piece."""
        return cast("list[int]", await self._per_torrent("torrents/pieceStates", torrent_hash))

    async def torrents_piece_hashes(self, torrent_hash: str) -> list[str]:
        """``torrents/pieceHashes``: the SHA-1 of every piece."""
        return cast("list[str]", await self._per_torrent("torrents/pieceHashes", torrent_hash))

    async def torrents_download_limit(self, hashes: Hashes) -> dict[str, int]:
        """``torrents/downloadLimit``: per-torrent download limits (bytes/s, 0: none)."""
        data = await self._json(_ep("torrents/downloadLimit"), {"hashes": join_hashes(hashes)})
        return cast("dict[str, int]", data or {})

    async def torrents_upload_limit(self, hashes: Hashes) -> dict[str, int]:
        """``torrents/uploadLimit``: per-torrent upload limits (bytes/s, 0: none)."""
        data = await self._json(_ep("torrents/uploadLimit"), {"hashes": join_hashes(hashes)})
        return cast("dict[str, int]", data or {})

    # ----------------------------------------------------------------- torrents: actions

    async def _on_hashes(self, endpoint: _Endpoint, hashes: Hashes, **extra: Any) -> bool | None:
        return await self._action(endpoint, {"hashes": join_hashes(hashes), **extra})

    async def torrents_pause(self, hashes: Hashes) -> bool | None:
        """``torrents/pause`` (until WebAPI 2.11): pause torrents."""
        return await self._on_hashes(_ep("torrents/pause", until=str(WEBAPI_STOP_START)), hashes)

    async def torrents_resume(self, hashes: Hashes) -> bool | None:
        """``torrents/resume`` (until WebAPI 2.11): resume torrents."""
        return await self._on_hashes(_ep("torrents/resume", until=str(WEBAPI_STOP_START)), hashes)

    async def torrents_stop(self, hashes: Hashes) -> bool | None:
        """``torrents/stop`` (WebAPI 2.11+): stop torrents."""
        return await self._on_hashes(_ep("torrents/stop", str(WEBAPI_STOP_START)), hashes)

    async def torrents_start(self, hashes: Hashes) -> bool | None:
        """``torrents/start`` (WebAPI 2.11+): start torrents."""
        return await self._on_hashes(_ep("torrents/start", str(WEBAPI_STOP_START)), hashes)

    async def pause(self, hashes: Hashes) -> None:
        """Pause (4.x) or stop (5.x) torrents, whichever the server understands."""
        if await self.uses_stop_start():
            await self.torrents_stop(hashes)
        else:
            await self.torrents_pause(hashes)

    async def resume(self, hashes: Hashes) -> None:
        """Resume (4.x) or start (5.x) torrents, whichever the server understands."""
        if await self.uses_stop_start():
            await self.torrents_start(hashes)
        else:
            await self.torrents_resume(hashes)

    async def torrents_delete(self, hashes: Hashes, delete_files: bool = False) -> None:
        """``torrents/delete``: remove torrents, with their data when asked."""
        await self._on_hashes(_ep("torrents/delete"), hashes, deleteFiles=_flag(delete_files))

    async def torrents_recheck(self, hashes: Hashes) -> None:
        """``torrents/recheck``: verify the torrents' data."""
        await self._on_hashes(_ep("torrents/recheck"), hashes)

    async def torrents_reannounce(self, hashes: Hashes) -> bool | None:
        """``torrents/reannounce``: announce to trackers now."""
        return await self._on_hashes(_ep("torrents/reannounce", "2.0.2"), hashes)

    async def torrents_add(
        self,
        *,
        urls: Iterable[str] = (),
        torrent_files: Iterable[bytes | tuple[str, bytes]] = (),
        save_path: str | None = None,
        cookie: str | None = None,
        category: str | None = None,
        tags: Iterable[str] | None = None,
        skip_checking: bool | None = None,
        paused: bool | None = None,
        root_folder: bool | None = None,
        content_layout: str | None = None,
        rename: str | None = None,
        upload_limit: int | None = None,
        download_limit: int | None = None,
        ratio_limit: float | None = None,
        seeding_time_limit: int | None = None,
        auto_tmm: bool | None = None,
        sequential_download: bool | None = None,
        first_last_piece_prio: bool | None = None,
    ) -> AddResult:
        """``torrents/add``: add torrents by URL/magnet and by ``.torrent`` content.

        ``paused`` is sent as ``paused`` and as ``stopped`` (5.x ignores the first), and
        ``skip_checking`` as ``seedMode`` from WebAPI 2.16. ``content_layout`` is ``Original``,
        ``Subfolder`` or ``NoSubfolder`` (WebAPI 2.7+); ``root_folder``, which those servers
        ignore, is sent to them as the layout it means. Raises InvalidTorrentFileError (415)
        and AddTorrentError when the server added nothing.
        """
        url_list = [u for u in urls if u]
        files = list(torrent_files)
        if not url_list and not files:
            raise InvalidRequestError("torrents/add: give at least one URL or torrent file")
        webapi = await self.webapi_version()
        form = aiohttp.FormData()
        if url_list:
            form.add_field("urls", "\n".join(url_list))
        for index, item in enumerate(files):
            name, content = item if isinstance(item, tuple) else (f"upload-{index}.torrent", item)
            form.add_field(
                "torrents", content, filename=name, content_type="application/x-bittorrent"
            )
        options: dict[str, Any] = {
            "savepath": save_path,
            "cookie": cookie,
            "category": category,
            "tags": ",".join(tags) if tags is not None else None,
            **_layout(root_folder, content_layout, webapi),
            "rename": rename,
            "upLimit": upload_limit,
            "dlLimit": download_limit,
            "ratioLimit": ratio_limit,
            "seedingTimeLimit": seeding_time_limit,
            "autoTMM": None if auto_tmm is None else _flag(auto_tmm),
            "sequentialDownload": None
            if sequential_download is None
            else _flag(sequential_download),
            "firstLastPiecePrio": None
            if first_last_piece_prio is None
            else _flag(first_last_piece_prio),
        }
        if paused is not None:
            options["paused"] = options["stopped"] = _flag(paused)
        if skip_checking is not None:
            key = "seedMode" if webapi >= WEBAPI_SEED_MODE else "skip_checking"
            options[key] = _flag(skip_checking)
        for key, value in options.items():
            if value is not None:
                form.add_field(key, str(value))
        response = await self._call(_ep("torrents/add"), form)
        return _add_result(response, webapi)

    async def torrents_add_trackers(self, torrent_hash: str, urls: Iterable[str]) -> None:
        """``torrents/addTrackers``: add tracker URLs to a torrent."""
        await self._call(
            _ep("torrents/addTrackers", item=True), {"hash": torrent_hash, "urls": "\n".join(urls)}
        )

    async def torrents_edit_tracker(
        self, torrent_hash: str, orig_url: str, new_url: str
    ) -> bool | None:
        """``torrents/editTracker``: replace one tracker URL.

        The old URL goes as ``origUrl`` and, for newer servers that renamed it, as ``url``.
        """
        form = {"hash": torrent_hash, "origUrl": orig_url, "url": orig_url, "newUrl": new_url}
        return await self._action(_ep("torrents/editTracker", "2.2.0", item=True), form)

    async def torrents_remove_trackers(self, torrent_hash: str, urls: Iterable[str]) -> bool | None:
        """``torrents/removeTrackers``: remove tracker URLs from a torrent."""
        form = {"hash": torrent_hash, "urls": "|".join(urls)}
        return await self._action(_ep("torrents/removeTrackers", "2.2.0", item=True), form)

    async def torrents_add_peers(self, hashes: Hashes, peers: Iterable[str]) -> bool | None:
        """``torrents/addPeers``: connect torrents to ``host:port`` peers."""
        return await self._on_hashes(
            _ep("torrents/addPeers", "2.3.0"), hashes, peers="|".join(peers)
        )

    async def torrents_increase_prio(self, hashes: Hashes) -> None:
        """``torrents/increasePrio``: move up the queue (409 when queueing is off)."""
        await self._on_hashes(_ep("torrents/increasePrio"), hashes)

    async def torrents_decrease_prio(self, hashes: Hashes) -> None:
        """``torrents/decreasePrio``: move down the queue."""
        await self._on_hashes(_ep("torrents/decreasePrio"), hashes)

    async def torrents_top_prio(self, hashes: Hashes) -> None:
        """``torrents/topPrio``: move to the top of the queue."""
        await self._on_hashes(_ep("torrents/topPrio"), hashes)

    async def torrents_bottom_prio(self, hashes: Hashes) -> None:
        """``torrents/bottomPrio``: move to the bottom of the queue."""
        await self._on_hashes(_ep("torrents/bottomPrio"), hashes)

    async def torrents_file_prio(
        self, torrent_hash: str, file_ids: Iterable[int], priority: int
    ) -> None:
        """``torrents/filePrio``: set the priority (0, 1, 6, 7) of files by index."""
        form = {
            "hash": torrent_hash,
            "id": "|".join(str(i) for i in file_ids),
            "priority": priority,
        }
        await self._call(_ep("torrents/filePrio", item=True), form)

    async def torrents_set_download_limit(self, hashes: Hashes, limit: int) -> None:
        """``torrents/setDownloadLimit``: per-torrent download limit in bytes/s."""
        await self._on_hashes(_ep("torrents/setDownloadLimit"), hashes, limit=limit)

    async def torrents_set_upload_limit(self, hashes: Hashes, limit: int) -> None:
        """``torrents/setUploadLimit``: per-torrent upload limit in bytes/s."""
        await self._on_hashes(_ep("torrents/setUploadLimit"), hashes, limit=limit)

    async def torrents_set_share_limits(
        self,
        hashes: Hashes,
        ratio_limit: float = -2,
        seeding_time_limit: int = -2,
        inactive_seeding_time_limit: int = -2,
    ) -> bool | None:
        """``torrents/setShareLimits``: ratio and seeding-time limits (-2 global, -1 none)."""
        webapi = await self.webapi_version()
        extra: dict[str, Any] = {"ratioLimit": ratio_limit, "seedingTimeLimit": seeding_time_limit}
        if webapi >= WEBAPI_INACTIVE_SEEDING_LIMIT:
            extra["inactiveSeedingTimeLimit"] = inactive_seeding_time_limit
        if webapi >= WEBAPI_SHARE_LIMIT_ACTION:
            # "Default" keeps the torrent's action and mode; 5.3 insists on both fields.
            extra["shareLimitAction"] = "Default"
            extra["shareLimitsMode"] = "Default"
        return await self._on_hashes(_ep("torrents/setShareLimits", "2.0.1"), hashes, **extra)

    async def torrents_set_location(self, hashes: Hashes, location: str) -> None:
        """``torrents/setLocation``: move torrents' data to another folder."""
        await self._on_hashes(_ep("torrents/setLocation"), hashes, location=location)

    async def torrents_rename(self, torrent_hash: str, name: str) -> None:
        """``torrents/rename``: rename a torrent."""
        await self._call(_ep("torrents/rename", item=True), {"hash": torrent_hash, "name": name})

    async def torrents_set_category(self, hashes: Hashes, category: str) -> None:
        """``torrents/setCategory``: set (or, with "", clear) the torrents' category."""
        await self._on_hashes(_ep("torrents/setCategory"), hashes, category=category)

    async def torrents_categories(self) -> dict[str, Category] | None:
        """``torrents/categories``: all categories by name."""
        data = await self._json(_ep("torrents/categories", "2.1.1"))
        if data is None:
            return None
        return {name: Category.from_api(value) for name, value in data.items()}

    async def torrents_create_category(self, name: str, save_path: str = "") -> None:
        """``torrents/createCategory``: make a category."""
        await self._call(_ep("torrents/createCategory"), {"category": name, "savePath": save_path})

    async def torrents_edit_category(self, name: str, save_path: str) -> bool | None:
        """``torrents/editCategory``: change a category's save path."""
        form = {"category": name, "savePath": save_path}
        return await self._action(_ep("torrents/editCategory", "2.1.0"), form)

    async def torrents_remove_categories(self, names: Iterable[str]) -> None:
        """``torrents/removeCategories``: delete categories."""
        await self._call(_ep("torrents/removeCategories"), {"categories": "\n".join(names)})

    async def torrents_add_tags(self, hashes: Hashes, tags: Iterable[str]) -> bool | None:
        """``torrents/addTags``: tag torrents (creating the tags as needed)."""
        return await self._on_hashes(_ep("torrents/addTags", "2.3.0"), hashes, tags=",".join(tags))

    async def torrents_remove_tags(self, hashes: Hashes, tags: Iterable[str] = ()) -> bool | None:
        """``torrents/removeTags``: untag torrents (no tags: remove all)."""
        return await self._on_hashes(
            _ep("torrents/removeTags", "2.3.0"), hashes, tags=",".join(tags)
        )

    async def torrents_tags(self) -> list[str] | None:
        """``torrents/tags``: all tags."""
        data = await self._json(_ep("torrents/tags", "2.3.0"))
        return None if data is None else cast("list[str]", data)

    async def torrents_create_tags(self, tags: Iterable[str]) -> bool | None:
        """``torrents/createTags``: make tags."""
        return await self._action(_ep("torrents/createTags", "2.3.0"), {"tags": ",".join(tags)})

    async def torrents_delete_tags(self, tags: Iterable[str]) -> bool | None:
        """``torrents/deleteTags``: delete tags."""
        return await self._action(_ep("torrents/deleteTags", "2.3.0"), {"tags": ",".join(tags)})

    async def torrents_set_auto_management(self, hashes: Hashes, enable: bool) -> None:
        """``torrents/setAutoManagement``: automatic torrent management on or off."""
        await self._on_hashes(_ep("torrents/setAutoManagement"), hashes, enable=_flag(enable))

    async def torrents_toggle_sequential_download(self, hashes: Hashes) -> None:
        """``torrents/toggleSequentialDownload``: flip sequential download."""
        await self._on_hashes(_ep("torrents/toggleSequentialDownload"), hashes)

    async def torrents_toggle_first_last_piece_prio(self, hashes: Hashes) -> None:
        """``torrents/toggleFirstLastPiecePrio``: flip first/last piece priority."""
        await self._on_hashes(_ep("torrents/toggleFirstLastPiecePrio"), hashes)

    async def torrents_set_force_start(self, hashes: Hashes, value: bool) -> None:
        """``torrents/setForceStart``: force start on or off."""
        await self._on_hashes(_ep("torrents/setForceStart"), hashes, value=_flag(value))

    async def torrents_set_super_seeding(self, hashes: Hashes, value: bool) -> None:
        """``torrents/setSuperSeeding``: super seeding on or off."""
        await self._on_hashes(_ep("torrents/setSuperSeeding"), hashes, value=_flag(value))

    async def torrents_rename_file(
        self, torrent_hash: str, old_path: str, new_path: str
    ) -> bool | None:
        """``torrents/renameFile``: rename a file inside a torrent."""
        form = {"hash": torrent_hash, "oldPath": old_path, "newPath": new_path}
        return await self._action(_ep("torrents/renameFile", "2.4.0", item=True), form)

    async def torrents_rename_folder(
        self, torrent_hash: str, old_path: str, new_path: str
    ) -> bool | None:
        """``torrents/renameFolder``: rename a folder inside a torrent."""
        form = {"hash": torrent_hash, "oldPath": old_path, "newPath": new_path}
        return await self._action(_ep("torrents/renameFolder", "2.8.0", item=True), form)

    # ----------------------------------------------------------------- rss

    async def rss_add_folder(self, path: str) -> None:
        """``rss/addFolder``: make an RSS folder (``A\\B`` paths)."""
        await self._call(_ep("rss/addFolder"), {"path": path})

    async def rss_add_feed(self, url: str, path: str = "") -> None:
        """``rss/addFeed``: subscribe to a feed, optionally at a folder path."""
        await self._call(_ep("rss/addFeed"), {"url": url, "path": path})

    async def rss_remove_item(self, path: str) -> None:
        """``rss/removeItem``: remove a feed or folder."""
        await self._call(_ep("rss/removeItem"), {"path": path})

    async def rss_move_item(self, item_path: str, dest_path: str) -> None:
        """``rss/moveItem``: move or rename a feed or folder."""
        await self._call(_ep("rss/moveItem"), {"itemPath": item_path, "destPath": dest_path})

    async def rss_items(self, with_data: bool = False) -> list[RssFeed]:
        """``rss/items``: all feeds (with their articles when ``with_data``)."""
        data = await self._json(_ep("rss/items"), {"withData": _flag(with_data)})
        return parse_rss_items(data or {})

    async def rss_mark_as_read(self, item_path: str, article_id: str | None = None) -> bool | None:
        """``rss/markAsRead``: mark one article, or a whole feed, as read."""
        form = {"itemPath": item_path}
        if article_id is not None:
            form["articleId"] = article_id
        return await self._action(_ep("rss/markAsRead", "2.5.1"), form)

    async def rss_refresh_item(self, item_path: str) -> bool | None:
        """``rss/refreshItem``: fetch a feed or folder now."""
        return await self._action(_ep("rss/refreshItem", "2.2.1"), {"itemPath": item_path})

    async def rss_set_rule(self, rule: RssRule) -> None:
        """``rss/setRule``: add or replace an auto-downloading rule."""
        form = {"ruleName": rule.name, "ruleDef": json.dumps(rule.to_api())}
        await self._call(_ep("rss/setRule"), form)

    async def rss_rename_rule(self, name: str, new_name: str) -> None:
        """``rss/renameRule``: rename an auto-downloading rule."""
        await self._call(_ep("rss/renameRule"), {"ruleName": name, "newRuleName": new_name})

    async def rss_remove_rule(self, name: str) -> None:
        """``rss/removeRule``: delete an auto-downloading rule."""
        await self._call(_ep("rss/removeRule"), {"ruleName": name})

    async def rss_rules(self) -> dict[str, RssRule]:
        """``rss/rules``: all auto-downloading rules by name."""
        data = await self._json(_ep("rss/rules")) or {}
        return {name: RssRule.from_rule(name, value) for name, value in data.items()}

    async def rss_matching_articles(self, name: str) -> dict[str, list[str]] | None:
        """``rss/matchingArticles``: article titles a rule matches, by feed."""
        data = await self._json(_ep("rss/matchingArticles", "2.5.1"), {"ruleName": name})
        return None if data is None else cast("dict[str, list[str]]", data)

    # ----------------------------------------------------------------- search

    async def search_start(
        self, pattern: str, plugins: str = "enabled", category: str = "all"
    ) -> SearchJob | None:
        """``search/start``: start a search job (409 when 5 already run)."""
        form = {"pattern": pattern, "plugins": plugins, "category": category}
        data = await self._json(_ep("search/start", "2.1.1"), form)
        return None if data is None else SearchJob.from_api(data)

    async def search_stop(self, job_id: int) -> bool | None:
        """``search/stop``: stop a running search job."""
        return await self._action(_ep("search/stop", "2.1.1", item=True), {"id": job_id})

    async def search_status(self, job_id: int | None = None) -> list[SearchJob] | None:
        """``search/status``: one job's status, or all jobs'."""
        form = {} if job_id is None else {"id": job_id}
        data = await self._json(_ep("search/status", "2.1.1", item=True), form)
        return None if data is None else [SearchJob.from_api(item) for item in data]

    async def search_results(
        self, job_id: int, limit: int = 0, offset: int = 0
    ) -> SearchResults | None:
        """``search/results``: a page of a job's results."""
        form = {"id": job_id, "limit": limit, "offset": offset}
        data = await self._json(_ep("search/results", "2.1.1", item=True), form)
        if data is None:
            return None
        results = tuple(SearchResult.from_api(item) for item in data.get("results", ()))
        return SearchResults(
            id=job_id,
            status=str(data.get("status", "")),
            total=int(data.get("total", 0)),
            results=results,
            raw=data,
        )

    async def search_delete(self, job_id: int) -> bool | None:
        """``search/delete``: forget a search job and its results."""
        return await self._action(_ep("search/delete", "2.1.1", item=True), {"id": job_id})

    async def search_plugins(self) -> list[SearchPlugin] | None:
        """``search/plugins``: installed search plugins."""
        data = await self._json(_ep("search/plugins", "2.1.1"))
        return None if data is None else [SearchPlugin.from_api(item) for item in data]

    async def search_install_plugin(self, sources: Iterable[str]) -> bool | None:
        """``search/installPlugin``: install plugins from URLs or file paths."""
        return await self._action(
            _ep("search/installPlugin", "2.1.1"), {"sources": "|".join(sources)}
        )

    async def search_uninstall_plugin(self, names: Iterable[str]) -> bool | None:
        """``search/uninstallPlugin``: remove plugins."""
        return await self._action(
            _ep("search/uninstallPlugin", "2.1.1"), {"names": "|".join(names)}
        )

    async def search_enable_plugin(self, names: Iterable[str], enable: bool) -> bool | None:
        """``search/enablePlugin``: enable or disable plugins."""
        form = {"names": "|".join(names), "enable": _flag(enable)}
        return await self._action(_ep("search/enablePlugin", "2.1.1"), form)

    async def search_update_plugins(self) -> bool | None:
        """``search/updatePlugins``: update all plugins from their sources."""
        return await self._action(_ep("search/updatePlugins", "2.1.1"))

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


def _add_result(response: HttpResponse | None, webapi: Version) -> AddResult:
    if response is None:
        raise APIError("torrents/add: the server has no add endpoint")
    text = response.text.strip()
    if webapi >= WEBAPI_ADD_JSON_ANSWER and text.startswith("{"):
        result = AddResult.from_api(json.loads(text))
        if result.failure_count and not result.success_count and not result.pending_count:
            raise AddTorrentError("qBittorrent added none of the torrents")
        return result
    if text == "Fails.":
        raise AddTorrentError("qBittorrent added none of the torrents (duplicate or bad link?)")
    return AddResult(raw={"answer": text})


_LAYOUTS = {"original": "Original", "subfolder": "Subfolder", "nosubfolder": "NoSubfolder"}


def _layout(root_folder: bool | None, layout: str | None, webapi: Version) -> dict[str, str]:
    """``torrents/add``'s folder option as the server's release takes it.

    ``root_folder`` before WebAPI 2.7, ``contentLayout`` from then on (those servers ignore
    ``root_folder``: files landed in a subfolder whatever it said).
    """
    if layout is not None:
        name = _LAYOUTS.get(layout.replace("_", "").replace(" ", "").lower())
        if name is None:
            raise InvalidRequestError("content_layout is Original, Subfolder or NoSubfolder")
        if root_folder is not None and name != ("Subfolder" if root_folder else "NoSubfolder"):
            raise InvalidRequestError("root_folder and content_layout disagree")
    elif root_folder is not None:
        name = "Subfolder" if root_folder else "NoSubfolder"
    else:
        return {}
    if webapi >= WEBAPI_CONTENT_LAYOUT:
        return {"contentLayout": name}
    if name == "Original":
        return {}
    return {"root_folder": _flag(name == "Subfolder")}
