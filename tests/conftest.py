"""Fixtures: real qbittorrent-nox daemons (4.5, 5.1, 5.3), a seeder, a loopback file server."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

try:
    import pytest_socket
except ImportError:  # only Home Assistant's test plugin brings it
    pytest_socket = None

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.errors import QbtBridgeError
from qbt_bridge.daemon.demo import LocalQbitManage, LocalQBittorrent, Release
from qbt_bridge.engine.bridge import Bridge
from tests.helpers import FileServer, make_payload, wait_torrent
from tests.releases import RELEASES, Seed, empty_server, require
from tests.standins.qbittorrent31 import QBittorrent31StandIn
from tests.standins.utorrent import UTorrentStandIn


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test is in one tier: ``unit`` (its module says so: no daemon) or ``daemons``."""
    for item in items:
        if item.get_closest_marker("unit") is None:
            item.add_marker(pytest.mark.daemons)


@pytest.fixture(scope="session", params=RELEASES)
def release(request: pytest.FixtureRequest) -> Release:
    """Each qBittorrent release the tests cover."""
    return require(Release.named(request.param))


@pytest.fixture(scope="session")
def daemon(release: Release) -> Iterator[LocalQBittorrent]:
    """One long-lived daemon per release, shared by the tests that do not disturb it."""
    with LocalQBittorrent(release) as qbt:
        yield qbt


@pytest.fixture
def fresh_daemon(release: Release) -> Iterator[LocalQBittorrent]:
    """A daemon of its own for a test that restarts, bans or breaks it."""
    with LocalQBittorrent(release) as qbt:
        yield qbt


@pytest.fixture
async def client(daemon: LocalQBittorrent) -> AsyncIterator[QBittorrentClient]:
    """A logged-in client; the daemon is emptied again after the test."""
    async with QBittorrentClient(daemon.url, daemon.username, daemon.password) as qbt:
        yield qbt
        with contextlib.suppress(QbtBridgeError):
            await empty_server(qbt)


@contextlib.contextmanager
def sockets_allowed() -> Iterator[None]:
    """Let a session fixture start its servers while Home Assistant's test plugin blocks
    sockets (a session fixture is set up before the test's own ``socket_enabled``)."""
    saved = socket.socket
    if pytest_socket is not None:
        pytest_socket.enable_socket()
    try:
        yield
    finally:
        socket.socket = saved  # type: ignore[misc]


@pytest.fixture(scope="session")
def qbt() -> Iterator[LocalQBittorrent]:
    """One daemon of the newest release under test, shared by the fronts' tests."""
    with sockets_allowed():
        newest = LocalQBittorrent(require(Release.named(RELEASES[-1])))
        newest.start()
    try:
        yield newest
    finally:
        newest.cleanup()


@pytest.fixture
async def qbt_client(qbt: LocalQBittorrent) -> AsyncIterator[QBittorrentClient]:
    """A client on that daemon; it is emptied again after the test, alt speed off."""
    async with QBittorrentClient(qbt.url, qbt.username, qbt.password) as client:
        yield client
        await empty_server(client)
        await client.transfer_set_speed_limits_mode(enabled=False)


@pytest.fixture(scope="session")
def manager() -> Iterator[LocalQbitManage]:
    """A real qbit_manage web server with a host-release daemon of its own (qbit_manage 4.14
    refuses qBittorrent newer than 5.2.4)."""
    with sockets_allowed():
        managed = LocalQBittorrent(require(Release.named("host")))
        managed.start()
        server = LocalQbitManage(managed)
        server.start()
    try:
        yield server
    finally:
        server.cleanup()
        managed.cleanup()


@pytest.fixture(scope="session")
def files() -> Iterator[FileServer]:
    """A loopback HTTP server for .torrent files, RSS feeds and search plugins."""
    with sockets_allowed():
        server = FileServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def seed() -> Iterator[Seed]:
    """A 3 MiB file seeded by its own host daemon."""
    with sockets_allowed():
        seeder = LocalQBittorrent(require(Release.named("host")))
        seeder.start()
        data_dir = Path(seeder.downloads)
        _path, torrent = make_payload(data_dir, "bridge-payload.bin", 3 * 1024 * 1024)
        result = Seed(seeder, torrent)

        async def start_seeding() -> None:
            async with QBittorrentClient(seeder.url, seeder.username, seeder.password) as qbt:
                await qbt.torrents_add(torrent_files=[torrent], save_path=str(data_dir))
                await wait_torrent(
                    qbt, result.meta.info_hash, lambda t: t.progress == 1.0, "seeder to check"
                )

        asyncio.run(start_seeding())
    try:
        yield result
    finally:
        seeder.cleanup()


@pytest.fixture
async def utorrent() -> AsyncIterator[UTorrentStandIn]:
    """The uTorrent stand-in (uTorrent cannot run here), with no torrents."""
    server = UTorrentStandIn()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def qbt31() -> AsyncIterator[QBittorrent31StandIn]:
    """The qBittorrent 3.1 stand-in (no 3.1 build runs here), with no torrents."""
    server = QBittorrent31StandIn()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def bridge(client: QBittorrentClient, tmp_path: Path) -> Bridge:
    """An engine on the shared daemon, with its completion ledger in the test's folder."""
    return Bridge(client, "test", ledger_path=tmp_path / "ledger.json")
