"""Push from qBittorrent: its "run external program" setting tells the engine about a torrent.

qBittorrent runs one program when a torrent is added and one when a torrent finishes. Either
program can post the torrent's id to a push endpoint — the daemon's ``PushReceiver`` or Home
Assistant's webhook — and the engine fetches just that torrent at once, so *added* and
*completed* events come within a second without a poll or a sweep.

The program is a plain ``curl`` line (``push_line``) or ``qbt-bridge notify``. An endpoint
answers 202 (accepted: looked at with the next refresh, many pushes coalesced into one query),
400 (not a torrent id), 401 (wrong or missing secret) or 404 (no such instance). Where the
instance has a qbit_manage, the pushed ids are forwarded to it in batches with the commands the
user chose, so the one program slot qBittorrent has serves both.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import voluptuous as vol
from aiohttp import web

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.clients.base import Capability
from qbt_bridge.clients.qbit_manage import COMMANDS as MANAGE_COMMANDS
from qbt_bridge.core.errors import QbtBridgeError
from qbt_bridge.core.settings import TEXT, integer, setting
from qbt_bridge.core.torrentfile import parse_hashes
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.httpguard import (
    GuardedServer,
    Refusals,
    RefusedError,
    quoted,
    read_body,
    refused_secret,
)
from qbt_bridge.engine.link import check_url

_LOGGER = logging.getLogger(__name__)
# A secret goes into a shell line and an HTTP header: letters, digits and ._~- only.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9._~-]{16,256}$")
SECRET_RULE = "at least 16 letters, digits or . _ ~ - (e.g. from `openssl rand -hex 24`)"  # noqa: S105


def check_secret(value: Any) -> str:
    """A push secret as SECRET_RULE says, for a settings check."""
    if not isinstance(value, str) or not SECRET_PATTERN.match(value):
        raise vol.Invalid(f"expected {SECRET_RULE}")
    return value


MAX_BODY = 64 * 1024  # ~1 500 ids in one post; a body of exactly this size is taken
MAX_FIELDS = 4096  # form fields in one post (ids may also share a field, | separated)
FORWARD_DELAY = 2.0  # seconds pushed ids gather before one qbit_manage run
# qBittorrent's program slots: (preference prefix, when it runs).
SLOTS = (("autorun_on_torrent_added", "when a torrent is added"), ("autorun", "when one finishes"))
# What qBittorrent puts for a torrent's id: %K is the torrent id (the v1 hash, or the shortened
# v2 hash of a v2-only torrent), which is what its WebAPI calls ``hash``. %I would be "-" there.
PLACEHOLDER = "%K"
# The qbit_manage commands pushed ids can be passed on to: those that take hashes.
PUSH_COMMANDS = tuple(name for name, with_hashes in MANAGE_COMMANDS.items() if with_hashes)


@dataclass(frozen=True, slots=True, kw_only=True)
class PushConfig:
    """The push endpoint qBittorrent's "run external program" posts to (the daemon's)."""

    listen: str = setting(default="127.0.0.1", help="address the endpoint listens on", check=TEXT)
    port: int = setting(default=8089, help="its port", check=integer, minimum=1, maximum=65535)
    secret: str | None = setting(
        default=None, help=f"required beyond loopback: {SECRET_RULE}", check=check_secret
    )
    url: str | None = setting(
        default=None,
        help="how qBittorrent reaches it (default: the listen address)",
        check=check_url,
    )
    install: bool = setting(
        default=True,
        help="set qBittorrent's program slots once it answers (only empty ones or ours; a slot "
        "with another program is left as it is); false: set them yourself",
        check=bool,
    )

    def secrets(self) -> list[str]:
        """The values that must never reach a log."""
        return [self.secret] if self.secret else []


class PushTarget:
    """Where the pushes for one instance go: its bridge, and qbit_manage commands to forward."""

    def __init__(
        self, bridge: Bridge, forward: Sequence[str] = (), *, forward_delay: float = FORWARD_DELAY
    ) -> None:
        self.bridge = bridge
        self.forward = tuple(forward)
        self.forward_delay = forward_delay
        self.refusals = Refusals(_LOGGER)  # this instance's refused pushes, each kind once
        self._waiting: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    def accept(self, hashes: Sequence[str]) -> str:
        """Look at these torrents with the next refresh (all, by a sweep, when none is given)."""
        self.bridge.refresher.push_confirmed()
        for torrent_hash in hashes:
            self.bridge.notify(torrent_hash)
        if not hashes:
            self.bridge.notify(None)
        if self.forward and hashes:
            self._waiting.update(hashes)
            if self._task is None or self._task.done():
                self._task = asyncio.create_task(self._forward())
        if not self.bridge.available:
            name = self.bridge.instance_id
            return f"accepted; {name} is not reachable now, looked at when it is back\n"
        return f"accepted {len(hashes)}\n" if hashes else "accepted; a full refresh follows\n"

    async def _forward(self) -> None:
        """One qbit_manage run per batch of pushed ids (its runs walk torrents: keep them few)."""
        await asyncio.sleep(self.forward_delay)
        batch, self._waiting = sorted(self._waiting), set()
        try:
            outcome = await self.bridge.manage.run_pushed(self.forward, batch)
        except QbtBridgeError as err:
            self.refusals.refuse(
                "forward",
                "%s: pushed torrents not passed on to qbit_manage: %s",
                self.bridge.instance_id,
                err,
            )
        else:
            self.refusals.clear("forward")
            _LOGGER.debug("qbit_manage %s on %d pushed: %s", self.forward, len(batch), outcome)

    async def close(self) -> None:
        """Stop a pending qbit_manage forward."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


