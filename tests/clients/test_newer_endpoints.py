"""The endpoints newer than the WebAPI reference, on each release the suite runs (4.5, 5.1, 5.3).

Each is checked twice: the server itself says whether it has the endpoint (an unknown one
answers 404), and the client's method does what the endpoint does where the release has it and
answers None (or raises NotImplementedError when asked to) where it does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.clients.base import Capability
from qbt_bridge.clients.qbittorrent.request import route
from qbt_bridge.core.errors import (
    EndpointNotImplementedError,
    InvalidRequestError,
    NotFoundError,
    NotSupportedError,
)
from qbt_bridge.core.rss import RssRule
from qbt_bridge.core.torrentfile import read_torrent
from qbt_bridge.core.versions import Version
from qbt_bridge.daemon.demo import LocalQBittorrent
from tests.helpers import (
    SEARCH_PLUGIN,
    FileServer,
    make_payload,
    rss_feed,
    tiny_torrent,
    wait_for,
    wait_torrent,
)

UNKNOWN_HASH = "0123456789abcdef0123456789abcdef01234567"

# Each endpoint newer than the reference, with the WebAPI version that brought it (read from
# qBittorrent's sources: the controller commit and its API_VERSION, and WebAPI_Changelog.md).
NEWER = {
    "app/networkInterfaceList": "2.2.0",
    "app/networkInterfaceAddressList": "2.2.0",
    "torrents/setSavePath": "2.8.4",
    "torrents/setDownloadPath": "2.8.4",
    "torrents/export": "2.8.11",
    "transfer/setSpeedLimitsMode": "2.8.14",
    "rss/setFeedURL": "2.9.1",
    "torrents/count": "2.9.3",
    "torrents/SSLParameters": "2.10.3",
    "torrents/setSSLParameters": "2.10.3",
    "app/sendTestEmail": "2.10.4",
    "torrentcreator/addTask": "2.10.4",
    "torrentcreator/status": "2.10.4",
    "torrentcreator/torrentFile": "2.10.4",
    "torrentcreator/deleteTask": "2.10.4",
    "app/getDirectoryContent": "2.11.0",
    "search/downloadTorrent": "2.11.0",
    "torrents/addWebSeeds": "2.11.2",
    "torrents/editWebSeed": "2.11.2",
    "torrents/removeWebSeeds": "2.11.2",
    "app/cookies": "2.11.3",
    "app/setCookies": "2.11.3",
    "torrents/setTags": "2.11.4",
    "rss/setFeedRefreshInterval": "2.11.5",
    "torrents/fetchMetadata": "2.11.8",
    "torrents/parseMetadata": "2.11.8",
    "torrents/saveMetadata": "2.11.8",
    "torrents/setComment": "2.12.1",
    "clientdata/load": "2.13.1",
    "clientdata/store": "2.13.1",
    "app/rotateAPIKey": "2.14.1",
    "app/deleteAPIKey": "2.14.1",
    "app/processInfo": "2.15.1",
    "torrents/pieceAvailability": "2.15.1",
    "app/getFreeSpaceAtPath": "2.15.2",
    "rss/cloneRule": "2.15.4",
    "torrents/downloadFile": "2.16.0",
    "transfer/getSpeedLimits": "2.16.0",
    "transfer/setSpeedLimits": "2.16.0",
    # qBittorrent 5.3.0 as shipped (WebAPI 2.16.2); not in the sources of 2.16.1
    "rss/exportRules": "2.16.2",
    "rss/importRules": "2.16.2",
    "transfer/pauseSession": "2.16.2",
    "transfer/resumeSession": "2.16.2",
}
# Calling these bare would do something (mail out, a key revoked, the session paused): asked only
# with bad input, or checked in their own tests.
_HARMLESS = {"app/sendTestEmail": {"x": "1"}, "app/deleteAPIKey": {"x": "1"},
             "transfer/pauseSession": {}}  # fmt: skip


async def _has(client: QBittorrentClient, since: str) -> bool:
    return await client.webapi_version() >= Version.parse(since)


async def test_the_server_has_exactly_the_endpoints_the_client_expects(
    client: QBittorrentClient,
) -> None:
    webapi = await client.webapi_version()
    await client.app_version()  # log in
    for path, since in NEWER.items():
        if path in _HARMLESS:
            continue  # their presence shows in the tests below
        response = await client._send(route(path), None, {})
        if webapi >= Version.parse(since):
            assert response.status != 404 or "Endpoint does not exist" not in response.text, path
            assert response.status != 404 or path.startswith("torrent"), (path, response.text)
        else:
            assert response.status == 404, (path, response.status, response.text)


async def test_a_missing_endpoint_answers_none_or_raises_when_asked(
    daemon: LocalQBittorrent, client: QBittorrentClient
) -> None:
    # Every release here lacks one of these two: 5.x dropped torrents/pause, 2.16 brought
    # torrents/downloadFile.
    newest = await _has(client, "2.16.0")
    missing = "torrents/pause" if newest else "torrents/downloadFile"
    if newest:
        assert await client.torrents_pause([UNKNOWN_HASH]) is None
    else:
        assert await client.torrents_download_file(UNKNOWN_HASH, 0) is None
    async with QBittorrentClient(
        daemon.url, daemon.username, daemon.password, raise_not_implemented=True
    ) as strict:
        call = (
            strict.torrents_pause([UNKNOWN_HASH])
            if newest
            else strict.torrents_download_file(UNKNOWN_HASH, 0)
        )
        with pytest.raises(EndpointNotImplementedError, match=missing):
            await call


async def test_app_newer_endpoints(
    client: QBittorrentClient, daemon: LocalQBittorrent, tmp_path: Path
) -> None:
    interfaces = await client.app_network_interfaces()
    assert interfaces is not None
    assert any(i["value"] == "lo" for i in interfaces)
    addresses = await client.app_network_interface_addresses("lo")
    assert addresses is not None
    assert "127.0.0.1" in addresses

    make_payload(daemon.downloads / "listed", "one.bin", 1000)
    content = await client.app_directory_content(daemon.inside(daemon.downloads / "listed"))
    free = await client.app_free_space_at_path(daemon.downloads_inside)
    info = await client.app_process_info()
    cookies = await client.app_cookies()
    if await _has(client, "2.11.0"):
        assert content == [daemon.inside(daemon.downloads / "listed" / "one.bin")]
        with pytest.raises(NotFoundError):
            await client.app_directory_content(daemon.inside(daemon.downloads / "nowhere"))
        with pytest.raises(InvalidRequestError, match="Invalid mode"):
            await client.app_directory_content(daemon.downloads_inside, "everything")
    else:
        assert content is None
    if await _has(client, "2.11.3"):
        cookie = {"name": "uid", "domain": "tracker.test", "path": "/", "value": "42",
                  "expirationDate": 4102444800}  # fmt: skip
        assert await client.app_set_cookies([cookie])
        assert [(c["name"], c["domain"], c["value"]) for c in await client.app_cookies() or []] == [
            ("uid", "tracker.test", "42")
        ]
        assert await client.app_set_cookies([])
    else:
        assert cookies is None
    # no mail server is set: qBittorrent takes the request and fails to send in the background
    assert await client.app_send_test_email() is (True if await _has(client, "2.10.4") else None)
    if await _has(client, "2.15.1"):
        assert info is not None
        assert info["launch_time"] > 1_700_000_000
    else:
        assert info is None
    if await _has(client, "2.15.2"):
        assert free is not None
        assert free > 0
    else:
        assert free is None


async def test_client_data_is_stored_and_loaded(client: QBittorrentClient) -> None:
    stored = await client.clientdata_store({"qbt_bridge_test": {"n": 1}, "other": "x"})
    if not await _has(client, "2.13.1"):
        assert stored is None
        assert await client.clientdata_load() is None
        return
    assert stored
    assert await client.clientdata_load(["qbt_bridge_test"]) == {"qbt_bridge_test": {"n": 1}}
    assert await client.clientdata_store({"qbt_bridge_test": None, "other": None})
    assert "qbt_bridge_test" not in (await client.clientdata_load() or {})


async def test_speed_limits_all_four_on_every_release(client: QBittorrentClient) -> None:
    await client.transfer_set_speed_limits(download=3 * 1024 * 1024, alt_upload=256 * 1024)
    limits = await client.transfer_speed_limits()
    assert (limits.download, limits.alt_upload) == (3 * 1024 * 1024, 256 * 1024)
    # the same unit as the old endpoints and the preferences
    assert await client.transfer_download_limit() == 3 * 1024 * 1024
    assert (await client.app_preferences())["alt_up_limit"] == 256 * 1024
    await client.transfer_set_speed_limits(alt_download=512 * 1024)
    limits = await client.transfer_speed_limits()
    assert limits.as_dict() == {
        "download": 3 * 1024 * 1024, "upload": limits.upload,
        "alt_download": 512 * 1024, "alt_upload": 256 * 1024,
    }  # fmt: skip
    with pytest.raises(ValueError, match="no speed limit 'turbo'"):
        await client.transfer_set_speed_limits(turbo=1)
    await client.transfer_set_speed_limits(download=0, alt_download=0, alt_upload=0)
    for enabled in (True, True, False):
        await client.transfer_set_speed_limits_mode(enabled)
        assert await client.transfer_speed_limits_mode() is enabled


async def test_speed_limits_fall_back_when_asked_to_raise(
    daemon: LocalQBittorrent, client: QBittorrentClient
) -> None:
    """A documented fallback (``app/preferences`` before 2.16) is taken in both modes."""
    expected = await client.transfer_speed_limits()
    async with QBittorrentClient(
        daemon.url, daemon.username, daemon.password, raise_not_implemented=True
    ) as strict:
        assert (await strict.transfer_speed_limits()).as_dict() == expected.as_dict()
        await strict.transfer_set_speed_limits(alt_upload=expected.alt_upload + 1024)
        assert (await strict.transfer_speed_limits()).alt_upload == expected.alt_upload + 1024
        await strict.transfer_set_speed_limits(alt_upload=expected.alt_upload)


async def test_rss_feed_url_interval_and_rule_clone(
    client: QBittorrentClient, files: FileServer, request: pytest.FixtureRequest
) -> None:
    tag = request.node.callspec.id
    first = files.add(f"/newer/{tag}/a.xml", rss_feed("A", []), "application/rss+xml")
    second = files.add(f"/newer/{tag}/b.xml", rss_feed("B", []), "application/rss+xml")
    await client.rss_add_feed(first, "Moved")
    moved = await client.rss_set_feed_url("Moved", second)
    interval = await client.rss_set_feed_refresh_interval("Moved", 3600)
    await client.rss_set_rule(RssRule(name="original", must_contain="x"))
    cloned = await client.rss_clone_rule("original", "copy")
    if await _has(client, "2.9.1"):
        assert moved
        assert [f.url for f in await client.rss_items() if f.path == "Moved"] == [second]
    else:
        assert moved is None
    assert interval is (True if await _has(client, "2.11.5") else None)
    if await _has(client, "2.15.4"):
        assert cloned
        assert (await client.rss_rules())["copy"].must_contain == "x"
    else:
        assert cloned is None
    if await _has(client, "2.11.5"):
        with pytest.raises(InvalidRequestError, match="doesn't exist"):
            await client.rss_set_feed_refresh_interval("Nowhere", 60)
    await client.rss_remove_item("Moved")
    for name in ("original", "copy"):
        await client.rss_remove_rule(name)


async def test_rss_rules_export_and_import(client: QBittorrentClient) -> None:
    await client.rss_set_rule(RssRule(name="exported", must_contain="linux iso"))
    exported = await client.rss_export_rules()
    if not await _has(client, "2.16.2"):
        assert exported is None
        assert await client.rss_import_rules({}) is None
        await client.rss_remove_rule("exported")
        return
    assert exported is not None
    assert exported["exported"]["mustContain"] == "linux iso"
    await client.rss_remove_rule("exported")
    assert "exported" not in await client.rss_rules()
    assert await client.rss_import_rules(exported)
    assert (await client.rss_rules())["exported"].must_contain == "linux iso"
    with pytest.raises(InvalidRequestError):
        await client.rss_import_rules(b"not a rules file")
    await client.rss_remove_rule("exported")


async def _session_paused(client: QBittorrentClient) -> bool:
    return bool((await client.sync_maindata(0)).server_state.get("session_state"))


async def test_pause_and_resume_the_session(client: QBittorrentClient) -> None:
    has = await _has(client, "2.16.2")
    assert (Capability.SESSION_PAUSE in client.capabilities) is has
    paused = await client.transfer_pause_session()
    try:
        if not has:
            assert paused is None
            assert await client.transfer_resume_session() is None
            return
        assert paused
        assert await _session_paused(client)
    finally:
        await client.transfer_resume_session()
    assert not await _session_paused(client)


async def test_search_result_through_its_plugin(
    client: QBittorrentClient, files: FileServer, tmp_path: Path
) -> None:
    if not await _has(client, "2.11.0"):
        assert await client.search_download_torrent("http://x/y.torrent", "qbtbridgetest") is None
        return
    plugin_url = files.add(
        "/plugins/qbtbridgetest.py", SEARCH_PLUGIN.format(port=files.port).encode(), "text/x-python"
    )
    await client.search_install_plugin([plugin_url])

    async def installed() -> bool:
        return any(p.name == "qbtbridgetest" for p in await client.search_plugins())

    await wait_for(installed, "the search plugin")
    data, info_hash = tiny_torrent(tmp_path, "through-plugin.bin")
    url = files.add("/files/through-plugin.torrent", data, "application/x-bittorrent")
    assert await client.search_download_torrent(url, "qbtbridgetest")
    assert (await wait_torrent(client, info_hash)).name == "through-plugin.bin"


async def test_torrent_creator(client: QBittorrentClient, daemon: LocalQBittorrent) -> None:
    source, _torrent = make_payload(daemon.downloads / "made", "made.bin", 300_000)
    task = await client.torrentcreator_add_task(
        daemon.inside(source), private=True, comment="made here", start_seeding=False,
        trackers=["http://tracker.test/announce"],
    )  # fmt: skip
    if not await _has(client, "2.10.4"):
        assert task is None
        return
    assert task

    async def finished() -> dict | None:
        status = (await client.torrentcreator_status(task) or [{}])[0]
        assert status.get("status") != "Failed", status
        return status if status.get("status") == "Finished" else None

    status = await wait_for(finished, "the torrent to be made")
    assert status["private"] is True
    made = read_torrent(await client.torrentcreator_torrent_file(task) or b"")
    assert made.name == "made.bin"
    assert made.total_size == 300_000
    assert await client.torrentcreator_delete_task(task)
    with pytest.raises(NotFoundError):
        await client.torrentcreator_status(task)


async def _seeding(
    client: QBittorrentClient, daemon: LocalQBittorrent, name: str
) -> tuple[str, bytes]:
    """A torrent whose data is there, so it seeds at once (its hash and its file's bytes)."""
    folder = daemon.downloads / f"seeded-{name}"
    path, data = make_payload(folder, name, 200_000, seed=3)
    info_hash = read_torrent(data).info_hash
    await client.torrents_add(
        torrent_files=[data], save_path=daemon.inside(folder), skip_checking=True
    )
    await wait_torrent(client, info_hash, lambda t: t.progress == 1, "complete")
    return info_hash, path.read_bytes()


async def test_a_torrent_s_content_metadata_and_web_seeds(
    client: QBittorrentClient, daemon: LocalQBittorrent
) -> None:
    info_hash, content = await _seeding(client, daemon, "content.bin")
    exported = await client.torrents_export(info_hash)
    assert exported is not None  # 2.8.11: every release here
    assert read_torrent(exported).info_hash == info_hash
    with pytest.raises(NotFoundError):
        await client.torrents_export(UNKNOWN_HASH)

    downloaded = await client.torrents_download_file(info_hash, 0)
    availability = await client.torrents_piece_availability(info_hash)
    fetched = await client.torrents_fetch_metadata(info_hash)
    parsed = await client.torrents_parse_metadata([exported])
    saved = await client.torrents_save_metadata(info_hash)
    if await _has(client, "2.16.0"):
        assert downloaded == content
        assert await client.torrents_download_file(info_hash, "content.bin") == content
        with pytest.raises(InvalidRequestError, match="out of bounds"):
            await client.torrents_download_file(info_hash, 5)
    else:
        assert downloaded is None
    if await _has(client, "2.15.1"):
        # libtorrent counts peers per piece only while it downloads; a seed gets []
        assert availability == []
    else:
        assert availability is None
    if await _has(client, "2.11.8"):
        assert fetched is not None
        assert fetched["info"]["name"] == "content.bin"
        assert parsed is not None
        assert [p["info"]["name"] for p in parsed] == ["content.bin"]
        assert saved is not None
        assert read_torrent(saved).info_hash == info_hash
        with pytest.raises(InvalidRequestError, match="not a valid torrent"):
            await client.torrents_parse_metadata([b"not a torrent"])
    else:
        assert (fetched, parsed, saved) == (None, None, None)

    added = await client.torrents_add_web_seeds(
        info_hash, ["http://seed.test/a", "http://seed.test/b"]
    )
    if not await _has(client, "2.11.2"):
        assert added is None
        assert (
            await client.torrents_edit_web_seed(info_hash, "http://a.test", "http://b.test") is None
        )
        assert await client.torrents_remove_web_seeds(info_hash, ["http://a.test"]) is None
    else:
        assert added

        async def seeds(*want: str) -> list[str] | None:
            urls = sorted(s["url"] for s in await client.torrents_webseeds(info_hash))
            return urls if urls == list(want) else None

        # libtorrent takes web seeds in its own time: wait until the list shows them
        await wait_for(lambda: seeds("http://seed.test/a", "http://seed.test/b"), "web seeds")
        assert await client.torrents_edit_web_seed(
            info_hash, "http://seed.test/a", "http://seed.test/c"
        )
        assert await client.torrents_remove_web_seeds(info_hash, ["http://seed.test/b"])
        await wait_for(lambda: seeds("http://seed.test/c"), "the edited web seeds")
        with pytest.raises(InvalidRequestError, match="not an existing URL"):
            await client.torrents_edit_web_seed(info_hash, "http://seed.test/zz", "http://x.test")

    ssl = await client.torrents_ssl_parameters(info_hash)
    bad = client.torrents_set_ssl_parameters(info_hash, "junk", "junk", "junk")
    if await _has(client, "2.10.3"):
        assert ssl is not None
        assert set(ssl) >= {"ssl_certificate", "ssl_private_key", "ssl_dh_params"}
        with pytest.raises(InvalidRequestError):
            await bad
    else:
        assert ssl is None
        assert await bad is None


async def test_comment_tags_paths_and_files_in_the_list(
    client: QBittorrentClient, daemon: LocalQBittorrent, tmp_path: Path
) -> None:
    data, info_hash = tiny_torrent(tmp_path, "labelled.bin")
    await client.torrents_add(torrent_files=[data], paused=True, tags=["old", "keep"])
    await wait_torrent(client, info_hash)
    commented = await client.torrents_set_comment([info_hash], "a comment")
    tagged = await client.torrents_set_tags([info_hash], ["keep", "new"])
    moved = await client.torrents_set_save_path([info_hash], daemon.inside(daemon.downloads / "p1"))
    unfinished = await client.torrents_set_download_path(
        [info_hash], daemon.inside(daemon.downloads / "p2")
    )
    assert (moved, unfinished) == (True, True)  # 2.8.4: every release here
    wanted = (daemon.inside(daemon.downloads / "p1"), daemon.inside(daemon.downloads / "p2"))

    async def paths() -> bool:  # qBittorrent moves a torrent in its own time
        props = await client.torrents_properties(info_hash)
        return (props["save_path"].rstrip("/"), props["download_path"].rstrip("/")) == wanted

    await wait_for(paths, "the new save and download paths")
    torrent = await wait_torrent(client, info_hash)
    if await _has(client, "2.12.1"):
        assert commented
        assert (await client.torrents_properties(info_hash))["comment"] == "a comment"
    else:
        assert commented is None
    if await _has(client, "2.11.4"):
        assert tagged
        assert set(torrent.tags) == {"keep", "new"}
    else:
        assert tagged is None
        assert set(torrent.tags) == {"old", "keep"}
    listed = await client.torrents_info_raw(hashes=[info_hash], include_files=True)
    if await _has(client, "2.11.8"):
        assert [f["name"] for f in listed[0]["files"]] == ["labelled.bin"]
    else:
        assert "files" not in listed[0]


async def test_add_parameters_and_per_torrent_extras(
    client: QBittorrentClient, files: FileServer, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    tag = request.node.callspec.id
    data, info_hash = tiny_torrent(tmp_path, f"extras-{tag}.bin")
    url = files.add(f"/files/extras-{tag}.torrent", data, "application/x-bittorrent")
    if not await _has(client, "2.11.8"):
        with pytest.raises(NotSupportedError, match="file priorities"):
            await client.torrents_add(urls=[url], file_priorities=[0])
        await client.torrents_add(urls=[url], paused=True, add_to_top_of_queue=True, forced=False,
                                  stop_condition="MetadataReceived")  # fmt: skip
    else:
        with pytest.raises(InvalidRequestError, match="metadata has already been fetched"):
            await client.torrents_add(urls=[url], file_priorities=[0])

        async def fetched() -> dict | None:
            return await client.torrents_fetch_metadata(url) or None

        metadata = await wait_for(fetched, "the metadata")
        assert metadata["info"]["name"] == f"extras-{tag}.bin"
        await client.torrents_add(urls=[url], paused=True, file_priorities=[0],
                                  stop_condition="MetadataReceived")  # fmt: skip
    await wait_torrent(client, info_hash)

    async def files_listed() -> list | None:
        return await client.torrents_files(info_hash) or None

    listed = await wait_for(files_listed, "the torrent's files")
    assert listed[0]["priority"] == (0 if await _has(client, "2.11.8") else 1)

    await client.torrents_add_trackers(info_hash, ["http://tracker.test/announce"])
    edited = await client.torrents_edit_tracker(
        info_hash, "http://tracker.test/announce", "http://tracker.test/a2", tier=3
    )
    assert edited
    trackers = {t["url"]: t for t in await client.torrents_trackers(info_hash)}
    assert "http://tracker.test/a2" in trackers
    if await _has(client, "2.13.0"):
        assert trackers["http://tracker.test/a2"]["tier"] == 3
    assert await client.torrents_reannounce([info_hash], trackers=["http://tracker.test/a2"])

    await client.torrents_set_share_limits([info_hash], ratio_limit=2, action="Stop")
    raw = (await client.torrents_info_raw(hashes=[info_hash]))[0]
    assert raw["ratio_limit"] == 2
    if await _has(client, "2.12.0"):
        assert raw["share_limit_action"] == "Stop"
