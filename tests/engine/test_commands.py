"""The engine's command API against real daemons, including every error path."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, parse_payload
from qbt_bridge.api.parse import request as request_
from qbt_bridge.clients import Capability, QBittorrentClient
from qbt_bridge.core.content import FilePriority
from qbt_bridge.core.errors import (
    AmbiguousTargetError,
    InvalidRequestError,
    NotFoundError,
    NotSupportedError,
)
from qbt_bridge.core.redact import redact_data
from qbt_bridge.core.rss import RssRule
from qbt_bridge.core.torrentfile import read_torrent, torrent_to_magnet
from qbt_bridge.core.versions import Version
from qbt_bridge.daemon.demo import LocalQBittorrent, free_port
from qbt_bridge.engine.bridge import Bridge, RefreshPolicy
from qbt_bridge.engine.diskguard import DiskGuard
from qbt_bridge.engine.events import EventKind
from qbt_bridge.engine.watchdog import StallRule
from tests.helpers import (
    SEARCH_PLUGIN,
    EventLog,
    FileServer,
    folder_torrent,
    rss_feed,
    tiny_torrent,
    wait_for,
    wait_torrent,
)


async def _add_three(bridge: Bridge, tmp_path: Path) -> list[str]:
    hashes = []
    for name in ("Alpha Movie 2160p.mkv", "Alpha Show S01.mkv", "Beta Album.flac"):
        data, h = tiny_torrent(tmp_path, name)
        result = await bridge.torrents.add(data, paused=True)
        assert result.hash == h
        assert result.confirmed
        hashes.append(h)
    return hashes


async def test_targets(bridge: Bridge, tmp_path: Path) -> None:
    alpha_movie, alpha_show, beta = await _add_three(bridge, tmp_path)
    assert await bridge.targets.resolve(alpha_movie) == [alpha_movie]
    assert await bridge.targets.resolve(alpha_movie[:8].upper()) == [alpha_movie]
    assert await bridge.targets.resolve("beta") == [beta]
    assert await bridge.targets.resolve("Alpha Show S01.mkv") == [alpha_show]
    assert set(await bridge.targets.resolve("all")) == {alpha_movie, alpha_show, beta}
    assert set(await bridge.targets.resolve(["beta", alpha_show])) == {beta, alpha_show}

    with pytest.raises(AmbiguousTargetError) as caught:
        await bridge.targets.resolve("alpha")
    assert {name for _h, name in caught.value.candidates} == {
        "Alpha Movie 2160p.mkv",
        "Alpha Show S01.mkv",
    }
    assert "Alpha Movie 2160p.mkv" in str(caught.value)
    with pytest.raises(NotFoundError, match="no torrent with hash"):
        await bridge.targets.resolve("f" * 40)
    with pytest.raises(NotFoundError, match="no torrent matches"):
        await bridge.targets.resolve("gamma")
    with pytest.raises(InvalidRequestError):
        await bridge.targets.resolve([])

    await bridge.client.torrents_create_category("films")
    await bridge.torrents.set_category("movie", "films")
    assert await bridge.targets.resolve("category:films") == [alpha_movie]
    await bridge.torrents.add_tags([alpha_show, beta], ["keep"])
    assert set(await bridge.targets.resolve("tag:keep")) == {alpha_show, beta}
    with pytest.raises(NotFoundError, match="no torrent with tag"):
        await bridge.targets.resolve("tag:nothing")


async def test_ambiguous_hash_prefix(bridge: Bridge, tmp_path: Path) -> None:
    bridge.targets.min_prefix = 1  # short prefixes make a clash likely with a handful of torrents
    by_first_digit: dict[str, list[str]] = {}
    index = 0
    while not any(len(v) > 1 for v in by_first_digit.values()):
        data, h = tiny_torrent(tmp_path, f"prefix-{index}.bin")
        await bridge.torrents.add(data, paused=True)
        by_first_digit.setdefault(h[0], []).append(h)
        index += 1
    digit, clash = next((d, v) for d, v in by_first_digit.items() if len(v) > 1)
    with pytest.raises(AmbiguousTargetError) as caught:
        await bridge.targets.resolve(digit)
    assert {h for h, _name in caught.value.candidates} == set(clash)


async def test_torrent_commands(bridge: Bridge, tmp_path: Path) -> None:
    movie, show, beta = await _add_three(bridge, tmp_path)
    log = EventLog(bridge)

    resumed = await bridge.torrents.resume("movie")
    assert resumed.confirmed
    assert resumed.names == ("Alpha Movie 2160p.mkv",)
    assert not bridge.store.torrent(movie).state.is_stopped  # visible at once, no poll needed
    paused = await bridge.torrents.pause(movie[:10])
    assert paused.confirmed
    assert bridge.store.torrent(movie).state.is_stopped
    assert log.of(EventKind.STATE_CHANGED, movie)

    assert (await bridge.torrents.recheck("beta")).hashes == (beta,)
    assert (await bridge.torrents.reannounce("beta")).hashes == (beta,)
    await bridge.client.torrents_create_category("tv")
    assert (await bridge.torrents.set_category("show", "tv")).confirmed
    assert bridge.store.torrent(show).category == "tv"
    with pytest.raises(InvalidRequestError):
        await bridge.torrents.set_category("show", "no such category")
    assert (await bridge.torrents.add_tags("show", ["a", "b"])).confirmed
    assert (await bridge.torrents.remove_tags("show", ["a"])).confirmed
    assert bridge.store.torrent(show).tags == ("b",)
    with pytest.raises(InvalidRequestError, match="comma"):
        await bridge.torrents.add_tags("show", ["x,y"])
    assert (await bridge.torrents.force_start("beta")).confirmed
    assert bridge.store.torrent(beta).force_start
    assert (await bridge.torrents.force_start("beta", enable=False)).confirmed
    await bridge.torrents.set_torrent_limits("beta", download=102400, upload=51200)
    assert bridge.store.torrent(beta).download_limit == 102400
    with pytest.raises(InvalidRequestError):
        await bridge.torrents.set_torrent_limits("beta")
    with pytest.raises(InvalidRequestError):
        await bridge.torrents.set_torrent_limits("beta", download=-5)

    assert (await bridge.torrents.resume_all()).hashes
    assert all(not t.state.is_stopped for t in bridge.store.torrents())
    await bridge.torrents.pause_all()
    assert all(t.state.is_stopped for t in bridge.store.torrents())

    deleted = await bridge.torrents.delete(show, delete_files=True)
    assert deleted.confirmed
    assert show not in bridge.store
    assert [e.hash for e in log.of(EventKind.REMOVED)] == [show]
    with pytest.raises(NotFoundError):
        await bridge.torrents.pause(show)


async def test_add_checks_its_input(bridge: Bridge, files: FileServer, tmp_path: Path) -> None:
    data, h = tiny_torrent(tmp_path, "add-me.bin")
    first = await bridge.torrents.add(data, category=None, tags=["new"], paused=True)
    assert (first.hash, first.name, first.already_present) == (h, "add-me.bin", False)
    assert bridge.store.torrent(h).tags == ("new",)
    again = await bridge.torrents.add(data)
    assert again.already_present
    assert again.name == "add-me.bin"
    by_magnet = await bridge.torrents.add(torrent_to_magnet(read_torrent(data)))
    assert by_magnet.already_present

    other, h2 = tiny_torrent(tmp_path, "by-magnet.bin")
    added = await bridge.torrents.add(torrent_to_magnet(read_torrent(other)), paused=True)
    assert added.hash == h2
    assert h2 in bridge.store

    third, h3 = tiny_torrent(tmp_path, "by-url.bin")
    url = files.add(f"/bridge/{h3}.torrent", third, "application/x-bittorrent")
    by_url = await bridge.torrents.add(url, paused=True)  # qBittorrent fetches it; sweeps find it
    assert (by_url.hash, by_url.name, by_url.confirmed) == (h3, "by-url.bin", True)
    assert h3 in bridge.store

    for bad, reason in [
        ("magnet:?xt=urn:btih:nothex", "malformed"),
        ("magnet:?dn=nohash", "without an xt"),
        ("ftp://example/x.torrent", "not a magnet link"),
        ("just words", "not a magnet link"),
    ]:
        with pytest.raises(InvalidRequestError, match=reason):
            await bridge.torrents.add(bad)
    with pytest.raises(InvalidRequestError, match="not a valid .torrent file"):
        await bridge.torrents.add(b"<html>definitely not bencode</html>")
    with pytest.raises(InvalidRequestError, match="not a valid .torrent file"):
        await bridge.torrents.add(b"d3:fooi1ee")


async def test_alt_speed_and_global_limits(bridge: Bridge) -> None:
    await bridge.refresh()
    assert await bridge.transfer.set_alt_speed(enabled=True) is True
    assert await bridge.transfer.set_alt_speed(enabled=True) is True
    assert await bridge.transfer.set_alt_speed() is False
    assert await bridge.transfer.set_alt_speed() is True
    assert await bridge.transfer.set_alt_speed(enabled=False) is False
    await bridge.transfer.set_global_limits(download=1024 * 1024, upload=512 * 1024)
    server = bridge.store.server()
    assert (server.download_limit, server.upload_limit) == (1024 * 1024, 512 * 1024)
    await bridge.transfer.set_global_limits(download=0, upload=0)
    assert bridge.store.server().download_limit == 0
    with pytest.raises(InvalidRequestError):
        await bridge.transfer.set_global_limits()
    with pytest.raises(InvalidRequestError):
        await bridge.transfer.set_global_limits(upload=-1)


async def test_the_session_is_paused_and_resumed_through_the_table(bridge: Bridge) -> None:
    """qBittorrent 5.3's session pause; an older release is told it cannot, in words."""
    await bridge.refresh()
    has = Capability.SESSION_PAUSE in bridge.capabilities
    assert has is (await bridge.client.webapi_version() >= Version(2, 16, 2))
    if not has:
        with pytest.raises(NotSupportedError, match="cannot pause the whole session"):
            await execute(bridge, request_("pause_session", {}))
        return
    try:
        assert await execute(bridge, request_("pause_session", {})) == {"paused": True}
        assert bridge.store.server().session_paused is True
    finally:
        assert await execute(bridge, request_("resume_session", {})) == {"paused": False}


