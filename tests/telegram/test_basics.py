"""The bot's menu, access control, /status, /alt, /limits, /use, and failures of Telegram itself."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from pathlib import Path

import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.redact import install_secret_filter
from qbt_bridge.core.versions import Version
from qbt_bridge.daemon.config import parse_config
from qbt_bridge.daemon.demo import LocalQBittorrent, free_port
from qbt_bridge.daemon.process import Daemon
from qbt_bridge.engine import RefreshPolicy
from qbt_bridge.telegram import TelegramFront, transport
from qbt_bridge.telegram.settings import TelegramUser
from qbt_bridge.telegram.transport import SEND_ATTEMPTS
from tests.helpers import tiny_torrent, wait_for, wait_torrent, with_server
from tests.mqtt.helpers import Running
from tests.telegram.botapi import TOKEN, BotApi
from tests.telegram.helpers import ADMIN, STRANGER, VIEWER, Chat, running_bot, telegram_config


async def test_menu_help_and_status(bot: Running, botapi: BotApi, admin: Chat) -> None:
    menu = botapi.of("setMyCommands")
    assert menu, "the command menu was not registered"
    names = {c["command"] for c in menu[0]["commands"]}
    assert {"add", "pause", "resume", "list", "search", "rss", "status", "alt"} <= names

    assert "/search" in (await admin.say("/help"))["text"]
    status = (await admin.say("/status"))["text"]
    assert "Home qBittorrent" in status
    assert "Free space:" in status
    assert "Torrents: 0" in status


async def test_session_pause_is_offered_where_the_release_has_it(
    bot: Running, admin: Chat, qbt_client: QBittorrentClient
) -> None:
    has = await qbt_client.webapi_version() >= Version(2, 16, 2)
    assert ("/session pause|resume" in (await admin.say("/help"))["text"]) is has
    assert "say /session pause" in (await admin.say("/session"))["text"]
    answer = (await admin.say("/session pause"))["text"]
    if not has:
        assert "cannot pause the whole session" in answer
        return
    assert "The session is paused" in answer
    assert "every torrent is as it was" in (await admin.say("/session resume"))["text"]


async def test_strangers_get_one_refusal_and_nothing_else(
    bot: Running, botapi: BotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    stranger = Chat(botapi, STRANGER)
    answer = await stranger.say("/status")
    assert answer["text"] == "Sorry, you are not allowed to use this bot."
    assert f"refused user id {STRANGER}" in caplog.text
    # A stranger's document is not downloaded, let alone added.
    await botapi.document(STRANGER, b"d4:infod4:name1:xee", "x.torrent")
    await stranger.next(answer["message_id"])
    assert not botapi.of("getFile")


async def test_ignore_mode_stays_silent(
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    botapi: BotApi,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    config = telegram_config(qbt, botapi, tmp_path, unauthorised="ignore")
    async with running_bot(config):
        await botapi.command(STRANGER, "/status")
        await wait_for(lambda: _logged(caplog, f"refused user id {STRANGER}"), "the log line")
        # An allowed user is answered after it: the stranger's update was handled and dropped.
        await Chat(botapi, ADMIN).say("/help")
        assert not botapi.sent(STRANGER)


async def _logged(caplog: pytest.LogCaptureFixture, words: str) -> bool:
    return words in caplog.text


async def test_alt_speed_and_read_only_users(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient
) -> None:
    on = await admin.say("/alt on")
    assert on["text"] == "Alternative speed limits are on."
    assert await qbt_client.transfer_speed_limits_mode() is True
    assert (await admin.say("/alt toggle"))["text"] == "Alternative speed limits are off."
    assert await qbt_client.transfer_speed_limits_mode() is False
    shown = await admin.say("/alt")  # alone: the mode and its buttons, nothing changed
    assert shown["text"] == "Alternative speed limits are off."
    assert list(botapi.buttons(shown)) == [
        "Turn on", "On for 30 min", "On for 1 h", "On for 2 h"
    ]  # fmt: skip
    assert await qbt_client.transfer_speed_limits_mode() is False
    refused = await admin.say("/alt on whenever")
    assert "not a duration" in refused["text"]
    assert await qbt_client.transfer_speed_limits_mode() is False

    viewer = Chat(botapi, VIEWER)
    refused = await viewer.say("/alt on")
    assert "read-only" in refused["text"]
    assert await qbt_client.transfer_speed_limits_mode() is False
    assert "Torrents:" in (await viewer.say("/status"))["text"]  # reading is fine


async def test_limits_are_shown_and_set_in_human_units(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient
) -> None:
    await qbt_client.transfer_set_speed_limits(alt_download=10 * 1024, alt_upload=10 * 1024)
    shown = (await admin.say("/limits"))["text"]
    assert "↓ none   ↑ none" in shown
    assert "Alternative: ↓ 10.0 KiB/s   ↑ 10.0 KiB/s" in shown
    answer = (await admin.say("/limits dl 5M"))["text"]
    assert "↓ 5.0 MiB/s" in answer
    assert (await qbt_client.transfer_speed_limits()).download == 5 * 1024 * 1024
    await admin.say("/limits alt ul 1.5M")
    assert (await qbt_client.transfer_speed_limits()).alt_upload == 1536 * 1024
    await admin.say("/limits dl off")
    assert (await qbt_client.transfer_speed_limits()).download == 0
    bad_ones = (("/limits dl fast", "not a speed: 'fast'"), ("/limits sideways 5M", "say /limits"),
                ("/limits dl 3G", "2147483647"))  # fmt: skip
    for bad, why in bad_ones:
        assert why in (await admin.say(bad))["text"]
    viewer = Chat(botapi, VIEWER)
    assert "read-only" in (await viewer.say("/limits ul 1M"))["text"]
    assert "Speed limits" in (await viewer.say("/limits"))["text"]  # reading is fine
    assert (await qbt_client.transfer_speed_limits()).upload == 0
    await qbt_client.transfer_set_speed_limits(alt_upload=10 * 1024)


async def test_the_listening_port_is_shown_and_set_with_port(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient
) -> None:
    before = await qbt_client.listen_port()
    assert f"listens on port {before}." in (await admin.say("/port"))["text"]
    assert "/port [N]" in (await admin.say("/help"))["text"]
    wanted = free_port()
    try:
        assert f"port {wanted} now" in (await admin.say(f"/port {wanted}"))["text"]
        assert await qbt_client.listen_port() == wanted
        for bad, why in (("/port 80", "1024 to 65535"), ("/port many", "expected a port number"),
                         ("/port 1 2", "say /port and one number")):  # fmt: skip
            assert why in (await admin.say(bad))["text"], bad
        viewer = Chat(botapi, VIEWER)
        assert "read-only" in (await viewer.say("/port 50000"))["text"]
        assert f"listens on port {wanted}." in (await viewer.say("/port"))["text"]
        assert await qbt_client.listen_port() == wanted
    finally:
        await qbt_client.set_listen_port(before)  # the shared daemon's own port again


async def test_use_lists_and_selects_instances(bot: Running, admin: Chat) -> None:
    shown = await admin.say("/use")
    assert "home" in shown["text"]
    assert "no instance 'elsewhere'" in (await admin.say("/use elsewhere"))["text"]
    assert "no instance 'elsewhere'" in (await admin.say("/status @elsewhere"))["text"]


async def test_flood_control_and_network_errors_are_retried(
    bot: Running, botapi: BotApi, admin: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    botapi.flood["sendMessage"] = 1  # the first answer is refused with 429, retry after 1 s
    answer = await admin.say("/help")
    assert "/search" in answer["text"]
    assert [c.method for c in botapi.calls if c.method.startswith("sendMessage")][-2:] == [
        "sendMessage#429",
        "sendMessage",
    ]
    assert "flood control" in caplog.text
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


async def test_an_answer_waits_out_a_long_flood_and_arrives(
    bot: Running, botapi: BotApi, admin: Chat, caplog: pytest.LogCaptureFixture
) -> None:
    """More 429s than an answer has tries for network errors: flood control is waited out."""
    caplog.set_level(logging.DEBUG)
    botapi.flood["sendMessage"] = SEND_ATTEMPTS + 2  # each says: retry after 1 s
    status = (await admin.say("/status"))["text"]
    assert "Home qBittorrent" in status
    assert not [m for m in botapi.sent(ADMIN) if "Something went wrong" in m["text"]]
    assert len([r for r in caplog.records if "flood control" in r.getMessage()]) == 1
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_an_answer_given_up_in_a_flood_is_said_once_and_the_chat_told_later(
    bot: Running,
    botapi: BotApi,
    admin: Chat,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(transport, "FLOOD_PATIENCE", 2.0)  # an answer waits 2 s at most
    botapi.flood["sendMessage"] = 5
    told = await admin.say("/status")  # the answer is given up; the notice waits the flood out
    assert told["text"] == transport.GIVEN_UP_NOTICE
    assert not botapi.flood["sendMessage"]
    given_up = [r for r in caplog.records if "was given up" in r.getMessage()]
    assert len(given_up) == 1
    assert "flood control went on" in given_up[0].getMessage()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "Home qBittorrent" in (await admin.say("/status"))["text"]  # and all is well again


def test_the_token_never_reaches_a_log_line_or_traceback(caplog: pytest.LogCaptureFixture) -> None:
    secret_filter = install_secret_filter([TOKEN])
    try:
        log = logging.getLogger("telegram.test")
        try:
            raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
        except RuntimeError:
            log.exception("request to %s failed", f"/bot{TOKEN}/sendMessage")
        assert "request to /bot**REDACTED**/sendMessage failed" in caplog.text
        assert "bot**REDACTED**/getMe failed" in caplog.text  # the traceback, cleaned
        assert TOKEN not in caplog.text
    finally:
        for handler in logging.getLogger().handlers:
            handler.removeFilter(secret_filter)


async def test_telegram_down_at_start_and_while_a_notification_waits(
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    botapi: BotApi,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    botapi.down = True
    config = telegram_config(qbt, botapi, tmp_path, notify={"chats": [ADMIN], "events": ["added"]})
    run = Running(Daemon(config))
    try:
        await wait_for(lambda: _logged(caplog, "Telegram unreachable"), "the outage to be logged")
        botapi.down = False
        front = run.daemon.telegram
        assert front is not None
        await wait_for(lambda: _set(front.ready), "the bot to start after the outage")

        botapi.down = True
        data, _hash = tiny_torrent(tmp_path, "announced-later")
        await qbt_client.torrents_add(torrent_files=[data], paused=True)
        await wait_for(lambda: _refreshed_with(run, front), "the added event in the outbox")
        botapi.down = False

        async def delivered() -> bool:
            return any("Added: <b>announced-later</b>" in m["text"] for m in botapi.sent(ADMIN))

        await wait_for(delivered, "the notification after Telegram came back")
        assert not run.task.done()
    finally:
        await run.close()


async def test_notices_held_back_by_an_outage_leave_in_the_order_things_happened(
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    botapi: BotApi,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Four torrents added a second apart while Telegram answers 502, seen in one refresh (which
    lists them in qBittorrent's order): both chats get the notices oldest first."""
    config = telegram_config(qbt, botapi, tmp_path, notify={"chats": [ADMIN, VIEWER],
                                                            "events": ["added"]})  # fmt: skip
    quiet = with_server(
        config.instances[0], policy=RefreshPolicy(fast_interval=3600, full_interval=3600)
    )
    async with running_bot(dataclasses.replace(config, instances=(quiet,))) as run:
        bridge = run.daemon.bridges[0]
        await wait_for(lambda: _true(bridge.store.initialised), "the first sweep")
        botapi.down = True
        names = [f"in-order-{n}" for n in range(4)]
        for name in names:
            data, torrent_hash = tiny_torrent(tmp_path, name)
            await qbt_client.torrents_add(torrent_files=[data], paused=True)
            added = (await wait_torrent(qbt_client, torrent_hash)).added_on
            # the next one is added in a later second: qBittorrent's clock has one-second steps
            await wait_for(lambda added=added: _true(time.time() >= added + 1), "the next second")
        await bridge.refresh(full=True)  # one refresh sees all four
        botapi.down = False

        for chat in (ADMIN, VIEWER):

            async def delivered(chat: int = chat) -> list[str]:
                texts = [m["text"] for m in botapi.sent(chat) if "Added: <b>in-order-" in m["text"]]
                return texts if len(texts) == len(names) else []

            texts = await wait_for(delivered, f"the four notices in chat {chat}")
            assert [t.split("<b>")[1].split("</b>")[0] for t in texts] == names
    assert not [r for r in caplog.records if r.exc_info]


