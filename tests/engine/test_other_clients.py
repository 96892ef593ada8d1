# ruff: noqa: RUF001 - the 3.1 reference's Russian units are test data
"""The engine on every API it speaks: the same scenarios on qBittorrent v2 (a real daemon), and
on qBittorrent 3.1 and uTorrent (stand-ins, see tests/standins), plus each protocol's own rules.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qbt_bridge.clients import (
    Capability,
    ClientKind,
    QBittorrent31Client,
    QBittorrentClient,
    TorrentClient,
    UTorrentClient,
    detect,
    open_client,
)
from qbt_bridge.clients.legacy.qbittorrent31 import (
    parse_amounts,
    parse_eta,
    parse_ratio31,
    parse_size,
)
from qbt_bridge.clients.legacy.snapshot import Pace
from qbt_bridge.core.errors import (
    AuthenticationError,
    NotFoundError,
    NotSupportedError,
    QbtBridgeError,
)
from qbt_bridge.core.models import ETA_INFINITE, TorrentState
from qbt_bridge.core.rss import RssRule
from qbt_bridge.daemon.demo import LocalQBittorrent
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.diskguard import DiskGuard
from qbt_bridge.engine.events import EventKind
from tests.helpers import EventLog, tiny_torrent, wait_for
from tests.releases import empty_server
from tests.standins.common import FakeTorrent, torrent_from_link
from tests.standins.qbittorrent31 import QBittorrent31StandIn
from tests.standins.utorrent import UTorrentStandIn
from tests.telegram.botapi import BotApi

KINDS = [ClientKind.QBITTORRENT, ClientKind.QBITTORRENT_31, ClientKind.UTORRENT]


def magnet(n: int, name: str = "scenario") -> str:
    return f"magnet:?xt=urn:btih:{n:040x}&dn={name}-{n}"


@dataclass
class Server:
    """A server of one kind, with a way to change it behind the engine's back."""

    kind: ClientKind
    url: str
    username: str
    password: str
    standin: UTorrentStandIn | QBittorrent31StandIn | None = None
    admin: QBittorrentClient | None = None

    async def add_elsewhere(self, link: str) -> str:
        """Add a torrent on the server itself (not through the engine)."""
        if self.standin is not None:
            return self.standin.add(torrent_from_link(link)).hash
        assert self.admin is not None
        await self.admin.torrents_add(urls=[link])
        return link.split("btih:")[1][:40]


@pytest.fixture(params=KINDS, ids=[k.value for k in KINDS])
async def server(request: pytest.FixtureRequest, qbt: LocalQBittorrent) -> AsyncIterator[Server]:
    kind = ClientKind(request.param)
    if kind is ClientKind.QBITTORRENT:
        async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as admin:
            yield Server(kind, qbt.url, qbt.username, qbt.password, admin=admin)
            with contextlib.suppress(QbtBridgeError):
                await empty_server(admin)
                await admin.transfer_set_download_limit(0)
        return
    standin: UTorrentStandIn | QBittorrent31StandIn = (
        UTorrentStandIn() if kind is ClientKind.UTORRENT else QBittorrent31StandIn()
    )
    await standin.start()
    yield Server(kind, standin.url, standin.username, standin.password, standin=standin)
    await standin.stop()


@pytest.fixture
async def engine(server: Server, tmp_path: Path) -> AsyncIterator[Bridge]:
    """An engine whose client was chosen by detection from the URL alone."""
    client = await open_client(server.url, server.username, server.password)
    if isinstance(client, UTorrentClient):
        client.pace.interval = 0  # the gentle pace has a test of its own
    bridge = Bridge(client, "any", ledger_path=tmp_path / "ledger.json")
    yield bridge
    await client.close()


# ---------------------------------------------------------------------------- same scenarios


async def test_detection_finds_the_api_from_the_url_alone(server: Server) -> None:
    assert await detect(server.url) is server.kind


async def test_detection_refuses_a_server_that_is_no_torrent_client() -> None:
    other = BotApi()
    await other.start()
    try:
        with pytest.raises(NotSupportedError, match="not a qBittorrent or uTorrent WebUI"):
            await detect(other.url)
    finally:
        await other.stop()