async def test_rss_rules_export_and_import_through_the_table(
    bridge: Bridge, files: FileServer, request: pytest.FixtureRequest
) -> None:
    """An export read through a front (feed URLs redacted) imports back to the same rules."""
    await bridge.refresh()
    tag = request.node.callspec.id
    feed = files.add(f"/export/{tag}/feed.xml", rss_feed("Exported", []), "application/rss+xml")
    secret_feed = feed + "?passkey=0123456789abcdef0123456789abcdef"
    await bridge.rss.add_feed(secret_feed, f"export-{tag}")
    await bridge.rss.save_rule(f"exported-{tag}", feeds=[secret_feed], must_contain="iso")
    try:
        export = execute(bridge, request_("rss_export_rules", {}))
        if await bridge.client.webapi_version() < Version(2, 16, 2):
            with pytest.raises(NotSupportedError, match="cannot export RSS rules"):
                await export
            return
        rules = redact_data((await export)["rules"])
        assert "0123456789abcdef0123456789abcdef" not in json.dumps(rules)
        await bridge.rss.remove_rule(f"exported-{tag}")
        answer = await execute(bridge, request_("rss_import_rules", {"rules": rules}))
        assert f"exported-{tag}" in answer["imported"]
        rule = (await bridge.rss.rules())[f"exported-{tag}"]
        assert rule.must_contain == "iso"
        assert rule.affected_feeds == (secret_feed,)  # the real URL, put back
        with pytest.raises(InvalidRequestError, match="rules"):
            await execute(bridge, request_("rss_import_rules", {"rules": {"x": 5}}))
    finally:
        await bridge.rss.remove_feed(f"export-{tag}")
        if f"exported-{tag}" in await bridge.rss.rules():
            await bridge.rss.remove_rule(f"exported-{tag}")


