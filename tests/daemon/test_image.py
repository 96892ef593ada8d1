"""The container image, built from the Dockerfile with buildah and run as a user runs it, alone
and in the compose example's stack.

The base, ``debian:trixie-slim``, is made here from Debian's packages (scripts/provision-images);
the Dockerfile is the one users build. The container runs the image's entry point and command
with the host's loopback, a config mounted at /config and the state volume at /data, beside a
real Mosquitto and a real qbittorrent-nox whose "run external program" slots the daemon fills.
Refreshes are an hour apart: what reaches MQTT while the container runs came by push.

The compose stack runs its three services as compose would: qBittorrent and Mosquitto from
stand-in images made here of Debian's packages (tests/daemon/images; the pinned images cannot be
pulled here), the daemon from the Dockerfile; in a network of their own, by service name, with
the compose file's environment, volumes and start order.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.demo import (
    LocalMosquitto,
    LocalQBittorrent,
    Release,
    free_port,
    password_pbkdf2,
)
from tests.daemon.containers import ROOT, Container, Image, Network, build, running
from tests.helpers import tiny_torrent, wait_for, wait_torrent
from tests.mqtt.helpers import PREFIX, Probe
from tests.releases import RELEASES, Seed, require

SECRET = "image-push-secret-0123456789"
COMPOSE = ROOT / "contrib" / "container"
IMAGES = Path(__file__).parent / "images"
# The compose file's pinned images, and the Dockerfile of the stand-in built here for each.
STAND_INS = {
    "lscr.io/linuxserver/qbittorrent:5.1.2": "qbittorrent.Dockerfile",
    "eclipse-mosquitto:2.0.22": "mosquitto.Dockerfile",
}


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
        push_port = free_port()
        (config / "config.yaml").write_text(_config(qbt, broker, push_port), encoding="utf-8")
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
                line = f"127.0.0.1:{push_port}/push/test"
                await wait_for(lambda: _push_installed(client, line), "the push line")
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


async def _push_installed(client: QBittorrentClient, to: str) -> bool:
    """Whether qBittorrent's program slot for added torrents holds the push line to ``to``."""
    return to in str((await client.app_preferences()).get("autorun_on_torrent_added_program"))


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


async def _accepts(host: str, port: int) -> bool:
    """Whether a relayed port reaches a listener: an MQTT CONNECT gets its CONNACK."""
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError:
        return False
    writer.write(bytes([0x10, 12, 0, 4]) + b"MQTT" + bytes([4, 2, 0, 60, 0, 0]))
    try:
        return (await reader.read(2))[:1] == b"\x20"
    except OSError:  # the relay found nothing listening yet
        return False
    finally:
        writer.close()


def _interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's ``${NAME}`` and ``${NAME:?message}`` (a missing one fails, as compose does)."""
    return re.sub(r"\$\{(\w+)(?::\?[^}]*)?\}", lambda m: env[m.group(1)], value)


def _start_order(services: Mapping[str, Any]) -> list[str]:
    order: list[str] = []
    while len(order) < len(services):
        order += [
            name
            for name, service in services.items()
            if name not in order and set(service.get("depends_on", [])) <= set(order)
        ]
    return order


def _volumes(service: Mapping[str, Any], project: Path, owner: int | None) -> dict[Path, str]:
    """Bind mounts relative to the project; a named volume is a folder of its own."""
    mounts: dict[Path, str] = {}
    for spec in service.get("volumes", []):
        source, inside = spec.split(":", 1)
        if source.startswith("."):
            host = project / source
            if not host.exists():
                host.mkdir(parents=True)  # as compose creates a missing bind folder
        else:
            host = project / "volumes" / source
            if not host.exists():
                host.mkdir(parents=True)
                if owner is not None:  # a new named volume takes the image's folder owner
                    os.chown(host, owner, -1)
        mounts[host] = inside
    return mounts


