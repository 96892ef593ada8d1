"""The ``qbt-bridge status`` command, run as a user runs it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from qbt_bridge.daemon.demo import LocalQBittorrent
from tests.standins.common import FakeTorrent
from tests.standins.utorrent import UTorrentStandIn


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qbt_bridge.daemon.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("QBITTORRENTAPI_")}


def test_status_of_a_named_server(daemon: LocalQBittorrent) -> None:
    env = clean_env() | {
        "QBITTORRENTAPI_HOST": daemon.url,
        "QBITTORRENTAPI_USERNAME": daemon.username,
        "QBITTORRENTAPI_PASSWORD": daemon.password,
    }
    done = run_cli("status", env=env)
    assert done.returncode == 0, done.stderr
    assert f"at {daemon.url}" in done.stdout
    assert "WebAPI 2." in done.stdout
    assert "torrents" in done.stdout
    assert daemon.password not in done.stdout + done.stderr


def test_status_takes_credentials_as_flags_and_warns_about_a_password(
    daemon: LocalQBittorrent,
) -> None:
    flags = ["--host", daemon.url, "--username", daemon.username, "--password", daemon.password]
    done = run_cli("status", *flags, env=clean_env())
    assert done.returncode == 0, done.stderr
    assert "WebAPI 2." in done.stdout
    assert "prefer QBITTORRENTAPI_PASSWORD" in done.stderr
    assert daemon.password not in done.stdout + done.stderr


def test_status_starts_a_throwaway_server_when_none_is_named() -> None:
    done = run_cli("status", env=clean_env())
    assert done.returncode == 0, done.stderr
    assert "throwaway qbittorrent-nox" in done.stdout
    assert "qBittorrent " in done.stdout
    assert "0 total" in done.stdout


def test_status_of_an_unreachable_server_says_so() -> None:
    done = run_cli("status", "--host", "http://127.0.0.1:9", env=clean_env())
    assert done.returncode == 1
    assert "cannot connect" in done.stderr
    assert "Traceback" not in done.stderr


async def test_status_of_a_utorrent(utorrent: UTorrentStandIn) -> None:
    utorrent.add(FakeTorrent(hash="ab" * 20, name="one", down_speed=2048))
    env = clean_env() | {
        "QBITTORRENTAPI_HOST": utorrent.url,
        "QBITTORRENTAPI_USERNAME": utorrent.username,
        "QBITTORRENTAPI_PASSWORD": utorrent.password,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "qbt_bridge.daemon.cli", "status",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    text = out.decode()
    assert f"uTorrent at {utorrent.url}" in text
    assert "1 total: 1 downloading" in text
    assert utorrent.password not in text + err.decode()