async def test_the_four_speed_limits_set_read_and_followed(
    bridge: Bridge, client: QBittorrentClient
) -> None:
    await bridge.refresh()
    limits = await bridge.transfer.set_global_limits(alt_download=200 * 1024, alt_upload=100 * 1024)
    assert (limits.alt_download, limits.alt_upload) == (200 * 1024, 100 * 1024)
    assert (await client.transfer_speed_limits()).alt_download == 200 * 1024  # really set
    # with the alternative limits on, the pair in force is the alternative one
    await bridge.transfer.set_alt_speed(enabled=True)
    server = bridge.store.server()
    assert (server.download_limit, server.upload_limit) == (200 * 1024, 100 * 1024)
    assert bridge.store.configured_limits().download == 0
    # changed in qBittorrent itself: the limit in force moved, so the engine reads all four
    await client.transfer_set_speed_limits(alt_download=300 * 1024)
    await bridge.refresh(full=True)
    assert bridge.store.configured_limits().alt_download == 300 * 1024
    await bridge.transfer.set_alt_speed(enabled=False)
    limits = await bridge.transfer.set_global_limits(download=0, alt_download=0, alt_upload=0)
    assert limits.as_dict() == dict.fromkeys(
        ("download", "upload", "alt_download", "alt_upload"), 0
    )


