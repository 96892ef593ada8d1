"""Benchmark: the chat's ``/list`` with 10 000 torrents — how long a person waits for a page.

Runs the real daemon's Telegram front (python-telegram-bot, in this process) against a real
qbittorrent-nox loaded with tiny paused torrents, and the Bot API STAND-IN of the tests
(``tests/telegram/botapi.py``; no Telegram server can be reached from here), which hands the bot
each message at once through its long poll. Per release, ``--repeat`` times each:
  /list          from the message reaching the Bot API to the bot's page sent (sendMessage);
                 ``/list`` asks qBittorrent for the whole current list first (a sync sweep)
  /list <word>   the same with a filter on the name (matches 1 in 10)
  Next ▶         from the button press to the next page edited in (editMessageText); this
                 one reads what the engine holds
Figures: median and worst, in milliseconds, at the default page size (8).

Run: .venv/bin/python bench/chat.py [--size 10000] [--releases host,forky] [--repeat 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from refresh import load  # bench/ is the script's folder

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.config import parse_config
from qbt_bridge.daemon.demo import LocalQBittorrent, Release
from qbt_bridge.daemon.process import Daemon

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' Bot API stand-in
from tests.telegram.botapi import TOKEN, BotApi

USER = 1001
LOOK_EVERY = 0.002  # how often the bench looks at what the stand-in received
PATIENCE = 120.0


async def _until[T](found: Callable[[], T | None], what: str) -> T:
    deadline = time.monotonic() + PATIENCE
    while (value := found()) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} in {PATIENCE:g} s")
        await asyncio.sleep(LOOK_EVERY)
    return value


async def _say(api: BotApi, text: str) -> tuple[float, dict[str, Any]]:
    """Send a message; the seconds until the bot's answer, and the answer."""
    since = api.last_id()
    begun = time.monotonic()
    await api.command(USER, text)
    message = await _until(lambda: next(iter(api.sent(USER, since)), None), f"answer to {text}")
    return time.monotonic() - begun, message


async def _next_page(api: BotApi, message: dict[str, Any]) -> float:
    """Press "Next"; the seconds until the page is edited in."""
    data = next(d for label, d in api.buttons(message).items() if label.startswith("Next"))
    edits = len(api.of("editMessageText"))
    begun = time.monotonic()
    await api.press(USER, message["message_id"], data)
    await _until(lambda: True if len(api.of("editMessageText")) > edits else None, "next page")
    return time.monotonic() - begun


def _figures(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"  {label:<14} median {statistics.median(ms):7.1f} ms, worst {max(ms):7.1f} ms"


async def bench_release(release: Release, size: int, repeat: int) -> None:
    qbt = LocalQBittorrent(release)
    qbt.start()
    api = BotApi()
    await api.start()
    try:
        async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
            await load(client, size, "chat")
            version = await client.app_version()
        folder = Path(tempfile.mkdtemp(prefix="qbt-bench-chat-"))
        config = parse_config(
            {
                "instances": [
                    {"id": "home", "url": qbt.url, "username": qbt.username,
                     "password": qbt.password},
                ],
                "telegram": {"token": TOKEN, "api_url": api.url, "users": [USER]},
                "state_dir": str(folder / "state"),
            }
        )  # fmt: skip
        daemon = Daemon(config)
        stop = asyncio.Event()
        task = asyncio.create_task(daemon.run(stop))
        try:
            front = daemon.telegram
            assert front is not None  # noqa: S101 - configured above
            await _until(lambda: True if front.ready.is_set() else None, "bot polling")
            store = daemon.bridges[0].store
            await _until(lambda: True if len(store.hashes()) >= size else None, "first state")
            lists, filtered, pages = [], [], []
            for _ in range(repeat):
                seconds, message = await _say(api, "/list")
                lists.append(seconds)
                pages.append(await _next_page(api, message))
                filtered.append((await _say(api, "/list 7.bin"))[0])
            print(f"qBittorrent {version} ({release.name}), {size} torrents, {repeat} times each")
            print(_figures("/list", lists))
            print(_figures("/list 7.bin", filtered))
            print(_figures("Next ▶", pages), flush=True)
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
    finally:
        await api.stop()
        qbt.cleanup()


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--releases", default="host,forky")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    for name in args.releases.split(","):
        await bench_release(Release.named(name), args.size, args.repeat)


if __name__ == "__main__":
    asyncio.run(main())