async def test_refresh_events_and_commands(server: Server, engine: Bridge) -> None:
    log = EventLog(engine)
    await engine.refresh(full=True)
    assert engine.store.initialised

    added = await engine.torrents.add(magnet(0xA1))
    assert added.confirmed, "the add did not show"
    assert added.hash == f"{0xA1:040x}"
    assert log.of(EventKind.ADDED, added.hash)

    paused = await engine.torrents.pause(added.hash)
    assert paused.confirmed
    assert engine.store.state(added.hash).is_stopped
    assert log.of(EventKind.STATE_CHANGED, added.hash)

    resumed = await engine.torrents.resume(added.hash[:8])  # a hash prefix resolves too
    assert resumed.confirmed
    assert not engine.store.state(added.hash).is_stopped

    elsewhere = await server.add_elsewhere(magnet(0xB2, "elsewhere"))

    async def seen() -> bool:  # a magnet is listed once the server has taken it in
        await engine.refresh(full=True)
        return bool(log.of(EventKind.ADDED, elsewhere))

    await wait_for(seen, "the torrent added on the server")
    assert engine.store.name(elsewhere) == f"elsewhere-{0xB2}"

    await engine.torrents.set_torrent_limits(added.hash, download=256 * 1024)
    limits = await engine.transfer.set_global_limits(download=512 * 1024)
    assert engine.store.server().download_limit == 512 * 1024
    assert limits.download == 512 * 1024
    if Capability.ALT_SPEED not in engine.capabilities:
        assert limits.alt_download == 0
        with pytest.raises(NotSupportedError, match="cannot switch alternative speed limits"):
            await engine.transfer.set_global_limits(alt_download=1024)

    deleted = await engine.torrents.delete([added.hash, elsewhere])
    assert deleted.confirmed
    assert log.of(EventKind.REMOVED, added.hash)
    assert log.of(EventKind.REMOVED, elsewhere)
    assert added.hash not in engine.store


async def test_a_torrent_file_is_added_and_garbage_refused(
    server: Server, engine: Bridge, tmp_path: Path
) -> None:
    data, info_hash = tiny_torrent(tmp_path, f"file-{server.kind.value}")
    outcome = await engine.torrents.add(data)
    assert outcome.confirmed
    assert outcome.hash == info_hash
    assert info_hash in engine.store
    with pytest.raises(QbtBridgeError, match=r"not a valid \.torrent file"):
        await engine.torrents.add(b"this is no torrent")


async def test_wrong_password_is_an_authentication_error(server: Server) -> None:
    client = await open_client(server.url, server.username, "wrong")
    try:
        with pytest.raises(AuthenticationError):
            await client.sync_maindata()
    finally:
        await client.close()


# ---------------------------------------------------------------------------- capabilities


UNSUPPORTED = {
    ClientKind.QBITTORRENT_31: {
        Capability.TAGS, Capability.CATEGORIES, Capability.ALT_SPEED, Capability.RSS,
        Capability.SEARCH, Capability.FORCE_START, Capability.REANNOUNCE, Capability.FILES,
        Capability.LISTEN_PORT,
    },
    ClientKind.UTORRENT: {
        Capability.TAGS, Capability.ALT_SPEED, Capability.RSS, Capability.SEARCH,
        Capability.REANNOUNCE, Capability.FILES, Capability.LISTEN_PORT,
    },
}  # fmt: skip


async def test_what_a_client_cannot_do_is_one_clear_error(server: Server, engine: Bridge) -> None:
    await engine.refresh(full=True)
    if server.kind is ClientKind.QBITTORRENT:
        every = set().union(*UNSUPPORTED.values())
        assert every <= engine.capabilities, "qBittorrent v2 can do all of these"
        return
    target = (await engine.torrents.add(magnet(0xC3))).hash
    assert target is not None
    missing = UNSUPPORTED[server.kind]
    assert not missing & engine.capabilities
    calls = {
        Capability.TAGS: engine.torrents.add_tags(target, ["x"]),
        Capability.CATEGORIES: engine.torrents.set_category(target, "films"),
        Capability.ALT_SPEED: engine.transfer.set_alt_speed(True),
        Capability.RSS: engine.rss.set_rule(RssRule(name="r")),
        Capability.SEARCH: engine.search.start("ubuntu"),
        Capability.FORCE_START: engine.torrents.force_start(target),
        Capability.REANNOUNCE: engine.torrents.reannounce(target),
        Capability.FILES: engine.content.files(target),
        Capability.LISTEN_PORT: engine.transfer.set_listen_port(51413),
    }
    for capability, call in calls.items():
        if capability not in missing:
            call.close()
            continue
        with pytest.raises(NotSupportedError) as caught:
            await call
        product = "uTorrent" if server.kind is ClientKind.UTORRENT else "qBittorrent 3.1"
        assert str(caught.value).startswith(f"{product} cannot "), caught.value
    with pytest.raises(NotSupportedError, match="tags"):
        await engine.torrents.add(magnet(0xC4), tags=["x"])


