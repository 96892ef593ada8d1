"""qbit_manage: the real web server (PyPI qbit-manage) managing a real qbittorrent-nox."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.clients.qbit_manage import QbitManageClient
from qbt_bridge.core.errors import (
    ConnectionFailedError,
    InvalidRequestError,
    NotSupportedError,
)
from qbt_bridge.daemon.demo import LocalQbitManage, free_port
from qbt_bridge.engine.bridge import Bridge
from tests.daemon.serving import push_config, serving
from tests.helpers import tiny_torrent, wait_for


async def test_health_and_a_dry_run(manager: LocalQbitManage) -> None:
    async with QbitManageClient(manager.url) as client:
        health = await client.health()
        assert health["status"] == "healthy"
        result = await client.run_command(["cat_update", "tag_update"], dry_run=True)
    assert result.status == "success"
    assert not result.queued
    assert result.results[0]["stats"]["executed_commands"] == ["cat_update", "tag_update"]


async def test_bad_commands_are_refused_before_sending(manager: LocalQbitManage) -> None:
    async with QbitManageClient(manager.url) as client:
        sent = client._http.requests_sent
        with pytest.raises(InvalidRequestError, match="unknown qbit_manage command 'catupdate'"):
            await client.run_command(["catupdate"])
        with pytest.raises(InvalidRequestError, match="at least one"):
            await client.run_command([])
        with pytest.raises(InvalidRequestError, match="whole library"):
            await client.run_command(["rem_orphaned"], hashes=["ab" * 20])
        assert client._http.requests_sent == sent  # nothing reached qbit_manage


async def test_the_servers_own_errors_are_clear(manager: LocalQbitManage) -> None:
    async with QbitManageClient(manager.url) as client:
        with pytest.raises(InvalidRequestError, match="Unable to find config file 'nope.yml'"):
            await client.run_command(["cat_update"], config_file="nope.yml")
    async with QbitManageClient(f"http://127.0.0.1:{free_port()}") as nobody:
        with pytest.raises(ConnectionFailedError):
            await nobody.health()


async def test_the_engine_limits_commands_to_targeted_torrents(
    manager: LocalQbitManage, tmp_path: Path
) -> None:
    qbt = manager.qbt
    data, info_hash = tiny_torrent(tmp_path, "managed")
    other, other_hash = tiny_torrent(tmp_path, "left-alone")
    async with (
        QBittorrentClient(qbt.url, qbt.username, qbt.password) as qbt_client,
        QbitManageClient(manager.url) as manage,
    ):
        await qbt_client.torrents_add(torrent_files=[data, other], paused=True)
        bridge = Bridge(qbt_client, "test", manage=manage)
        result = await bridge.manage.run(["tag_update"], "managed")
        assert result.status == "success"
        # tag_update gives an untagged torrent its tracker's tag ("other" in this config),
        # here only to the one torrent it was given.
        assert "other" in (await qbt_client.torrents_info(hashes=[info_hash]))[0].tags
        assert not (await qbt_client.torrents_info(hashes=[other_hash]))[0].tags
        with pytest.raises(NotSupportedError, match="no qbit_manage"):
            await Bridge(qbt_client, "plain").manage.run(["tag_update"])
        await qbt_client.torrents_delete("all", delete_files=True)


async def test_pushed_torrents_are_passed_on_to_qbit_manage(
    manager: LocalQbitManage, tmp_path: Path
) -> None:
    """One program slot serves both: qBittorrent pushes, the daemon runs qbit_manage's commands."""
    qbt = manager.qbt
    data, info_hash = tiny_torrent(tmp_path, "pushed-managed")
    config = push_config(
        qbt.url, tmp_path, install=True,
        instance={"username": qbt.username, "password": qbt.password,
                  "qbit_manage": {"url": manager.url, "on_push": ["tag_update"]}},
    )  # fmt: skip
    async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as qbt_client:
        try:
            async with serving(config):

                async def installed() -> bool:
                    prefs = await qbt_client.app_preferences()
                    return "/push/test" in prefs["autorun_on_torrent_added_program"]

                await wait_for(installed, "the push line in qBittorrent")
                await qbt_client.torrents_add(torrent_files=[data], paused=True)

                async def tagged() -> bool:
                    found = await qbt_client.torrents_info(hashes=[info_hash])
                    return bool(found) and "other" in found[0].tags

                await wait_for(tagged, "qbit_manage's tag on the pushed torrent")
        finally:
            await qbt_client.app_set_preferences(
                {"autorun_enabled": False, "autorun_program": "",
                 "autorun_on_torrent_added_enabled": False,
                 "autorun_on_torrent_added_program": ""}
            )  # fmt: skip
            await qbt_client.torrents_delete("all", delete_files=True)
