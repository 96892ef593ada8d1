"""A STAND-IN for Telegram's Bot API server (no Telegram server can be reached from here).

It follows the Bot API's HTTP protocol as python-telegram-bot uses it: ``/bot<token>/<method>``
with form-encoded (or multipart) parameters, each non-string value JSON-encoded; answers
``{"ok": true, "result": …}`` or ``{"ok": false, "error_code": …, "description": …}`` (429 with
``parameters.retry_after`` for flood control); ``getUpdates`` long-polls for ``timeout`` seconds
from ``offset``; files are served at ``/file/bot<token>/<file_path>``. It implements only the
methods the bot calls, records everything the bot sends, and lets a test inject updates.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from qbt_bridge.daemon.demo import free_port
from tests.helpers import serve_loopback

TOKEN = "123456789:TESTtokenTESTtokenTESTtokenTEST_abc"
BOT = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "qbt-bridge test",
    "username": "qbt_bridge_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters whose values arrive JSON-encoded (strings arrive as they are).
JSON_PARAMS = {"chat_id", "message_id", "reply_markup", "offset", "timeout", "limit",
               "allowed_updates", "commands", "show_alert", "disable_web_page_preview",
               "link_preview_options", "cache_time"}  # fmt: skip


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]


@dataclass
class BotApi:
    """The stand-in server and what it saw."""

    token: str = TOKEN
    port: int = field(default_factory=free_port)
    calls: list[Call] = field(default_factory=list)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    flood: dict[str, int] = field(default_factory=dict)  # method -> how many 429s to give
    down: bool = False  # answer every call with 502, as a network fault would
    refused: int = 0  # calls answered 502 while down
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _new_update: asyncio.Condition | None = None
    _runner: web.AppRunner | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._new_update = asyncio.Condition()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = await serve_loopback(app, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ the protocol

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        if self.down:
            self.refused += 1
            return web.Response(status=502, text="Bad Gateway")
        method = request.match_info["method"]
        params = await _params(request)
        remaining = self.flood.get(method, 0)
        if remaining:
            self.flood[method] = remaining - 1
            self.calls.append(Call(method + "#429", params))
            return _error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        self.calls.append(Call(method, params))
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        result = await handler(params)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1].split(".")[0]
        data = self.files.get(file_id)
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data)

    async def _api_getMe(self, _p: dict[str, Any]) -> Any:  # noqa: N802 - the API's names
        return BOT

    async def _api_deleteWebhook(self, _p: dict[str, Any]) -> Any:  # noqa: N802
        return True

    async def _api_setMyCommands(self, _p: dict[str, Any]) -> Any:  # noqa: N802
        return True

    async def _api_answerCallbackQuery(self, _p: dict[str, Any]) -> Any:  # noqa: N802
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:  # noqa: N802
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        assert self._new_update is not None
        deadline = time.monotonic() + timeout
        async with self._new_update:
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset]
                left = deadline - time.monotonic()
                if ready or left <= 0:
                    return ready[: int(params.get("limit") or 100)]
                try:
                    await asyncio.wait_for(self._new_update.wait(), left)
                except TimeoutError:
                    continue

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:  # noqa: N802
        if _too_long(params):
            return _error(400, "Bad Request: message is too long")
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "from": BOT,
            "text": params["text"],
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self.messages[message["message_id"]] = message
        return message

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:  # noqa: N802
        if _too_long(params):
            return _error(400, "Bad Request: message is too long")
        message = self.messages.get(int(params["message_id"]))
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        if message["text"] == params["text"] and message.get("reply_markup") == params.get(
            "reply_markup"
        ):
            return _error(400, "Bad Request: message is not modified")
        message["text"] = params["text"]
        message.pop("reply_markup", None)
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        message["edit_date"] = int(time.time())
        return message

    async def _api_getFile(self, params: dict[str, Any]) -> Any:  # noqa: N802
        file_id = params["file_id"]
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": f"documents/{file_id}.torrent",
        }

    # ------------------------------------------------------------------ for tests

    async def push(self, update: dict[str, Any]) -> None:
        """Queue an update for the bot's next getUpdates."""
        assert self._new_update is not None
        update["update_id"] = next(self._ids)
        async with self._new_update:
            self._updates.append(update)
            self._new_update.notify_all()

    async def command(self, user: int, text: str, chat: int | None = None) -> None:
        """A user sends a text message (a command when it starts with /)."""
        message = self._user_message(user, chat)
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        await self.push({"message": message})

    async def document(
        self, user: int, data: bytes, file_name: str, caption: str = "", chat: int | None = None
    ) -> None:
        """A user sends a file."""
        file_id = f"f{next(self._ids)}"
        self.files[file_id] = data
        message = self._user_message(user, chat)
        message["document"] = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": "application/x-bittorrent",
            "file_size": len(data),
        }
        if caption:
            message["caption"] = caption
        await self.push({"message": message})

    async def press(self, user: int, message_id: int, data: str) -> None:
        """A user taps an inline button of one of the bot's messages."""
        message = self.messages[message_id]
        await self.push(
            {
                "callback_query": {
                    "id": str(next(self._ids)),
                    "from": _user(user),
                    "message": message,
                    "chat_instance": "1",
                    "data": data,
                }
            }
        )

    def _user_message(self, user: int, chat: int | None) -> dict[str, Any]:
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat or user, "type": "private"},
            "from": _user(user),
        }

    def sent(self, chat: int, since: int = 0) -> list[dict[str, Any]]:
        """The bot's messages to a chat (as they are now, edits applied), oldest first."""
        return [
            m for mid, m in sorted(self.messages.items()) if m["chat"]["id"] == chat and mid > since
        ]

    def last_id(self) -> int:
        return max(self.messages, default=0)

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def buttons(self, message: dict[str, Any]) -> dict[str, str]:
        """Label -> callback data of a message's inline keyboard."""
        markup = message.get("reply_markup") or {}
        return {
            b["text"]: b["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for b in row
            if "callback_data" in b
        }

    def answers(self) -> list[dict[str, Any]]:
        return self.of("answerCallbackQuery")

    def find(
        self, chat: int, check: Callable[[dict[str, Any]], bool], since: int = 0
    ) -> dict[str, Any] | None:
        return next((m for m in reversed(self.sent(chat, since)) if check(m)), None)


def _user(user: int) -> dict[str, Any]:
    return {"id": user, "is_bot": False, "first_name": f"user{user}", "username": f"user{user}"}


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return dict(await request.json())
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, str) and key in JSON_PARAMS:
            try:
                params[key] = json.loads(value)
            except ValueError:
                params[key] = value
        elif isinstance(value, str | bytes):
            params[key] = value
        else:  # an uploaded file
            params[key] = value.file.read()
    params.update({k: v for k, v in request.query.items() if k not in params})
    return params


def _too_long(params: dict[str, Any]) -> bool:
    """The Bot API's limit: 4096 characters of text once its HTML entities are parsed."""
    text = str(params.get("text", ""))
    if params.get("parse_mode") == "HTML":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return len(text.encode("utf-16-le")) // 2 > 4096