def test_the_gentle_pace_lets_a_burst_through_then_spaces_calls() -> None:
    now = [0.0]
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pace = Pace(0.5, burst=3, clock=lambda: now[0], sleep=sleep)

    async def calls(count: int) -> None:
        for _ in range(count):
            await pace.wait()

    asyncio.run(calls(3))
    assert slept == [], "a burst of 3 goes at once"
    asyncio.run(calls(2))
    assert slept == [0.5, 0.5]
    now[0] += 10  # idle: the bucket fills up again, to 3 at most
    asyncio.run(calls(4))
    assert slept == [0.5, 0.5, 0.5]


# ---------------------------------------------------------------------------- uTorrent


@pytest.fixture
async def ut_client(utorrent: UTorrentStandIn) -> AsyncIterator[UTorrentClient]:
    client = UTorrentClient(utorrent.url, utorrent.username, utorrent.password, pace=0)
    yield client
    await client.close()


async def test_utorrent_reuses_its_token_and_renews_it_once_on_400(
    utorrent: UTorrentStandIn, ut_client: UTorrentClient
) -> None:
    await ut_client.sync_maindata()
    await ut_client.sync_maindata(1)
    assert utorrent.token_fetches() == 1
    utorrent.expire_token()
    await ut_client.sync_maindata(2)
    assert utorrent.token_fetches() == 2
    stale = [r for r in utorrent.requests if r.status == 400]
    assert len(stale) == 1, "a stale token must cost one refused call, then a new token"


async def test_utorrent_refreshes_with_cid_deltas(
    utorrent: UTorrentStandIn, ut_client: UTorrentClient, tmp_path: Path
) -> None:
    for n in range(3):
        utorrent.add(FakeTorrent(hash=f"{n + 1:040x}", name=f"t{n}"))
    bridge = Bridge(ut_client, "ut", ledger_path=tmp_path / "ledger.json")
    log = EventLog(bridge)
    await bridge.refresh()
    utorrent.torrents[f"{1:040x}"].finish()
    del utorrent.torrents[f"{2:040x}"]
    await bridge.refresh()
    first, second = utorrent.list_answers()[:2]
    assert "cid" not in first.query
    assert second.query["cid"] == ["1000"], "the second list call must ask for changes only"
    assert log.of(EventKind.COMPLETED, f"{1:040x}")
    assert log.of(EventKind.REMOVED, f"{2:040x}")
    assert sorted(bridge.store.hashes()) == [f"{1:040x}", f"{3:040x}"]
    await bridge.refresh()
    assert len(log.of(EventKind.COMPLETED)) == 1, "a completion is announced once"


async def test_utorrent_labels_are_categories(
    utorrent: UTorrentStandIn, ut_client: UTorrentClient, tmp_path: Path
) -> None:
    bridge = Bridge(ut_client, "ut", ledger_path=tmp_path / "ledger.json")
    outcome = await bridge.torrents.add(magnet(0xD4), category="films", paused=True)
    assert outcome.hash is not None
    assert utorrent.torrents[outcome.hash].label == "films"
    assert bridge.store.category(outcome.hash) == "films"
    assert bridge.store.state(outcome.hash).is_stopped
    assert await bridge.labels.categories() == ["films"]
    assert [bridge.store.name(h) for h in bridge.store.select(category="films")] == [
        f"scenario-{0xD4}"
    ]
    await bridge.torrents.force_start(outcome.hash)
    assert bridge.store.state(outcome.hash) is TorrentState.FORCED_DL


async def test_utorrent_bad_credentials_are_401(utorrent: UTorrentStandIn) -> None:
    client = UTorrentClient(utorrent.url, utorrent.username, "nope", pace=0)
    try:
        with pytest.raises(AuthenticationError, match="wrong username or password"):
            await client.sync_maindata()
    finally:
        await client.close()


