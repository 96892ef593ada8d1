"""The container image, built from the Dockerfile with buildah and run as a user runs it.

The base, ``debian:trixie-slim``, is made here from Debian's packages (scripts/provision-images);
the Dockerfile is the one users build. The container runs the image's entry point and command
with the host's loopback, a config mounted at /config and the state volume at /data, beside a
real Mosquitto and a real qbittorrent-nox whose "run external program" slots the daemon fills.
Refreshes are an hour apart: what reaches MQTT while the container runs came by push.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import LocalMosquitto, LocalQBittorrent, Release, free_port
from tests.daemon.containers import ROOT, Container, Image, build, running
from tests.helpers import tiny_torrent, wait_for, wait_torrent
from tests.mqtt.helpers import PREFIX, Probe
from tests.releases import RELEASES, Seed, require

SECRET = "image-push-secret-0123456789"


@pytest.fixture(scope="module")
def image() -> Image:
    return build("localhost/qbt-bridge:test", ROOT)


@pytest.fixture
def broker() -> Iterator[LocalMosquitto]:
    with LocalMosquitto() as mosquitto:
        yield mosquitto


def _config(qbt: LocalQBittorrent, broker: LocalMosquitto, push_port: int) -> str:
    return f"""\
instances:
  - id: test
    url: {qbt.url}
    username: {qbt.username}
    password: !env QBT_PASSWORD
    fast_interval: 3600
    full_interval: 3600
mqtt:
  host: 127.0.0.1
  port: {broker.port}
push:
  listen: 127.0.0.1
  port: {push_port}
  secret: !env QBT_BRIDGE_PUSH_SECRET
  url: http://127.0.0.1:{push_port}
  install: true
"""


def test_the_image_declares_its_user_health_check_and_entry_point(image: Image) -> None:
    assert image.user == "10001"
    assert image.entrypoint == ["qbt-bridge"]
    assert image.cmd == ["run"]
    assert image.healthcheck == ["qbt-bridge", "health"]


async def test_the_image_runs_healthy_pushed_and_its_volume_keeps_completions_once(
    image: Image, broker: LocalMosquitto, seed: Seed, tmp_path: Path
) -> None:
    with LocalQBittorrent(require(Release.named(RELEASES[-1]))) as qbt:
        config, data = tmp_path / "config", tmp_path / "data"
        config.mkdir()
        data.mkdir()
        os.chown(data, int(image.user), -1)  # as a named volume takes the image's /data
        (config / "config.yaml").write_text(_config(qbt, broker, free_port()), encoding="utf-8")
        container = {
            "volumes": {config: "/config:ro", data: "/data"},
            "environment": {"QBT_PASSWORD": qbt.password, "QBT_BRIDGE_PUSH_SECRET": SECRET},
        }
        torrent = seed.meta.info_hash
        async with (
            Probe(broker.port) as probe,
            QBittorrentClient(qbt.url, qbt.username, qbt.password) as client,
        ):

            async def pushed_added(name: str) -> None:
                data_, info_hash = tiny_torrent(tmp_path, name)
                await client.torrents_add(torrent_files=[data_], paused=True)
                await wait_for(lambda: _events(probe, "added", info_hash), f"{name} pushed")

            with running(image, tmp_path / "first.log", **container) as first:
                await _availability(probe, "online")
                assert first.uid() == 10001  # the daemon runs as the image's own user
                await pushed_added("pushed-first")
                healthy = await wait_for(lambda: _healthy(first), "the health check to pass")
                assert "MQTT connected" in healthy
                assert first.stop() == 0
            await _availability(probe, "offline")
            # While the container is down, the torrent completes.
            await client.torrents_add(torrent_files=[seed.torrent])
            await wait_torrent(client, torrent)
            await client.torrents_add_peers([torrent], [seed.peer])
            await wait_torrent(client, torrent, lambda t: t.progress == 1.0, "download")
            # A new container on the same volume catches the completion up, once ...
            with running(image, tmp_path / "second.log", **container) as second:
                await _availability(probe, "online")
                await wait_for(lambda: _events(probe, "completed", torrent), "caught up")
                assert second.stop() == 0
            await _availability(probe, "offline")
            # ... and the next one does not announce it again: the pushed event after its first
            # refresh comes after anything that refresh announced.
            with running(image, tmp_path / "third.log", **container):
                await _availability(probe, "online")
                await pushed_added("pushed-third")
            assert len(await _events(probe, "completed", torrent)) == 1
        owners = {path.stat().st_uid for path in data.rglob("*")}
        assert owners == {10001}, "the state is written by the image's user"
        assert SECRET not in "".join(
            (tmp_path / f"{n}.log").read_text(encoding="utf-8") for n in ("first", "second")
        )


async def _healthy(container: Container) -> str | None:
    done = container.exec(container.image.healthcheck)
    return done.stdout if done.returncode == 0 else None


async def _availability(probe: Probe, value: str) -> None:
    await probe.value(f"{PREFIX}/test/availability", lambda p: p == value.encode(), value)


async def _events(probe: Probe, kind: str, info_hash: str) -> list[dict[str, object]]:
    return [
        event
        for raw in probe.on(f"{PREFIX}/test/events")
        if (event := json.loads(raw))["event"] == kind and event.get("hash") == info_hash
    ]


def test_a_container_without_its_config_says_so_and_exits(image: Image, tmp_path: Path) -> None:
    with Container(image, tmp_path / "bare.log") as bare:
        assert bare.wait() == 2
    assert "/config/config.yaml: cannot read" in bare.output()