async def answer_push(target: PushTarget, request: web.Request) -> web.Response:
    """Answer one push request's ids (the daemon's endpoint and Home Assistant's webhook)."""
    peer = request.remote or "?"
    refusals = target.refusals
    try:
        hashes = await _pushed_ids(request)
    except ConnectionError as err:  # it went away mid-body: nobody to answer
        _LOGGER.debug("push from %s: the client went away: %s", peer, err)
        return web.Response(status=400, text="incomplete body\n")
    except RefusedError as err:
        refusals.refuse(err.kind, "push from %s refused (%d): %s", peer, err.status, err.text)
        return err.response()
    refusals.clear()
    _LOGGER.debug("push for %s from %s: %d ids", target.bridge.instance_id, peer, len(hashes))
    return web.Response(status=202, text=target.accept(hashes))


async def _pushed_ids(request: web.Request) -> list[str]:
    """The ids of a push (form body, query string); raises RefusedError.

    The body is form-encoded (``curl -d``, ``qbt-bridge notify``), read within the bounds of
    ``httpguard.read_body``.
    """
    if request.content_type == "multipart/form-data":
        raise RefusedError(415, "type", "send the ids form-encoded (curl -d hash=…)")
    body = await read_body(request, MAX_BODY)
    try:
        form = parse_qsl(body.decode(), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError as err:  # not UTF-8, or too many fields
        raise RefusedError(400, "input", f"not a form-encoded body: {err}") from err
    values = [v for k, v in form if k == "hash"] + request.query.getall("hash", [])
    try:
        return parse_hashes(values)
    except ValueError as err:
        raise RefusedError(400, "input", str(err)) from err


class PushReceiver:
    """The daemon's push endpoint: ``POST /push/<instance>`` with ``hash`` form fields."""

    def __init__(
        self,
        targets: Mapping[str, PushTarget],
        host: str = "127.0.0.1",
        port: int = 0,
        secret: str | None = None,
    ) -> None:
        self.targets = targets
        self.host = host
        self.port = port
        self.secret = secret
        self.refusals = Refusals(_LOGGER)  # refused requests, each kind once until a good one
        self._server: GuardedServer | None = None

    @property
    def listening(self) -> bool:
        """Whether the endpoint is up (between ``start`` and ``stop``)."""
        return self._server is not None

    def url(self, instance: str, base: str | None = None) -> str:
        """Where an instance's pushes go.

        Below ``base`` (how qBittorrent reaches this endpoint) when given, else at the listen
        address (loopback for "every interface").
        """
        if base:
            return f"{base}/push/{instance}"
        where = "127.0.0.1" if self.host in {"0.0.0.0", "::", ""} else self.host  # noqa: S104
        where = f"[{where}]" if ":" in where else where
        return f"http://{where}:{self.port}/push/{instance}"

    async def start(self) -> None:
        """Listen (on a free port when none was given)."""
        app = web.Application()  # bodies are read by httpguard.read_body, within MAX_BODY
        app.router.add_post("/push/{instance}", self._push)
        server = GuardedServer("push endpoint", app, self.host, self.port, self.refusals)
        self.port = await server.start()
        self._server = server
        _LOGGER.info("push endpoint listening on %s:%d", self.host or "*", self.port)

    async def stop(self) -> None:
        """Stop listening and any pending forward."""
        if self._server is not None:
            await self._server.stop()
            self._server = None
        for target in self.targets.values():
            await target.close()

    async def _push(self, request: web.Request) -> web.Response:
        peer = request.remote or "?"
        if (refused := refused_secret(request, self.secret, self.refusals, "push")) is not None:
            return refused
        instance = request.match_info["instance"]
        target = self.targets.get(instance)
        if target is None:
            self.refusals.refuse(
                "instance", "push from %s refused: no instance %s", peer, quoted(instance)
            )
            return web.Response(status=404, text="no such instance\n")
        response = await answer_push(target, request)
        if response.status == 202:
            self.refusals.clear()
        return response


def push_line(url: str, secret: str | None = None) -> str:
    """The ``curl`` line for qBittorrent's "run external program" (both slots take the same).

    Only double quotes: some releases split the line themselves (Qt's splitCommand, which knows
    no single quotes) rather than through a shell. The secret and URL hold no quote characters.
    """
    if '"' in url or any(ch.isspace() for ch in url):
        raise ValueError(f"a push URL holds no quotes or spaces: {url!r}")
    header = f'-H "Authorization: Bearer {secret}" ' if secret else ""
    return f"curl -fsS -m 5 {header}-d hash={PLACEHOLDER} {url}"


@dataclass(frozen=True, slots=True)
class PushSetup:
    """What ``install_push`` did with qBittorrent's two program slots."""

    installed: tuple[str, ...]  # slots set (or already holding the line)
    left: tuple[str, ...]  # slots that hold another program, left as they are

    def message(self, instance: str) -> str:
        """One sentence for the log or a form."""
        parts = []
        if self.installed:
            parts.append(f"runs the push {' and '.join(self.installed)}")
        if self.left:
            parts.append(
                f"already runs another program {' and '.join(self.left)}: left as it is; "
                "add the push line there yourself (or move that program to qbit_manage's "
                "commands on push)"
            )
        return f"qBittorrent {instance} " + "; ".join(parts)


def _qbittorrent(bridge: Bridge) -> QBittorrentClient:
    bridge.need(Capability.PUSH)  # NotSupportedError, worded for people, on other clients
    client = bridge.client
    if not isinstance(client, QBittorrentClient):  # pragma: no cover - PUSH is qBittorrent's
        raise TypeError("push needs a qBittorrent")
    return client


async def _preferences(bridge: Bridge) -> Mapping[str, Any]:
    """The server's preferences (``app/preferences``), once it answered."""
    await bridge.connect()
    return await _qbittorrent(bridge).app_preferences()


async def install_push(bridge: Bridge, line: str, marker: str) -> PushSetup:
    """Set ``line`` as qBittorrent's program on add and on finish, never over another program.

    A slot is set when it is empty or holds an earlier push line of ours (one containing
    ``marker``, the endpoint's URL); a slot with another program is left as it is.
    """
    prefs = await _preferences(bridge)
    changes: dict[str, Any] = {}
    installed, left = [], []
    for prefix, when in SLOTS:
        current = str(prefs.get(f"{prefix}_program") or "")
        enabled = bool(prefs.get(f"{prefix}_enabled"))
        if _taken(current, marker):
            left.append(when)
            continue
        installed.append(when)
        if current != line or not enabled:
            changes.update({f"{prefix}_program": line, f"{prefix}_enabled": True})
    if changes:
        await _qbittorrent(bridge).app_set_preferences(changes)
    if not left:
        bridge.refresher.push_confirmed()
    return PushSetup(tuple(installed), tuple(left))


def _taken(program: str, marker: str) -> bool:
    """Whether a slot holds another program than a push line with ``marker``."""
    return bool(program.strip()) and marker not in program


async def taken_slots(bridge: Bridge, marker: str) -> tuple[str, ...]:
    """The program slots that hold another program (``install_push`` would leave them)."""
    prefs = await _preferences(bridge)
    return tuple(
        when for prefix, when in SLOTS if _taken(str(prefs.get(f"{prefix}_program") or ""), marker)
    )


async def push_installed(bridge: Bridge, marker: str) -> bool:
    """Whether both of qBittorrent's program slots run a push line with ``marker`` (one call).

    When they do, push is confirmed for the engine (sweeps become rare).
    """
    prefs = await _preferences(bridge)
    found = all(
        marker in str(prefs.get(f"{prefix}_program") or "") and prefs.get(f"{prefix}_enabled")
        for prefix, _when in SLOTS
    )
    if found:
        bridge.refresher.push_confirmed()
    return found


async def send_notify(url: str, hashes: Sequence[str], secret: str | None = None) -> str:
    """Post torrent ids to a push endpoint (what ``qbt-bridge notify`` does); its answer."""
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    form = [("hash", h) for h in hashes]
    client_timeout = aiohttp.ClientTimeout(total=5)
    async with (
        aiohttp.ClientSession(timeout=client_timeout) as session,
        session.post(url, data=form, headers=headers) as response,
    ):
        text = (await response.text()).strip()
        if response.status != 202:
            raise RuntimeError(f"{response.status} {text}")
        return text
