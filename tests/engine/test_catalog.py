"""The entity catalog rendered from a real store."""

from __future__ import annotations

from pathlib import Path

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalQBittorrent
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.catalog import (
    GLOBAL_ENTITIES,
    TORRENT_ENTITIES,
    TORRENT_STATES,
    EntityKind,
    global_values,
    torrent_values,
)
from tests.helpers import tiny_torrent


def test_keys_are_unique_and_complete() -> None:
    keys = [e.key for e in GLOBAL_ENTITIES]
    assert len(keys) == len(set(keys))
    assert len({e.key for e in TORRENT_ENTITIES}) == len(TORRENT_ENTITIES)
    wanted_keys = (
        "download_speed", "upload_speed", "global_ratio", "free_space", "dht_nodes",
        "connection_status", "downloading_torrents", "seeding_torrents", "stopped_torrents",
        "stalled_torrents", "checking_torrents", "errored_torrents", "queued_torrents",
        "total_torrents", "alt_speed",
    )  # fmt: skip
    for wanted in wanted_keys:
        assert wanted in keys
    assert {e.key for e in GLOBAL_ENTITIES if e.platform is EntityKind.BUTTON} == {
        "pause_all",
        "resume_all",
        "resume_paused",
        "pause_session",
        "resume_session",
    }
    for entity in GLOBAL_ENTITIES:
        if entity.platform in {EntityKind.SWITCH, EntityKind.BUTTON}:
            assert entity.command


async def test_values_from_a_real_server(fresh_daemon: LocalQBittorrent, tmp_path: Path) -> None:
    # A daemon of its own: the global ratio is "-" (None) only where nothing moved yet.
    async with QBittorrentClient(
        fresh_daemon.url, fresh_daemon.username, fresh_daemon.password
    ) as client:
        await _check_values(Bridge(client, "test"), tmp_path)


async def _check_values(bridge: Bridge, tmp_path: Path) -> None:
    data, h = tiny_torrent(tmp_path, "catalog.bin")
    await bridge.torrents.add(data, paused=True, tags=["x"])
    await bridge.refresh(full=True)
    values = global_values(bridge.store)
    assert values["total_torrents"] == 1
    assert values["stopped_torrents"] == 1
    assert values["global_ratio"] is None  # "-" on a server that moved nothing
    assert values["download_speed"] == 0
    assert values["free_space"] > 0
    assert values["alt_speed"] is False
    assert values["connection_status"] in {"connected", "firewalled", "disconnected"}
    torrent = bridge.store.torrent(h)
    assert torrent is not None
    per_torrent = torrent_values(torrent)
    assert per_torrent["state"] == "stopped"
    assert per_torrent["state"] in TORRENT_STATES
    assert per_torrent["progress"] == 0
    assert per_torrent["eta"] is None  # qBittorrent's 8640000 "never"
    assert per_torrent["tags"] == "x"
    assert per_torrent["size"] == 4096
