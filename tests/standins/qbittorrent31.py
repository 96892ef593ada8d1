"""A STAND-IN for qBittorrent 3.1.x's WebUI (no 3.1 build runs on today's Debian).

Built from ``reference/qbittorrent-webui-api-v3.1.md``, nothing else:

* every request needs ``Authorization: Digest …``; without it, or with a wrong response, the
  answer is 401 with exactly the reference's challenge shape: ``Digest realm="Web UI Access",
  nonce="…", opaque="…", stale="false", algorithm="MD5", qop="auth"``. The response is checked
  as ``MD5(A1:nonce:A2)`` (the reference's formula) or, when the client sends ``qop=auth``,
  ``MD5(A1:nonce:nc:cnonce:auth:A2)``; nonces are not tracked (the reference says so);
* ``GET /json/torrents|transferInfo|preferences|propertiesGeneral/H|propertiesTrackers/H|
  propertiesFiles/H`` with the translated strings of the reference ("1.8 GiB", "0 B/s", "∞",
  "2d 4h"; ``locale="ru_RU"`` gives the reference's Russian units);
* ``POST /command/…``: download (``urls`` split at LF), upload (multipart ``torrents``), pause,
  pauseall, resume, resumeall, delete, deletePerm (``hashes`` split at ``|``), recheck,
  get/setGlobalDlLimit, get/setGlobalUpLimit, get/setTorrentDlLimit, get/setTorrentUpLimit;
  each answers 200 "no matter if successful or not".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import secrets
from typing import Any

from aiohttp import web

from tests.standins.common import FakeTorrent, LoopbackServer, torrent_from_file, torrent_from_link

REALM = "Web UI Access"
_UNITS = {
    "en": ("B", "KiB", "MiB", "GiB", "TiB"),
    "ru_RU": ("Б", "КиБ", "МиБ", "ГиБ", "ТиБ"),
}
_PER_SECOND = {"en": "/s", "ru_RU": "/с"}  # noqa: RUF001


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


class QBittorrent31StandIn(LoopbackServer):
    """The stand-in server, its torrents and limits."""

    def __init__(
        self,
        username: str = "admin",
        password: str = "qbt31-secret",  # noqa: S107 - a test server's
        locale: str = "en",
    ) -> None:
        super().__init__()
        self.username = username
        self.password = password
        self.locale = locale
        self.global_dl = 0
        self.global_up = 0
        self.session_down = 0
        self.session_up = 0
        self.challenges = 0  # 401 answers given
        self.shut_down = False
        self.preferences: dict[str, Any] = {"locale": locale, "dl_limit": -1, "up_limit": -1}
        self.paths: list[str] = []

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{path:.*}", self._handle)

    # ------------------------------------------------------------------ translated strings

    def size(self, value: int) -> str:
        units = _UNITS[self.locale]
        number, power = float(value), 0
        while number >= 1024 and power < len(units) - 1:
            number /= 1024
            power += 1
        text = f"{number:.0f}" if power == 0 else f"{number:.1f}"
        return f"{text} {units[power]}"

    def speed(self, value: int) -> str:
        return self.size(value) + _PER_SECOND[self.locale]

    @staticmethod
    def eta(seconds: int | None) -> str:
        if seconds is None or seconds >= 8640000:
            return "∞"
        if seconds == 0:
            return "0"
        if seconds < 60:
            return "< 1m"
        minutes, hours, days = seconds // 60 % 60, seconds // 3600 % 24, seconds // 86400
        if days:
            return f"{days}d {hours}h"
        if hours:
            return f"{hours}h {minutes}m"
        return f"{minutes}m"

    def state(self, t: FakeTorrent) -> str:
        side = "UP" if t.complete else "DL"
        if t.error:
            return "error"
        if t.checking:
            return f"checking{side}"
        if t.paused or not t.started:
            return f"paused{side}"
        if t.complete:
            return "uploading" if t.up_speed else "stalledUP"
        return "downloading" if t.down_speed else "stalledDL"

    def entry(self, t: FakeTorrent) -> dict[str, Any]:
        ratio = t.uploaded / t.done if t.done else 0.0
        eta = None if t.complete or not t.down_speed else (t.size - t.done) // t.down_speed
        return {
            "hash": t.hash,
            "name": t.name,
            "size": self.size(t.size),
            "progress": t.done / t.size,
            "dlspeed": self.speed(t.down_speed),
            "upspeed": self.speed(t.up_speed),
            "priority": "*",
            "num_seeds": "0",
            "num_leechs": "0",
            "ratio": "∞" if ratio > 100 else f"{ratio:.1f}",
            "eta": self.eta(eta),
            "state": self.state(t),
        }

    # ------------------------------------------------------------------ auth

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return False
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header[7:]))
        if fields.get("username") != self.username or fields.get("realm") != REALM:
            return False
        ha1 = _md5(f"{self.username}:{REALM}:{self.password}")
        ha2 = _md5(f"{request.method}:{fields.get('uri', '')}")
        nonce = fields.get("nonce", "")
        if fields.get("qop") == "auth":
            expected = _md5(f"{ha1}:{nonce}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
        else:
            expected = _md5(f"{ha1}:{nonce}:{ha2}")
        return secrets.compare_digest(fields.get("response", ""), expected)

    def _challenge(self) -> web.Response:
        self.challenges += 1
        nonce, opaque = secrets.token_hex(16), secrets.token_hex(16)
        header = (
            f'Digest realm="{REALM}", nonce="{nonce}", opaque="{opaque}", '
            'stale="false", algorithm="MD5", qop="auth"'
        )
        return web.Response(status=401, headers={"WWW-Authenticate": header})

    # ------------------------------------------------------------------ routing

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if not self._authorised(request):
            return self._challenge()
        self.paths.append(request.path)
        parts = request.path.strip("/").split("/")
        if parts[0] == "json" and len(parts) >= 2:
            return self._json(parts[1], parts[2] if len(parts) > 2 else "")
        if request.path == "/command/shutdown" and request.method == "GET":
            self.shut_down = True
            return web.Response()
        if parts[0] == "command" and len(parts) == 2 and request.method == "POST":
            text = await self._command(parts[1], request)
            return web.Response(text=text or "", content_type="text/html")
        return web.Response(status=404, text="Not Found")

    def _json(self, what: str, torrent_hash: str) -> web.Response:
        torrent = self.torrents.get(torrent_hash.lower())
        body: Any
        if what == "torrents":
            body = [self.entry(t) for t in self.torrents.values()]
            for t in self.torrents.values():
                t.checking = False  # a recheck of a stand-in torrent takes one list call
        elif what == "transferInfo":
            down = sum(t.down_speed for t in self.torrents.values())
            up = sum(t.up_speed for t in self.torrents.values())
            body = {
                "dl_info": f"D: {self.speed(down)} - T: {self.size(self.session_down)}",
                "up_info": f"U: {self.speed(up)} - T: {self.size(self.session_up)}",
            }
        elif what == "preferences":
            body = self.preferences
        elif what in {"propertiesGeneral", "propertiesTrackers", "propertiesFiles"}:
            if torrent is None:  # the reference: empty body, or [] for trackers
                text = "[]" if what == "propertiesTrackers" else ""
                return web.Response(text=text, content_type="text/javascript")
            body = self._properties(what, torrent)
        else:
            return web.Response(status=404, text="Not Found")
        return web.json_response(body, content_type="text/javascript")

    def _properties(self, what: str, t: FakeTorrent) -> Any:
        if what == "propertiesGeneral":
            ratio = t.uploaded / t.done if t.done else 0.0
            return {
                "save_path": "/downloads",
                "creation_date": "Tuesday, November 24, 2026 8:52:54 PM",
                "piece_size": self.size(4 * 1024**2),
                "comment": "",
                "total_wasted": self.size(0),
                "total_uploaded": f"{self.size(t.uploaded)} ({self.size(0)} this session)",
                "total_downloaded": f"{self.size(t.done)} ({self.size(0)} this session)",
                "up_limit": self.speed(t.up_limit) if t.up_limit else "∞",
                "dl_limit": self.speed(t.dl_limit) if t.dl_limit else "∞",
                "time_elapsed": "53d 0h (Seeding 0)",
                "nb_connections": "3 (100 max)",
                "share_ratio": "∞" if ratio > 100 else f"{ratio:.1f}",
            }
        if what == "propertiesTrackers":
            return [{"url": url, "status": "Working", "num_peers": "0", "msg": ""}
                    for url in t.trackers]  # fmt: skip
        return [{"name": t.name, "size": self.size(t.size), "progress": t.done / t.size,
                 "priority": 1, "is_seed": t.complete}]  # fmt: skip

    async def _command(self, name: str, request: web.Request) -> str | None:  # noqa: C901, PLR0912
        form = await request.post()
        one = self.torrents.get(str(form.get("hash", "")).lower())
        many = [self.torrents[h] for h in str(form.get("hashes", "")).lower().split("|")
                if h in self.torrents]  # fmt: skip
        if name == "download":
            for link in str(form.get("urls", "")).split("\n"):
                if link.strip().lower().startswith("magnet:"):
                    self.add(torrent_from_link(link.strip()))
        elif name == "upload":
            for value in form.getall("torrents", []):
                if isinstance(value, web.FileField):
                    # "No matter if successful or not": 200 either way.
                    with contextlib.suppress(ValueError):
                        self.add(torrent_from_file(value.file.read()))
        elif name in {"pause", "resume"} and one is not None:
            one.paused = name == "pause"
            one.started = True
        elif name in {"pauseall", "resumeall"}:
            for t in self.torrents.values():
                t.paused, t.started = name == "pauseall", True
        elif name in {"delete", "deletePerm"}:
            for t in many:
                del self.torrents[t.hash]
        elif name == "recheck" and one is not None:
            one.checking = True
        elif name == "addTrackers" and one is not None:
            one.trackers += [u for u in str(form.get("urls", "")).split("\n") if u]
        elif name in {"increasePrio", "decreasePrio", "topPrio", "bottomPrio"}:
            for t in many:
                step = {"increasePrio": -1, "decreasePrio": 1, "topPrio": -999, "bottomPrio": 999}
                t.queue = max(1, t.queue + step[name])
        elif name == "setFilePrio" and one is not None:
            one.file_priorities[int(str(form.get("id")))] = int(str(form.get("priority")))
        elif name == "setPreferences":
            self.preferences.update(json.loads(str(form.get("json", "{}"))))
        elif name == "getGlobalDlLimit":
            return str(self.global_dl)
        elif name == "getGlobalUpLimit":
            return str(self.global_up)
        elif name == "setGlobalDlLimit":
            self.global_dl = int(str(form.get("limit", 0)))
        elif name == "setGlobalUpLimit":
            self.global_up = int(str(form.get("limit", 0)))
        elif name in {"getTorrentDlLimit", "getTorrentUpLimit"} and one is not None:
            return str(one.dl_limit if "Dl" in name else one.up_limit)
        elif name == "setTorrentDlLimit" and one is not None:
            one.dl_limit = int(str(form.get("limit", 0)))
        elif name == "setTorrentUpLimit" and one is not None:
            one.up_limit = int(str(form.get("limit", 0)))
        return None