async def test_rss_commands(bridge: Bridge, files: FileServer, request) -> None:
    tag = request.node.callspec.id
    feed_url = files.add(
        f"/bridge-rss/{tag}.xml",
        rss_feed("Engine feed", [("Engine Show S02E03", files.url("/none.torrent"))]),
        "application/rss+xml",
    )
    with pytest.raises(InvalidRequestError, match="http"):
        await bridge.rss.add_feed("file:///etc/passwd")
    await bridge.rss.add_feed(feed_url, "Engine")
    await bridge.rss.refresh()

    async def loaded():
        feeds = await bridge.rss.feeds()
        return feeds if feeds and feeds[0].articles else None

    feeds = await wait_for(loaded, "the feed")
    assert feeds[0].path == "Engine"
    rule = RssRule(name="engine", must_contain="Engine Show", affected_feeds=(feed_url,),
                   enabled=False)  # fmt: skip
    await bridge.rss.set_rule(rule)
    assert (await bridge.rss.matching("engine")) == {"Engine": ["Engine Show S02E03"]}
    await bridge.rss.enable_rule("engine", enabled=True)
    assert (await bridge.rss.rules())["engine"].enabled
    await bridge.rss.enable_rule("engine", enabled=False)
    rules = await bridge.rss.rules()
    assert not rules["engine"].enabled
    assert rules["engine"].must_contain == "Engine Show"  # untouched by enable/disable
    await bridge.rss.rename_rule("engine", "engine 2")
    with pytest.raises(NotFoundError, match="no RSS rule"):
        await bridge.rss.matching("engine")
    await bridge.rss.remove_rule("engine 2")
    assert await bridge.rss.rules() == {}
    with pytest.raises(NotFoundError, match="no RSS feed"):
        await bridge.rss.remove_feed("Nothing here")
    await bridge.rss.remove_feed("Engine")
    assert await bridge.rss.feeds() == []


async def test_search_commands(bridge: Bridge, files: FileServer) -> None:
    for plugin in await bridge.search.plugins():
        await bridge.client.search_uninstall_plugin([plugin.name])
    with pytest.raises(InvalidRequestError, match="no search plugin is installed"):
        await bridge.search.start("anything")
    with pytest.raises(InvalidRequestError, match="empty"):
        await bridge.search.start("   ")

    url = files.add("/plugins/qbtbridgetest.py", SEARCH_PLUGIN.format(port=files.port).encode())
    await bridge.client.search_install_plugin([url])
    await wait_for(bridge.search.plugins, "the plugin")
    job = await bridge.search.start("debian iso")

    async def finished():
        page = await bridge.search.results(job, page_size=2)
        return page if not page.running and page.total == 3 else None

    first = await wait_for(finished, "search results")
    assert [r.seeders for r in first.results] == [42, 17]
    assert (first.page, first.pages) == (0, 2)
    second = await bridge.search.results(job, page=1, page_size=2)
    assert [r.seeders for r in second.results] == [5]
    with pytest.raises(InvalidRequestError):
        await bridge.search.results(job, page=-1)
    await bridge.search.stop(job)
    await bridge.search.delete(job)
    await bridge.client.search_uninstall_plugin(["qbtbridgetest"])


