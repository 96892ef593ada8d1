"""Generated commands, arguments and captions from the chat, against the real daemon's bot.

Each message gets an answer and the bot keeps running. Runs on a qBittorrent of its own; links
in the generated text only ever point at 127.0.0.1, and magnets carry no trackers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbt_bridge.daemon.demo import LocalQBittorrent, Release
from qbt_bridge.daemon.process import Daemon
from tests.helpers import LoopThread
from tests.mqtt.helpers import Running
from tests.releases import RELEASES, require
from tests.telegram.botapi import BotApi
from tests.telegram.helpers import ADMIN, VIEWER, Chat, telegram_config

COMMANDS = ["/start", "/help", "/status", "/list", "/info", "/add", "/pause", "/resume",
            "/search", "/rss", "/alt", "/use", "/manage", "/nosuch", "/list@bot"]  # fmt: skip
SAFE_WORDS = st.sampled_from(
    ["all", "seeding", "paused", "category:tv", "tag:x", "on", "off", "@home", "@elsewhere",
     "add", "delete", "feeds", "addfeed", "http://127.0.0.1:9/feed.xml", "match", "help",
     "must=x", "category=tv", "tags=a,b", "magnet:?xt=urn:btih:" + "cd" * 20, "dry", '"quoted',
     "magnet:?xt=urn:btih:broken", "'", "=", "@"]
)  # fmt: skip
# Any text, except what could make qBittorrent reach beyond this machine.
FREE_WORDS = st.text(max_size=20).filter(lambda w: "://" not in w and "magnet" not in w.lower())
WORD = SAFE_WORDS | FREE_WORDS
TEXTS = st.one_of(
    st.tuples(st.sampled_from(COMMANDS), st.lists(WORD, max_size=4)).map(
        lambda parts: " ".join([parts[0], *parts[1]])
    ),
    st.lists(WORD, min_size=1, max_size=4).map(" ".join).filter(lambda t: t.strip() != ""),
)


class Environment(LoopThread):
    """A qBittorrent, the Bot API stand-in and the daemon's bot, on a loop of their own."""

    def __init__(self, qbt: LocalQBittorrent, state: Path) -> None:
        super().__init__()
        self.qbt = qbt
        self.state = state
        self.botapi = BotApi()
        self.run: Running | None = None
        self.call(self._start())

    async def _start(self) -> None:
        await self.botapi.start()
        self.run = Running(Daemon(telegram_config(self.qbt, self.botapi, self.state)))
        front = self.run.daemon.telegram
        assert front is not None
        await asyncio.wait_for(front.ready.wait(), 60)

    async def _stop(self) -> None:
        assert self.run is not None
        await self.run.close()
        await self.botapi.stop()


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Environment]:
    with LocalQBittorrent(require(Release.named(RELEASES[-1]))) as qbt:
        env = Environment(qbt, tmp_path_factory.mktemp("tg-fuzz"))
        try:
            yield env
        finally:
            env.close()


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(text=TEXTS, viewer=st.booleans(), caption=st.booleans())
def test_every_message_gets_an_answer(
    environment: Environment, text: str, viewer: bool, caption: bool
) -> None:
    chat = Chat(environment.botapi, VIEWER if viewer else ADMIN)
    if caption:  # the same text as the caption of a file that is not a torrent
        answer = environment.call(_send_file(chat, text))
    else:
        answer = environment.call(chat.say(text))
    assert answer["text"].strip()
    assert "Something went wrong" not in answer["text"], (text, answer["text"])  # a bug
    assert environment.run is not None
    assert not environment.run.task.done()


async def _send_file(chat: Chat, caption: str) -> dict[str, Any]:
    since = chat.api.last_id()
    await chat.api.document(chat.user, b"d4:infoi1ee", "junk.torrent", caption=caption)
    return await chat.next(since)


def test_the_bot_still_answers_after_the_storm(environment: Environment) -> None:
    chat = Chat(environment.botapi, ADMIN)
    assert "/status" in environment.call(chat.say("/help"))["text"]
