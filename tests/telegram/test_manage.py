"""/manage in the chat, against the real qbit_manage and qbittorrent-nox."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from qbt_bridge.daemon.demo import LocalQbitManage
from tests.helpers import with_server
from tests.telegram.botapi import BotApi
from tests.telegram.helpers import ADMIN, VIEWER, Chat, running_bot, telegram_config


async def test_manage_from_the_chat(
    manager: LocalQbitManage, botapi: BotApi, tmp_path: Path
) -> None:
    config = telegram_config(manager.qbt, botapi, tmp_path)
    instance = with_server(config.instances[0], manage_url=manager.url)
    async with running_bot(dataclasses.replace(config, instances=(instance,))):
        chat = Chat(botapi, ADMIN)
        menu = {c["command"] for c in botapi.of("setMyCommands")[0]["commands"]}
        assert "manage" in menu
        ran = await chat.say("/manage cat_update dry")
        assert "qbit_manage ran cat_update (dry run)" in ran["text"]
        assert "unknown qbit_manage command" in (await chat.say("/manage bogus"))["text"]
        assert "read-only" in (await Chat(botapi, VIEWER).say("/manage cat_update"))["text"]
