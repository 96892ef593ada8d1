"""Fixtures for the Telegram front: the Bot API stand-in, a real qbittorrent-nox, the daemon."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalQBittorrent
from tests.mqtt.helpers import Running
from tests.telegram.botapi import BotApi
from tests.telegram.helpers import (
    ADMIN,
    Chat,
    running_bot,
    telegram_config,
)


@pytest.fixture
async def botapi() -> AsyncIterator[BotApi]:
    server = BotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, botapi: BotApi, tmp_path: Path
) -> AsyncIterator[Running]:
    async with running_bot(telegram_config(qbt, botapi, tmp_path)) as run:
        yield run


@pytest.fixture
def admin(botapi: BotApi) -> Chat:
    return Chat(botapi, ADMIN)
