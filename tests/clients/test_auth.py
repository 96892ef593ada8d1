"""Logins, sessions, API keys, TLS and failures of the WebAPI v2 client, on real daemons."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.errors import (
    AuthenticationError,
    ConnectionFailedError,
    EndpointNotImplementedError,
    LoginBannedError,
    UnsupportedVersionError,
)
from qbt_bridge.core.versions import WEBAPI_API_KEY, Version
from qbt_bridge.daemon.demo import LocalQBittorrent, Release
from qbt_bridge.engine.bridge import Bridge
from tests.releases import require


async def test_wrong_password_is_an_authentication_error(daemon: LocalQBittorrent) -> None:
    async with QBittorrentClient(daemon.url, daemon.username, "wrong password") as qbt:
        with pytest.raises(AuthenticationError, match="wrong username or password") as caught:
            await qbt.torrents_info()
        assert "wrong password" not in str(caught.value)
        assert not isinstance(caught.value, LoginBannedError)


async def test_no_credentials_means_a_clear_error(daemon: LocalQBittorrent, monkeypatch) -> None:
    monkeypatch.delenv("QBITTORRENTAPI_USERNAME", raising=False)
    monkeypatch.delenv("QBITTORRENTAPI_PASSWORD", raising=False)
    async with QBittorrentClient(daemon.url) as qbt:
        with pytest.raises(AuthenticationError, match="wants a login"):
            await qbt.transfer_info()


async def test_expired_session_is_renewed_transparently(fresh_daemon: LocalQBittorrent) -> None:
    async with QBittorrentClient(
        fresh_daemon.url, fresh_daemon.username, fresh_daemon.password
    ) as qbt:
        await qbt.transfer_info()
        old_cookies = dict(qbt._cookies)
        fresh_daemon.restart()  # the daemon forgets every session
        results = await asyncio.gather(*(qbt.transfer_info() for _ in range(5)))
        assert all(r.connection_status for r in results)
        assert qbt._cookies
        assert qbt._cookies != old_cookies


async def test_login_ban_is_its_own_error(release: Release) -> None:
    with LocalQBittorrent(release, max_auth_failures=3) as qbt_daemon:
        async with QBittorrentClient(qbt_daemon.url, "admin", "wrong") as qbt:
            errors = []
            for _ in range(6):
                try:
                    await qbt.auth_log_in()
                except AuthenticationError as err:
                    errors.append(err)
            assert isinstance(errors[-1], LoginBannedError)
            assert "banned" in str(errors[-1])
            assert not isinstance(errors[0], LoginBannedError)
        async with QBittorrentClient(qbt_daemon.url, "admin", qbt_daemon.password) as qbt:
            with pytest.raises(LoginBannedError):
                await qbt.transfer_info()


async def test_daemon_down_is_a_connection_error(fresh_daemon: LocalQBittorrent) -> None:
    async with QBittorrentClient(
        fresh_daemon.url, fresh_daemon.username, fresh_daemon.password
    ) as qbt:
        await qbt.transfer_info()
        fresh_daemon.stop()
        with pytest.raises(ConnectionFailedError, match="cannot connect"):
            await qbt.transfer_info()
        fresh_daemon.start()
        assert (await qbt.transfer_info()).connection_status


async def test_server_that_never_answers_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        async with QBittorrentClient(f"127.0.0.1:{port}", "a", "b", request_timeout=0.5) as qbt:
            with pytest.raises(ConnectionFailedError, match="no answer within 0.5 s"):
                await qbt.transfer_info()
            # The whole list grows with the library: it may take WHOLE_LIST times as long.
            qbt._cookies["SID"] = "x"  # past the login, to the list itself
            with pytest.raises(ConnectionFailedError, match="no answer within 3 s"):
                await qbt.sync_maindata()


async def test_api_key(release: Release, daemon: LocalQBittorrent) -> None:
    async with QBittorrentClient(daemon.url, daemon.username, daemon.password) as qbt:
        if await qbt.webapi_version() < WEBAPI_API_KEY:
            assert await qbt.app_rotate_api_key() is None
            assert await qbt.app_delete_api_key() is None
            return
        key = await qbt.app_rotate_api_key()
    assert key is not None
    assert key.startswith("qbt_")
    # The key wins over a wrong password: no login round trip happens at all.
    async with QBittorrentClient(daemon.url, "admin", "wrong", api_key=key) as keyed:
        assert keyed.uses_api_key
        assert (await keyed.transfer_info()).connection_status
        assert not keyed._cookies
    async with QBittorrentClient(daemon.url, api_key="qbt_not_the_key") as wrong:
        with pytest.raises(AuthenticationError, match="API key was refused"):
            await wrong.transfer_info()
    async with QBittorrentClient(daemon.url, api_key=key) as keyed:
        assert await keyed.app_delete_api_key()
        with pytest.raises(AuthenticationError):
            await keyed.transfer_info()


async def test_credentials_from_environment(daemon: LocalQBittorrent, monkeypatch) -> None:
    monkeypatch.setenv("QBITTORRENTAPI_HOST", daemon.url)
    monkeypatch.setenv("QBITTORRENTAPI_USERNAME", daemon.username)
    monkeypatch.setenv("QBITTORRENTAPI_PASSWORD", daemon.password)
    async with QBittorrentClient() as qbt:
        assert qbt.base_url == daemon.url
        assert (await qbt.app_version()).startswith("v")


async def test_injected_session_is_not_closed_but_owned_one_is(daemon: LocalQBittorrent) -> None:
    async with aiohttp.ClientSession() as session:
        async with QBittorrentClient(
            daemon.url, daemon.username, daemon.password, session=session
        ) as qbt:
            await qbt.transfer_info()
        assert not session.closed
    qbt = QBittorrentClient(daemon.url, daemon.username, daemon.password)
    await qbt.transfer_info()
    owned = qbt._http.session
    await qbt.close()
    assert owned.closed


async def test_extra_headers_are_sent() -> None:
    seen: list[dict[str, str]] = []

    async def login(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        return web.Response(status=403)

    app = web.Application()
    app.router.add_post("/api/v2/auth/login", login)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        async with QBittorrentClient(
            f"127.0.0.1:{port}", "u", "p", extra_headers={"X-Bridge": "yes"}
        ) as qbt:
            with pytest.raises(LoginBannedError):
                await qbt.auth_log_in()
    finally:
        await runner.cleanup()
    assert seen[0]["X-Bridge"] == "yes"
    assert seen[0]["Referer"] == f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def tls_daemon(tmp_path_factory) -> Iterator[LocalQBittorrent]:
    folder: Path = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    with LocalQBittorrent(require(Release.named("host")), https=(cert, key)) as qbt:
        yield qbt


async def test_certificate_is_verified_by_default(
    tls_daemon: LocalQBittorrent, monkeypatch
) -> None:
    monkeypatch.delenv("QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE", raising=False)
    user, password = tls_daemon.username, tls_daemon.password
    async with QBittorrentClient(tls_daemon.url, user, password) as qbt:
        with pytest.raises(ConnectionFailedError, match="certificate"):
            await qbt.transfer_info()
    async with QBittorrentClient(tls_daemon.url, user, password, verify_certificate=False) as qbt:
        assert (await qbt.transfer_info()).connection_status
    monkeypatch.setenv("QBITTORRENTAPI_DO_NOT_VERIFY_WEBUI_CERTIFICATE", "1")
    async with QBittorrentClient(tls_daemon.url, user, password) as qbt:
        assert (await qbt.transfer_info()).connection_status


async def test_https_on_a_plain_port_fails_fast(daemon: LocalQBittorrent) -> None:
    https_url = daemon.url.replace("http://", "https://")
    async with QBittorrentClient(https_url, daemon.username, daemon.password) as qbt:
        with pytest.raises(ConnectionFailedError, match="TLS"):
            await qbt.transfer_info()


async def test_an_unsupported_release_is_refused_at_login_and_after(
    daemon: LocalQBittorrent, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every release the suite runs is supported; pretend the next one came out.
    monkeypatch.setattr("qbt_bridge.clients.qbittorrent.request.is_supported", lambda _a, _w: False)
    async with QBittorrentClient(
        daemon.url, daemon.username, daemon.password, raise_unsupported_version=True
    ) as client:
        with pytest.raises(UnsupportedVersionError, match="is not supported"):
            await client.auth_log_in()
        with pytest.raises(UnsupportedVersionError):
            await client.torrents_info()
    async with QBittorrentClient(daemon.url, daemon.username, daemon.password) as lenient:
        await lenient.auth_log_in()  # without the option: a debug line, no refusal
        assert await lenient.torrents_info() == []


async def test_endpoints_a_release_lacks_answer_none(client: QBittorrentClient) -> None:
    # 4.1 (WebAPI 2.0) cannot run here: the client is told it talks to one. Tags came with
    # 2.3.0, category listing and search with 2.1.1.
    await client.webapi_version()
    client._webapi_version = Version(2, 0, 0)
    assert await client.torrents_tags() is None
    assert await client.torrents_categories() is None
    assert await client.search_plugins() is None
    assert await client.search_status() is None
    client.raise_not_implemented = True
    with pytest.raises(EndpointNotImplementedError, match="no endpoint torrents/tags"):
        await client.torrents_tags()


async def test_a_wrong_password_never_gets_the_address_banned(release: Release) -> None:
    # A ban after three failures here (five by default): polls and commands must not add up.
    with LocalQBittorrent(release, max_auth_failures=3) as qbt_daemon:
        async with QBittorrentClient(qbt_daemon.url, "admin", "wrong") as wrong:
            bridge = Bridge(wrong, "home")
            for _ in range(10):
                with pytest.raises(AuthenticationError, match="wrong username or password"):
                    await bridge.refresh()
                with pytest.raises(AuthenticationError, match="not tried again by itself"):
                    await bridge.torrents.pause("all")
            bridge.retry_login()  # a person asks: one more attempt, and only one
            with pytest.raises(AuthenticationError):
                await bridge.refresh()
            with pytest.raises(AuthenticationError, match="not tried again by itself"):
                await bridge.refresh()
            # The right password (a corrected config) works at once: nothing was banned.
            await wrong.auth_log_in(password=qbt_daemon.password)
            await bridge.refresh()
            assert bridge.store.initialised
        async with QBittorrentClient(qbt_daemon.url, "admin", qbt_daemon.password) as right:
            assert (await right.transfer_info()).connection_status
