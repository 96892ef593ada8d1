"""The WebAPI v2 client against real daemons: versions, app, log, transfer, sync."""

from __future__ import annotations

import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.errors import EndpointNotImplementedError
from qbt_bridge.core.versions import Version
from qbt_bridge.daemon.demo import LocalQBittorrent
from tests.helpers import tiny_torrent, wait_for, wait_torrent


async def test_versions_are_detected(client: QBittorrentClient, daemon: LocalQBittorrent) -> None:
    app = await client.version()
    webapi = await client.webapi_version()
    expected = {"host": None, "trixie": Version(5, 1, 0), "forky": Version(5, 3, 0)}
    if (want := expected[daemon.release.name]) is not None:
        assert app == want
    assert (await client.app_version()).startswith("v")
    assert Version.parse(await client.app_webapi_version()) == webapi
    assert webapi >= Version(2, 8, 0)
    assert await client.is_version_supported()
    assert await client.uses_stop_start() == (app.major >= 5)


async def test_app_endpoints(client: QBittorrentClient, daemon: LocalQBittorrent) -> None:
    build = await client.app_build_info()
    assert build is not None
    assert build.libtorrent
    assert build.bitness == 64
    assert await client.app_default_save_path() == daemon.downloads_inside
    prefs = await client.app_preferences()
    assert prefs.web_ui_port == daemon.port
    assert len(prefs) > 50  # every key the server sent is kept
    await client.app_set_preferences({"alt_dl_limit": 300 * 1024})
    prefs = await client.app_preferences()
    assert prefs["alt_dl_limit"] == 300 * 1024
    assert prefs.alt_download_limit == 300 * 1024


async def test_log_endpoints(client: QBittorrentClient) -> None:
    entries = await client.log_main()
    assert entries
    assert all(entry.message for entry in entries)
    newest = max(entry.id for entry in entries)
    assert all(e.id > newest for e in await client.log_main(last_known_id=newest))
    only_critical = await client.log_main(normal=False, info=False, warning=False)
    assert all(entry.type == 8 for entry in only_critical)
    assert isinstance(await client.log_peers(), list)


async def test_transfer_endpoints(client: QBittorrentClient) -> None:
    info = await client.transfer_info()
    assert info.connection_status in {"connected", "firewalled", "disconnected"}
    assert info.download_speed >= 0

    await client.transfer_set_download_limit(2 * 1024 * 1024)
    await client.transfer_set_upload_limit(1024 * 1024)
    assert await client.transfer_download_limit() == 2 * 1024 * 1024
    assert await client.transfer_upload_limit() == 1024 * 1024
    await client.transfer_set_download_limit(0)
    await client.transfer_set_upload_limit(0)
    assert await client.transfer_download_limit() == 0

    before = await client.transfer_speed_limits_mode()
    await client.transfer_toggle_speed_limits_mode()
    assert await client.transfer_speed_limits_mode() is not before
    await client.transfer_set_speed_limits_mode(before)
    assert await client.transfer_speed_limits_mode() is before

    assert await client.transfer_ban_peers(["127.0.0.2:6881"]) is True


async def test_sync_maindata_full_then_partial(client: QBittorrentClient, tmp_path) -> None:
    full = await client.sync_maindata()
    assert full.full_update
    assert full.rid > 0
    assert "dl_info_speed" in full.server_state

    data, info_hash = tiny_torrent(tmp_path, "sync-me.bin")
    await client.torrents_add(torrent_files=[data], paused=True)
    await wait_torrent(client, info_hash)

    async def delta_with_torrent():
        nonlocal full
        delta = await client.sync_maindata(full.rid)
        full = delta if not delta.torrents else full
        return delta if info_hash in delta.torrents else None

    delta = await wait_for(delta_with_torrent, "the new torrent in a delta")
    assert not delta.full_update
    assert delta.torrents[info_hash]["name"] == "sync-me.bin"

    peers = await client.sync_torrent_peers(info_hash)
    assert "peers" in peers


async def test_unimplemented_endpoint_gives_none_or_raises(
    client: QBittorrentClient, daemon: LocalQBittorrent
) -> None:
    """The 4.x pause endpoint on 5.x (or 5.x stop on 4.x) is None, or NotImplementedError."""
    stop_start = await client.uses_stop_start()
    missing = client.torrents_pause if stop_start else client.torrents_stop
    assert await missing("all") is None
    present = client.torrents_start if stop_start else client.torrents_resume
    absent = client.torrents_resume if stop_start else client.torrents_start
    assert await present("all") is True
    assert await absent("all") is None
    strict = QBittorrentClient(
        daemon.url, daemon.username, daemon.password, raise_not_implemented=True
    )
    async with strict:
        call = strict.torrents_pause if stop_start else strict.torrents_stop
        with pytest.raises(NotImplementedError):
            await call("all")
        with pytest.raises(EndpointNotImplementedError):
            await call("all")


async def test_logout_and_shutdown(fresh_daemon: LocalQBittorrent) -> None:
    qbt_daemon = fresh_daemon
    async with QBittorrentClient(qbt_daemon.url, qbt_daemon.username, qbt_daemon.password) as qbt:
        await qbt.transfer_info()
        assert qbt.is_logged_in
        await qbt.auth_log_out()
        assert not qbt.is_logged_in
        assert (await qbt.transfer_info()).connection_status  # logs in again by itself
        process = qbt_daemon._process
        assert process is not None
        await qbt.app_shutdown()

        async def exited():
            return process.poll() is not None

        await wait_for(exited, "qBittorrent to quit")