async def _true(value: object) -> bool:
    return bool(value)


async def _set(event: asyncio.Event) -> bool:
    return event.is_set()


async def _refreshed_with(run: Running, front: TelegramFront) -> bool:
    await run.daemon.bridges[0].refresh(full=True)
    return any("announced-later" in text for _chat, text in front._outbox)


async def test_users_limited_to_an_instance(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, botapi: BotApi, tmp_path: Path
) -> None:
    base = telegram_config(qbt, botapi, tmp_path)
    assert base.telegram is not None
    second = dataclasses.replace(
        with_server(base.instances[0], instance_id="work"), name="Work qBittorrent"
    )
    limited = TelegramUser(id=STRANGER, instances=frozenset({"work"}))
    config = dataclasses.replace(
        base,
        instances=(*base.instances, second),
        telegram=dataclasses.replace(base.telegram, users=(*base.telegram.users, limited)),
    )
    async with running_bot(config):
        chat = Chat(botapi, STRANGER)
        # Its default is the first instance it may use, not the first of all.
        assert "Work qBittorrent" in (await chat.say("/status"))["text"]
        assert "you may not use home" in (await chat.say("/status @home"))["text"]
        shown = (await chat.say("/use"))["text"]
        assert "work" in shown
        assert "home" not in shown
        assert "Home qBittorrent" in (await Chat(botapi, ADMIN).say("/status @home"))["text"]


