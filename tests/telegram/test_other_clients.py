"""The Telegram front on qBittorrent 3.1 (a stand-in): it works, and says what cannot."""

from __future__ import annotations

from pathlib import Path

from qbt_bridge.daemon.config import parse_config
from tests.standins.common import FakeTorrent
from tests.standins.qbittorrent31 import QBittorrent31StandIn
from tests.telegram.botapi import TOKEN, BotApi
from tests.telegram.helpers import ADMIN, Chat, running_bot


async def test_telegram_on_qbittorrent_31(
    qbt31: QBittorrent31StandIn, botapi: BotApi, admin: Chat, tmp_path: Path
) -> None:
    qbt31.add(FakeTorrent(hash="ef" * 20, name="Old Linux ISO"))
    config = parse_config(
        {
            "instances": [
                {"id": "old", "url": qbt31.url, "kind": "qbittorrent-3.1",
                 "username": qbt31.username, "password": qbt31.password,
                 "fast_interval": 1},
            ],
            "telegram": {"token": TOKEN, "api_url": botapi.url, "poll_timeout": 2,
                         "users": [ADMIN]},
            "state_dir": str(tmp_path / "state"),
        }
    )  # fmt: skip
    async with running_bot(config):
        listed = await admin.say("/list")
        assert "Old Linux ISO" in listed["text"]

        rss = await admin.say("/rss")
        assert "qBittorrent 3.1 cannot use RSS feeds or rules" in rss["text"]

        search = await admin.say("/search ubuntu")
        assert "qBittorrent 3.1 cannot search" in search["text"]

        paused = await admin.say("/pause Old Linux")
        assert "Old Linux ISO" in paused["text"]
        assert qbt31.torrents["ef" * 20].paused
