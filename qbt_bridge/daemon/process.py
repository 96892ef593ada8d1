"""The long-running process: one bridge per configured instance, and the fronts around them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from qbt_bridge.core.errors import NotSupportedError, QbtBridgeError
from qbt_bridge.core.redact import install_secret_filter, remove_secret_filter
from qbt_bridge.daemon.config import Config, InstanceConfig
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.factory import ServerSettings, make_bridge
from qbt_bridge.engine.push import (
    PushConfig,
    PushReceiver,
    PushTarget,
    install_push,
    push_installed,
    push_line,
)
from qbt_bridge.engine.refresh import MAX_BACKOFF

if TYPE_CHECKING:
    from qbt_bridge.daemon.metrics import MetricsServer
    from qbt_bridge.mqtt import MqttFront
    from qbt_bridge.telegram import TelegramFront


_LOGGER = logging.getLogger(__name__)
HEALTH_FILE = "health.json"  # in the state folder, rewritten every HEALTH_EVERY seconds
HEALTH_EVERY = 15.0


def server_settings(instance: InstanceConfig, config: Config) -> ServerSettings:
    """The engine's settings for one configured instance (``make_bridge`` builds from them).

    Push is served only with a push: section; it is confirmed by the first push or by
    qBittorrent's program slots holding the line (without one, sweeps stay at full_interval).
    """
    server = instance.server
    policy = server.policy if config.push else replace(server.policy, push_full_interval=None)
    return replace(
        server, policy=policy, ledger_path=config.state_dir / f"{instance.id}.completed.json"
    )


@dataclass
class Daemon:
    """Everything ``qbt-bridge run`` runs, built from a validated Config."""

    config: Config
    bridges: list[Bridge] = field(init=False)
    mqtt: MqttFront | None = field(init=False, default=None)
    telegram: TelegramFront | None = field(init=False, default=None)
    push: PushReceiver | None = field(init=False, default=None)
    metrics: MetricsServer | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.config.state_dir.mkdir(parents=True, exist_ok=True)
        self.bridges = [make_bridge(server_settings(i, self.config)) for i in self.config.instances]
        names = {i.id: i.name for i in self.config.instances}
        if self.config.mqtt is not None:
            # Imported only when used, as the bot below: aiomqtt and paho.
            from qbt_bridge.mqtt import MqttFront  # noqa: PLC0415

            named = [(bridge, names[bridge.instance_id]) for bridge in self.bridges]
            self.mqtt = MqttFront(self.config.mqtt, named)
        if self.config.telegram is not None:
            # Imported only when used: python-telegram-bot and httpx add ~15 MiB to the daemon.
            from qbt_bridge.telegram import TelegramFront  # noqa: PLC0415

            self.telegram = TelegramFront(
                self.config.telegram, self.bridges, names, self.config.state_dir
            )
        if self.config.push is not None:
            forward = {i.id: i.qbit_manage_on_push for i in self.config.instances}
            targets = {b.instance_id: PushTarget(b, forward[b.instance_id]) for b in self.bridges}
            push = self.config.push
            self.push = PushReceiver(targets, push.listen, push.port, push.secret)
        if self.config.metrics is not None:
            # Imported only when used, as the fronts: prometheus_client serves /metrics.
            from qbt_bridge.daemon.metrics import MetricsServer  # noqa: PLC0415

            self.metrics = MetricsServer(self.bridges, self.config.metrics)

    def push_url(self, instance: str) -> str:
        """The URL qBittorrent posts an instance's pushes to."""
        assert self.push is not None  # noqa: S101
        assert self.config.push is not None  # noqa: S101
        return self.push.url(instance, self.config.push.url)

    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set; then say goodbye on every front and close the clients."""
        async with contextlib.AsyncExitStack() as stack:
            # Configured secrets and URL secrets leave no log line of the process.
            stack.callback(remove_secret_filter, install_secret_filter(self.config.secrets()))
            for bridge in self.bridges:
                stack.push_async_callback(bridge.close)
            names = ", ".join(f"{i.id} ({i.server.url})" for i in self.config.instances)
            _LOGGER.info("serving %s", names)
            if self.push is not None:
                await self.push.start()  # a port in use ends the start here, with its error
                stack.push_async_callback(self.push.stop)
            if self.metrics is not None:
                await self.metrics.start()  # as the push endpoint: a port in use ends the start
                stack.push_async_callback(self.metrics.stop)
            stack.callback(self._health_path().unlink, missing_ok=True)
            async with asyncio.TaskGroup() as group:
                group.create_task(self._keep_health(stop))
                if self.push is not None and self.config.push is not None:
                    for bridge in self.bridges:
                        group.create_task(self._push_setup(bridge, self.config.push, stop))
                for bridge in self.bridges:
                    group.create_task(bridge.run(stop))
                if self.mqtt is not None:
                    group.create_task(self.mqtt.run(stop))
                if self.telegram is not None:
                    group.create_task(self.telegram.run(stop))

    def _health_path(self) -> Path:
        return self.config.state_dir / HEALTH_FILE

    def health(self) -> dict[str, object]:
        """What ``qbt-bridge health`` reads: the daemon's own state, and each server's."""
        return {
            "time": time.time(),
            "pid": os.getpid(),
            "instances": {b.instance_id: b.available for b in self.bridges},
            "mqtt": None if self.mqtt is None else self.mqtt.connected.is_set(),
            "push": None if self.push is None else self.push.port,
            "metrics": None if self.metrics is None else self.metrics.port,
        }

    async def _keep_health(self, stop: asyncio.Event) -> None:
        """Rewrite the health file while the loop turns (a stuck daemon leaves it to age)."""
        path = self._health_path()
        failing = False  # a folder that cannot be written is said once, not every 15 s
        while not stop.is_set():
            part = path.with_suffix(".tmp")
            try:
                part.write_text(json.dumps(self.health()), encoding="utf-8")
                part.replace(path)
            except OSError as err:
                if not failing:
                    _LOGGER.warning("cannot write %s: %s", path, err.strerror)
                failing = True
            else:
                failing = False
            await self._until_next_health(stop)

    async def _until_next_health(self, stop: asyncio.Event) -> None:
        """Wait HEALTH_EVERY seconds, less on a stop or when MQTT connects.

        A connection is written at once, not up to 15 s later, so that a health check right
        after the start sees it.
        """
        waiters = {asyncio.ensure_future(stop.wait())}
        if self.mqtt is not None and not self.mqtt.connected.is_set():
            waiters.add(asyncio.ensure_future(self.mqtt.connected.wait()))
        try:
            await asyncio.wait(waiters, timeout=HEALTH_EVERY, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def _push_setup(self, bridge: Bridge, push: PushConfig, stop: asyncio.Event) -> None:
        """Once qBittorrent answers: set the push line when asked, else see whether it is set.

        Either way the engine learns whether push works (then it sweeps rarely).
        """
        url = self.push_url(bridge.instance_id)
        delay = 1.0
        while not stop.is_set():
            try:
                if push.install:
                    setup = await install_push(bridge, push_line(url, push.secret), url)
                    level = logging.WARNING if setup.left else logging.INFO
                    _LOGGER.log(level, "%s", setup.message(bridge.instance_id))
                elif not await push_installed(bridge, url):
                    _LOGGER.info(
                        "%s: qBittorrent does not run the push line (to %s) on add and on finish "
                        "yet; `qbt-bridge push-line` prints it, or set push.install",
                        bridge.instance_id,
                        url,
                    )
            except NotSupportedError as err:
                _LOGGER.warning("%s: no push: %s", bridge.instance_id, err)
            except QbtBridgeError:
                # Down or still starting: the refresh loop reports that; look again later.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, MAX_BACKOFF)
                continue
            return


def check_health(state_dir: Path, max_age: float = 4 * HEALTH_EVERY) -> tuple[bool, str]:
    """Whether a running daemon keeps its health file fresh, and its MQTT connection up.

    A server that is down is reported, not counted: that is qBittorrent's health, not ours.
    """
    path = state_dir / HEALTH_FILE
    try:
        health = json.loads(path.read_text(encoding="utf-8"))
        age = time.time() - float(health["time"])
    except (OSError, ValueError, KeyError, TypeError):
        return False, f"no daemon health in {path} (not running, or another state_dir)"
    servers = ", ".join(
        f"{name} {'up' if up else 'down'}" for name, up in dict(health["instances"]).items()
    )
    if age > max_age:
        return False, f"stale: the daemon last wrote {path} {age:.0f} s ago ({servers})"
    if health.get("mqtt") is False:
        return False, f"the MQTT broker is not connected ({servers})"
    mqtt = "" if health.get("mqtt") is None else ", MQTT connected"
    return True, f"ok ({servers}{mqtt})"
