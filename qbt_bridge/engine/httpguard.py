"""What every HTTP server of ours does against slow, broken and hostile clients.

The daemon's push endpoint (and later ``/metrics``) faces the local network. Here a server:

- closes a connection that has not finished its request ``CLIENT_DEADLINE`` seconds after it
  opened (one request per connection: every answer closes it, as curl expects);
- keeps at most ``MAX_CONNECTIONS``: a new one beyond closes the oldest, so a flood of stalled
  clients never keeps a good one out;
- reads at most ``max_body`` bytes of a body, within ``CLIENT_DEADLINE`` (``read_body``: Home
  Assistant's webhook uses it too, since there Home Assistant's own server holds the
  connections);
- logs each kind of refusal once (``Refusals``) — malformed HTTP, a slow client, the connection
  cap, an unknown path or method — never with a traceback, and a client that went away as one
  debug line.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

_LOGGER = logging.getLogger(__name__)

CLIENT_DEADLINE = 5.0  # seconds from connecting to a whole request (curl's push line gives 5)
MAX_CONNECTIONS = 128  # open connections one server keeps (the oldest goes first)
MAX_QUOTED = 80  # characters of a client's own words quoted in a log line

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Refusals:
    """Log each kind of refusal once, until a good request comes (a flood is one line)."""

    def __init__(self, logger: logging.Logger = _LOGGER) -> None:
        self._seen: set[str] = set()
        self._logger = logger

    def refuse(self, kind: str, message: str, *args: object) -> None:
        """Log ``message`` at WARNING unless this kind was logged since the last ``clear``."""
        if kind not in self._seen:
            self._seen.add(kind)
            self._logger.warning(message, *args)

    def clear(self, kind: str | None = None) -> None:
        """A good request came: log this kind (or every kind, with None) again next time."""
        if kind is None:
            self._seen.clear()
        else:
            self._seen.discard(kind)


class RefusedError(Exception):
    """A request refused with an HTTP status and a line for the client."""

    def __init__(self, status: int, kind: str, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.kind = kind
        self.text = text

    def response(self) -> web.Response:
        """The answer the client gets."""
        return web.Response(status=self.status, text=f"{self.text}\n")


def refused_secret(
    request: web.Request, secret: str | None, refusals: Refusals, what: str
) -> web.Response | None:
    """The 401 for a request without ``Authorization: Bearer <secret>``, logged once per kind.

    None when there is no secret or the request carries it.
    """
    if secret is None:
        return None
    given = request.headers.get("Authorization", "")
    if hmac.compare_digest(given.encode(), f"Bearer {secret}".encode()):
        return None
    refusals.refuse(
        "secret", "%s from %s refused: wrong or missing secret", what, request.remote or "?"
    )
    return web.Response(
        status=401, text="wrong or missing secret (send 'Authorization: Bearer …')\n"
    )


async def read_body(request: web.Request, max_body: int) -> bytes:
    """The whole body, at most ``max_body`` bytes, within ``CLIENT_DEADLINE``.

    Raises RefusedError (413 too big, 408 too slow); a client that went away mid-body raises
    ConnectionError (there is nobody left to answer).
    """
    too_big = RefusedError(413, "too_big", f"a body over {max_body // 1024} KiB")
    if request.content_length is not None and request.content_length > max_body:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(CLIENT_DEADLINE):
            while chunk := await request.content.readany():
                size += len(chunk)
                if size > max_body:
                    raise too_big
                chunks.append(chunk)
    except TimeoutError as err:
        raise RefusedError(
            408, "slow", f"the body did not arrive within {CLIENT_DEADLINE:.0f} s"
        ) from err
    return b"".join(chunks)


def quoted(text: object) -> str:
    """A client's own words, safe for one log line."""
    return repr(str(text)[:MAX_QUOTED])


