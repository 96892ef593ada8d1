"""Helpers of the telegram tests (their fixtures are in conftest.py)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from qbt_bridge.daemon.config import Config, parse_config
from qbt_bridge.daemon.demo import LocalQBittorrent
from qbt_bridge.daemon.process import Daemon
from tests.helpers import wait_for
from tests.mqtt.helpers import Running
from tests.telegram.botapi import TOKEN, BotApi

ADMIN = 1001


VIEWER = 1002  # read-only


STRANGER = 666


def telegram_config(qbt: LocalQBittorrent, api: BotApi, tmp_path: Path, **extra: Any) -> Config:
    telegram = {
        "token": TOKEN,
        "api_url": api.url,
        "poll_timeout": 2,
        "page_size": 5,
        "users": [ADMIN, {"id": VIEWER, "read_only": True}],
        "notify": {"chats": [ADMIN], "events": ["completed", "errored"]},
        **extra,
    }
    return parse_config(
        {
            "instances": [
                {"id": "home", "name": "Home qBittorrent", "url": qbt.url,
                 "username": qbt.username, "password": qbt.password, "fast_interval": 1},
            ],
            "telegram": telegram,
            "state_dir": str(tmp_path / "state"),
        }
    )  # fmt: skip


class Chat:
    """One user talking to the bot through the stand-in."""

    def __init__(self, api: BotApi, user: int) -> None:
        self.api = api
        self.user = user

    async def say(self, text: str) -> dict[str, Any]:
        """Send a message and wait for the bot's first new message to this chat."""
        since = self.api.last_id()
        await self.api.command(self.user, text)
        return await self.next(since)

    async def next(self, since: int, check: Any = lambda _m: True) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            return next((m for m in self.api.sent(self.user, since) if check(m)), None)

        return await wait_for(probe, f"the bot's answer in chat {self.user}")

    async def press(self, message: dict[str, Any], label: str) -> None:
        """Tap the button whose label starts with ``label``."""
        buttons = self.api.buttons(message)
        data = next((d for text, d in buttons.items() if text.startswith(label)), None)
        assert data is not None, f"no button {label!r} in {list(buttons)}"
        answered = len(self.api.answers())
        await self.api.press(self.user, message["message_id"], data)
        await wait_for(lambda: _more(self.api, answered), "the button press to be answered")

    def message(self, message_id: int) -> dict[str, Any]:
        return self.api.messages[message_id]


async def _more(api: BotApi, before: int) -> bool:
    return len(api.answers()) > before


@contextlib.asynccontextmanager
async def running_bot(config: Config) -> AsyncIterator[Running]:
    run = Running(Daemon(config))
    try:
        front = run.daemon.telegram
        assert front is not None

        async def ready() -> bool:
            if run.task.done():
                run.task.result()
            return front.ready.is_set()

        await wait_for(ready, "the bot to start polling")
        yield run
        assert not run.task.done(), "the daemon stopped on its own"
    finally:
        await run.close()