async def test_utorrent_pause_all_reaches_every_torrent(
    utorrent: UTorrentStandIn, ut_client: UTorrentClient, tmp_path: Path
) -> None:
    for n in range(120):  # more than one batch of hashes per call
        utorrent.add(FakeTorrent(hash=f"{n + 1:040x}", name=f"t{n}"))
    bridge = Bridge(ut_client, "ut", ledger_path=tmp_path / "ledger.json")
    result = await bridge.torrents.pause_all()
    assert result.confirmed
    assert not any(t.started for t in utorrent.torrents.values())


# ---------------------------------------------------------------------------- qBittorrent 3.1


async def test_qbittorrent31_digest_is_challenged_once_then_reused(
    qbt31: QBittorrent31StandIn,
) -> None:
    client = QBittorrent31Client(qbt31.url, qbt31.username, qbt31.password)
    try:
        for _ in range(3):
            await client.sync_maindata()
        assert qbt31.challenges == 1
        assert qbt31.paths.count("/json/torrents") == 3
    finally:
        await client.close()


async def test_qbittorrent31_translated_strings_become_numbers(tmp_path: Path) -> None:
    server = QBittorrent31StandIn(locale="ru_RU")
    await server.start()
    client = QBittorrent31Client(server.url, server.username, server.password)
    try:
        torrent = server.add(FakeTorrent(hash="ab" * 20, name="big", size=int(1.8 * 1024**3)))
        torrent.done, torrent.down_speed, torrent.uploaded = 1024**3, 300 * 1024, 150 * 1024**3
        server.session_down = 7 * 1024**3
        bridge = Bridge(client, "old", ledger_path=tmp_path / "ledger.json")
        await bridge.refresh()
        seen = bridge.store.torrent("ab" * 20)
        assert seen is not None
        assert seen.size == round(1.8 * 1024**3)
        assert seen.download_speed == 300 * 1024
        assert seen.ratio == 100.0  # "∞": above 100
        # "46m": the 3.1 WebUI shows whole minutes
        assert seen.eta == (torrent.size - torrent.done) // (300 * 1024) // 60 * 60
        assert seen.state is TorrentState.DOWNLOADING
        assert bridge.store.server().download_speed == 300 * 1024
        assert bridge.store.server().downloaded_session == 7 * 1024**3
    finally:
        await client.close()
        await server.stop()


# The reference's own examples, Russian translation included.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.8 ГиБ", round(1.8 * 1024**3)),
        ("70.4 МиБ", round(70.4 * 1024**2)),
        ("0 Б/с", 0),
        ("209.9 КиБ/с", round(209.9 * 1024)),
        ("4.0 MiB", 4 * 1024**2),
        ("512 B/s", 512),
        ("Unknown", 0),
    ],
)
def test_qbittorrent31_sizes_and_speeds(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("∞", ETA_INFINITE),
        ("0", 0),
        ("< 1m", 59),
        ("7m", 420),
        ("3h 5m", 3 * 3600 + 300),
        ("2d 4h", 2 * 86400 + 4 * 3600),
        ("53д 0ч", 53 * 86400),
    ],
)
def test_qbittorrent31_etas(text: str, expected: int) -> None:
    assert parse_eta(text) == expected


def test_qbittorrent31_status_lines_and_ratios() -> None:
    assert parse_amounts("Приём: 0 Б/с - Передано: 0 Б") == [0, 0]
    assert parse_amounts("Отдача: 209.9 КиБ/с - Передано: 7.2 ГиБ") == [
        round(209.9 * 1024),
        round(7.2 * 1024**3),
    ]
    assert parse_ratio31("0.1") == 0.1
    assert parse_ratio31("∞") == 100.0


# ---------------------------------------------------------------------------- both stand-ins


@pytest.fixture(params=["utorrent", "qbt31"])
async def standin_engine(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[UTorrentStandIn | QBittorrent31StandIn, Bridge]]:
    standin: UTorrentStandIn | QBittorrent31StandIn = (
        UTorrentStandIn() if request.param == "utorrent" else QBittorrent31StandIn()
    )
    await standin.start()
    client = await open_client(standin.url, standin.username, standin.password)
    if isinstance(client, UTorrentClient):
        client.pace.interval = 0
    yield standin, Bridge(client, "old", ledger_path=tmp_path / "ledger.json")
    await client.close()
    await standin.stop()


