"""A throwaway Home Assistant with this tree's integration and its card on the dashboard.

For the demo (``scripts/run --home-assistant``) and the browser tests: a real ``hass`` process
(the Home Assistant installed beside this package, with its frontend) on a loopback port, set up
the way a user does it, through its own HTTP API: onboarding, the integration's config flow,
the dashboard, and more users. Needs the ``homeassistant`` and ``home-assistant-frontend``
packages (the test extras), and a clone of the repository (the integration is its folder).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from qbt_bridge.daemon.demo import ThrowawayProcess, cache_dir, free_port

INTEGRATION = Path(__file__).resolve().parents[2] / "custom_components" / "qbt_bridge"
START_TIMEOUT = 180.0  # a first start compiles translations and loads the frontend


@dataclass(frozen=True, slots=True)
class Tokens:
    """A login: what the frontend keeps in the browser's local storage."""

    access_token: str
    refresh_token: str
    expires_in: int

    def browser_storage(self, base: str) -> str:
        """The ``hassTokens`` value Home Assistant's frontend reads at load (it then refreshes)."""
        return json.dumps(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "expires": int(time.time() * 1000) + self.expires_in * 1000,
                "hassUrl": base,
                "clientId": f"{base}/",
            }
        )


class LocalHomeAssistant(ThrowawayProcess):
    """A real Home Assistant on 127.0.0.1 with the integration from this tree."""

    def __init__(
        self, workspace: Path | None = None, python: str | None = None, extra_config: str = ""
    ) -> None:
        if not (INTEGRATION / "manifest.json").is_file():
            raise RuntimeError(f"no integration at {INTEGRATION}: run from a clone of qbt-bridge")
        self.workspace = workspace or _new_workspace()
        self.config = self.workspace / "config"
        self.python = python or sys.executable
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = self.workspace / "home-assistant.log"
        self.extra_config = extra_config  # more of configuration.yaml (recorder:, say)

    def start(self) -> None:
        """Write the configuration (first time only) and start ``hass``; returns at once."""
        self.config.mkdir(parents=True, exist_ok=True)
        (self.config / "custom_components").mkdir(exist_ok=True)
        link = self.config / "custom_components" / "qbt_bridge"
        if not link.exists():
            link.symlink_to(INTEGRATION, target_is_directory=True)
        configuration = self.config / "configuration.yaml"
        if not configuration.exists():
            configuration.write_text(
                "homeassistant:\n"
                "  name: qbt-bridge demo\n"
                f"  internal_url: {self.base}\n"
                "  time_zone: UTC\n"
                "  unit_system: metric\n"
                "  currency: EUR\n"
                "  country: DE\n"
                "http:\n"
                "  server_host: 127.0.0.1\n"
                f"  server_port: {self.port}\n"
                "frontend:\n"
                "config:\n"
                "logger:\n"
                "  default: warning\n" + self.extra_config,
                encoding="utf-8",
            )
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(  # noqa: S603 - our own command line
                [self.python, "-m", "homeassistant", "-c", str(self.config), "--skip-pip"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    async def wait_ready(self, session: aiohttp.ClientSession) -> None:
        """Until it serves (its HTTP server starts once every integration is set up)."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._process is None or self._process.poll() is not None:
                raise RuntimeError(f"Home Assistant exited; see {self.log}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"{self.base}/manifest.json") as response:
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                raise TimeoutError(f"Home Assistant did not answer in {START_TIMEOUT:g} s")
            await asyncio.sleep(0.5)

    # ------------------------------------------------------------------ as a user sets it up

    async def onboard(self, session: aiohttp.ClientSession, username: str, password: str) -> Tokens:
        """Create the owner (an administrator) and finish onboarding; the owner's login."""
        client_id = f"{self.base}/"
        created = await _json(
            session.post(
                f"{self.base}/api/onboarding/users",
                json={
                    "client_id": client_id,
                    "name": username.title(),
                    "username": username,
                    "password": password,
                    "language": "en",
                },
            )
        )
        tokens = await self._token(session, created["auth_code"])
        auth = {"Authorization": f"Bearer {tokens.access_token}"}
        for step, body in (
            ("core_config", {}),
            ("analytics", {}),
            (
                "integration",
                {"client_id": client_id, "redirect_uri": f"{client_id}?auth_callback=1"},
            ),
        ):
            await _json(session.post(f"{self.base}/api/onboarding/{step}", json=body, headers=auth))
        return tokens

    async def login(self, session: aiohttp.ClientSession, username: str, password: str) -> Tokens:
        """Log in as a user, as the login page does."""
        client_id = f"{self.base}/"
        flow = await _json(
            session.post(
                f"{self.base}/auth/login_flow",
                json={
                    "client_id": client_id,
                    "handler": ["homeassistant", None],
                    "redirect_uri": client_id,
                },
            )
        )
        done = await _json(
            session.post(
                f"{self.base}/auth/login_flow/{flow['flow_id']}",
                json={"client_id": client_id, "username": username, "password": password},
            )
        )
        if done.get("type") != "create_entry":
            raise RuntimeError(f"login of {username!r} refused: {done.get('errors')}")
        return await self._token(session, done["result"])

    async def _token(self, session: aiohttp.ClientSession, code: str) -> Tokens:
        answer = await _json(
            session.post(
                f"{self.base}/auth/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "client_id": f"{self.base}/",
                },
            )
        )
        return Tokens(answer["access_token"], answer["refresh_token"], int(answer["expires_in"]))

    async def add_qbittorrent(
        self,
        session: aiohttp.ClientSession,
        tokens: Tokens,
        *,
        url: str,
        username: str,
        password: str,
        push: bool = True,
    ) -> str:
        """Add a qBittorrent through the integration's config flow; the new entry's id."""
        auth = {"Authorization": f"Bearer {tokens.access_token}"}
        flows = f"{self.base}/api/config/config_entries/flow"
        step = await _json(session.post(flows, json={"handler": "qbt_bridge"}, headers=auth))
        answers = [
            {
                "url": url,
                "username": username,
                "password": password,
                "api_key": "",
                "verify_ssl": True,
            },
            {"push_install": push},
        ]
        for answer in answers:
            if step.get("type") != "form":
                break
            step = await _json(
                session.post(f"{flows}/{step['flow_id']}", json=answer, headers=auth)
            )
            if step.get("errors"):
                raise RuntimeError(f"the config flow refused: {step['errors']}")
        if step.get("type") != "create_entry":
            raise RuntimeError(f"the config flow ended with {step}")
        return str(step["result"]["entry_id"])

    async def set_options(
        self, session: aiohttp.ClientSession, tokens: Tokens, entry_id: str, **options: Any
    ) -> None:
        """Submit the integration's options form with these answers (the rest as shown)."""
        auth = {"Authorization": f"Bearer {tokens.access_token}"}
        flows = f"{self.base}/api/config/config_entries/options/flow"
        step = await _json(session.post(flows, json={"handler": entry_id}, headers=auth))
        done = await _json(session.post(f"{flows}/{step['flow_id']}", json=options, headers=auth))
        if done.get("type") != "create_entry":
            raise RuntimeError(f"the options form ended with {done}")

    @contextlib.asynccontextmanager
    async def websocket(
        self, session: aiohttp.ClientSession, tokens: Tokens
    ) -> AsyncIterator[WebSocketCalls]:
        """Home Assistant's websocket API, authenticated."""
        async with session.ws_connect(f"{self.base}/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": tokens.access_token})
            answer = await ws.receive_json()
            if answer.get("type") != "auth_ok":
                raise RuntimeError(f"websocket login refused: {answer}")
            yield WebSocketCalls(ws)

    async def show_card(
        self, session: aiohttp.ClientSession, tokens: Tokens, card: Mapping[str, Any]
    ) -> str:
        """The default dashboard: one view, the card alone (panel); the view's path."""
        config = {
            "title": "qbt-bridge",
            "views": [{"title": "Torrents", "path": "torrents", "type": "panel", "cards": [card]}],
        }
        async with self.websocket(session, tokens) as ws:
            await ws.call("lovelace/config/save", config=config)
        return "/lovelace/torrents"

    async def add_user(
        self,
        session: aiohttp.ClientSession,
        tokens: Tokens,
        *,
        username: str,
        password: str,
        admin: bool,
    ) -> str:
        """Create a user (an administrator or not) with a password; its id."""
        async with self.websocket(session, tokens) as ws:
            created = await ws.call(
                "config/auth/create",
                name=username.title(),
                group_ids=["system-admin" if admin else "system-users"],
                local_only=False,
            )
            user_id = str(created["user"]["id"])
            await ws.call(
                "config/auth_provider/homeassistant/create",
                user_id=user_id,
                username=username,
                password=password,
            )
        return user_id


class WebSocketCalls:
    """Commands over one authenticated websocket, answered in turn."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._id = 0

    async def call(self, kind: str, **data: Any) -> Any:
        """Send one command; its result, or a RuntimeError with Home Assistant's error."""
        self._id += 1
        await self._ws.send_json({"id": self._id, "type": kind, **data})
        while True:
            answer = await self._ws.receive_json()
            if answer.get("id") == self._id and answer.get("type") == "result":
                break
        if not answer["success"]:
            raise RuntimeError(f"{kind}: {answer['error']}")
        return answer.get("result")


async def _json(request: Any) -> dict[str, Any]:
    async with request as response:
        body = await response.text()
        if response.status >= 400:
            raise RuntimeError(f"{response.method} {response.url.path}: {response.status} {body}")
        return dict(json.loads(body)) if body else {}


def _new_workspace() -> Path:
    base = cache_dir() / "home-assistant-demo"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="ha-", dir=base))
