"""A STAND-IN for uTorrent's WebUI (uTorrent is a Windows/macOS program and cannot run here).

Built from ``reference/utorrent-webui-api.md`` and design.md's protocol facts, nothing else:

* every request needs HTTP Basic auth, else 401 with ``WWW-Authenticate: Basic
  realm="uTorrent"``;
* ``GET /gui/token.html`` answers ``<html><div id='token' style='display:none;'>TOKEN</div>
  </html>`` and sets a ``GUID`` cookie; ``/gui/?…`` needs ``token=`` and that cookie, else 400
  (``expire_token()`` makes the current token stale, as a uTorrent restart does);
* ``?list=1`` answers ``{"build", "label", "torrents", "torrentc"}``; with a known ``cid`` it
  answers ``torrentp`` (changed rows) and ``torrentm`` (removed hashes) instead of
  ``torrents``; rows are the 27 columns of design.md (hash upper case, status bitfield,
  progress and ratio per mille …);
* ``action=start|stop|pause|unpause|forcestart|recheck|remove|removedata`` with ``hash``
  (repeatable), ``add-url&s=``, POST ``add-file`` (multipart field ``torrent_file``),
  ``getsettings``, ``setsetting&s=&v=``, ``setprops&hash=&s=&v=``, ``getfiles``, ``getprops``;
  answers ``{"build": …}``. The reference names ``setprops``, ``getfiles`` and ``getprops``
  without their answers; the shapes used (``files: [HASH, [[name, size, downloaded,
  priority, …]]]``, ``props: [{hash, ulrate, dlrate, …}]``) are uTorrent's WebUI API's;
* ``restart()``: a new token, GUIDs and cache ids forgotten, as when uTorrent restarts.

It records every request (``requests``) so tests can check what the client sent.
"""

from __future__ import annotations

import base64
import itertools
import secrets
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.standins.common import FakeTorrent, LoopbackServer, torrent_from_file, torrent_from_link

BUILD = 46000
STARTED, CHECKING, ERROR, PAUSED, QUEUED, LOADED, CHECKED = 1, 2, 16, 32, 64, 128, 8


@dataclass
class Seen:
    """One request the stand-in answered."""

    path: str
    query: dict[str, list[str]]
    status: int


def status_of(t: FakeTorrent) -> int:
    bits = LOADED | CHECKED
    if t.started:
        bits |= STARTED
    if t.paused:
        bits |= PAUSED
    if t.queued:
        bits |= QUEUED
    if t.checking:
        bits |= CHECKING
    if t.error:
        bits |= ERROR
    return bits


def row_of(t: FakeTorrent) -> list[Any]:
    """The 27 columns of a list row."""
    per_mille = t.done * 1000 // t.size
    ratio = t.uploaded * 1000 // t.done if t.done else 0
    remaining = t.size - t.done
    eta = remaining // t.down_speed if t.down_speed else (0 if t.complete else -1)
    return [
        t.hash.upper(), status_of(t), t.name, t.size, per_mille, t.done, t.uploaded, ratio,
        t.up_speed, t.down_speed, eta, t.label, 0, 0, 0, 0, 65536, 1 if t.queued else -1,
        remaining, "", "", "Seeding" if t.complete else "Downloading", "", t.added_on,
        t.completed_on, "", "/downloads",
    ]  # fmt: skip