async def test_the_compose_stack_runs_wired_by_service_name_with_push(
    image: Image, tmp_path: Path
) -> None:
    project = tmp_path / "stack"
    shutil.copytree(COMPOSE, project)  # "copy the folder"
    config = project / "config.yaml"
    login = "    password: !env QBT_PASSWORD\n"
    text = config.read_text(encoding="utf-8")
    assert login in text
    # The one change to the example: polls an hour apart, so that what shows came by push.
    hourly = "    fast_interval: 3600\n    full_interval: 3600\n"
    config.write_text(text.replace(login, login + hourly), encoding="utf-8")
    env = {
        "QBT_PASSWORD": secrets.token_urlsafe(12),
        "QBT_BRIDGE_PUSH_SECRET": secrets.token_hex(24),
    }
    (project / ".env").write_text("".join(f"{k}={v}\n" for k, v in env.items()), encoding="utf-8")
    compose = yaml.safe_load((project / "compose.yaml").read_text(encoding="utf-8"))
    services: dict[str, Any] = compose["services"]
    images: dict[str, Image] = {}
    for name, service in services.items():
        if "build" in service:
            assert (COMPOSE / service["build"]).resolve() == ROOT  # the Dockerfile of image()
            images[name] = image
        else:
            stand_in = STAND_INS[service["image"]]
            images[name] = build(f"localhost/stand-in/{name}:test", IMAGES, IMAGES / stand_in)
    # The WebUI password the README asks the user to set in qBittorrent.
    settings = project / "volumes" / "qbittorrent-config" / "qBittorrent" / "qBittorrent.conf"
    settings.parent.mkdir(parents=True)
    password = password_pbkdf2(env["QBT_PASSWORD"])
    settings.write_text(
        "[LegalNotice]\nAccepted=true\n"
        "[BitTorrent]\nSession\\DefaultSavePath=/downloads\n"
        f'[Preferences]\nWebUI\\Username=admin\nWebUI\\Password_PBKDF2="{password}"\n',
        encoding="utf-8",
    )
    with Network(list(services)) as network, contextlib.ExitStack() as stack:
        for name in _start_order(services):
            service = services[name]
            owner = int(images[name].user) if images[name].user.isdigit() else None
            stack.enter_context(
                running(
                    images[name],
                    tmp_path / f"{name}.log",
                    volumes=_volumes(service, project, owner),
                    environment={
                        k: _interpolate(str(v), env)
                        for k, v in (service.get("environment") or {}).items()
                    },
                    enter=network.enter,
                    hosts=network.hosts,
                )
            )
        for port in (8080, 1883):  # the compose file's published ports
            network.publish(port)
        url = f"http://{network.address}:8080"
        await wait_for(lambda: _accepts(network.address, 1883), "Mosquitto to listen")
        async with (
            Probe(1883, host=network.address) as probe,
            QBittorrentClient(url, "admin", env["QBT_PASSWORD"]) as client,
        ):
            await probe.value(f"{PREFIX}/nas/availability", lambda p: p == b"online", "online")

            line = "http://qbt-bridge:8089/push/nas"
            await wait_for(lambda: _push_installed(client, line), "the push line")
            torrent, info_hash = tiny_torrent(tmp_path, "through-the-stack")
            sent = time.monotonic()
            await client.torrents_add(torrent_files=[torrent], paused=True)

            async def added() -> list[bytes]:
                return [
                    raw
                    for raw in probe.on(f"{PREFIX}/nas/events")
                    if json.loads(raw).get("hash") == info_hash
                ]

            await wait_for(added, "the added torrent on MQTT, by push")
            print(f"added in qBittorrent, on MQTT {time.monotonic() - sent:.2f} s later")
    logs = "".join((tmp_path / f"{name}.log").read_text(encoding="utf-8") for name in services)
    assert "Traceback" not in logs
    assert env["QBT_BRIDGE_PUSH_SECRET"] not in logs and env["QBT_PASSWORD"] not in logs
