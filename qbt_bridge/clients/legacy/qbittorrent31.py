"""Client for qBittorrent 3.1.x's WebUI (reference ``qbittorrent-webui-api-v3.1.md``).

HTTP Digest auth on every request (MD5, ``qop=auth`` when the server offers it), reads under
``/json/``, actions under ``/command/``. The server sends sizes, speeds, ETAs and ratios as
translated strings ("1.8 GiB", "209.9 KiB/s" or its Russian form, "∞", "2d 5h"); they are
parsed back to numbers here, so the engine sees WebAPI v2 mappings. qBittorrent 3.1 has no
categories, tags, RSS, search, alternative-speed switch or force start: NotSupportedError.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any, Unpack

import aiohttp

from qbt_bridge.clients.base import Capability, Hashes
from qbt_bridge.clients.http import (
    HttpResponse,
)
from qbt_bridge.clients.legacy.snapshot import HttpSettings, SnapshotClient
from qbt_bridge.core.errors import APIError, AuthenticationError, InvalidRequestError, NotFoundError
from qbt_bridge.core.models import ETA_INFINITE, Category
from qbt_bridge.core.versions import Version

_LOGGER = logging.getLogger(__name__)

# The first letter of a (possibly translated) unit, Latin or Cyrillic: B, K, M, G, T.
_POWERS = {"b": 0, "\u0431": 0, "k": 1, "\u043a": 1, "m": 2, "\u043c": 2,
           "g": 3, "\u0433": 3, "t": 4, "\u0442": 4}  # fmt: skip
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\d\s/:()-]*)")
# ETA parts, Latin or Cyrillic: days, hours, minutes.
_ETA_UNITS = {"d": 86400, "\u0434": 86400, "h": 3600, "\u0447": 3600, "m": 60, "\u043c": 60}
_ETA_PART = re.compile(r"(\d+)\s*([^\d\s]+)")
_PROPERTY_AMOUNTS = ("piece_size", "total_wasted", "total_uploaded", "total_downloaded",
                     "up_limit", "dl_limit")  # fmt: skip
RATIO_INFINITE = 100.0  # "∞" means "above 100"; reported as 100


def parse_size(text: Any) -> int:
    """``"1.8 GiB"``, ``"70.4 МиБ"``, ``"0 B/s"`` as bytes; ``Unknown`` and the like as 0."""
    match = _AMOUNT.search(str(text))
    if match is None:
        return 0
    number = float(match.group(1).replace(",", "."))
    unit = match.group(2).lower()
    power = _POWERS.get(unit[:1], 0) if unit else 0
    return int(number * 1024**power + 0.5)


def parse_amounts(text: Any) -> list[int]:
    """Every amount with a unit in a status line, in order, as bytes."""
    return [
        parse_size(f"{number} {unit}")
        for number, unit in _AMOUNT.findall(str(text))
        if unit and unit[:1].lower() in _POWERS
    ]


def parse_eta(text: Any) -> int:
    """``"∞"``, ``"0"``, ``"< 1m"``, ``"15m"``, ``"3h 5m"``, ``"2d 4h"`` as seconds."""
    value = str(text).strip()
    if not value or "∞" in value:
        return ETA_INFINITE
    if value.startswith("<"):
        return 59
    if value.isdigit():
        return int(value)
    seconds = 0
    for number, unit in _ETA_PART.findall(value):
        factor = _ETA_UNITS.get(unit[:1].lower())
        if factor is None:
            return ETA_INFINITE
        seconds += int(number) * factor
    return seconds


def parse_ratio31(text: Any) -> float:
    """``"0.1"`` as 0.1, ``"∞"`` as RATIO_INFINITE."""
    value = str(text).strip()
    if "∞" in value:
        return RATIO_INFINITE
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return 0.0


def _int(text: Any) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        return 0


def parse_torrent(item: Mapping[str, Any]) -> dict[str, Any]:
    """One ``/json/torrents`` entry as a WebAPI v2 torrent mapping."""
    size = parse_size(item.get("size", 0))
    progress = float(item.get("progress", 0) or 0)
    priority = str(item.get("priority", "*"))
    return {
        "hash": str(item["hash"]).lower(),
        "name": str(item.get("name", "")),
        "state": str(item.get("state", "unknown")),
        "size": size,
        "total_size": size,
        "progress": progress,
        "amount_left": round(size * (1 - progress)),
        "completed": round(size * progress),
        "dlspeed": parse_size(item.get("dlspeed", 0)),
        "upspeed": parse_size(item.get("upspeed", 0)),
        "priority": int(priority) if priority.isdigit() else 0,
        "num_seeds": _int(item.get("num_seeds", 0)),
        "num_leechs": _int(item.get("num_leechs", 0)),
        "ratio": parse_ratio31(item.get("ratio", 0)),
        "eta": parse_eta(item.get("eta", "∞")),
        "category": "",
        "tags": "",
    }


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _challenge(header: str) -> dict[str, str]:
    """The fields of a ``WWW-Authenticate: Digest …`` header."""
    _, _, rest = header.partition(" ")
    return {key.lower(): value for key, value in re.findall(r'(\w+)="?([^",]*)"?', rest)}


class QBittorrent31Client(SnapshotClient):
    """Async client for one qBittorrent 3.1.x WebUI."""

    product_name = "qBittorrent 3.1"
    capabilities = frozenset(
        {Capability.TORRENT_LIMITS, Capability.GLOBAL_LIMITS, Capability.SESSION_TOTALS}
    )

    _digest: dict[str, str] | None = None  # the server's last challenge
    _count = 0  # requests made with it (the digest's nc)
    _limits: tuple[int, int] | None = None  # global limits, read once and after changes

    def __init__(
        self,
        host: str,
        username: str | None = None,
        password: str | None = None,
        **settings: Unpack[HttpSettings],
    ) -> None:
        super().__init__(host, username, password, **settings)
        self._seen: dict[str, dict[str, Any]] = {}  # the last list's entries, as sent

    # ----------------------------------------------------------------- plumbing

    def _authorization(self, method: str, uri: str) -> str:
        """The Digest ``Authorization`` header for one request (RFC 2617 with qop=auth)."""
        challenge = self._digest or {}
        realm = challenge.get("realm", "Web UI Access")
        nonce = challenge.get("nonce", "")
        ha1 = _md5(f"{self.username}:{realm}:{self._password}")
        ha2 = _md5(f"{method}:{uri}")
        fields = {"username": self.username, "realm": realm, "nonce": nonce, "uri": uri}
        if "auth" in challenge.get("qop", "").split(","):
            self._count += 1
            nc = f"{self._count:08x}"
            cnonce = os.urandom(8).hex()
            fields["response"] = _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            parts = [f'{key}="{value}"' for key, value in fields.items()]
            parts += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
        else:
            fields["response"] = _md5(f"{ha1}:{nonce}:{ha2}")
            parts = [f'{key}="{value}"' for key, value in fields.items()]
        if "opaque" in challenge:
            parts.append(f'opaque="{challenge["opaque"]}"')
        parts.append("algorithm=MD5")
        return "Digest " + ", ".join(parts)

    async def _call(
        self,
        method: str,
        path: str,
        data: Mapping[str, str] | None = None,
        upload: list[tuple[str, bytes]] | None = None,
    ) -> HttpResponse:
        """One request with Digest auth; a 401 takes the server's new challenge, once."""
        for attempt in range(2):
            headers: dict[str, str] = {}
            if self._digest is not None:
                headers["Authorization"] = self._authorization(method, path)
            response = await self._http.request(
                method, path, data=_body(data, upload), headers=headers
            )
            if response.status != 401:
                break
            header = response.headers.get("www-authenticate", "")
            if not header.lower().startswith("digest"):
                raise APIError(f"{path}: 401 without a Digest challenge (is this qBittorrent?)")
            self._digest, self._count = _challenge(header), 0
            if attempt == 1:
                raise AuthenticationError(f"{self.base_url}: wrong username or password")
        if response.status == 404:
            raise InvalidRequestError(f"{path}: this qBittorrent has no such page (404)")
        if response.status != 200:
            raise APIError(f"{path}: unexpected HTTP {response.status}")
        return response

    async def _json(self, path: str) -> Any:
        response = await self._call("GET", path)
        if not response.body.strip():
            return None
        try:
            return json.loads(response.text)
        except ValueError as err:
            raise APIError(f"{path}: the answer is not JSON") from err

    async def _command(self, name: str, data: Mapping[str, str] | None = None) -> str:
        return (await self._call("POST", f"/command/{name}", data)).text

    async def _each(self, name: str, hashes: Hashes, **extra: str) -> None:
        """A command that takes one ``hash`` per call, for each torrent."""
        for torrent_hash in self._known(hashes):
            await self._command(name, {"hash": torrent_hash, **extra})

    # ----------------------------------------------------------------- reads

    async def json_torrents(self) -> list[dict[str, Any]]:
        """``/json/torrents``: the torrent list, as the server sends it."""
        return list(await self._json("/json/torrents") or ())

    async def json_transfer_info(self) -> dict[str, Any]:
        """``/json/transferInfo``: the status-bar lines (translated strings)."""
        return dict(await self._json("/json/transferInfo") or {})

    async def json_properties_general(self, torrent_hash: str) -> dict[str, Any]:
        """``/json/propertiesGeneral/HASH``: a torrent's properties ({} for an unknown hash)."""
        return dict(await self._json(f"/json/propertiesGeneral/{torrent_hash}") or {})

    async def json_properties_trackers(self, torrent_hash: str) -> list[dict[str, Any]]:
        """``/json/propertiesTrackers/HASH``: a torrent's trackers."""
        return list(await self._json(f"/json/propertiesTrackers/{torrent_hash}") or ())

    async def json_properties_files(self, torrent_hash: str) -> list[dict[str, Any]]:
        """``/json/propertiesFiles/HASH``: a torrent's files."""
        return list(await self._json(f"/json/propertiesFiles/{torrent_hash}") or ())

    async def json_preferences(self) -> dict[str, Any]:
        """``/json/preferences``: the settings."""
        return dict(await self._json("/json/preferences") or {})

    async def global_limits(self) -> tuple[int, int]:
        """``/command/getGlobalDlLimit`` and ``getGlobalUpLimit``, bytes/s (0: none)."""
        down = _int(await self._command("getGlobalDlLimit"))
        up = _int(await self._command("getGlobalUpLimit"))
        self._limits = (down, up)
        return self._limits

    async def torrent_limits(self, torrent_hash: str) -> tuple[int, int]:
        """``/command/getTorrentDlLimit`` and ``getTorrentUpLimit``, bytes/s (0: none)."""
        down = _int(await self._command("getTorrentDlLimit", {"hash": torrent_hash}))
        up = _int(await self._command("getTorrentUpLimit", {"hash": torrent_hash}))
        return down, up

    async def properties_general(self, torrent_hash: str) -> dict[str, Any]:
        """``/json/propertiesGeneral/HASH`` with numbers for the translated strings.

        Keys as WebAPI v2's ``torrents/properties``; NotFoundError for an unknown hash.
        """
        raw = await self.json_properties_general(torrent_hash)
        if not raw:
            raise NotFoundError(f"no torrent with hash {torrent_hash}")
        amounts = {key: [*parse_amounts(raw.get(key, "")), 0, 0] for key in _PROPERTY_AMOUNTS}
        connections = [int(n) for n in re.findall(r"\d+", str(raw.get("nb_connections", "")))]
        connections += [0, 0]
        return {
            "save_path": str(raw.get("save_path", "")),
            "comment": str(raw.get("comment", "")),
            "piece_size": amounts["piece_size"][0],
            "total_wasted": amounts["total_wasted"][0],
            "total_uploaded": amounts["total_uploaded"][0],
            "total_uploaded_session": amounts["total_uploaded"][1],
            "total_downloaded": amounts["total_downloaded"][0],
            "total_downloaded_session": amounts["total_downloaded"][1],
            "up_limit": amounts["up_limit"][0],
            "dl_limit": amounts["dl_limit"][0],
            "share_ratio": parse_ratio31(raw.get("share_ratio", 0)),
            "time_elapsed": parse_eta(str(raw.get("time_elapsed", "")).split("(")[0]),
            "nb_connections": connections[0],
            "nb_connections_limit": connections[1],
        }

    # ----------------------------------------------------------------- other commands

    async def command_shutdown(self) -> None:
        """``/command/shutdown``: quit qBittorrent."""
        await self._call("GET", "/command/shutdown")

    async def add_trackers(self, torrent_hash: str, urls: Iterable[str]) -> None:
        """``/command/addTrackers``: tracker URLs (joined by LF) for one torrent."""
        await self._command("addTrackers", {"hash": torrent_hash, "urls": "\n".join(urls)})

    async def increase_prio(self, hashes: Hashes) -> None:
        """``/command/increasePrio``: up one place in the queue."""
        await self._command("increasePrio", {"hashes": "|".join(self._known(hashes))})

    async def decrease_prio(self, hashes: Hashes) -> None:
        """``/command/decreasePrio``: down one place in the queue."""
        await self._command("decreasePrio", {"hashes": "|".join(self._known(hashes))})

    async def top_prio(self, hashes: Hashes) -> None:
        """``/command/topPrio``: to the top of the queue."""
        await self._command("topPrio", {"hashes": "|".join(self._known(hashes))})

    async def bottom_prio(self, hashes: Hashes) -> None:
        """``/command/bottomPrio``: to the bottom of the queue."""
        await self._command("bottomPrio", {"hashes": "|".join(self._known(hashes))})

    async def set_file_prio(self, torrent_hash: str, file_id: int, priority: int) -> None:
        """``/command/setFilePrio``: 0 skip, 1 normal, 2 high, 7 maximal."""
        if priority not in {0, 1, 2, 7}:
            raise InvalidRequestError("a file priority is 0, 1, 2 or 7")
        data = {"hash": torrent_hash, "id": str(file_id), "priority": str(priority)}
        await self._command("setFilePrio", data)

    async def set_preferences(self, prefs: Mapping[str, Any]) -> None:
        """``/command/setPreferences``: change the given settings only (``json=``)."""
        await self._command("setPreferences", {"json": json.dumps(dict(prefs))})

    async def _poll(self) -> None:
        """The whole list, every time; an entry the same as last time is not parsed again."""
        async with self._poll_lock:
            seen, rows = self._seen, {}
            self._seen = {}
            items = await self.json_torrents()
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise APIError(f"{self.product} sent a torrent list that is not a list of objects")
            fresh = []
            for item in items:
                torrent_hash = str(item.get("hash", "")).lower()
                if seen.get(torrent_hash) == item and torrent_hash in self._rows:
                    rows[torrent_hash] = self._rows[torrent_hash]
                else:
                    fresh.append(item)
                self._seen[torrent_hash] = item
            rows.update(self._read_rows(parse_torrent, fresh))
            self._apply(rows, full=True)

    async def _server_state(self) -> dict[str, Any]:
        info = await self.json_transfer_info()
        down = [*parse_amounts(info.get("dl_info", "")), 0, 0]
        up = [*parse_amounts(info.get("up_info", "")), 0, 0]
        limits = self._limits if self._limits is not None else await self.global_limits()
        return {
            "dl_info_speed": down[0],
            "dl_info_data": down[1],
            "up_info_speed": up[0],
            "up_info_data": up[1],
            "dl_rate_limit": limits[0],
            "up_rate_limit": limits[1],
            "use_alt_speed_limits": False,
        }

    # ----------------------------------------------------------------- engine calls

    async def version(self) -> Version:
        """3.1: this WebUI has no version call; its protocol is the 3.1 one."""
        return Version(3, 1)

    async def pause(self, hashes: Hashes) -> None:
        """``/command/pause`` per torrent, or ``/command/pauseall``."""
        if hashes == "all":
            await self._command("pauseall")
        else:
            await self._each("pause", hashes)

    async def resume(self, hashes: Hashes) -> None:
        """``/command/resume`` per torrent, or ``/command/resumeall``."""
        if hashes == "all":
            await self._command("resumeall")
        else:
            await self._each("resume", hashes)

    async def torrents_delete(self, hashes: Hashes, delete_files: bool = False) -> None:
        """``/command/delete`` or ``/command/deletePerm`` (hashes joined by ``|``)."""
        await self._command(
            "deletePerm" if delete_files else "delete", {"hashes": "|".join(self._known(hashes))}
        )

    async def torrents_recheck(self, hashes: Hashes) -> None:
        """``/command/recheck`` per torrent."""
        await self._each("recheck", hashes)

    async def torrents_set_download_limit(self, hashes: Hashes, limit: int) -> None:
        """``/command/setTorrentDlLimit`` per torrent (bytes/s, 0: none)."""
        await self._each("setTorrentDlLimit", hashes, limit=str(limit))

    async def torrents_set_upload_limit(self, hashes: Hashes, limit: int) -> None:
        """``/command/setTorrentUpLimit`` per torrent (bytes/s, 0: none)."""
        await self._each("setTorrentUpLimit", hashes, limit=str(limit))

    async def transfer_set_download_limit(self, limit: int) -> None:
        """``/command/setGlobalDlLimit`` (bytes/s, 0: none)."""
        await self._command("setGlobalDlLimit", {"limit": str(limit)})
        self._limits = None

    async def transfer_set_upload_limit(self, limit: int) -> None:
        """``/command/setGlobalUpLimit`` (bytes/s, 0: none)."""
        await self._command("setGlobalUpLimit", {"limit": str(limit)})
        self._limits = None

    async def torrents_set_category(self, hashes: Hashes, category: str) -> None:  # noqa: ARG002
        """Not supported: qBittorrent 3.1 has no categories."""
        self._refuse(Capability.CATEGORIES)

    async def torrents_categories(self) -> Mapping[str, Category]:
        """No categories in 3.1: always empty."""
        return {}

    async def torrents_set_force_start(self, hashes: Hashes, value: bool) -> None:  # noqa: ARG002
        """Not supported: qBittorrent 3.1 has no force start."""
        self._refuse(Capability.FORCE_START)

    async def _add(self, links: list[str], files: list[tuple[str, bytes]]) -> None:
        """``/command/download`` (links joined by LF) and ``/command/upload`` (files).

        Both answer 200 whatever happened; the engine watches the list for the result.
        """
        if links:
            await self._command("download", {"urls": "\n".join(links)})
        if files:
            await self._call("POST", "/command/upload", upload=files)


def _body(
    data: Mapping[str, str] | None, upload: list[tuple[str, bytes]] | None
) -> aiohttp.FormData | dict[str, str] | None:
    """A form (url-encoded) or the multipart body of ``/command/upload``, made per attempt."""
    if upload is None:
        return None if data is None else dict(data)
    form = aiohttp.FormData()
    for name, content in upload:
        form.add_field("torrents", content, filename=name, content_type="application/x-bittorrent")
    return form