async def test_a_completion_is_announced_once_and_survives_a_restart_of_the_engine(
    standin_engine: tuple[UTorrentStandIn | QBittorrent31StandIn, Bridge], tmp_path: Path
) -> None:
    standin, bridge = standin_engine
    torrent = standin.add(FakeTorrent(hash="cd" * 20, name="finishing"))
    log = EventLog(bridge)
    await bridge.refresh()
    torrent.finish()
    await bridge.refresh()
    await bridge.refresh()
    assert [e.hash for e in log.of(EventKind.COMPLETED)] == ["cd" * 20]
    # A new engine with the same ledger: no second announcement.
    again = Bridge(bridge.client, "old", ledger_path=tmp_path / "ledger.json")
    second = EventLog(again)
    await again.refresh()
    assert not second.of(EventKind.COMPLETED)


async def test_a_fresh_start_during_checks_announces_nothing_already_true(
    standin_engine: tuple[UTorrentStandIn | QBittorrent31StandIn, Bridge], tmp_path: Path
) -> None:
    standin, _old = standin_engine
    checking = [
        standin.add(FakeTorrent(hash=f"{n:02x}" * 20, name=f"loaded-{n}", checking=True))
        for n in range(30)
    ]
    for torrent in checking:
        torrent.finish()
    checking[0].error = True
    # A new install: no ledger yet, and the server still checking what it has.
    bridge = Bridge(_old.client, "new", ledger_path=tmp_path / "new" / "ledger.json")
    log = EventLog(bridge)
    await bridge.refresh()
    for torrent in checking:
        torrent.checking = False
    await bridge.refresh()
    await bridge.refresh()
    assert not log.of(EventKind.COMPLETED)
    assert not log.of(EventKind.ERRORED)
    assert not log.of(EventKind.ADDED)


async def test_the_server_going_down_and_coming_back(
    standin_engine: tuple[UTorrentStandIn | QBittorrent31StandIn, Bridge],
) -> None:
    standin, bridge = standin_engine
    standin.add(FakeTorrent(hash="ef" * 20, name="kept"))
    log = EventLog(bridge)
    stop = asyncio.Event()
    runner = asyncio.create_task(bridge.run(stop))
    try:
        await wait_for(lambda: _true(bridge.available), "the first refresh")
        await standin.stop()
        await wait_for(lambda: _true(not bridge.available), "the engine to notice")
        with pytest.raises(QbtBridgeError):
            await bridge.torrents.pause("kept")  # refused with the reason, not dropped silently
        await standin.restart()  # uTorrent: a new token, old cache ids unknown
        await wait_for(lambda: _true(bridge.available), "the engine to reconnect")
        assert log.of(EventKind.CONNECTION_LOST) and log.of(EventKind.CONNECTION_RESTORED)
        paused = await bridge.torrents.pause("kept")
        assert paused.confirmed
        assert not log.of(EventKind.REMOVED), "a restart is not a removal"
    finally:
        stop.set()
        await runner


async def _true(value: bool) -> bool:
    return value


async def test_utorrent_files_props_and_its_own_pause(
    utorrent: UTorrentStandIn, ut_client: UTorrentClient
) -> None:
    torrent = utorrent.add(FakeTorrent(hash="ab" * 20, name="props", size=4096, done=1024))
    await ut_client.torrents_set_download_limit(["ab" * 20], 65536)
    assert (await ut_client.get_props("ab" * 20))["dlrate"] == 65536
    assert await ut_client.get_files("ab" * 20) == [
        {"name": "props", "size": 4096, "downloaded": 1024, "priority": 2}
    ]
    await ut_client.pause_torrents(["ab" * 20])
    rows = await ut_client.torrents_info_raw(hashes=["ab" * 20])
    assert rows[0]["state"] == "stoppedDL"
    assert torrent.paused and torrent.started
    await ut_client.unpause_torrents(["ab" * 20])
    assert not torrent.paused


