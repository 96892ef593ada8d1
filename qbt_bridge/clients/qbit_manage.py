"""Client for qbit_manage's web API (``POST /api/run-command``, ``GET /api/health``).

Command names are checked here before anything is sent: qbit_manage 4.14 answers an unknown
name with HTTP 500 (its documentation says 400) and an empty list by doing nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from qbt_bridge.clients.http import (
    DEFAULT_CONNECT_TIMEOUT,
    AsyncClosing,
    HttpResponse,
    HttpTransport,
    normalize_url,
)
from qbt_bridge.core.errors import APIError, InvalidRequestError

# Name -> whether it can be limited to some torrents (``hashes``), from the reference.
COMMANDS: Mapping[str, bool] = {
    "cat_update": True,
    "tag_update": True,
    "recheck": True,
    "rem_unregistered": True,
    "tag_tracker_error": True,
    "rem_orphaned": False,
    "tag_nohardlinks": True,
    "share_limits": True,
}
DEFAULT_PORT = 8080  # the reference's default; qbit_manage 4.14 itself defaults to 8181
# A run can take a while on a large qBittorrent (it walks every torrent).
RUN_TIMEOUT = 300.0


@dataclass(frozen=True, slots=True)
class ManageResult:
    """What qbit_manage answered: ``success`` (with per-config stats) or ``queued``."""

    status: str
    message: str
    results: tuple[Mapping[str, Any], ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def queued(self) -> bool:
        """A scheduled run was in progress: the request waits and runs after it."""
        return self.status == "queued"


def check_commands(commands: Iterable[str], *, with_hashes: bool) -> list[str]:
    """The commands as a list, or InvalidRequestError naming what is wrong."""
    names = [c.strip() for c in commands if c.strip()]
    if not names:
        raise InvalidRequestError(f"give at least one qbit_manage command: {', '.join(COMMANDS)}")
    unknown = [n for n in names if n not in COMMANDS]
    if unknown:
        raise InvalidRequestError(
            f"unknown qbit_manage command {unknown[0]!r}; known: {', '.join(COMMANDS)}"
        )
    if with_hashes:
        whole = [n for n in names if not COMMANDS[n]]
        if whole:
            raise InvalidRequestError(f"{whole[0]} works on the whole library, not on torrents")
    return list(dict.fromkeys(names))


class QbitManageClient(AsyncClosing):
    """One qbit_manage web server."""

    def __init__(
        self,
        url: str,
        *,
        session: aiohttp.ClientSession | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        request_timeout: float = RUN_TIMEOUT,
    ) -> None:
        self.base_url = normalize_url(url)
        self._http = HttpTransport(
            f"{self.base_url}/api",
            session=session,
            connect_timeout=connect_timeout,
            request_timeout=request_timeout,
        )

    async def health(self) -> Mapping[str, Any]:
        """``GET /api/health``: status, version and queue of the server."""
        response = await self._http.request("GET", "health")
        return _json(response)

    async def run_command(
        self,
        commands: Iterable[str],
        *,
        hashes: Iterable[str] | None = None,
        dry_run: bool = False,
        config_file: str | None = None,
        skip_cleanup: bool = False,
        log_level: str | None = None,
    ) -> ManageResult:
        """``POST /api/run-command``: run commands (on some torrents with ``hashes``)."""
        torrent_hashes = [h.lower() for h in hashes or ()]
        body: dict[str, Any] = {
            "commands": check_commands(commands, with_hashes=bool(torrent_hashes)),
            "dry_run": dry_run,
            "skip_cleanup": skip_cleanup,
        }
        if torrent_hashes:
            body["hashes"] = torrent_hashes
        if config_file:
            body["config_file"] = config_file
        if log_level:
            body["log_level"] = log_level
        response = await self._http.request(
            "POST",
            "run-command",
            data=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        data = _json(response)
        return ManageResult(
            status=str(data.get("status", "")),
            message=str(data.get("message", "")),
            results=tuple(data.get("results") or ()),
            raw=data,
        )

    async def close(self) -> None:
        """Close an owned HTTP session."""
        await self._http.close()


def _json(response: HttpResponse) -> dict[str, Any]:
    try:
        data = json.loads(response.body) if response.body else {}
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise APIError(f"qbit_manage answered HTTP {response.status} without a JSON object")
    if response.status >= 400 or "detail" in data:
        raise _error(response.status, data.get("detail"))
    return data


def _error(status: int, detail: Any) -> InvalidRequestError | APIError:
    """qbit_manage's ``{"detail": …}``: "400: …" inside a 500, a 422 list, or plain text."""
    if isinstance(detail, list):  # 422: FastAPI's validation errors
        where = ", ".join(".".join(str(p) for p in d.get("loc", ())) for d in detail)
        return InvalidRequestError(f"qbit_manage refused the request ({where})")
    text = str(detail or f"HTTP {status}")
    code, sep, rest = text.partition(": ")
    if sep and code.isdigit():
        status, text = int(code), rest
    if status in {400, 404, 422} or text.startswith("Config Error"):
        return InvalidRequestError(f"qbit_manage: {text}")
    return APIError(f"qbit_manage failed: {text}")
