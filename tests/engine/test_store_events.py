"""The sync store and its events against real daemons: consistency, each event exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.models import StateGroup, TorrentState
from qbt_bridge.core.torrentfile import read_torrent
from qbt_bridge.daemon.demo import LocalQBittorrent, Release
from qbt_bridge.engine.bridge import Bridge, RefreshPolicy
from qbt_bridge.engine.catalog import global_values
from qbt_bridge.engine.events import EventKind
from qbt_bridge.engine.refresh import IO_ERROR_TEXT, MAX_EXPLAINED, WAITING_EVERY
from qbt_bridge.engine.store import DROPPED_KEYS
from tests.helpers import EventLog, make_payload, tiny_torrent, wait_for, wait_torrent
from tests.releases import Seed, require

# Fields that change by themselves from one moment to the next.
VOLATILE = {"time_active", "last_activity", "seeding_time", "availability", "eta", "reannounce",
            "popularity", "seen_complete", "has_metadata", "comment", "inactive_seeding_time_limit",
            "max_inactive_seeding_time"}  # fmt: skip


async def assert_snapshot_matches(bridge: Bridge, client: QBittorrentClient) -> None:
    await bridge.refresh(full=True)
    listed = {t.hash: t.raw for t in await client.torrents_info()}
    assert set(bridge.store.hashes()) == set(listed)
    for torrent_hash, raw in listed.items():
        ours = bridge.store.raw(torrent_hash)
        # Every field torrents/info gives (5.3's maindata sends a few more of its own).
        keys = set(raw) - VOLATILE - set(DROPPED_KEYS)
        assert not set(DROPPED_KEYS) & set(ours)  # the magnet repeats tracker pass-keys
        mismatched = {k: (ours.get(k), raw.get(k)) for k in keys if ours.get(k) != raw.get(k)}
        assert not mismatched, f"{torrent_hash}: {mismatched}"


async def test_snapshot_equals_torrents_info_after_changes(
    bridge: Bridge, client: QBittorrentClient, tmp_path: Path
) -> None:
    await bridge.refresh()
    hashes = []
    for index in range(4):
        data, h = tiny_torrent(tmp_path, f"snap-{index}.bin")
        await client.torrents_add(torrent_files=[data], paused=True)
        hashes.append(h)
    for h in hashes:
        await wait_torrent(client, h, lambda t: t.state.is_stopped, "added and stopped")
    await assert_snapshot_matches(bridge, client)

    await client.torrents_create_category("snap")
    await client.torrents_set_category(hashes[:2], "snap")
    await client.torrents_add_tags(hashes[1:3], ["blue"])
    await client.resume(hashes[3:])
    await client.torrents_delete(hashes[0])
    await wait_for(lambda: _settled(client, hashes), "changes to show")
    await assert_snapshot_matches(bridge, client)
    assert "snap" in bridge.store.categories
    assert "blue" in bridge.store.tags
    assert bridge.store.counts()["total"] == 3


async def _settled(client: QBittorrentClient, hashes: list[str]) -> bool:
    torrents = {t.hash: t for t in await client.torrents_info()}
    return (
        hashes[0] not in torrents
        and torrents[hashes[1]].category == "snap"
        and "blue" in torrents[hashes[2]].tags
        and not torrents[hashes[3]].state.is_stopped
    )


async def test_each_event_fires_once(
    bridge: Bridge, client: QBittorrentClient, tmp_path: Path
) -> None:
    data, h = tiny_torrent(tmp_path, "events.bin")
    await client.torrents_add(torrent_files=[data], paused=True)
    await wait_torrent(client, h, lambda t: t.state.is_stopped)
    await bridge.refresh()  # baseline: nothing is "added" at start
    log = EventLog(bridge)
    await bridge.refresh(full=True)
    assert log.events == []

    other, h2 = tiny_torrent(tmp_path, "events-2.bin")
    await client.torrents_add(torrent_files=[other], paused=True)
    await wait_torrent(client, h2, lambda t: t.state.is_stopped)
    await bridge.refresh(full=True)
    await bridge.refresh(full=True)
    assert [e.name for e in log.of(EventKind.ADDED)] == ["events-2.bin"]

    await client.resume([h])
    await wait_torrent(client, h, lambda t: not t.state.is_stopped, "resumed")
    await bridge.refresh(full=True)
    changed = log.of(EventKind.STATE_CHANGED, h)
    assert changed
    assert changed[0].old_state is TorrentState.STOPPED_DL
    assert changed[-1].new_state is not TorrentState.STOPPED_DL

    alt_before = bridge.store.server().alt_speed_enabled
    await client.transfer_toggle_speed_limits_mode()
    await bridge.refresh(full=True)
    await bridge.refresh()
    toggles = log.of(EventKind.ALT_SPEED_CHANGED)
    assert [e.detail["enabled"] for e in toggles] == [not alt_before]
    await client.transfer_toggle_speed_limits_mode()

    await client.torrents_delete([h2])
    await wait_for(lambda: _gone(client, h2), "removal")
    await bridge.refresh(full=True)
    await bridge.refresh(full=True)
    removed = log.of(EventKind.REMOVED)
    assert [e.hash for e in removed] == [h2]
    assert removed[0].as_dict()["name"] == "events-2.bin"
    assert log.of(EventKind.COMPLETED) == []


async def _gone(client: QBittorrentClient, h: str) -> bool:
    return not await client.torrents_info(hashes=[h])


async def test_missing_files_is_an_errored_event(fresh_daemon: LocalQBittorrent) -> None:
    qbt = fresh_daemon
    folder = qbt.workspace / "errored"
    path, data = make_payload(folder, "vanish.bin", 64 * 1024)
    async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
        h = await _add_complete(client, data, qbt.inside(folder))
        bridge = Bridge(client, "err")
        await bridge.refresh()
        log = EventLog(bridge)
        qbt.stop()
        path.unlink()
        qbt.start()  # qBittorrent finds the data gone: missingFiles

        async def errored():
            await bridge.refresh(full=True)
            return log.of(EventKind.ERRORED, h)

        events = await wait_for(errored, "an errored event")
        assert len(events) == 1
        assert events[0].detail["reason"] == "missing_files"
        assert "Files were probably moved" in events[0].detail["message"]  # its log line
        assert bridge.store.torrent(h).error == events[0].detail["message"]
        assert StateGroup.ERRORED in bridge.store.groups(h)
        await bridge.refresh(full=True)
        assert len(log.of(EventKind.ERRORED, h)) == 1
        # Pausing everything cannot pause it: the answer does not claim it did.
        paused = await bridge.torrents.pause_all()
        assert (paused.hashes, paused.confirmed) == ((), True)
        assert "1 in error (missing files) cannot be paused" in paused.message
        assert log.of(EventKind.COMPLETED) == []


async def test_an_io_error_says_why_and_the_reason_goes_when_it_recovers(
    daemon: LocalQBittorrent, client: QBittorrentClient, bridge: Bridge
) -> None:
    folder = daemon.workspace / "io-error"
    path, data = make_payload(folder, "blocked.bin", 64 * 1024)
    h = await _add_complete(client, data, daemon.inside(folder))
    passkey = "0123456789abcdef0123456789abcdef"
    tracker = f"http://127.0.0.1:9/{passkey}/announce"  # nothing listens: it fails
    await client.torrents_add_trackers(h, [tracker])

    async def failing() -> bool:
        return any(t["url"] == tracker and t["status"] == 4 and t["msg"]
                   for t in await client.torrents_trackers(h))  # fmt: skip

    await wait_for(failing, "the tracker to fail")
    await bridge.refresh(full=True)
    log = EventLog(bridge)
    content = path.read_bytes()
    path.unlink()
    path.mkdir()  # where qBittorrent's data was is now a folder: reading it fails
    await client.torrents_recheck([h])

    async def errored() -> list | None:
        await bridge.refresh(full=True)
        return log.of(EventKind.ERRORED, h)

    event = (await wait_for(errored, "an errored event"))[0]
    assert event.detail["reason"] == "io_error"
    # qBittorrent's own words, from its log (the WebAPI has no field for it)
    assert "Is a directory" in event.detail["message"]
    assert event.as_dict()["message"] == event.detail["message"]
    # and what its tracker said, the pass-key taken out of the URL
    assert "127.0.0.1" in event.detail["tracker_message"]
    assert passkey not in event.detail["tracker_message"]
    assert bridge.store.torrent(h).error == event.detail["message"]
    path.rmdir()
    path.write_bytes(content)
    await client.torrents_recheck([h])

    async def recovered() -> bool:
        await bridge.refresh(full=True)
        return StateGroup.ERRORED not in bridge.store.groups(h)

    await wait_for(recovered, "the torrent out of error")
    assert bridge.store.torrent(h).error is None


async def _add_complete(client: QBittorrentClient, data: bytes, save_path: str) -> str:
    h = read_torrent(data).info_hash
    await client.torrents_add(torrent_files=[data], save_path=save_path)
    await wait_torrent(client, h, lambda t: t.progress == 1.0, "checked complete")
    return h


async def test_state_groups_are_qbittorrents_own_filters(
    daemon: LocalQBittorrent, client: QBittorrentClient, bridge: Bridge, tmp_path: Path
) -> None:
    _path, complete = make_payload(daemon.downloads, "sidebar-seed.bin", 64 * 1024)
    seeding = await _add_complete(client, complete, daemon.downloads_inside)
    await wait_torrent(client, seeding, lambda t: t.state is TorrentState.STALLED_UP, "idle seed")
    stopped, stopped_hash = tiny_torrent(tmp_path, "sidebar-stopped.bin")
    await client.torrents_add(torrent_files=[stopped], paused=True)
    await wait_torrent(client, stopped_hash, lambda t: t.state.is_stopped, "stopped")
    await bridge.refresh(full=True)
    # A finished torrent nobody downloads from counts as seeding (it was only "stalled").
    assert bridge.store.groups(seeding) == {
        StateGroup.SEEDING, StateGroup.COMPLETED, StateGroup.RUNNING, StateGroup.INACTIVE,
        StateGroup.STALLED,
    }  # fmt: skip
    counts = bridge.store.counts()
    assert (counts["seeding"], counts["stalled"], counts["stopped"], counts["total"]) == (
        1,
        1,
        1,
        2,
    )
    # Every group but "queued" (not a sidebar filter) is the server's own filter, word for word.
    for group in StateGroup:
        if group is StateGroup.QUEUED:
            continue
        server = {t.hash for t in await client.torrents_info(status_filter=group.value)}
        assert set(bridge.store.select(state=group.value)) == server, group


async def test_completion_fires_once_and_survives_restarts(
    client: QBittorrentClient, seed: Seed, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.json"
    first = Bridge(client, "a", ledger_path=ledger)
    await first.refresh()
    log = EventLog(first)
    result = await first.torrents.add(seed.torrent)
    assert result.hash == seed.meta.info_hash
    assert result.name == seed.meta.name
    await client.torrents_add_peers([seed.meta.info_hash], [seed.peer])

    async def completed():
        await first.refresh(full=True)
        return log.of(EventKind.COMPLETED)

    done = await wait_for(completed, "a completed event")
    assert [e.hash for e in done] == [seed.meta.info_hash]
    for _ in range(3):
        await first.refresh(full=True)
        await first.refresh()
    assert len(log.of(EventKind.COMPLETED)) == 1

    # An engine restart with the same ledger does not announce it again ...
    second = Bridge(client, "a", ledger_path=ledger)
    second_log = EventLog(second)
    await second.refresh()
    await second.refresh(full=True)
    assert second_log.of(EventKind.COMPLETED) == []
    # ... and an engine without any ledger takes what it finds as its baseline.
    fresh = Bridge(client, "b")
    fresh_log = EventLog(fresh)
    await fresh.refresh()
    assert fresh_log.of(EventKind.COMPLETED) == []


async def test_completion_while_the_engine_was_away_is_caught_up(
    client: QBittorrentClient, seed: Seed, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.json"
    before = Bridge(client, "a", ledger_path=ledger)
    await before.refresh()  # the engine has seen the server, then stops
    await client.torrents_add(torrent_files=[seed.torrent])
    await wait_torrent(client, seed.meta.info_hash)
    await client.torrents_add_peers([seed.meta.info_hash], [seed.peer])
    await wait_torrent(client, seed.meta.info_hash, lambda t: t.progress == 1.0, "download")

    after = Bridge(client, "a", ledger_path=ledger)
    log = EventLog(after)
    await after.refresh()
    await after.refresh(full=True)
    assert [e.hash for e in log.of(EventKind.COMPLETED)] == [seed.meta.info_hash]


async def test_fast_ticks_watch_active_torrents_and_sweeps_catch_the_rest(
    client: QBittorrentClient, tmp_path: Path
) -> None:
    bridge = Bridge(client, "tiers", policy=RefreshPolicy(fast_interval=1, full_interval=3600))
    idle_data, idle = tiny_torrent(tmp_path, "idle.bin")
    busy_data, busy = tiny_torrent(tmp_path, "busy.bin")
    await client.torrents_add(torrent_files=[idle_data], paused=True)
    await client.torrents_add(torrent_files=[busy_data])
    await wait_torrent(client, idle, lambda t: t.state.is_stopped)
    await wait_torrent(client, busy, lambda t: not t.state.is_stopped)
    await bridge.refresh()
    if client.refresh_by_sweep:  # 5.1+: a sweep with rid is the cheapest read: every tick
        await client.torrents_create_category("late")
        await client.torrents_set_category([idle, busy], "late")
        await wait_torrent(client, idle, lambda t: t.category == "late")
        await bridge.refresh()
        assert bridge.store.torrent(idle).category == "late"
        assert bridge.store.torrent(busy).category == "late"
        return
    # No peer sends it anything: a download that waits, on the slower tier (30 s).
    assert busy in bridge.store.waiting_hashes()
    assert busy not in bridge.store.active_hashes()
    assert idle not in bridge.store.active_hashes() + bridge.store.waiting_hashes()

    await client.torrents_create_category("late")
    await client.torrents_set_category([idle, busy], "late")
    await wait_torrent(client, idle, lambda t: t.category == "late")
    await wait_torrent(client, busy, lambda t: t.category == "late")
    await bridge.refresh()  # a fast tick: the waiting download is not due yet
    assert bridge.store.torrent(busy).category == ""
    bridge.refresher.clock.last_waiting -= WAITING_EVERY  # 30 s later: its tier is due
    await bridge.refresh()
    assert bridge.store.torrent(busy).category == "late"
    assert bridge.store.torrent(idle).category == ""
    await bridge.refresh(full=True)  # the sweep sees everything
    assert bridge.store.torrent(idle).category == "late"


async def test_a_small_library_is_swept_at_the_fast_interval_however_long_the_full_one(
    client: QBittorrentClient, tmp_path: Path
) -> None:
    """Sweeps by their measured cost: a few torrents cost qBittorrent little to sweep, so an
    edit made elsewhere to an idle torrent shows within the fast interval, not an hour later."""
    bridge = Bridge(client, "cheap", policy=RefreshPolicy(fast_interval=1, full_interval=3600))
    data, idle = tiny_torrent(tmp_path, "idle-elsewhere.bin")
    await client.torrents_add(torrent_files=[data], paused=True)
    await wait_torrent(client, idle)
    await bridge.refresh()  # the first sweep (everything): its cost says nothing
    assert bridge.refresher.sweep_interval == 1  # so the next sweep comes at once, measured

    async def measured() -> bool:
        await bridge.refresh()
        return bridge.refresher.clock.sweep_cost is not None

    await wait_for(measured, "a measured sweep")
    assert bridge.refresher.sweep_interval == 1  # cheap: at the fast interval
    await client.torrents_create_category("elsewhere")
    await client.torrents_set_category([idle], "elsewhere")
    await wait_torrent(client, idle, lambda t: t.category == "elsewhere")

    async def seen() -> bool:
        await bridge.refresh()
        return bridge.store.torrent(idle).category == "elsewhere"

    await wait_for(seen, "the edit made elsewhere")
    fixed = Bridge(client, "fixed", policy=RefreshPolicy(full_interval=3600, sweep_by_cost=False))
    assert fixed.refresher.sweep_interval == 3600  # off: exactly the full interval


async def test_two_instances_side_by_side(
    client: QBittorrentClient, fresh_daemon: LocalQBittorrent, tmp_path: Path
) -> None:
    async with QBittorrentClient(
        fresh_daemon.url, fresh_daemon.username, fresh_daemon.password
    ) as other:
        one, two = Bridge(client, "one"), Bridge(other, "two")
        await one.refresh()
        await two.refresh()
        logs = EventLog(one), EventLog(two)
        data, h = tiny_torrent(tmp_path, "only-on-two.bin")
        added = await two.torrents.add(data, paused=True)
        assert added.hash == h
        assert [e.instance_id for e in logs[1].of(EventKind.ADDED)] == ["two"]
        await one.refresh(full=True)
        assert logs[0].events == []
        assert h not in one.store


async def test_unexplained_speed_brings_a_sweep() -> None:
    """An idle torrent that starts moving data is found without waiting for the slow sweep."""
    policy = RefreshPolicy(fast_interval=0.2, full_interval=3600, early_sweep_after=0)
    host = require(Release.named("host"))
    with LocalQBittorrent(host) as seeder, LocalQBittorrent(host) as leecher:
        _path, torrent = make_payload(Path(seeder.downloads), "unexplained.bin", 4 * 1024 * 1024)
        info_hash = read_torrent(torrent).info_hash
        async with (
            QBittorrentClient(seeder.url, seeder.username, seeder.password) as watcher,
            QBittorrentClient(leecher.url, leecher.username, leecher.password) as qbt,
        ):
            await watcher.torrents_add(torrent_files=[torrent], save_path=seeder.downloads_inside)
            await wait_torrent(watcher, info_hash, lambda t: t.state is TorrentState.STALLED_UP)
            bridge = Bridge(watcher, "seeder", policy=policy)
            await bridge.refresh()
            assert info_hash not in bridge.store.active_hashes()  # seeding, idle
            # Slow enough that the upload lasts many ticks.
            await qbt.torrents_add(torrent_files=[torrent], download_limit=256 * 1024)
            await wait_torrent(qbt, info_hash)
            await qbt.torrents_add_peers([info_hash], [f"127.0.0.1:{seeder.bt_port}"])

            async def found_uploading():
                await bridge.refresh()
                return info_hash in bridge.store.active_hashes()

            await wait_for(found_uploading, "the uploading torrent to be noticed")


async def test_an_error_storm_asks_why_for_the_first_few_only(
    qbt: LocalQBittorrent, qbt_client: QBittorrentClient
) -> None:
    count = MAX_EXPLAINED + 3
    folder = qbt.workspace / "storm"
    paths, hashes = [], []
    for n in range(count):
        path, data = make_payload(folder / f"t{n}", f"storm-{n}.bin", 16 * 1024, seed=n)
        await qbt_client.torrents_add(
            torrent_files=[data], save_path=qbt.inside(path.parent), skip_checking=True
        )
        paths.append(path)
        hashes.append(read_torrent(data).info_hash)

    async def all_seeding() -> bool:  # settled: a torrent first seen checking is judged later
        listed = await qbt_client.torrents_info(hashes=hashes)
        seeding = {TorrentState.STALLED_UP, TorrentState.UPLOADING}
        return len(listed) == count and all(t.state in seeding for t in listed)

    await wait_for(all_seeding, "the torrents seeding")
    bridge = Bridge(qbt_client, "storm")
    await bridge.refresh(full=True)
    log = EventLog(bridge)
    for path in paths:  # as if the disk went: every data file unreadable at once
        path.unlink()
        path.mkdir()
    await qbt_client.torrents_recheck(hashes)

    async def all_errored() -> bool:
        listed = await qbt_client.torrents_info(hashes=hashes)
        return all(t.state is TorrentState.ERROR for t in listed)

    await wait_for(all_errored, "every torrent in error")
    await bridge.refresh(full=True)
    events = log.of(EventKind.ERRORED)
    assert len(events) == count
    told = [e for e in events if "Is a directory" in e.detail["message"]]
    assert len(told) == MAX_EXPLAINED  # qBittorrent's own words for the first ones
    rest = [e.detail["message"] for e in events if e not in told]
    assert rest == [IO_ERROR_TEXT] * (count - MAX_EXPLAINED)  # the state's, for the rest


async def test_the_downloads_outlook_follows_a_real_download(
    client: QBittorrentClient, seed: Seed, tmp_path: Path
) -> None:
    """Next and last done, progress and bytes left of the downloads: known while one runs,
    unknown (never a zero) once none is left."""
    bridge = Bridge(client, "outlook", ledger_path=tmp_path / "ledger.json")
    await bridge.refresh(full=True)
    assert _outlook(bridge) == dict.fromkeys(OUTLOOK)  # nothing downloads yet
    info_hash = seed.meta.info_hash
    # Slow enough (3 MiB at 256 KiB/s) that it is seen downloading with an ETA.
    await client.torrents_add(torrent_files=[seed.torrent], download_limit=256 * 1024)
    await wait_torrent(client, info_hash)
    await client.torrents_add_peers([info_hash], [seed.peer])

    async def running() -> dict[str, object] | None:
        await bridge.refresh(full=True)
        values = _outlook(bridge)
        return values if values["next_finish"] is not None else None

    values = await wait_for(running, "an ETA for the download")
    now = datetime.now(UTC)
    assert now - timedelta(minutes=1) <= values["next_finish"] <= now + timedelta(hours=1)
    assert values["last_finish"] == values["next_finish"]  # one download: first and last
    assert 0 <= values["downloads_progress"] < 100
    assert 0 < values["remaining"] <= seed.meta.total_size
    await client.torrents_set_download_limit([info_hash], 0)
    await wait_torrent(client, info_hash, lambda t: t.progress == 1.0, "download")

    async def finished() -> bool:
        await bridge.refresh(full=True)
        return _outlook(bridge) == dict.fromkeys(OUTLOOK)

    await wait_for(finished, "the outlook to be unknown again")


OUTLOOK = ("next_finish", "last_finish", "downloads_progress", "remaining")


def _outlook(bridge: Bridge) -> dict[str, Any]:
    values = global_values(bridge.store, bridge.capabilities)
    return {key: values[key] for key in OUTLOOK}