async def test_qbittorrent31_properties_and_other_commands(qbt31: QBittorrent31StandIn) -> None:
    client = QBittorrent31Client(qbt31.url, qbt31.username, qbt31.password)
    try:
        torrent = qbt31.add(FakeTorrent(hash="ab" * 20, name="props", done=1024, uploaded=2048))
        await client.add_trackers("ab" * 20, ["http://t.example/announce", "udp://u:1/a"])
        assert [t["url"] for t in await client.json_properties_trackers("ab" * 20)] == [
            "http://t.example/announce",
            "udp://u:1/a",
        ]
        props = await client.properties_general("ab" * 20)
        assert props["total_uploaded"] == 2048
        assert props["piece_size"] == 4 * 1024**2
        assert props["share_ratio"] == 2.0
        assert props["time_elapsed"] == 53 * 86400
        assert (props["nb_connections"], props["nb_connections_limit"]) == (3, 100)
        with pytest.raises(NotFoundError):
            await client.properties_general("00" * 20)
        await client.bottom_prio(["ab" * 20])
        await client.set_file_prio("ab" * 20, 0, 7)
        assert torrent.file_priorities == {0: 7}
        with pytest.raises(QbtBridgeError, match="0, 1, 2 or 7"):
            await client.set_file_prio("ab" * 20, 0, 5)
        await client.set_preferences({"dl_limit": 3072})
        assert (await client.json_preferences())["dl_limit"] == 3072
        await client.torrents_set_upload_limit(["ab" * 20], 4096)
        assert await client.torrent_limits("ab" * 20) == (0, 4096)
        await client.command_shutdown()
        assert qbt31.shut_down
    finally:
        await client.close()


async def test_a_command_before_the_first_refresh_finds_the_server_first(
    utorrent: UTorrentStandIn, tmp_path: Path
) -> None:
    opened: list[TorrentClient] = []

    async def opener() -> TorrentClient:
        client = await open_client(utorrent.url, utorrent.username, utorrent.password)
        opened.append(client)
        return client

    bridge = Bridge(None, "lazy", opener=opener, ledger_path=tmp_path / "ledger.json")
    assert not bridge.connected
    outcome, again = await asyncio.gather(
        bridge.torrents.add(magnet(0xE5)), bridge.labels.categories()
    )
    assert outcome.confirmed and again == []
    assert len(opened) == 1, "two commands at once open one client"
    assert isinstance(bridge.client, UTorrentClient)
    await bridge.close()


async def test_utorrent_settles_a_big_command_with_one_list_call(
    utorrent: UTorrentStandIn, ut_client: UTorrentClient, tmp_path: Path
) -> None:
    hashes = [f"{n + 1:040x}" for n in range(250)]  # more than one chunk of hashes
    for n, torrent_hash in enumerate(hashes):
        utorrent.add(FakeTorrent(hash=torrent_hash, name=f"t{n}"))
    bridge = Bridge(ut_client, "ut", ledger_path=tmp_path / "ledger.json")
    await bridge.refresh()
    before = len(utorrent.list_answers())
    result = await bridge.torrents.delete(hashes)
    assert result.confirmed
    assert not utorrent.torrents
    assert len(utorrent.list_answers()) - before == 1, "the whole list is read once, not per chunk"


async def test_a_torrent_removed_and_added_again_between_sweeps_stays(
    standin_engine: tuple[UTorrentStandIn | QBittorrent31StandIn, Bridge],
) -> None:
    _standin, bridge = standin_engine
    log = EventLog(bridge)
    await bridge.refresh()
    first = await bridge.torrents.add(magnet(0xF6, "again"))
    assert first.hash is not None
    await bridge.torrents.delete(first.hash)  # the settle reads the list: removed there
    again = await bridge.torrents.add(magnet(0xF6, "again"))  # and read again: back
    assert again.confirmed
    await bridge.refresh()  # a sweep from before both
    assert first.hash in bridge.store
    assert len(log.of(EventKind.REMOVED, first.hash)) == 1


async def test_a_disk_guard_on_a_client_without_free_space_says_it_is_off(
    server: Server, engine: Bridge, caplog: pytest.LogCaptureFixture
) -> None:
    engine.refresher.disk_guard = DiskGuard(
        min_free=2**50
    )  # more than any disk: low where it can tell
    log = EventLog(engine)
    await engine.refresh(full=True)
    await engine.refresh(full=True)
    if Capability.FREE_SPACE in engine.capabilities:
        assert len(log.of(EventKind.LOW_DISK_SPACE)) == 1
        return
    assert log.of(EventKind.LOW_DISK_SPACE) == []
    assert engine.refresher.disk_guard is None
    said = [r.getMessage() for r in caplog.records if "disk guard is off" in r.getMessage()]
    assert len(said) == 1  # once, not every refresh
    assert "does not report free disk space" in said[0]
