"""Adding, listing, pausing, resuming and deleting torrents from the chat, on a real qBittorrent."""

from __future__ import annotations

import json
from pathlib import Path

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.torrentfile import bdecode, bencode, read_torrent
from qbt_bridge.daemon.demo import LocalQBittorrent
from qbt_bridge.telegram.format import MESSAGE_LIMIT, shown_length
from tests.helpers import folder_torrent, tiny_torrent, wait_for, wait_torrent
from tests.mqtt.helpers import Running
from tests.telegram.botapi import BotApi
from tests.telegram.helpers import VIEWER, Chat, running_bot, telegram_config

MAGNET = "magnet:?xt=urn:btih:" + "cd" * 20 + "&dn=chat-magnet"


async def test_add_magnets_and_files_then_pick_a_category(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    await qbt_client.torrents_create_category("tv")
    other = "magnet:?xt=urn:btih:" + "ef" * 20 + "&dn=second-magnet"
    answer = await admin.say(f"/add {MAGNET} {other} tags=chat,x")
    assert "Added <b>chat-magnet</b>" in answer["text"]
    assert "Added <b>second-magnet</b>" in answer["text"]
    await admin.press(answer, "tv")
    edited = admin.message(answer["message_id"])
    assert "category <b>tv</b>" in edited["text"]
    for info_hash in ("cd" * 20, "ef" * 20):
        torrent = (await qbt_client.torrents_info(hashes=[info_hash]))[0]
        assert torrent.category == "tv"
        assert set(torrent.tags) == {"chat", "x"}

    data, info_hash = tiny_torrent(tmp_path, "sent-as-file")
    since = botapi.last_id()
    await botapi.document(admin.user, data, "sent-as-file.torrent", caption="/add paused")
    from_file = await admin.next(since)
    assert "Added <b>sent-as-file</b>" in from_file["text"]
    assert (await qbt_client.torrents_info(hashes=[info_hash]))[0].state.is_stopped

    again = await admin.say(f"/add {MAGNET}")
    assert "Already there" in again["text"]
    pasted = "magnet:?xt=urn:btih:" + "ab" * 20 + "&dn=pasted-magnet"
    assert "Added <b>pasted-magnet</b>" in (await admin.say(f"look: {pasted}"))["text"]
    assert "/help" in (await admin.say("hello bot"))["text"]


async def test_bad_input_is_answered_with_the_reason(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient
) -> None:
    assert "without a BitTorrent info-hash" in (await admin.say("/add magnet:?xt=broken"))["text"]
    assert "neither a magnet" in (await admin.say("/add hello"))["text"]
    assert "add what?" in (await admin.say("/add"))["text"]
    since = botapi.last_id()
    await botapi.document(admin.user, b"this is not a torrent", "notes.torrent")
    assert "not a valid .torrent file" in (await admin.next(since))["text"]
    assert "no torrent matches" in (await admin.say("/pause nothing-like-this"))["text"]
    assert "which torrent?" in (await admin.say("/info"))["text"]
    assert not await qbt_client.torrents_info()


async def test_pause_resume_by_name_by_picking_and_ambiguous(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    hashes = {}
    for name in ("Alpha Show S01", "Alpha Show S02", "Beta Film"):
        data, hashes[name] = tiny_torrent(tmp_path, name)
        await qbt_client.torrents_add(torrent_files=[data])

    ambiguous = await admin.say("/pause alpha")
    assert "More than one torrent matches" in ambiguous["text"]
    assert "Alpha Show S01" in ambiguous["text"]
    assert "Alpha Show S02" in ambiguous["text"]

    paused = await admin.say("/pause beta film")
    assert paused["text"] == "Paused: Beta Film"
    assert (await qbt_client.torrents_info(hashes=[hashes["Beta Film"]]))[0].state.is_stopped

    picker = await admin.say("/resume")  # no argument: the stopped ones to pick from
    assert "Resume which torrent?" in picker["text"]
    assert "Beta Film" in picker["text"]
    assert "Alpha" not in picker["text"]
    await admin.press(picker, "1")
    assert not (await qbt_client.torrents_info(hashes=[hashes["Beta Film"]]))[0].state.is_stopped

    await admin.say("/pause beta film")
    everything = await admin.say("/pause all")
    # Only what changed is claimed: Beta Film was paused already.
    assert everything["text"] == "Paused: Alpha Show S01, Alpha Show S02 (1 already paused)"
    assert all(t.state.is_stopped for t in await qbt_client.torrents_info())
    again = await admin.say("/pause all")
    assert again["text"] == "Paused: nothing (3 already paused)"

    refused = await Chat(botapi, VIEWER).say("/resume all")
    assert "read-only" in refused["text"]
    assert all(t.state.is_stopped for t in await qbt_client.torrents_info())


async def test_list_pages_stay_under_telegrams_limit(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    long = "x" * 240
    files = [tiny_torrent(tmp_path, f"{index:02d} {long}")[0] for index in range(12)]
    await qbt_client.torrents_create_category("bulk")
    await qbt_client.torrents_add(torrent_files=files, paused=True, category="bulk")
    await wait_for(lambda: _count(qbt_client, 12), "12 torrents")

    first = await admin.say("/list")
    assert "(1–5 of 12)" in first["text"]
    assert len(first["text"]) <= MESSAGE_LIMIT
    assert "Next ▶" in botapi.buttons(first)
    assert "◀ Prev" not in botapi.buttons(first)
    await admin.press(first, "Next")
    second = admin.message(first["message_id"])
    assert "(6–10 of 12)" in second["text"]
    await admin.press(second, "Next")
    third = admin.message(first["message_id"])
    assert "(11–12 of 12)" in third["text"]
    assert "Next ▶" not in botapi.buttons(third)
    for sent in botapi.of("sendMessage") + botapi.of("editMessageText"):
        assert len(sent["text"]) <= MESSAGE_LIMIT

    bulk = await admin.say("/list category:bulk")
    assert "(1–5 of 12)" in bulk["text"]
    assert "no torrents" in (await admin.say("/list seeding"))["text"]


async def test_a_full_page_of_long_names_shows_every_row(
    qbt: LocalQBittorrent,
    botapi: BotApi,
    admin: Chat,
    qbt_client: QBittorrentClient,
    tmp_path: Path,
) -> None:
    # 20 rows of 240-character names with '&' (5 characters each once escaped): more than a
    # message holds unless the names are cut shorter. No row may go missing between pages.
    long = "R&D " * 60
    files = [tiny_torrent(tmp_path, f"{index:02d} {long}")[0] for index in range(25)]
    await qbt_client.torrents_add(torrent_files=files, paused=True)
    await wait_for(lambda: _count(qbt_client, 25), "25 torrents")
    async with running_bot(telegram_config(qbt, botapi, tmp_path, page_size=20)):
        first = await admin.say("/list")
        assert "(1–20 of 25)" in first["text"]
        assert all(f"<b>{n}.</b>" in first["text"] for n in range(1, 21)), first["text"][-300:]
        assert shown_length(first["text"]) <= MESSAGE_LIMIT
        await admin.press(first, "Next")
        second = admin.message(first["message_id"])
        assert "(21–25 of 25)" in second["text"]
        assert all(f"<b>{n}.</b>" in second["text"] for n in range(21, 26))
        assert not [c for c in botapi.calls if "#" in c.method or c.method == "error"]


async def _count(client: QBittorrentClient, wanted: int) -> bool:
    return len(await client.torrents_info()) >= wanted


async def test_info_buttons_and_delete_with_confirmation(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    passkey = "0123456789abcdef0123456789abcdef"
    data, info_hash = _torrent_with_tracker(tmp_path, f"https://tracker.example/{passkey}/announce")
    since = botapi.last_id()
    await botapi.document(admin.user, data, "private.torrent", caption="/add paused")
    assert "Added <b>private-one</b>" in (await admin.next(since))["text"]

    info = await admin.say(f"/info {info_hash[:8]}")
    assert "private-one" in info["text"]
    assert info_hash in info["text"]
    await Chat(botapi, VIEWER).press(info, "▶ Resume")  # a read-only user: an alert, no change
    assert botapi.answers()[-1]["show_alert"] is True
    assert "read-only access" in botapi.answers()[-1]["text"]
    assert (await qbt_client.torrents_info(hashes=[info_hash]))[0].state.is_stopped
    await admin.press(info, "▶ Resume")
    assert not (await qbt_client.torrents_info(hashes=[info_hash]))[0].state.is_stopped
    assert "⏸ Pause" in botapi.buttons(admin.message(info["message_id"]))

    await admin.press(info, "🗑 Delete")
    confirm = admin.message(info["message_id"])
    assert "Delete <b>private-one</b>?" in confirm["text"]
    await admin.press(confirm, "Cancel")
    assert await qbt_client.torrents_info(hashes=[info_hash])
    await admin.press(admin.message(info["message_id"]), "🗑 Delete")
    await admin.press(admin.message(info["message_id"]), "Remove with files")
    assert "Removed <b>private-one</b> and its files" in admin.message(info["message_id"])["text"]
    assert not await qbt_client.torrents_info(hashes=[info_hash])

    # The tracker's pass-key never reached the chat.
    everything = json.dumps([c.params for c in botapi.calls], default=str)
    assert passkey not in everything


def _torrent_with_tracker(folder: Path, tracker: str) -> tuple[bytes, str]:
    data, _hash = tiny_torrent(folder, "private-one")
    with_tracker = bencode({**bdecode(data), b"announce": tracker.encode()})
    return with_tracker, read_torrent(with_tracker).info_hash


async def test_qbittorrent_down_mid_conversation(botapi: BotApi, tmp_path: Path) -> None:
    from qbt_bridge.daemon.demo import Release
    from tests.releases import RELEASES, require
    from tests.telegram.helpers import running_bot, telegram_config

    with LocalQBittorrent(require(Release.named(RELEASES[-1]))) as own:
        async with running_bot(telegram_config(own, botapi, tmp_path)) as run:
            chat = Chat(botapi, 1001)
            assert "Torrents: 0" in (await chat.say("/status"))["text"]
            own.stop()
            for command in ("/list", "/status", f"/add {MAGNET}"):
                answer = await chat.say(command)
                assert "is unreachable right now" in answer["text"], command
            own.start()
            await wait_for(lambda: _available(run), "the bridge to see qBittorrent again")
            assert "Added <b>chat-magnet</b>" in (await chat.say(f"/add {MAGNET}"))["text"]


async def _available(run: Running) -> bool:
    return bool(run.daemon.bridges[0].available)


async def test_the_adder_tag_names_who_added_it(
    qbt: LocalQBittorrent,
    qbt_client: QBittorrentClient,
    botapi: BotApi,
    admin: Chat,
    tmp_path: Path,
) -> None:
    config = telegram_config(qbt, botapi, tmp_path, tag_adder=True)
    async with running_bot(config):
        magnet = "magnet:?xt=urn:btih:" + "9a" * 20 + "&dn=tagged-by-adder"
        answer = await admin.say(f"/add {magnet} tags=mine")
        assert "Added <b>tagged-by-adder</b>" in answer["text"]
        torrent = (await qbt_client.torrents_info(hashes=["9a" * 20]))[0]
        assert set(torrent.tags) == {"mine", f"tg:user{admin.user}"}


async def test_files_of_a_5000_file_torrent_page_by_page_with_priorities(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    names = [f"part-{n:04d}.bin" for n in range(5000)]
    data, info_hash = folder_torrent(tmp_path / "five-thousand", names, size=lambda _n: 1)
    await qbt_client.torrents_add(torrent_files=[data], paused=True)
    await wait_torrent(qbt_client, info_hash)

    first = await admin.say(f"/files {info_hash[:12]}")
    assert "5000 files, page 1 of 1000" in first["text"]  # page_size 5 in the test config
    assert "0. ▫️ five-thousand/part-0000.bin" in first["text"]
    assert shown_length(first["text"]) < MESSAGE_LIMIT
    labels = list(botapi.buttons(first))
    assert len(labels) == 5 + 2 + 2 + 1  # a button per file, all skip/normal, ▶ ⏩, the torrent
    await admin.press(first, "⏩")  # ten pages on
    page = admin.message(first["message_id"])
    assert "page 11 of 1000" in page["text"]
    assert "50. ▫️ five-thousand/part-0050.bin" in page["text"]
    await admin.press(page, "52 ▫️ → high")
    priorities = [row["priority"] for row in await qbt_client.torrents_files(info_hash)]
    assert (priorities[52], priorities.count(1)) == (6, 4999)
    assert "52. 🔼" in admin.message(first["message_id"])["text"]

    last = await admin.say(f"/files {info_hash[:12]} 1000")
    assert "page 1000 of 1000" in last["text"]
    assert "4999. ▫️" in last["text"]
    await admin.press(last, "All: skip")
    assert {row["priority"] for row in await qbt_client.torrents_files(info_hash)} == {0}

    viewer = Chat(botapi, VIEWER)  # reads, but gets no button that changes anything
    seen = await viewer.say(f"/files {info_hash[:12]}")
    assert "⏭" in seen["text"]
    assert not [label for label in botapi.buttons(seen) if "→" in label or "All" in label]


async def test_category_and_tags_from_info_picked_or_typed(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    await qbt_client.torrents_create_category("tv")
    await qbt_client.torrents_create_tags(["old"])
    data, info_hash = tiny_torrent(tmp_path, "labelled-in-chat")
    await qbt_client.torrents_add(torrent_files=[data], paused=True)
    await wait_torrent(qbt_client, info_hash)

    info = await admin.say(f"/info {info_hash[:8]}")
    await admin.press(info, "📁 Category")
    menu = admin.message(info["message_id"])
    assert "(now: none)" in menu["text"]
    await admin.press(menu, "tv")
    assert (await wait_torrent(qbt_client, info_hash)).category == "tv"
    assert "labelled-in-chat" in admin.message(info["message_id"])["text"]  # the torrent again

    await admin.press(admin.message(info["message_id"]), "📁 Category")
    await admin.press(admin.message(info["message_id"]), "✏️ New…")
    assert "Send the new category's name" in admin.message(info["message_id"])["text"]
    typed = await admin.say("documentaries")
    assert "Category <b>documentaries</b> set." in typed["text"]
    assert (await wait_torrent(qbt_client, info_hash)).category == "documentaries"
    assert "documentaries" in (await qbt_client.torrents_categories() or {})

    await admin.press(typed, "🔖 Tags")
    tags = admin.message(typed["message_id"])
    assert "old" in botapi.buttons(tags)
    await admin.press(tags, "old")
    assert "old" in (await wait_torrent(qbt_client, info_hash)).tags
    await admin.press(admin.message(typed["message_id"]), "✏️ New…")
    await admin.say("mine")
    assert set((await wait_torrent(qbt_client, info_hash)).tags) == {"old", "mine"}
    again = await admin.say(f"/info {info_hash[:8]}")
    await admin.press(again, "🔖 Tags")
    await admin.press(admin.message(again["message_id"]), "✓ old")  # a toggle: untag
    assert set((await wait_torrent(qbt_client, info_hash)).tags) == {"mine"}
    assert (await admin.say("/cancel"))["text"] == "Nothing to cancel."

    viewer = await Chat(botapi, VIEWER).say(f"/info {info_hash[:8]}")
    assert not {"📁 Category", "🔖 Tags"} & set(botapi.buttons(viewer))


async def test_categories_are_listed_made_and_removed(
    bot: Running, botapi: BotApi, admin: Chat, qbt_client: QBittorrentClient, tmp_path: Path
) -> None:
    data, info_hash = tiny_torrent(tmp_path, "in-a-category")
    await qbt_client.torrents_create_category("films")
    await qbt_client.torrents_add(torrent_files=[data], paused=True, category="films")
    await wait_torrent(qbt_client, info_hash)
    listed = await admin.say("/categories")
    assert "• films — 1 torrents" in listed["text"]
    made = await admin.say("/categories add docs /data/docs")
    assert "• docs — 0 torrents · /data/docs" in made["text"]
    assert (await qbt_client.torrents_categories() or {})["docs"].save_path.rstrip(
        "/"
    ) == "/data/docs"
    assert "there is a category 'docs' already" in (await admin.say("/categories add docs"))["text"]
    await admin.press(made, "🗑 films")
    ask = admin.message(made["message_id"])
    assert "Its torrents stay" in ask["text"]
    await admin.press(ask, "Remove it")
    assert "films" not in (await qbt_client.torrents_categories() or {})
    assert (await wait_torrent(qbt_client, info_hash)).category == ""
    gone = await admin.say("/categories remove docs")
    assert "docs" not in gone["text"].split("<i>")[0]
    assert "no category 'nope'" in (await admin.say("/categories remove nope"))["text"]
    assert "read-only" in (await Chat(botapi, VIEWER).say("/categories add x"))["text"]
