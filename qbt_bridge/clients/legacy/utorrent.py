"""Client for uTorrent's WebUI (``/gui/``), speaking the engine's (qBittorrent's) vocabulary.

Protocol (reference ``utorrent-webui-api.md`` and design.md's protocol facts):

* ``GET /gui/token.html`` with Basic auth answers ``<div id='token' …>TOKEN</div>`` and sets
  a ``GUID`` cookie; every later call sends Basic auth, the cookie and ``token=…``. The token is
  reused until the server answers 400, then fetched again once; 401 means bad credentials.
* ``?list=1`` answers every torrent as an array; with ``&cid=…`` only ``torrentp`` (changed
  rows) and ``torrentm`` (removed hashes) since the answer that carried that ``torrentc``.
* actions: ``?action=start|stop|pause|unpause|forcestart|recheck|remove|removedata&hash=…``
  (``hash`` repeated for several), ``add-url&s=…``, POST ``add-file``, ``getsettings``,
  ``setsetting&s=…&v=…``, ``setprops&hash=…&s=…&v=…`` (label, per-torrent rates).

Labels stand in for categories. There is no global transfer endpoint: global speeds are the
sums of the torrents'. Calls keep a gentle pace (``Pace``) so bursts do not choke uTorrent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Unpack

import aiohttp

from qbt_bridge.clients.base import Capability, Hashes
from qbt_bridge.clients.http import (
    HttpResponse,
)
from qbt_bridge.clients.legacy.snapshot import HttpSettings, Pace, SnapshotClient
from qbt_bridge.core.errors import APIError, AuthenticationError, InvalidRequestError
from qbt_bridge.core.models import ETA_INFINITE, Category
from qbt_bridge.core.versions import Version

_LOGGER = logging.getLogger(__name__)
_TOKEN = re.compile(r"<div[^>]*id=['\"]token['\"][^>]*>([^<]+)</div>")

# Status bits of a list row.
STARTED, CHECKING, START_AFTER_CHECK, CHECKED, ERROR, PAUSED, QUEUED, LOADED = (
    1 << bit for bit in range(8)
)
# Columns of a list row.
(HASH, STATUS, NAME, SIZE, PROGRESS, DOWNLOADED, UPLOADED, RATIO, UP_SPEED, DOWN_SPEED,
 ETA, LABEL, PEERS, PEERS_SWARM, SEEDS, SEEDS_SWARM, AVAILABILITY, QUEUE_ORDER,
 REMAINING) = range(19)  # fmt: skip
ADDED_ON, COMPLETED_ON, SAVE_PATH = 23, 24, 26
DEFAULT_PACE = 0.5  # seconds between calls once a burst of 4 is used up


def state_of(status: int, complete: bool, down: int, up: int) -> str:
    """A qBittorrent state name for a uTorrent status bitfield."""
    side = "UP" if complete else "DL"
    if status & ERROR:
        return "error"
    if status & CHECKING:
        return f"checking{side}"
    if not status & STARTED or status & PAUSED:
        return f"queued{side}" if status & QUEUED and not status & STARTED else f"stopped{side}"
    forced = not status & QUEUED
    moving = up > 0 if complete else down > 0
    if forced:
        return f"forced{side}"
    if moving:
        return "uploading" if complete else "downloading"
    return f"stalled{side}"


def parse_row(row: Sequence[Any]) -> dict[str, Any]:
    """One ``list=1`` row as a WebAPI v2 torrent mapping."""
    status = int(row[STATUS])
    progress = int(row[PROGRESS]) / 1000
    complete = int(row[PROGRESS]) >= 1000
    down, up = int(row[DOWN_SPEED]), int(row[UP_SPEED])
    eta = int(row[ETA])
    queue = int(row[QUEUE_ORDER])
    return {
        "hash": str(row[HASH]).lower(),
        "name": str(row[NAME]),
        "state": state_of(status, complete, down, up),
        "size": int(row[SIZE]),
        "total_size": int(row[SIZE]),
        "progress": progress,
        "downloaded": int(row[DOWNLOADED]),
        "uploaded": int(row[UPLOADED]),
        "ratio": int(row[RATIO]) / 1000,
        "upspeed": up,
        "dlspeed": down,
        "eta": ETA_INFINITE if eta < 0 or (eta == 0 and not complete) else eta,
        "category": str(row[LABEL]),
        "tags": "",
        "num_leechs": int(row[PEERS]),
        "num_incomplete": int(row[PEERS_SWARM]),
        "num_seeds": int(row[SEEDS]),
        "num_complete": int(row[SEEDS_SWARM]),
        "availability": int(row[AVAILABILITY]) / 65536,
        "priority": max(queue, 0),
        "amount_left": int(row[REMAINING]),
        "completed": int(row[SIZE]) - int(row[REMAINING]),
        "force_start": bool(status & STARTED) and not status & (QUEUED | PAUSED),
        "added_on": int(row[ADDED_ON]) if len(row) > ADDED_ON else 0,
        "completion_on": int(row[COMPLETED_ON]) if len(row) > COMPLETED_ON else 0,
        "save_path": str(row[SAVE_PATH]) if len(row) > SAVE_PATH else "",
    }


class UTorrentClient(SnapshotClient):
    """Async client for one uTorrent WebUI."""

    product_name = "uTorrent"
    capabilities = frozenset(
        {
            Capability.CATEGORIES,
            Capability.FORCE_START,
            Capability.TORRENT_LIMITS,
            Capability.GLOBAL_LIMITS,
        }
    )

    api_path = "/gui"

    def __init__(
        self,
        host: str,
        username: str | None = None,
        password: str | None = None,
        *,
        pace: float = DEFAULT_PACE,
        **settings: Unpack[HttpSettings],
    ) -> None:
        super().__init__(host, username, password, **settings)
        self._auth = aiohttp.BasicAuth(self.username, self._password)
        self._token: str | None = None
        self._guid: str | None = None
        self._token_lock = asyncio.Lock()
        self._cid: str | None = None
        self._build: int | None = None
        self._limits: dict[str, int] | None = None
        self.pace = Pace(pace)

    # ----------------------------------------------------------------- plumbing

    async def _fetch_token(self, stale: str | None) -> None:
        """``token.html``: a new token and GUID cookie (unless another task just got one)."""
        async with self._token_lock:
            if self._token is not None and self._token != stale:
                return
            await self.pace.wait()
            response = await self._http.request("GET", "token.html", auth=self._auth)
            if response.status == 401:
                raise AuthenticationError(f"{self.base_url}: wrong username or password")
            if response.status != 200:
                raise APIError(f"token.html: unexpected HTTP {response.status}")
            match = _TOKEN.search(response.text)
            if match is None:
                raise APIError("token.html: no token in the answer (is this uTorrent's WebUI?)")
            self._token = match.group(1).strip()
            self._guid = response.cookies.get("GUID", self._guid)

    async def _request(
        self,
        params: list[tuple[str, str]],
        *,
        upload: tuple[str, bytes] | None = None,
    ) -> Any:
        """One call to ``/gui/`` with token and cookie; a 400 renews the token once."""
        if self._token is None:
            await self._fetch_token(None)
        for attempt in range(2):
            token = self._token
            await self.pace.wait()
            response = await self._send(params, token, _form(upload))
            if response.status == 400 and attempt == 0:
                _LOGGER.debug("%s: token refused (400), fetching a new one", self.base_url)
                await self._fetch_token(token)
                continue
            return self._check(params, response)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(
        self, params: list[tuple[str, str]], token: str | None, data: aiohttp.FormData | None
    ) -> HttpResponse:
        headers = {"Cookie": f"GUID={self._guid}"} if self._guid else {}
        query = [("token", token or ""), *params]
        method = "POST" if data is not None else "GET"
        return await self._http.request(
            method, "/", params=query, data=data, headers=headers, auth=self._auth
        )

    def _check(self, params: list[tuple[str, str]], response: HttpResponse) -> Any:
        what = dict(params).get("action", "list")
        if response.status == 401:
            raise AuthenticationError(f"{self.base_url}: wrong username or password")
        if response.status == 400:
            raise InvalidRequestError(f"uTorrent refused {what} (400, also with a new token)")
        if response.status != 200:
            raise APIError(f"{what}: unexpected HTTP {response.status}")
        try:
            answer = json.loads(response.text) if response.body.strip() else {}
        except ValueError as err:
            raise APIError(f"{what}: the answer is not JSON") from err
        if isinstance(answer, dict) and "error" in answer:
            raise InvalidRequestError(f"uTorrent: {answer['error']}")
        if isinstance(answer, dict) and "build" in answer:
            self._build = int(answer["build"])
        return answer

    async def _action(self, action: str, hashes: Iterable[str] = (), **extra: str) -> Any:
        params = [("action", action), *(("hash", h.upper()) for h in hashes), *extra.items()]
        return await self._request(params)

    # ----------------------------------------------------------------- list

    async def _poll(self) -> None:
        """``list=1`` (with ``cid`` after the first): merge the rows into the snapshot."""
        async with self._poll_lock:
            params = [("list", "1")]
            if self._cid is not None:
                params.append(("cid", self._cid))
            answer = await self._request(params)
            if not isinstance(answer, dict):
                raise APIError(f"{self.product} answered its list with something not an object")
            if "torrents" in answer:
                rows = self._read_rows(parse_row, answer["torrents"])
                self._apply(rows, full=True)
            else:
                rows = self._read_rows(parse_row, answer.get("torrentp", ()))
                removed = [str(h).lower() for h in answer.get("torrentm", ())]
                self._apply(rows, removed, full=False)
            self._cid = str(answer.get("torrentc", "")) or None
            # "label": [[name, count], …] — the labels in use, named by uTorrent itself.
            labels = answer.get("label", ())
            self._categories = sorted(
                str(pair[0]) for pair in labels if isinstance(pair, list) and pair
            )

    async def _server_state(self) -> dict[str, Any]:
        state = self._sums()
        limits = self._limits if self._limits is not None else await self._read_limits()
        state["dl_rate_limit"] = limits["max_dl_rate"] * 1024
        state["up_rate_limit"] = limits["max_ul_rate"] * 1024
        state["use_alt_speed_limits"] = False
        return state

    async def _read_limits(self) -> dict[str, int]:
        settings = await self.get_settings()
        self._limits = {
            key: int(settings.get(key, 0) or 0) for key in ("max_dl_rate", "max_ul_rate")
        }
        return self._limits

    async def get_settings(self) -> dict[str, Any]:
        """``action=getsettings``: every setting by name (values as the server sent them)."""
        answer = await self._request([("action", "getsettings")])
        return {str(item[0]): item[2] for item in answer.get("settings", ()) if len(item) >= 3}

    async def set_setting(self, name: str, value: str) -> None:
        """``action=setsetting&s=…&v=…``: change one setting."""
        await self._request([("action", "setsetting"), ("s", name), ("v", value)])
        self._limits = None

    async def set_props(self, hashes: Iterable[str], prop: str, value: str) -> None:
        """``action=setprops&hash=…&s=…&v=…``: a torrent property (label, dlrate, ulrate …)."""
        await self._action("setprops", hashes, s=prop, v=value)

    async def get_files(self, torrent_hash: str) -> list[dict[str, Any]]:
        """``action=getfiles``: a torrent's files (name, size, downloaded, priority)."""
        answer = await self._action("getfiles", [torrent_hash])
        files = answer.get("files", [])
        rows = files[1] if len(files) > 1 else []
        return [
            {"name": str(r[0]), "size": int(r[1]), "downloaded": int(r[2]), "priority": int(r[3])}
            for r in rows
        ]

    async def get_props(self, torrent_hash: str) -> dict[str, Any]:
        """``action=getprops``: a torrent's properties (trackers, rates, seeding rules …)."""
        answer = await self._action("getprops", [torrent_hash])
        props = answer.get("props") or [{}]
        return dict(props[0])

    async def pause_torrents(self, hashes: Hashes) -> None:
        """``action=pause``: uTorrent's pause (keeps the torrent's slot, unlike ``stop``)."""
        await self._on_torrents("pause", hashes)

    async def unpause_torrents(self, hashes: Hashes) -> None:
        """``action=unpause``: undo ``pause``."""
        await self._on_torrents("unpause", hashes)

    # ----------------------------------------------------------------- engine calls

    async def version(self) -> Version:
        """The WebUI reports a build number only; its protocol is uTorrent 3.x's."""
        return Version(3)

    async def pause(self, hashes: Hashes) -> None:
        """``action=stop``: stop torrents (``all``: every one)."""
        await self._on_torrents("stop", hashes)

    async def resume(self, hashes: Hashes) -> None:
        """``action=start``: start torrents (also un-pauses them)."""
        await self._on_torrents("start", hashes)

    async def _on_torrents(self, action: str, hashes: Hashes) -> None:
        if hashes == "all":
            await self._poll()
        targets = self._known(hashes)
        for start in range(0, len(targets), 50):
            await self._action(action, targets[start : start + 50])

    async def torrents_delete(self, hashes: Hashes, delete_files: bool = False) -> None:
        """``action=remove`` / ``action=removedata``."""
        await self._on_torrents("removedata" if delete_files else "remove", hashes)

    async def torrents_recheck(self, hashes: Hashes) -> None:
        """``action=recheck``."""
        await self._on_torrents("recheck", hashes)

    async def torrents_set_force_start(self, hashes: Hashes, value: bool) -> None:
        """``action=forcestart`` (on) or ``action=start`` (off: back under the queue)."""
        await self._on_torrents("forcestart" if value else "start", hashes)

    async def torrents_set_category(self, hashes: Hashes, category: str) -> None:
        """``action=setprops&s=label``: labels are uTorrent's categories."""
        await self.set_props(self._known(hashes), "label", category)

    async def torrents_categories(self) -> Mapping[str, Category]:
        """The labels in use, as categories."""
        await self._poll()
        return {name: Category(name=name) for name in self._categories}

    async def torrents_set_download_limit(self, hashes: Hashes, limit: int) -> None:
        """``action=setprops&s=dlrate`` in bytes/s (0: none)."""
        await self.set_props(self._known(hashes), "dlrate", str(limit))

    async def torrents_set_upload_limit(self, hashes: Hashes, limit: int) -> None:
        """``action=setprops&s=ulrate`` in bytes/s (0: none)."""
        await self.set_props(self._known(hashes), "ulrate", str(limit))

    async def transfer_set_download_limit(self, limit: int) -> None:
        """``action=setsetting&s=max_dl_rate`` (KiB/s; rounded up, 0: none)."""
        await self.set_setting("max_dl_rate", str(-(-limit // 1024)))

    async def transfer_set_upload_limit(self, limit: int) -> None:
        """``action=setsetting&s=max_ul_rate`` (KiB/s; rounded up, 0: none)."""
        await self.set_setting("max_ul_rate", str(-(-limit // 1024)))

    async def _add(self, links: list[str], files: list[tuple[str, bytes]]) -> None:
        """``action=add-url&s=…`` per link, POST ``action=add-file`` per ``.torrent``."""
        for link in links:
            await self._request([("action", "add-url"), ("s", link)])
        for upload in files:
            await self._request([("action", "add-file")], upload=upload)


def _form(upload: tuple[str, bytes] | None) -> aiohttp.FormData | None:
    """The multipart body of ``add-file`` (made afresh for each attempt: a form is sent once)."""
    if upload is None:
        return None
    form = aiohttp.FormData()
    form.add_field(
        "torrent_file", upload[1], filename=upload[0], content_type="application/x-bittorrent"
    )
    return form
