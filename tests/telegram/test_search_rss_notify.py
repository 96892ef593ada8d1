"""Search, RSS rules and feeds, and completion notifications, against a real qBittorrent."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.torrentfile import torrent_to_magnet
from qbt_bridge.daemon.demo import LocalQBittorrent
from qbt_bridge.engine.diskguard import DiskGuard
from tests.helpers import SEARCH_PLUGIN, FileServer, rss_feed, tiny_torrent, wait_for, wait_torrent
from tests.mqtt.helpers import Running
from tests.releases import Seed
from tests.telegram.botapi import BotApi
from tests.telegram.helpers import ADMIN, VIEWER, Chat, running_bot, telegram_config

OTHER = 424242  # a second user who may add, not in notify.chats


async def test_search_without_plugins_says_how_to_install_one(
    bot: Running, admin: Chat, qbt_client: QBittorrentClient
) -> None:
    for plugin in await qbt_client.search_plugins():
        await qbt_client.search_uninstall_plugin([plugin.name])
    answer = await admin.say("/search debian")
    assert "no search plugin is installed" in answer["text"]
    assert "install one" in answer["text"]


async def test_search_pages_by_seeders_and_one_tap_adds(
    bot: Running,
    admin: Chat,
    qbt_client: QBittorrentClient,
    files: FileServer,
    tmp_path: Path,
) -> None:
    for index in range(3):
        data, _h = tiny_torrent(tmp_path, f"found-{index}")
        files.add(f"/files/result-{index}.torrent", data, "application/x-bittorrent")
    url = files.add("/plugins/qbtbridgetest.py", SEARCH_PLUGIN.format(port=files.port).encode())
    await qbt_client.search_install_plugin([url])
    await wait_for(qbt_client.search_plugins, "the plugin")
    try:
        started = await admin.say("/search debian iso")
        assert "<b>debian iso</b>" in started["text"]

        async def finished() -> dict[str, object] | None:
            message = admin.message(started["message_id"])
            return message if "3 results, done" in message["text"] else None

        results = await wait_for(finished, "the search to finish")
        text = str(results["text"])
        # Best seeded first: result 1 (42 seeders), 2 (17), 0 (5); never a link.
        assert text.index("result 1") < text.index("result 2") < text.index("result 0")
        assert "http" not in text
        since = admin.api.last_id()
        await admin.press(results, "➕ 1")
        added = await admin.next(since)
        assert "Added <b>found-1</b>" in added["text"]
        assert [t.name for t in await qbt_client.torrents_info()] == ["found-1"]
    finally:
        await qbt_client.search_uninstall_plugin(["qbtbridgetest"])


async def test_rss_feeds_and_rules_from_the_chat(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, files: FileServer
) -> None:
    feed_url = files.add(
        "/rss/tv.xml",
        rss_feed("TV", [("The Show S01E01 1080p", files.url("/x/1.torrent")),
                        ("Other Thing 720p", files.url("/x/2.torrent"))]),
        "application/rss+xml",
    )  # fmt: skip
    assert "Feed added." in (await admin.say(f"/rss addfeed {feed_url} TV"))["text"]

    async def loaded() -> bool:
        feeds = await qbt_client.rss_items(with_data=True)
        return bool(feeds and feeds[0].articles)

    await wait_for(loaded, "the feed's articles")
    assert "<code>TV</code> (2 articles)" in (await admin.say("/rss feeds"))["text"]

    saved = await admin.say('/rss add shows must="the show" category=tv feeds=TV')
    assert "Saved:" in saved["text"]
    rule = (await qbt_client.rss_rules())["shows"]
    assert rule.must_contain == "the show"
    assert rule.assigned_category == "tv"
    assert rule.affected_feeds == (feed_url,)

    matching = await admin.say("/rss match shows")
    assert "The Show S01E01 1080p" in matching["text"]
    assert "Other Thing" not in matching["text"]

    overview = await admin.say("/rss")
    assert "🟢 <b>shows</b>" in overview["text"]
    await admin.press(overview, "⏸ shows")
    assert (await qbt_client.rss_rules())["shows"].enabled is False
    assert "⚪ <b>shows</b>" in admin.message(overview["message_id"])["text"]

    assert "no RSS feed 'Nope'" in (await admin.say("/rss add x must=y feeds=Nope"))["text"]
    assert (
        "not a valid regular expression"
        in (await admin.say("/rss add bad must=( regex=yes"))["text"]
    )
    assert "read-only" in (await Chat(botapi, VIEWER).say("/rss delete shows"))["text"]
    assert "deleted" in (await admin.say("/rss delete shows"))["text"]
    assert "shows" not in await qbt_client.rss_rules()
    assert "no RSS rule named 'shows'" in (await admin.say("/rss delete shows"))["text"]
    assert "removed" in (await admin.say("/rss delfeed TV"))["text"]
    assert not await qbt_client.rss_items()


async def test_completion_is_announced_once_from_a_real_transfer(
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    botapi: BotApi,
    seed: Seed,
    tmp_path: Path,
) -> None:
    config = telegram_config(qbt, botapi, tmp_path)
    name = seed.meta.name
    async with running_bot(config) as run:
        await qbt_client.torrents_add(torrent_files=[seed.torrent])
        await wait_torrent(qbt_client, seed.meta.info_hash, what="the download to be listed")
        await qbt_client.torrents_add_peers([seed.meta.info_hash], [seed.peer])

        async def announced() -> list[dict[str, object]]:
            return [m for m in botapi.sent(ADMIN) if f"Completed: <b>{name}</b>" in m["text"]]

        await wait_for(announced, "the completion notification")
    # A restart does not announce it again (the completion ledger). /status refreshes, and
    # events go to the outbox as a refresh sees them: an empty outbox after it means none.
    async with running_bot(config) as run:
        await Chat(botapi, ADMIN).say("/status")
        front = run.daemon.telegram
        assert front is not None
        assert not front._outbox
        assert len(await announced()) == 1


async def test_whoever_adds_from_the_chat_hears_of_it_and_notify_choices_are_kept(
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    botapi: BotApi,
    seed: Seed,
    tmp_path: Path,
) -> None:
    """A user not in notify.chats adds a magnet: its completion reaches their own chat (and the
    configured chat); /notify's choices survive a restart of the bot."""
    config = telegram_config(qbt, botapi, tmp_path)
    writer = replace(config.telegram.users[0], id=OTHER)  # type: ignore[union-attr]
    telegram = replace(config.telegram, users=(*config.telegram.users, writer))  # type: ignore[arg-type]
    config = replace(config, telegram=telegram)
    name = seed.meta.name
    other = Chat(botapi, OTHER)
    async with running_bot(config):
        added = await other.say(f"/add {torrent_to_magnet(seed.meta)}")
        assert "Added" in added["text"] or "fetching" in added["text"]
        await wait_torrent(qbt_client, seed.meta.info_hash, what="the magnet to be listed")
        await qbt_client.torrents_add_peers([seed.meta.info_hash], [seed.peer])

        async def told(chat: int) -> list[dict[str, Any]]:
            return [m for m in botapi.sent(chat) if f"Completed: <b>{name}</b>" in m["text"]]

        await wait_for(lambda: told(OTHER), "the completion in the adder's chat")
        await wait_for(lambda: told(ADMIN), "the completion in the configured chat")
        view = await other.say("/notify")
        assert "torrents added here" in view["text"]
        await other.press(view, "▫️ added")
        assert "✅ added" in botapi.buttons(other.message(view["message_id"]))
    async with running_bot(config):  # a restart: the chat's choice is kept
        view = await other.say("/notify")
        assert "Notifications in this chat</b>: added;" in view["text"]
        assert "✅ added" in botapi.buttons(view)
    assert len(await told(OTHER)) == 1


