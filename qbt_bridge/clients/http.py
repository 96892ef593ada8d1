"""The one place where qbt-bridge's clients do HTTP: sessions, timeouts, TLS and error mapping."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from qbt_bridge.core.errors import ConnectionFailedError

_LOGGER = logging.getLogger(__name__)

Params = Mapping[str, Any] | Sequence[tuple[str, str]] | None  # pairs: a key may repeat

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_REQUEST_TIMEOUT = 30.0
# A pooled connection the server closed while idle fails with these when reused.
_STALE_ERRNOS = frozenset({errno.EPIPE, errno.ECONNRESET})


def normalize_url(host: str, default_scheme: str = "http") -> str:
    """Turn ``host:port``, ``http://host:port/`` or ``https://host/sub/`` into one base URL.

    User info in the URL is dropped (credentials travel separately and never in a URL), the
    trailing slash is removed, and a host without a scheme gets ``default_scheme``.
    """
    text = host.strip()
    if not text:
        raise ValueError("no host given")
    if "://" not in text:
        text = f"{default_scheme}://{text}"
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"}:
        raise ValueError(f"unsupported URL scheme {parts.scheme!r} (use http or https)")
    if not parts.hostname:
        raise ValueError(f"no host name in {host!r}")
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What a request returned, read in full so the connection can go back to the pool."""

    status: int
    body: bytes
    content_type: str
    cookies: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", errors="replace")


class AsyncClosing:
    """``async with`` support for anything with an async ``close()``."""

    async def close(self) -> None:
        """Release what the object holds."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class HttpTransport(AsyncClosing):
    """An aiohttp session (injected or owned) with the library's timeouts and TLS settings."""

    def __init__(
        self,
        base_url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        verify_certificate: bool = True,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        extra_headers: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url
        self.verify_certificate = verify_certificate
        self.request_timeout = request_timeout
        self._timeout = aiohttp.ClientTimeout(
            total=request_timeout, connect=connect_timeout, sock_read=request_timeout
        )
        self._extra_headers = dict(extra_headers or {})
        self._session = session
        self._owns_session = session is None
        self.bytes_received = 0  # response bodies, for the benchmark and diagnostics
        self.requests_sent = 0

    @property
    def session(self) -> aiohttp.ClientSession:
        """The session in use, created on first use when none was injected."""
        if self._session is None or (self._owns_session and self._session.closed):
            # Cookies are handled by the clients themselves (the jar refuses IP hosts).
            self._session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
            self._owns_session = True
        return self._session

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: aiohttp.BasicAuth | None = None,
        allow: float | None = None,
    ) -> HttpResponse:
        """Send one request below the base URL; network trouble becomes ConnectionFailedError.

        ``allow``: seconds this request may take, instead of the transport's ``request_timeout``.

        A pooled keep-alive connection that the server closed meanwhile (it restarted) fails
        before the request reaches it; that one case is retried once on a new connection.
        """
        seconds = self.request_timeout if allow is None else allow
        request = (method, path, params, data, headers, auth, seconds)
        try:
            try:
                return await self._request_once(*request)
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as err:
                if isinstance(err, aiohttp.ClientOSError) and err.errno not in _STALE_ERRNOS:
                    raise
                _LOGGER.debug("%s: stale connection, retrying once", self.base_url)
                return await self._request_once(*request)
        except aiohttp.ClientConnectorCertificateError as err:
            raise ConnectionFailedError(
                f"{self.base_url}: the server's TLS certificate is not trusted "
                f"({err.certificate_error}); install its CA or turn certificate checks off",
                "its TLS certificate is not trusted",
            ) from err
        except aiohttp.ClientSSLError as err:
            raise ConnectionFailedError(self._tls_hint(type(err).__name__), _TLS) from err
        except TimeoutError as err:
            raise ConnectionFailedError(
                f"{self.base_url}: no answer within {seconds:g} s",
                f"no answer within {seconds:g} s",
            ) from err
        except (aiohttp.ClientError, socket.gaierror, OSError) as err:
            reason = _reason(err)
            if self.base_url.startswith("https:") and "reset" in reason.lower():
                raise ConnectionFailedError(self._tls_hint(reason), _TLS) from err
            raise ConnectionFailedError(
                f"{self.base_url}: cannot connect ({reason})", _for_people(err)
            ) from err

    def _tls_hint(self, reason: str) -> str:
        return (
            f"{self.base_url}: the TLS handshake failed ({reason}); "
            "is this an https:// URL on a plain-HTTP port?"
        )

    async def _request_once(  # noqa: PLR0917 - private mirror of request()
        self,
        method: str,
        path: str,
        params: Params,
        data: Any,
        headers: Mapping[str, str] | None,
        auth: aiohttp.BasicAuth | None,
        seconds: float,
    ) -> HttpResponse:
        url = f"{self.base_url}/{path.lstrip('/')}"
        all_headers = {**self._extra_headers, **(headers or {})}
        timeout = self._timeout
        if seconds != self.request_timeout:
            timeout = aiohttp.ClientTimeout(
                total=seconds, connect=timeout.connect, sock_read=seconds
            )
        async with asyncio.timeout(seconds + 1):
            async with self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=all_headers,
                auth=auth,
                timeout=timeout,
                ssl=self.verify_certificate,
                allow_redirects=False,
            ) as response:
                body = await response.read()
                self.bytes_received += len(body)
                self.requests_sent += 1
                cookies = {name: morsel.value for name, morsel in response.cookies.items()}
                return HttpResponse(
                    response.status,
                    body,
                    response.content_type or "",
                    cookies,
                    {key.lower(): value for key, value in response.headers.items()},
                )

    async def close(self) -> None:
        """Close the session if this transport created it; an injected one stays open."""
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()


_TLS = "the secure connection failed"


def _for_people(err: BaseException) -> str:
    """Why a connection failed, in a few words (no address, no exception name)."""
    os_error = err.os_error if isinstance(err, aiohttp.ClientConnectorError) else err
    if isinstance(os_error, socket.gaierror):
        return "its host name is unknown"
    if isinstance(os_error, ConnectionRefusedError):
        return "it refused the connection (not running?)"
    if isinstance(err, ConnectionResetError | aiohttp.ServerDisconnectedError):
        return "it closed the connection"
    return "it cannot be reached"


def _reason(err: BaseException) -> str:
    if isinstance(err, aiohttp.ClientConnectorError):
        return err.os_error.strerror or type(err.os_error).__name__
    if isinstance(err, ConnectionResetError):
        return "connection reset by the server"
    if isinstance(err, aiohttp.ServerDisconnectedError):
        return "the server closed the connection"
    text = str(err)
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