async def test_an_outage_is_logged_once_and_its_end_once(
    bot: Running, botapi: BotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.clear()
    botapi.down = True
    await wait_for(lambda: _at_least(botapi.refused, 3), "several failed polls")
    botapi.down = False
    await wait_for(lambda: _logged(caplog, "Telegram reachable again"), "the end of the outage")
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage().split(":")[0] for r in loud] == ["Telegram unreachable"], loud
    assert not [r for r in caplog.records if r.exc_info], "no tracebacks for an outage"
    ends = [r for r in caplog.records if "reachable again" in r.getMessage()]
    assert [r.levelno for r in ends] == [logging.INFO]


async def test_an_unreachable_qbittorrent_is_explained_without_its_address(
    botapi: BotApi, tmp_path: Path
) -> None:
    closed = free_port()
    config = parse_config(
        {
            "instances": [{"id": "home", "name": "Home qBittorrent",
                           "url": f"http://127.0.0.1:{closed}", "username": "u", "password": "p",
                           "kind": "qbittorrent"}],
            "telegram": {"token": TOKEN, "api_url": botapi.url, "poll_timeout": 2,
                         "users": [ADMIN]},
            "state_dir": str(tmp_path / "state"),
        }
    )  # fmt: skip
    async with running_bot(config):
        answer = (await Chat(botapi, ADMIN).say("/status"))["text"]
    assert "Home qBittorrent is unreachable right now" in answer
    assert "refused the connection" in answer
    assert "127.0.0.1" not in answer
    assert str(closed) not in answer
    assert "Error" not in answer