class UTorrentStandIn(LoopbackServer):
    """The stand-in server, its torrents, settings and what it saw."""

    def __init__(
        self,
        username: str = "admin",
        password: str = "utorrent-secret",  # noqa: S107 - a test server's
    ) -> None:
        super().__init__()
        self.username = username
        self.password = password
        self.token = secrets.token_urlsafe(24)
        self.guids: set[str] = set()
        self.settings: dict[str, int] = {"max_dl_rate": 0, "max_ul_rate": 0}
        self.requests: list[Seen] = []
        self._cids = itertools.count(1000)
        self._snapshots: dict[str, dict[str, list[Any]]] = {}

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{path:.*}", self._handle)

    async def restart(self) -> None:
        """Stop, forget sessions and cache ids, start again on the same port."""
        await self.stop()
        self.expire_token()
        self.guids.clear()
        self._snapshots.clear()
        await self.start()

    def expire_token(self) -> None:
        """A new token, as after a restart: the client's token is stale (400) from now on."""
        self.token = secrets.token_urlsafe(24)

    def token_fetches(self) -> int:
        return sum(1 for r in self.requests if r.path == "/gui/token.html" and r.status == 200)

    def list_answers(self) -> list[Seen]:
        return [r for r in self.requests if "list" in r.query]

    # ------------------------------------------------------------------ protocol

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return secrets.compare_digest(header[6:], expected)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        response = await self._answer(request)
        query = {k: request.query.getall(k) for k in request.query}
        self.requests.append(Seen(request.path, query, response.status))
        return response

    async def _answer(self, request: web.Request) -> web.StreamResponse:  # noqa: PLR0911
        if not self._authorised(request):
            return web.Response(
                status=401,
                text="invalid request",
                headers={"WWW-Authenticate": 'Basic realm="uTorrent"'},
            )
        if request.path == "/gui/token.html":
            guid = request.cookies.get("GUID") or secrets.token_hex(10)
            self.guids.add(guid)
            page = f"<html><div id='token' style='display:none;'>{self.token}</div></html>"
            response = web.Response(text=page, content_type="text/html")
            response.set_cookie("GUID", guid)
            return response
        if request.path != "/gui/":
            return web.Response(status=400, text="invalid request")
        if (
            request.query.get("token") != self.token
            or request.cookies.get("GUID") not in self.guids
        ):
            return web.Response(status=400, text="invalid request")
        if request.query.get("list") == "1":
            return web.json_response(self._list(request.query.get("cid")))
        action = request.query.get("action", "")
        hashes = [h.lower() for h in request.query.getall("hash", [])]
        handler = getattr(self, "_do_" + action.replace("-", "_"), None)
        if handler is None:
            return web.Response(status=400, text="invalid request")
        answer = await handler(request, hashes)
        return web.json_response({"build": BUILD, **(answer or {})})

    def _list(self, cid: str | None) -> dict[str, Any]:
        rows = {h: row_of(t) for h, t in self.torrents.items()}
        for t in self.torrents.values():
            t.checking = False  # a recheck of a stand-in torrent takes one list call
        labels: dict[str, int] = {}
        for t in self.torrents.values():
            if t.label:
                labels[t.label] = labels.get(t.label, 0) + 1
        answer: dict[str, Any] = {"build": BUILD, "label": [[k, v] for k, v in labels.items()]}
        old = self._snapshots.get(cid) if cid else None
        if old is None:
            answer["torrents"] = list(rows.values())
        else:
            answer["torrentp"] = [r for h, r in rows.items() if old.get(h) != r]
            answer["torrentm"] = [h.upper() for h in old if h not in rows]
        new_cid = str(next(self._cids))
        self._snapshots[new_cid] = rows
        answer["torrentc"] = new_cid
        return answer

    # ------------------------------------------------------------------ actions

    def _each(self, hashes: list[str]) -> list[FakeTorrent]:
        return [self.torrents[h] for h in hashes if h in self.torrents]

    async def _do_start(self, _request: web.Request, hashes: list[str]) -> None:
        for t in self._each(hashes):
            t.started, t.paused, t.queued = True, False, True

    async def _do_stop(self, _request: web.Request, hashes: list[str]) -> None:
        for t in self._each(hashes):
            t.started = t.paused = t.queued = False
            t.down_speed = t.up_speed = 0

    async def _do_pause(self, _request: web.Request, hashes: list[str]) -> None:
        for t in self._each(hashes):
            t.paused = t.started

    async def _do_unpause(self, _request: web.Request, hashes: list[str]) -> None:
        for t in self._each(hashes):
            t.paused = False

    async def _do_forcestart(self, _request: web.Request, hashes: list[str]) -> None:
        for t in self._each(hashes):
            t.started, t.paused, t.queued = True, False, False

    async def _do_recheck(self, _request: web.Request, hashes: list[str]) -> None:
        for t in self._each(hashes):
            t.checking = True

    async def _do_remove(self, _request: web.Request, hashes: list[str]) -> None:
        for h in hashes:
            self.torrents.pop(h, None)

    _do_removedata = _do_remove

    async def _do_add_url(self, request: web.Request, _hashes: list[str]) -> None:
        link = request.query.get("s", "")
        if link.lower().startswith("magnet:"):
            self.add(torrent_from_link(link))

    async def _do_add_file(self, request: web.Request, _hashes: list[str]) -> dict[str, Any]:
        form = await request.post()
        upload = form.get("torrent_file")
        if not isinstance(upload, web.FileField):
            return {"error": "Can't add torrent: no file"}
        try:
            self.add(torrent_from_file(upload.file.read()))
        except ValueError:
            return {"error": "Can't add torrent: torrent is not valid bencoding!"}
        return {}

    async def _do_getfiles(self, _request: web.Request, hashes: list[str]) -> dict[str, Any]:
        rows = [[t.name, t.size, t.done, 2, 0] for t in self._each(hashes)]
        return {"files": [hashes[0].upper(), rows] if rows else []}

    async def _do_getprops(self, _request: web.Request, hashes: list[str]) -> dict[str, Any]:
        return {
            "props": [
                {"hash": t.hash.upper(), "trackers": "", "ulrate": t.up_limit,
                 "dlrate": t.dl_limit, "superseed": 0, "dht": 1, "pex": 1}
                for t in self._each(hashes)
            ]
        }  # fmt: skip

    async def _do_getsettings(self, _request: web.Request, _hashes: list[str]) -> dict[str, Any]:
        return {"settings": [[k, 0, str(v), {"access": "Y"}] for k, v in self.settings.items()]}

    async def _do_setsetting(self, request: web.Request, _hashes: list[str]) -> None:
        for name, value in zip(request.query.getall("s"), request.query.getall("v"), strict=True):
            self.settings[name] = int(value)

    async def _do_setprops(self, request: web.Request, hashes: list[str]) -> None:
        prop, value = request.query.get("s", ""), request.query.get("v", "")
        for t in self._each(hashes):
            if prop == "label":
                t.label = value
            elif prop == "dlrate":
                t.dl_limit = int(value)
            elif prop == "ulrate":
                t.up_limit = int(value)
