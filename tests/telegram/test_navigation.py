"""Finding one's way in the chat: Back buttons, confirmations, buttons only for what a user may
do, /use with buttons, a /help that fits the configuration. Real qBittorrent, Bot API stand-in."""

from __future__ import annotations

from pathlib import Path

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.rss import RssRule
from qbt_bridge.daemon.config import parse_config
from qbt_bridge.daemon.demo import LocalQBittorrent
from tests.helpers import tiny_torrent, wait_for
from tests.mqtt.helpers import Running
from tests.telegram.botapi import BotApi
from tests.telegram.helpers import VIEWER, Chat, running_bot


async def test_info_has_a_way_back_to_its_list_page(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    files = [tiny_torrent(tmp_path, f"nav-{index:02d}")[0] for index in range(7)]
    await qbt_client.torrents_add(torrent_files=files, paused=True)
    await wait_for(lambda: _count(qbt_client, 7), "7 stopped torrents")
    listed = await admin.say("/list")
    await admin.press(listed, "Next")
    page_two = admin.message(listed["message_id"])["text"]
    assert "(6–7 of 7)" in page_two
    await admin.press(admin.message(listed["message_id"]), "6")
    info = admin.message(listed["message_id"])
    assert "Hash:" in info["text"]
    assert "ETA" not in info["text"], "a stopped torrent has no ETA"
    assert "stopped" in info["text"] or "paused" in info["text"]
    await admin.press(info, "◀ Back")
    assert admin.message(listed["message_id"])["text"] == page_two


async def test_a_read_only_user_sees_no_buttons_that_change_things(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    data, _hash = tiny_torrent(tmp_path, "look-only")
    await qbt_client.torrents_add(torrent_files=[data], paused=True)
    await wait_for(lambda: _count(qbt_client, 1), "the stopped torrent")
    await qbt_client.rss_set_rule(RssRule.from_rule("shows", {"mustContain": "x"}))
    viewer = Chat(botapi, VIEWER)
    listed = await viewer.say("/list")
    await viewer.press(listed, "1")
    labels = list(botapi.buttons(viewer.message(listed["message_id"])))
    assert labels == ["🔄 Refresh", "📄 Files", "◀ Back"]  # looking at files changes nothing
    assert botapi.buttons(await viewer.say("/rss")) == {}
    # The admin sees them all.
    listed = await admin.say("/list")
    await admin.press(listed, "1")
    labels = list(botapi.buttons(admin.message(listed["message_id"])))
    assert [label[0] for label in labels[:3]] == ["▶", "🔁", "🗑"]

    help_text = (await viewer.say("/help"))["text"]
    assert "/list" in help_text
    assert "read-only" in help_text
    for hidden in ("/add", "/pause", "/alt", "/manage", "/use"):
        assert hidden not in help_text, hidden
    admin_help = (await admin.say("/help"))["text"]
    assert "/add" in admin_help
    assert "/pause" in admin_help
    assert "/manage" not in admin_help, "no qbit_manage is configured"
    assert "/use" not in admin_help, "there is one instance"


async def test_rss_buttons_stay_and_deleting_a_rule_asks_first(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient
) -> None:
    await qbt_client.rss_set_rule(RssRule.from_rule("shows", {"mustContain": "the show"}))
    overview = await admin.say("/rss")
    await admin.press(overview, "⏸ shows")
    assert (await qbt_client.rss_rules())["shows"].enabled is False
    after = admin.message(overview["message_id"])
    assert "<b>Feeds</b>" in after["text"]
    assert {"▶ shows", "🗑 shows"} <= set(botapi.buttons(after))

    await admin.press(after, "🗑 shows")
    asking = admin.message(overview["message_id"])
    assert "Delete the RSS rule <b>shows</b>?" in asking["text"]
    assert "shows" in await qbt_client.rss_rules(), "nothing deleted before the confirmation"
    await admin.press(asking, "Cancel")
    assert "▶ shows" in botapi.buttons(admin.message(overview["message_id"]))
    await admin.press(admin.message(overview["message_id"]), "🗑 shows")
    await admin.press(admin.message(overview["message_id"]), "🗑 Delete the rule")
    assert "shows" not in await qbt_client.rss_rules()
    assert "<b>Feeds</b>" in admin.message(overview["message_id"])["text"]


async def test_use_offers_the_instances_as_buttons(
    qbt: LocalQBittorrent, botapi: BotApi, admin: Chat, tmp_path: Path
) -> None:
    raw = {
        "instances": [
            {"id": "home", "name": "Home qBittorrent", "url": qbt.url,
             "username": qbt.username, "password": qbt.password},
            {"id": "office", "name": "Office qBittorrent", "url": qbt.url,
             "username": qbt.username, "password": qbt.password},
        ],
        "telegram": {"token": botapi.token, "api_url": botapi.url, "poll_timeout": 2,
                     "users": [admin.user]},
        "state_dir": str(tmp_path / "state-two"),
    }  # fmt: skip
    async with running_bot(parse_config(raw)):
        chosen = await admin.say("/use")
        assert "▶ <code>home</code>" in chosen["text"]
        assert "/use" in (await admin.say("/help"))["text"]
        await admin.press(chosen, "Use Office")
        assert "▶ <code>office</code>" in admin.message(chosen["message_id"])["text"]
        assert "Office qBittorrent" in (await admin.say("/status"))["text"]


async def _count(client: QBittorrentClient, wanted: int) -> bool:
    """That many torrents, all settled as stopped (added paused)."""
    torrents = await client.torrents_info()
    return len(torrents) >= wanted and all(t.state.is_stopped for t in torrents)


async def test_add_at_all_adds_on_each_server_the_user_may_use(
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    botapi: BotApi,
    admin: Chat,
    tmp_path: Path,
) -> None:
    """/add @all: one answer per server; @a,b names them; a server the user may not use: no."""
    with LocalQBittorrent() as other:
        raw = {
            "instances": [
                {"id": "home", "name": "Home qBittorrent", "url": qbt.url,
                 "username": qbt.username, "password": qbt.password},
                {"id": "office", "name": "Office qBittorrent", "url": other.url,
                 "username": other.username, "password": other.password},
            ],
            "telegram": {"token": botapi.token, "api_url": botapi.url, "poll_timeout": 2,
                         "users": [admin.user, {"id": VIEWER, "instances": ["home"]}]},
            "state_dir": str(tmp_path / "state-two"),
        }  # fmt: skip
        magnet = f"magnet:?xt=urn:btih:{'ef' * 20}&dn=everywhere"
        async with (
            running_bot(parse_config(raw)),
            QBittorrentClient(other.url, other.username, other.password) as office,
        ):
            since = botapi.last_id()
            await botapi.command(admin.user, f"/add @all {magnet} paused")
            first = await admin.next(since, lambda m: "Home qBittorrent" in m["text"])
            second = await admin.next(since, lambda m: "Office qBittorrent" in m["text"])
            assert "Added" in first["text"]
            assert "Added" in second["text"]
            assert [t.hash for t in await qbt_client.torrents_info()] == ["ef" * 20]
            assert [t.hash for t in await office.torrents_info()] == ["ef" * 20]
            again = await admin.say(f"/add @home,office {magnet}")
            assert "Already there" in again["text"]
            viewer = Chat(botapi, VIEWER)
            refused = await viewer.say(f"/add @home,office {magnet}")
            assert "may not use office" in refused["text"]
            only_home = await viewer.say(f"/add @all magnet:?xt=urn:btih:{'fa' * 20}")
            assert "Home qBittorrent" not in only_home["text"]  # one server: no heading
            assert len(await office.torrents_info()) == 1