async def test_poll_loop_survives_a_daemon_restart(fresh_daemon: LocalQBittorrent) -> None:
    qbt = fresh_daemon
    async with QBittorrentClient(qbt.url, qbt.username, qbt.password, request_timeout=5) as client:
        bridge = Bridge(client, "loop", policy=RefreshPolicy(fast_interval=0.2, full_interval=2))
        log = EventLog(bridge)
        stop = asyncio.Event()
        task = asyncio.create_task(bridge.run(stop))
        try:
            await wait_for(lambda: _true(bridge.available), "the first refresh")
            qbt.stop()
            await wait_for(lambda: _true(log.of(EventKind.CONNECTION_LOST)), "connection lost")
            assert not bridge.available
            assert "cannot connect" in str(bridge.last_error)
            qbt.start()
            await wait_for(lambda: _true(log.of(EventKind.CONNECTION_RESTORED)), "back up")
            assert bridge.available
            assert len(log.of(EventKind.CONNECTION_LOST)) == 1
        finally:
            stop.set()
            await task


async def _true(value: object) -> bool:
    return bool(value)


async def test_resume_paused_resumes_only_what_pause_all_paused_across_a_restart(
    client: QBittorrentClient, bridge: Bridge, tmp_path: Path
) -> None:
    files = {name: tiny_torrent(tmp_path, f"resume-paused-{name}") for name in "abc"}
    await client.torrents_add(torrent_files=[files["a"][0], files["b"][0]])
    await client.torrents_add(torrent_files=[files["c"][0]], paused=True)  # the user's own
    hashes = {name: h for name, (_data, h) in files.items()}

    async def settled() -> bool:  # a and b running, c paused, as qBittorrent shows them
        stopped = {t.hash: t.state.is_stopped for t in await client.torrents_info()}
        return stopped == {hashes["a"]: False, hashes["b"]: False, hashes["c"]: True}

    await wait_for(settled, "two running torrents and one paused")
    paused = await bridge.torrents.pause_all()
    assert set(paused.hashes) == {hashes["a"], hashes["b"]}
    await bridge.torrents.resume(hashes["b"])  # resumed by hand meanwhile: the user's from now on
    await bridge.torrents.pause(hashes["b"])  # and paused by hand again
    again = Bridge(client, "test", ledger_path=tmp_path / "ledger.json")  # a restart
    resumed = await again.torrents.resume_paused()
    assert resumed.hashes == (hashes["a"],)
    states = {t.hash: t.state.is_stopped for t in await client.torrents_info()}
    assert states == {hashes["a"]: False, hashes["b"]: True, hashes["c"]: True}
    nothing = await again.torrents.resume_paused()  # remembered once: nothing left
    assert nothing.hashes == ()
    assert "nothing that pause all paused" in nothing.message


async def test_the_disk_guard_pauses_downloads_and_resumes_exactly_those_after_a_restart(
    client: QBittorrentClient, tmp_path: Path
) -> None:
    files = {name: tiny_torrent(tmp_path, f"guard-{name}") for name in "abc"}
    await client.torrents_add(torrent_files=[files["a"][0], files["b"][0]])  # no peers: waiting
    await client.torrents_add(torrent_files=[files["c"][0]], paused=True)  # the user's own
    hashes = {name: h for name, (_data, h) in files.items()}

    def stopped(a: bool, b: bool) -> Callable[[], Awaitable[bool]]:
        want = {hashes["a"]: a, hashes["b"]: b, hashes["c"]: True}

        async def shown() -> bool:  # as qBittorrent shows them (it stops in its own time)
            return {t.hash: t.state.is_stopped for t in await client.torrents_info()} == want

        return shown

    async def two_downloading() -> bool:  # by qBittorrent's own filter
        downloading = await client.torrents_info(status_filter="downloading")
        return sum(not t.state.is_stopped for t in downloading) == 2

    await wait_for(two_downloading, "two downloads and one paused")
    ledger = tmp_path / "guard.json"
    probe = Bridge(client, "test")
    await probe.refresh()
    free = probe.store.server().free_space_on_disk
    assert free is not None  # qBittorrent's own figure for its save path's disk

    # A threshold above what is free: low at once (the disk cannot be filled here).
    guard = DiskGuard(min_free=free + 2**30, pause=True)
    bridge = Bridge(client, "test", ledger_path=ledger, disk_guard=guard)
    log = EventLog(bridge)
    await bridge.refresh()
    low = log.of(EventKind.LOW_DISK_SPACE)
    assert [(e.detail["paused"], e.detail["threshold"]) for e in low] == [(2, guard.min_free)]
    await wait_for(stopped(a=True, b=True), "the two downloads stopped")
    await bridge.refresh(full=True)
    assert len(log.of(EventKind.LOW_DISK_SPACE)) == 1  # said once, not every refresh

    # A restart, then room again (here: a lower threshold): exactly those two resume.
    again = Bridge(client, "test", ledger_path=ledger, disk_guard=DiskGuard(min_free=1, pause=True))
    log = EventLog(again)
    await again.refresh()
    assert [e.detail["resumed"] for e in log.of(EventKind.DISK_SPACE_OK)] == [2]
    await wait_for(stopped(a=False, b=False), "the two downloads running, the user's paused")
    await again.refresh(full=True)
    assert log.of(EventKind.LOW_DISK_SPACE) == []
    assert len(log.of(EventKind.DISK_SPACE_OK)) == 1


