"""The daemon's push endpoint, driven by qBittorrent itself.

A real qbittorrent-nox runs the curl line the daemon installed in its "run external program"
slots; the *added* and *completed* events come with no poll due (both intervals an hour).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalQBittorrent, Release
from qbt_bridge.daemon.process import check_health
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.events import EventKind
from qbt_bridge.engine.refresh import HASH_CHUNK
from tests.daemon.serving import SECRET, push_config, serving
from tests.helpers import EventLog, wait_for
from tests.releases import RELEASES, Seed, require

HASH = "0123456789abcdef0123456789abcdef01234567"


def _login(qbt: LocalQBittorrent) -> dict[str, Any]:
    return {"instance": {"username": qbt.username, "password": qbt.password}}


@pytest.mark.parametrize("release", RELEASES)
async def test_qbittorrent_pushes_added_and_completed_through_the_installed_line(
    release: str, seed: Seed, tmp_path: Path
) -> None:
    with LocalQBittorrent(require(Release.named(release))) as qbt:  # its program slots are empty
        login = _login(qbt)
        # A rule on add for every torrent: with polls an hour apart, only the push applies it.
        login["instance"]["rules"] = [{"tags": ["pushed"]}]
        config = push_config(qbt.url, tmp_path, **login)  # install: on by default
        async with (
            serving(config) as daemon,
            QBittorrentClient(qbt.url, qbt.username, qbt.password) as client,
        ):
            bridge: Bridge = daemon.bridges[0]
            log = EventLog(bridge)

            async def installed() -> bool:
                prefs = await client.app_preferences()
                return all(
                    "/push/test" in str(prefs.get(f"{slot}_program"))
                    and prefs.get(f"{slot}_enabled")
                    for slot in ("autorun", "autorun_on_torrent_added")
                )

            await wait_for(installed, "the push line in qBittorrent's program slots")
            await wait_for(lambda: _true(bridge.store.initialised), "the first sweep")
            await client.torrents_add(torrent_files=[seed.torrent])
            torrent = seed.meta.info_hash
            await wait_for(lambda: _true(log.of(EventKind.ADDED, torrent)), "a pushed added")
            ruled = (await client.torrents_info(hashes=[torrent]))[0]
            assert "pushed" in ruled.tags  # ruled in the refresh the push brought
            await client.torrents_add_peers([torrent], [seed.peer])
            await wait_for(
                lambda: _true(log.of(EventKind.COMPLETED, torrent)), "a pushed completed"
            )
            assert len(log.of(EventKind.COMPLETED, torrent)) == 1


async def test_install_leaves_a_program_the_user_has_there(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with LocalQBittorrent(require(Release.named("host"))) as qbt:
        async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
            theirs = "/usr/local/bin/their-script.sh %N"
            await client.app_set_preferences({"autorun_program": theirs, "autorun_enabled": True})
            caplog.set_level(logging.INFO)
            config = push_config(qbt.url, tmp_path, install=True, **_login(qbt))
            async with serving(config):

                async def told() -> list[str]:
                    return [
                        r.getMessage() for r in caplog.records if "left as it is" in r.getMessage()
                    ]

                (message,) = await wait_for(told, "the warning about the slot left alone")
            prefs = await client.app_preferences()
            assert prefs["autorun_program"] == theirs
            assert "/push/test" in prefs["autorun_on_torrent_added_program"]
            assert "when one finishes" in message
            assert "their-script" not in message  # what the user runs is theirs to know
            assert SECRET not in caplog.text


async def test_bad_pushes_get_clear_answers_logged_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config = push_config("http://127.0.0.1:9", tmp_path)  # no qBittorrent there: it is down
    async with serving(config) as daemon, aiohttp.ClientSession() as session:
        assert daemon.push is not None
        url = daemon.push.url("test")
        good = {"Authorization": f"Bearer {SECRET}"}

        async def post(data: Any, headers: dict[str, str], where: str = url) -> tuple[int, str]:
            async with session.post(where, data=data, headers=headers) as response:
                return response.status, await response.text()

        for _ in range(3):
            assert (await post({"hash": HASH}, {}))[0] == 401
            assert (await post({"hash": HASH}, {"Authorization": "Bearer wrong"}))[0] == 401
        for junk in ("not-a-hash", HASH + "0", "\u00e9" * 40, HASH[:39]):
            status, text = await post({"hash": junk}, good)
            assert (status, "not a torrent id" in text) == (400, True), junk
        assert (await post({"hash": HASH}, good, url.replace("/test", "/other")))[0] == 404
        status, text = await post({"hash": HASH}, good)
        assert status == 202
        assert "not reachable now" in text  # accepted: looked at when it is back
        refused = [r for r in caplog.records if "refused" in r.getMessage()]
        # one line for the wrong secrets, one for the bad ids, one for the unknown instance
        assert len(refused) == 3, [r.getMessage() for r in refused]
        assert SECRET not in caplog.text


async def test_a_flood_of_pushes_is_one_sweep(tmp_path: Path) -> None:
    config = push_config("http://127.0.0.1:9", tmp_path)
    async with serving(config) as daemon, aiohttp.ClientSession() as session:
        assert daemon.push is not None
        bridge = daemon.bridges[0]
        headers = {"Authorization": f"Bearer {SECRET}"}
        for batch in range(10):  # 10 posts of 1 000 ids, as a recheck of 10 000 finishing
            ids = "|".join(f"{batch:04x}{i:036x}" for i in range(1000))
            async with session.post(
                daemon.push.url("test"), data={"hash": ids}, headers=headers
            ) as response:
                assert response.status == 202
        clock = bridge.refresher.clock
        assert clock.sweep_requested
        assert len(clock.pushed) <= HASH_CHUNK


async def _true(value: object) -> bool:
    return bool(value)


async def test_the_daemon_keeps_a_health_file_while_it_runs(tmp_path: Path) -> None:
    config = push_config("http://127.0.0.1:9", tmp_path)  # qBittorrent down: still healthy
    async with serving(config):

        async def healthy() -> str | None:
            ok, text = check_health(config.state_dir)
            return text if ok else None

        assert await wait_for(healthy, "a fresh health file") == "ok (test down)"
    ok, text = check_health(config.state_dir)  # stopped: gone, and said so
    assert not ok
    assert "no daemon health" in text