class _ServerLog(logging.LoggerAdapter[logging.Logger]):
    """aiohttp's server logger: malformed HTTP is one line per kind, a client gone one debug line.

    aiohttp logs a traceback for every request it cannot parse; a server facing a network sees
    many. An error that is neither (a bug of ours) keeps its traceback.
    """

    def __init__(self, name: str, refusals: Refusals) -> None:
        super().__init__(_LOGGER, {})
        self.server_name = name
        self.refusals = refusals

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        """Sort what aiohttp reports by what it is."""
        exc_info = kwargs.get("exc_info")
        err = exc_info if isinstance(exc_info, BaseException) else None
        if exc_info is True:
            err = sys.exc_info()[1]
        if isinstance(err, HttpProcessingError):
            kind = type(err).__name__
            self.refusals.refuse(
                f"http:{kind}", "%s: refused malformed HTTP (%s: %s)", self.server_name, kind,
                quoted(err.message),
            )  # fmt: skip
        elif isinstance(err, ConnectionError):
            self.logger.debug("%s: a client went away: %s", self.server_name, err)
        else:
            super().log(level, msg, *args, **kwargs)


class GuardedServer:
    """An aiohttp application served on one address with the guards above."""

    def __init__(
        self,
        name: str,
        app: web.Application,
        host: str,
        port: int,
        refusals: Refusals,
        *,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.refusals = refusals
        self.max_connections = max_connections
        app.middlewares.append(self._one_request)
        self._runner = web.AppRunner(app, access_log=None, logger=_ServerLog(name, refusals))
        self._site: _GuardedSite | None = None

    async def start(self) -> int:
        """Listen (on a free port when none was given); the port."""
        await self._runner.setup()
        self._site = _GuardedSite(self, self.host or None, self.port)
        await self._site.start()
        if self.port == 0:
            self.port = self._site.bound_port()
        return self.port

    async def stop(self) -> None:
        """Stop listening and close every connection."""
        if self._site is not None:
            self._site.cancel_deadlines()
        await self._runner.cleanup()
        self._site = None

    @web.middleware
    async def _one_request(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Every answer closes its connection; aiohttp's own refusals (path, method) are logged."""
        try:
            response = await handler(request)
        except web.HTTPException as err:
            if err.status >= 400:
                self.refusals.refuse(
                    f"status:{err.status}", "%s: refused %s %s from %s: %d %s", self.name,
                    quoted(request.method), quoted(request.path), request.remote, err.status,
                    err.reason,
                )  # fmt: skip
            err.force_close()
            raise
        response.force_close()
        return response


class _GuardedSite(web.TCPSite):
    """A TCP site whose connections have a deadline and a cap."""

    def __init__(self, owner: GuardedServer, host: str | None, port: int) -> None:
        super().__init__(owner._runner, host, port)  # noqa: SLF001 - the owner's own runner
        self.owner = owner
        self._deadlines: dict[web.RequestHandler, asyncio.TimerHandle] = {}

    async def start(self) -> None:
        """Listen through ``_accept`` (TCPSite's start, with our protocol factory)."""
        await web.BaseSite.start(self)  # registers the site with its runner
        server = self._runner.server
        if server is None:  # pragma: no cover - set up by GuardedServer.start
            raise RuntimeError("the runner is not set up")
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: self._accept(server, loop), self._host, self._port, backlog=self._backlog
        )

    def bound_port(self) -> int:
        """The port the system chose."""
        sockets: list[Any] = list(getattr(self._server, "sockets", None) or [])
        return int(sockets[0].getsockname()[1])

    def _accept(self, server: web.Server, loop: asyncio.AbstractEventLoop) -> web.RequestHandler:
        owner = self.owner
        live = [h for h in server.connections if h.transport is not None]
        if len(live) >= owner.max_connections:
            owner.refusals.refuse(
                "connections", "%s: over %d connections open: closing the oldest",
                owner.name, owner.max_connections,
            )  # fmt: skip
            live[0].force_close()
        handler = server()
        self._deadlines[handler] = loop.call_later(CLIENT_DEADLINE, self._expire, handler)
        return handler

    def _expire(self, handler: web.RequestHandler) -> None:
        self._deadlines.pop(handler, None)
        if handler.transport is not None:  # still open: the request never finished
            self.owner.refusals.refuse(
                "slow", "%s: closed a client that sent no whole request within %.0f s",
                self.owner.name, CLIENT_DEADLINE,
            )  # fmt: skip
            handler.force_close()

    def cancel_deadlines(self) -> None:
        """Stop the timers (the server is stopping)."""
        for timer in self._deadlines.values():
            timer.cancel()
        self._deadlines.clear()