async def test_files_are_listed_and_their_priorities_set(
    client: QBittorrentClient, bridge: Bridge, tmp_path: Path
) -> None:
    data, info_hash = folder_torrent(tmp_path / "three-files", _names(3))
    await client.torrents_add(torrent_files=[data], paused=True)
    await wait_torrent(client, info_hash)
    torrent_hash, files = await bridge.content.files(info_hash[:10])
    assert torrent_hash == info_hash
    assert [(f.index, f.name, f.size, f.priority) for f in files] == [
        (n, f"three-files/file-{n:04d}.txt", n + 1, FilePriority.NORMAL) for n in range(3)
    ]
    result = await bridge.content.set_file_priority(info_hash, [0, 2], FilePriority.SKIP)
    assert result.confirmed
    assert result.message == "2 file(s) set to skip"
    shown = [row["priority"] for row in await client.torrents_files(info_hash)]
    assert shown == [0, 1, 0]  # qBittorrent's own numbers
    await bridge.content.set_file_priority(info_hash, None, FilePriority.MAX)
    assert [row["priority"] for row in await client.torrents_files(info_hash)] == [7, 7, 7]
    with pytest.raises(InvalidRequestError, match="no file 3 in that torrent: it has 3"):
        await bridge.content.set_file_priority(info_hash, [1, 3], FilePriority.SKIP)
    assert [row["priority"] for row in await client.torrents_files(info_hash)] == [7, 7, 7]
    with pytest.raises(NotFoundError, match="no torrent with category 'nothing-here'"):
        await bridge.content.files("category:nothing-here")


async def test_a_torrent_file_is_added_with_its_files_priorities(
    client: QBittorrentClient, bridge: Bridge, tmp_path: Path
) -> None:
    data, info_hash = folder_torrent(tmp_path / "chosen", _names(4))
    with pytest.raises(InvalidRequestError, match="5 file priorities for a torrent of 4"):
        await bridge.torrents.add(data, file_priorities=[FilePriority.SKIP] * 5)
    assert not await client.torrents_info(hashes=[info_hash])  # refused before adding
    skip, high = FilePriority.SKIP, FilePriority.HIGH
    outcome = await bridge.torrents.add(data, file_priorities=[skip, high, skip])
    assert outcome.hash == info_hash
    assert [r["priority"] for r in await client.torrents_files(info_hash)] == [0, 6, 0, 1]
    await wait_torrent(client, info_hash, lambda t: not t.state.is_stopped, "started")
    with pytest.raises(InvalidRequestError, match="go with a .torrent file"):
        await bridge.torrents.add(torrent_to_magnet(read_torrent(data)), file_priorities=[skip])


def _names(count: int) -> list[str]:
    return [f"file-{n:04d}.txt" for n in range(count)]


async def test_the_listening_port_is_read_and_set(fresh_daemon: LocalQBittorrent) -> None:
    qbt = fresh_daemon
    async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
        bridge = Bridge(client, "port")
        await bridge.refresh(full=True)
        assert bridge.store.listen_port == qbt.bt_port  # read with the first refresh
        for bad in (0, 80, 1023, 65536, -1, True, "51413"):
            with pytest.raises(InvalidRequestError, match="1024 to 65535"):
                await bridge.transfer.set_listen_port(bad)  # type: ignore[arg-type]
        assert (await client.app_preferences())["listen_port"] == qbt.bt_port  # untouched
        wanted = free_port()
        assert await bridge.transfer.set_listen_port(wanted) == wanted
        assert (await client.app_preferences())["listen_port"] == wanted
        assert bridge.store.listen_port == wanted
        # The table's command: a plain number, as MQTT and the chat send it.
        again = free_port()
        answer = await execute(bridge, parse_payload(Name.SET_LISTEN_PORT, str(again).encode()))
        assert answer == {"port": again}
        with pytest.raises(InvalidRequestError, match="expected a port number"):
            parse_payload(Name.SET_LISTEN_PORT, b"fifty")