async def test_feed_pass_keys_never_reach_the_chat(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, files: FileServer
) -> None:
    passkey = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"
    url = files.url(f"/rss/{passkey}/tv.xml?passkey={passkey}")  # not served: named by its URL
    assert "Feed added." in (await admin.say(f"/rss addfeed {url}"))["text"]
    listed = (await admin.say("/rss feeds"))["text"]
    assert "**REDACTED**" in listed
    assert "already exists" in (await admin.say(f"/rss addfeed {url}"))["text"]
    shown = [str(c.params) for c in botapi.calls]
    assert len(shown) > 3
    assert not [text for text in shown if passkey in text]


async def test_low_disk_space_is_notified_with_what_was_paused(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient, botapi: BotApi, tmp_path: Path
) -> None:
    data, info_hash = tiny_torrent(tmp_path, "guarded-download")
    await qbt_client.torrents_add(torrent_files=[data])  # no peers: a waiting download
    await wait_torrent(qbt_client, info_hash, lambda t: not t.state.is_stopped, "running")
    config = telegram_config(qbt, botapi, tmp_path, notify={
        "chats": [ADMIN], "events": ["low_disk_space", "disk_space_ok"]})  # fmt: skip
    # more than any disk here has free: low at the first look, and the download paused
    first = config.instances[0]
    low = DiskGuard(min_free=2**50, pause=True)
    guarded = replace(first, server=replace(first.server, disk_guard=low))
    since = botapi.last_id()
    async with running_bot(replace(config, instances=(guarded,))):

        async def notified() -> list[dict[str, Any]]:
            return [m for m in botapi.sent(ADMIN, since) if "Low disk space" in m["text"]]

        text = (await wait_for(notified, "the low disk space notification"))[0]["text"]
        assert "Home qBittorrent" in text
        assert "below 1.0 PiB" in text
        assert "1 download paused until there is room" in text
        await wait_torrent(qbt_client, info_hash, lambda t: t.state.is_stopped, "paused")


async def test_watch_keeps_one_message_live_until_stop(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, seed: Seed
) -> None:
    """/watch: one message, edited in place on the bot's own cadence, until ⏹ Stop."""
    idle = await admin.say("/watch")
    assert "Stopped watching: nothing is active." in idle["text"]
    assert botapi.buttons(idle) == {}
    torrent = seed.meta.info_hash
    await qbt_client.torrents_add(torrent_files=[seed.torrent])
    await wait_torrent(qbt_client, torrent, what="the download to be listed")
    await qbt_client.torrents_set_download_limit([torrent], 32 * 1024)  # 3 MiB: over a minute
    await qbt_client.torrents_add_peers([torrent], [seed.peer])
    await wait_torrent(qbt_client, torrent, lambda t: t.download_speed > 0, "the download moving")
    live = await admin.say("/watch")
    assert seed.meta.name in live["text"]
    assert "Live: edited every 10s." in live["text"]
    assert "⏹ Stop" in botapi.buttons(live)

    async def edited() -> bool:
        return bool(admin.message(live["message_id"]).get("edit_date"))

    await wait_for(edited, "the bot's own edit of the live message", timeout=30)
    await admin.press(admin.message(live["message_id"]), "⏹ Stop")
    stopped = admin.message(live["message_id"])
    assert "Stopped watching: you pressed Stop." in stopped["text"]
    assert botapi.buttons(stopped) == {}
    assert len(botapi.sent(ADMIN, live["message_id"] - 1)) == 1  # one message, edited
