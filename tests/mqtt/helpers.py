"""Helpers of the mqtt tests (their fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any, Self

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from qbt_bridge.daemon.config import Config, parse_config
from qbt_bridge.daemon.demo import LocalQBittorrent
from qbt_bridge.daemon.process import Daemon
from tests.helpers import wait_for

PREFIX = "qbt-bridge"


def make_config(qbt: LocalQBittorrent, port: int, tmp_path: Path, **mqtt: Any) -> Config:
    """A daemon config for one instance ``test`` on ``qbt`` and a broker on ``port``."""
    return parse_config(
        {
            "instances": [
                {
                    "id": "test",
                    "url": qbt.url,
                    "username": qbt.username,
                    "password": qbt.password,
                    "fast_interval": 1,
                }
            ],
            "mqtt": {"host": "127.0.0.1", "port": port, **mqtt},
            "state_dir": str(tmp_path / "state"),
        }
    )


class Running:
    """A daemon running in the test's event loop."""

    def __init__(self, daemon: Daemon) -> None:
        self.daemon = daemon
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(daemon.run(self.stop))

    @property
    def front(self) -> Any:
        assert self.daemon.mqtt is not None
        return self.daemon.mqtt

    @property
    def bridge(self) -> Any:
        return self.daemon.bridges[0]

    async def connected(self) -> None:
        await wait_for(self._is_connected, "the daemon to connect to the broker")

    async def _is_connected(self) -> bool:
        if self.task.done():
            self.task.result()  # raise what killed it
        return self.front.connected.is_set()

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 30)


@contextlib.asynccontextmanager
async def running(config: Config) -> AsyncIterator[Running]:
    """Run a daemon for the block; it must still be alive at the end (then it is stopped)."""
    run = Running(Daemon(config))
    try:
        yield run
        assert not run.task.done(), "the daemon stopped on its own"
    finally:
        await run.close()


class Probe:
    """A test's own MQTT client: records every message, sends commands, waits for answers."""

    def __init__(
        self, port: int, *, v5: bool = True, host: str = "127.0.0.1", **kwargs: Any
    ) -> None:
        protocol = aiomqtt.ProtocolVersion.V5 if v5 else aiomqtt.ProtocolVersion.V311
        self.client = aiomqtt.Client(host, port, protocol=protocol, **kwargs)
        self.messages: list[aiomqtt.Message] = []
        self.retained: dict[str, bytes] = {}
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        await self.client.__aenter__()
        await self.client.subscribe("#", qos=1)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._reader is not None
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, aiomqtt.MqttError):
            await self._reader
        with contextlib.suppress(aiomqtt.MqttError):
            await self.client.__aexit__(None, None, None)

    async def _read(self) -> None:
        with contextlib.suppress(aiomqtt.MqttError):
            async for message in self.client.messages:
                self.messages.append(message)
                payload = bytes(message.payload)  # type: ignore[arg-type]
                self.retained[str(message.topic)] = payload

    def on(self, topic: str) -> list[bytes]:
        return [bytes(m.payload) for m in self.messages if str(m.topic) == topic]  # type: ignore[arg-type]

    async def value(self, topic: str, check: Any = bool, what: str = "") -> bytes:
        """Wait until the latest payload on ``topic`` satisfies ``check``."""

        async def probe() -> list[bytes] | None:
            payload = self.retained.get(topic)
            return [payload] if payload is not None and check(payload) else None

        return (await wait_for(probe, what or f"a message on {topic}"))[0]

    async def json(self, topic: str, check: Any = lambda _d: True) -> Any:
        raw = await self.value(
            topic, lambda p: bool(p) and check(json.loads(p)), f"JSON on {topic}"
        )
        return json.loads(raw)

    async def command(
        self, name: str, payload: str | bytes = "", instance: str = "test"
    ) -> dict[str, Any]:
        """Send a command with an MQTT 5 response topic and wait for its answer."""
        return await (await self.send(name, payload, instance))

    async def send(
        self, name: str, payload: str | bytes = "", instance: str = "test"
    ) -> Awaitable[dict[str, Any]]:
        """Send a command with an MQTT 5 response topic; the result waits for its answer."""
        correlation = uuid.uuid4().bytes
        reply_to = f"probe/{uuid.uuid4().hex}"
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic = reply_to
        properties.CorrelationData = correlation
        await self.client.publish(
            f"{PREFIX}/{instance}/cmd/{name}", payload, qos=1, properties=properties
        )

        async def answer() -> dict[str, Any] | None:
            for message in self.messages:
                if str(message.topic) == reply_to:
                    assert message.properties is not None
                    assert message.properties.CorrelationData == correlation
                    return json.loads(bytes(message.payload))  # type: ignore[arg-type]
            return None

        return wait_for(answer, f"the answer to {name}")