async def test_the_port_file_sets_the_listening_port_once_per_change(
    fresh_daemon: LocalQBittorrent, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    qbt = fresh_daemon
    port_file = tmp_path / "forwarded_port"
    async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
        bridge = Bridge(client, "vpn", port_file=str(port_file))
        log = EventLog(bridge)
        await bridge.refresh(full=True)  # no file yet (the VPN is not up): one warning
        await bridge.refresh(full=True)
        assert [r.getMessage() for r in caplog.records].count(
            f"vpn: port_file {port_file} cannot be read (No such file or directory); "
            "the port is left as it is"
        ) == 1
        forwarded = free_port()
        port_file.write_text(f"{forwarded}\n")  # as gluetun writes it
        await bridge.refresh()
        assert await client.listen_port() == forwarded
        changed = log.of(EventKind.PORT_CHANGED)
        assert [e.detail for e in changed] == [
            {"port": forwarded, "previous": qbt.bt_port, "source": str(port_file)}
        ]
        await bridge.refresh()
        assert len(log.of(EventKind.PORT_CHANGED)) == 1  # once per change
        for garbage in ("not a port", "80", "99999"):
            port_file.write_text(garbage)
            await bridge.refresh()
            await bridge.refresh()
            said = [r.getMessage() for r in caplog.records if repr(garbage) in r.getMessage()]
            assert len(said) == 1, (garbage, said)  # one warning, the port untouched
            assert await client.listen_port() == forwarded
        assert len(log.of(EventKind.PORT_CHANGED)) == 1


async def test_the_watchdog_says_once_per_episode_which_downloads_are_stuck(
    fresh_daemon: LocalQBittorrent, tmp_path: Path
) -> None:
    qbt, ledger = fresh_daemon, tmp_path / "ledger.json"
    data, stuck_hash = tiny_torrent(tmp_path, "nobody-seeds-this")  # no peer: no progress
    orphan = "ab" * 20  # a magnet nobody answers: its metadata never comes
    async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
        # Seconds, not hours: a test's patience. Only the event at first.
        quick = StallRule(after=1, metadata_after=1)
        bridge = Bridge(client, "dog", ledger_path=ledger, stalled=quick)
        log = EventLog(bridge)
        await bridge.torrents.add(data)
        await bridge.torrents.add(f"magnet:?xt=urn:btih:{orphan}&dn=orphan")

        async def said(
            bridge: Bridge, log: EventLog, count: int
        ) -> dict[str, dict[str, Any]] | None:
            await bridge.refresh(full=True)
            events = log.of(EventKind.STALLED)
            return {e.hash: e.detail for e in events} if len(events) >= count else None

        first = await wait_for(lambda: said(bridge, log, 2), "two stalled events")
        assert first[stuck_hash]["reason"] == "no_progress"
        assert first[orphan]["reason"] == "no_metadata"
        assert {d["done"] for d in first.values()} == {"none"}
        for _ in range(3):
            await bridge.refresh(full=True)
        assert len(log.of(EventKind.STALLED)) == 2  # once per episode
        # A restart with the same ledger, the two still stuck: not told again. A new stuck
        # download is, and the rule's action now pauses it.
        rule = StallRule(after=1, metadata_after=1, action="pause")
        again = Bridge(client, "dog", ledger_path=ledger, stalled=rule)
        again_log = EventLog(again)
        other, other_hash = tiny_torrent(tmp_path, "nobody-seeds-this-either")
        await again.torrents.add(other)
        second = await wait_for(lambda: said(again, again_log, 1), "the new download's event")
        assert second == {other_hash: second[other_hash]}  # the two from before: not again
        assert second[other_hash]["done"] == "paused"
        assert (await client.torrents_info(hashes=[other_hash]))[0].state.is_stopped
