"""RSS feeds and rules, and search through a local plugin, against real daemons."""

from __future__ import annotations

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.rss import RssRule
from qbt_bridge.core.versions import Version
from tests.helpers import SEARCH_PLUGIN, FileServer, rss_feed, tiny_torrent, wait_for, wait_torrent


async def test_rss_feed_and_rule_add_a_torrent(
    client: QBittorrentClient, files: FileServer, tmp_path, request
) -> None:
    tag = request.node.callspec.id
    data, info_hash = tiny_torrent(tmp_path, f"bridge-show-{tag}.bin")
    torrent_url = files.add(f"/rss/{tag}/show.torrent", data, "application/x-bittorrent")
    feed_url = files.add(
        f"/rss/{tag}/feed.xml",
        rss_feed(
            "Bridge feed",
            [(f"Bridge Show S01E01 {tag}", torrent_url), ("Other 1", torrent_url + "?x")],
        ),
        "application/rss+xml",
    )
    await client.rss_add_folder("Shows")
    await client.rss_add_feed(feed_url, "Shows\\Bridge")

    async def articles():
        feeds = await client.rss_items(with_data=True)
        feed = next((f for f in feeds if f.path == "Shows\\Bridge"), None)
        return feed if feed and len(feed.articles) == 2 else None

    feed = await wait_for(articles, "feed articles")
    assert feed.url == feed_url
    assert {a.title for a in feed.articles} == {f"Bridge Show S01E01 {tag}", "Other 1"}
    assert await client.rss_refresh_item("Shows\\Bridge")

    rule = RssRule(
        name="bridge",
        must_contain="Bridge Show",
        affected_feeds=(feed_url,),
        add_paused=True,
        assigned_category="",
    )
    await client.rss_set_rule(rule)
    rules = await client.rss_rules()
    assert rules["bridge"].must_contain == "Bridge Show"
    assert rules["bridge"].affected_feeds == (feed_url,)
    assert "torrentParams" in rules["bridge"].raw or "addPaused" in rules["bridge"].raw

    matching = await client.rss_matching_articles("bridge")
    assert matching == {"Bridge": [f"Bridge Show S01E01 {tag}"]}
    await wait_torrent(client, info_hash, what="torrent added by the RSS rule")
    assert await client.rss_mark_as_read("Shows\\Bridge")

    async def all_read():
        current = await articles()
        return current is not None and all(a.is_read for a in current.articles)

    await wait_for(all_read, "articles marked as read")

    await client.rss_rename_rule("bridge", "bridge renamed")
    assert set(await client.rss_rules()) == {"bridge renamed"}
    await client.rss_remove_rule("bridge renamed")
    assert await client.rss_rules() == {}

    await client.rss_move_item("Shows\\Bridge", "Moved")
    assert [f.path for f in await client.rss_items()] == ["Moved"]
    await client.rss_remove_item("Moved")
    await client.rss_remove_item("Shows")
    assert await client.rss_items() == []


async def test_search_with_a_local_plugin(client: QBittorrentClient, files: FileServer) -> None:
    plugin_url = files.add(
        "/plugins/qbtbridgetest.py", SEARCH_PLUGIN.format(port=files.port).encode(), "text/x-python"
    )
    assert await client.search_install_plugin([plugin_url])

    async def installed():
        return [p for p in await client.search_plugins() if p.name == "qbtbridgetest"]

    plugin = (await wait_for(installed, "the search plugin"))[0]
    assert plugin.enabled
    assert Version.parse(plugin.version) == Version(1, 5)
    assert await client.search_enable_plugin(["qbtbridgetest"], enable=False)
    await wait_for(lambda: _plugin_enabled(client, want=False), "the plugin to be disabled")
    assert await client.search_enable_plugin(["qbtbridgetest"], enable=True)

    job = await client.search_start("ubuntu linux", plugins="qbtbridgetest")
    assert job is not None

    async def finished():
        status = await client.search_status(job.id)
        return status if status and not status[0].running else None

    status = (await wait_for(finished, "the search to finish"))[0]
    assert status.total == 3
    assert [j.id for j in await client.search_status()] == [job.id]
    results = await client.search_results(job.id)
    assert results is not None
    assert results.total == 3
    assert sorted(r.seeders for r in results.results) == [5, 17, 42]
    assert all(r.file_name.startswith("ubuntu linux result") for r in results.results)
    page = await client.search_results(job.id, limit=1, offset=1)
    assert page is not None
    assert len(page.results) == 1
    assert await client.search_stop(job.id)
    assert await client.search_delete(job.id)
    assert await client.search_status() == []

    assert await client.search_update_plugins()
    assert await client.search_uninstall_plugin(["qbtbridgetest"])
    await wait_for(lambda: _no_plugin(client), "the plugin to be uninstalled")


async def _plugin_enabled(client: QBittorrentClient, *, want: bool) -> bool:
    return any(
        p.enabled is want for p in await client.search_plugins() if p.name == "qbtbridgetest"
    )


async def _no_plugin(client: QBittorrentClient) -> bool:
    return not any(p.name == "qbtbridgetest" for p in await client.search_plugins())