async def _at_least(value: int, wanted: int) -> bool:
    return value >= wanted


async def test_alt_and_pause_all_have_buttons_for_a_while(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    """The buttons run the table's commands with a duration; /status says until when."""
    shown = await admin.say("/alt")
    await admin.press(shown, "On for 30 min")
    assert await qbt_client.transfer_speed_limits_mode() is True
    pressed = admin.message(shown["message_id"])["text"]
    assert pressed.startswith("Alternative speed limits are on until ")
    status = (await admin.say("/status"))["text"]
    assert "Alternative speed: on until " in status

    data, _hash = tiny_torrent(tmp_path, "paused-for-a-while")
    await qbt_client.torrents_add(torrent_files=[data])
    await wait_for(qbt_client.torrents_info, "the running torrent")
    paused = await admin.say("/pause all")
    assert list(botapi.buttons(paused)) == ["Resume in 30 min", "Resume in 1 h", "Resume in 2 h"]
    await admin.press(paused, "Resume in 1 h")
    assert "they resume at " in admin.message(paused["message_id"])["text"]
    assert "Paused until " in (await admin.say("/status"))["text"]
    timed = await admin.say("/pause all for 2h")
    assert "they resume at " in timed["text"]
    assert botapi.buttons(timed) == {}
    assert "only /pause" in (await admin.say("/resume all for 2h"))["text"]
    await admin.say("/alt off")  # cancels the timer: nothing left to run after the test
    await admin.say("/resume all")


async def test_status_per_category_and_per_tracker(
    bot: Running, admin: Chat, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    await qbt_client.torrents_create_category("tv")
    data, _hash = tiny_torrent(tmp_path, "by-category")
    await qbt_client.torrents_add(torrent_files=[data], category="tv", paused=True)
    await wait_for(qbt_client.torrents_info, "the torrent")
    shown = (await admin.say("/status category"))["text"]
    assert "<b>Home qBittorrent by category</b>" in shown
    assert "tv: 1 · ↓0 B/s ↑0 B/s" in shown
    trackers = (await admin.say("/status tracker"))["text"]
    assert "<i>none</i>: 1" in trackers  # a torrent without a working tracker
    assert "say /status, /status category" in (await admin.say("/status nonsense"))["text"]
