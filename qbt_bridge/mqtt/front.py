"""The MQTT front: one broker connection for every instance, kept up with back-off.

On each (re)connection it subscribes, announces itself (``bridge/status`` with a last will),
publishes discovery and every retained state afresh (a restarted broker may have lost them),
then publishes only what changed after each refresh. Commands run concurrently and every one
gets an answer; answers and events wait in an outbox while the broker is away.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
import ssl
import time
from collections import deque
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from qbt_bridge.api.answers import error_reply
from qbt_bridge.api.commands import INSTANCES
from qbt_bridge.api.parse import Request, execute, execute_across, parse_payload, request_id_of
from qbt_bridge.core.errors import InvalidRequestError, NotFoundError, QbtBridgeError
from qbt_bridge.core.redact import redact_text
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.events import Event
from qbt_bridge.mqtt.render import EVENT_KINDS, OFFLINE, ONLINE, InstanceView, Topics, to_json
from qbt_bridge.mqtt.settings import MqttConfig

_LOGGER = logging.getLogger(__name__)

INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 60.0
OUTBOX_LIMIT = 10_000  # answers and events kept while the broker is away
# A message whose publishing lost the connection this often is dropped: one the broker refuses
# must not block every answer behind it.
MAX_ATTEMPTS = 3


@dataclass(slots=True)
class Outgoing:
    """A non-retained message waiting for the broker: an answer or an event."""

    topic: str
    payload: bytes
    correlation: bytes | None = None
    attempts: int = 0


class MqttFront:
    """Publishes the bridges' state to MQTT and runs the commands sent to it."""

    def __init__(self, settings: MqttConfig, instances: Sequence[tuple[Bridge, str]]) -> None:
        """``instances``: each bridge with the name its device shows."""
        self.settings = settings
        self.topics = Topics(settings.prefix, settings.discovery_prefix)
        self.bridges = {bridge.instance_id: bridge for bridge, _name in instances}
        self.views = {
            bridge.instance_id: InstanceView(
                bridge,
                self.topics,
                name=name,
                rule=settings.torrents,
                categories=settings.categories,
                discovery=settings.discovery,
                qos=settings.qos,
            )
            for bridge, name in instances
        }
        self.connected = asyncio.Event()
        self.connections = 0
        self._dirty = asyncio.Event()
        # The instances whose state to publish again: a refresh of one leaves the others' be
        # (each view walks its whole library to say what changed).
        self._changed: set[str] = set()
        self._outbox: deque[Outgoing] = deque()
        self._outbox_ready = asyncio.Event()
        self._stale: set[str] = set()
        # One instance's commands run one at a time, in the order they arrived: a pause sent
        # right after an add finds the torrent. Instances do not wait for each other.
        self._order = {instance: asyncio.Lock() for instance in self.bridges}
        self._tasks: set[asyncio.Task[None]] = set()
        self._down_since: float | None = None
        self.backoff = INITIAL_BACKOFF  # seconds before the next connection attempt
        for bridge in self.bridges.values():
            bridge.add_listener(self._on_event)
            bridge.add_refresh_listener(functools.partial(self._changed_state, bridge.instance_id))

    # ------------------------------------------------------------------ connection

    def _client(self) -> aiomqtt.Client:
        s = self.settings
        protocol = aiomqtt.ProtocolVersion.V5 if s.protocol == "5" else aiomqtt.ProtocolVersion.V311
        return aiomqtt.Client(
            s.host,
            s.port,
            username=s.username,
            password=s.password,
            identifier=s.client_id,
            protocol=protocol,
            keepalive=s.keepalive,
            will=aiomqtt.Will(self.topics.bridge_status, OFFLINE, s.qos, retain=True),
            tls_context=self._tls_context(),
            tls_insecure=bool(s.tls and s.tls.insecure) if s.tls else None,
            timeout=10,
            # Without it a reply that follows a PUBACK waits for the broker's delayed ACK
            # (Nagle): about 40 ms more per command, measured by bench/mqtt_front.py.
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        )

    def _tls_context(self) -> ssl.SSLContext | None:
        tls = self.settings.tls
        if tls is None:
            return None
        context = ssl.create_default_context(cafile=str(tls.ca_file) if tls.ca_file else None)
        if tls.ca_file:
            # A home-made CA (e.g. made with the commands in Mosquitto's docs) often lacks the
            # key-usage extensions Python's strict mode wants; the chain and host are still checked.
            context.verify_flags &= ~ssl.VERIFY_X509_STRICT
        if tls.cert_file and tls.key_file:
            context.load_cert_chain(str(tls.cert_file), str(tls.key_file))
        if tls.insecure:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the user's explicit opt-out (tls.insecure)
        return context

    async def run(self, stop: asyncio.Event) -> None:
        """Stay connected until ``stop`` is set; reconnect with back-off when the broker goes."""
        while not stop.is_set():
            connections = self.connections
            try:
                await self._session(stop)
            except aiomqtt.MqttError as err:
                self._went_down(err)
            finally:
                self.connected.clear()
            if self.connections != connections:
                # That connection lived: a broker back from a short restart is tried at once
                # again, not after the back-off of an earlier outage.
                self.backoff = INITIAL_BACKOFF
            if stop.is_set():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.backoff)
            self.backoff = min(self.backoff * 2, MAX_BACKOFF)
        await self._drain_commands()

    def _went_down(self, err: aiomqtt.MqttError) -> None:
        if self._down_since is None:
            self._down_since = time.monotonic()
            _LOGGER.warning(
                "MQTT broker %s:%s unavailable: %s (retrying with back-off)",
                self.settings.host,
                self.settings.port,
                err,
            )
        else:
            _LOGGER.debug("MQTT connect failed again: %s", err)

    async def _session(self, stop: asyncio.Event) -> None:
        qos = self.settings.qos
        async with self._client() as client:
            await client.subscribe(self.topics.commands, qos)
            await client.subscribe(self.topics.ha_status, qos)
            for view in self.views.values():
                # Retained per-torrent topics from an earlier run: cleared if no longer wanted.
                await client.subscribe(self.topics.torrent(view.instance, "+"), qos)
                await client.subscribe(self.topics.device_config(view.instance, "+"), qos)
                view.reset()
            await client.publish(self.topics.bridge_status, ONLINE, qos, retain=True)
            self.connections += 1
            if self._down_since is not None:
                _LOGGER.info("MQTT broker is back; republishing state")
            self._down_since = None
            _LOGGER.info("connected to MQTT broker %s:%s", self.settings.host, self.settings.port)
            self.connected.set()
            self._changed_state(*self.views)
            self._outbox_ready.set()
            await self._serve(client, stop)

    async def _serve(self, client: aiomqtt.Client, stop: asyncio.Event) -> None:
        jobs: list[Coroutine[Any, Any, None]] = [
            self._receive(client),
            self._publish_state(client),
            self._send_outbox(client),
        ]
        tasks = [asyncio.create_task(job) for job in jobs]
        stopper = asyncio.create_task(stop.wait())
        try:
            done, _pending = await asyncio.wait(
                [*tasks, stopper], return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for task in [*tasks, stopper]:
                task.cancel()
            await asyncio.gather(*tasks, stopper, return_exceptions=True)
        for task in done:
            if task is not stopper and (error := task.exception()) is not None:
                raise error
        if stop.is_set():
            await self._goodbye(client)

    async def _goodbye(self, client: aiomqtt.Client) -> None:
        """A clean shutdown: answer what is queued, then mark everything offline."""
        await self._drain_commands()
        with contextlib.suppress(aiomqtt.MqttError):
            await self._flush_outbox(client)
            for view in self.views.values():
                await client.publish(
                    self.topics.availability(view.instance), OFFLINE, self.settings.qos, retain=True
                )
            await client.publish(self.topics.bridge_status, OFFLINE, self.settings.qos, retain=True)

    # ------------------------------------------------------------------ state

    def _changed_state(self, *instances: str) -> None:
        """These instances' state may have moved: publish what changed (and clear stale)."""
        self._changed.update(instances)
        self._dirty.set()

    async def _publish_state(self, client: aiomqtt.Client) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            changed, self._changed = self._changed, set()
            for view in [v for instance, v in self.views.items() if instance in changed]:
                await self._learn_version(view)
                for topic, payload in view.messages():
                    await client.publish(topic, payload, self.settings.qos, retain=True)
                    view.cache.mark(topic, payload)
            await self._clear_stale(client)

    async def _learn_version(self, view: InstanceView) -> None:
        if view.version is None and view.bridge.available:
            with contextlib.suppress(QbtBridgeError):
                view.version = str(await view.bridge.client.version())

    async def _clear_stale(self, client: aiomqtt.Client) -> None:
        """Remove retained per-torrent messages of torrents that left (also while we were away)."""
        # Discovery configs before state topics, for the same reason as in InstanceView.
        for topic in sorted(self._stale, key=lambda t: not t.endswith("/config")):
            view = next((v for v in self.views.values() if v.owns(topic)), None)
            if view is None:
                self._stale.discard(topic)
                continue
            if not view.bridge.store.initialised:
                continue  # the selection is not known yet
            self._stale.discard(topic)
            if view.stale(topic):
                _LOGGER.debug("removing retained %s (no longer published)", topic)
                await client.publish(topic, b"", self.settings.qos, retain=True)

    # ------------------------------------------------------------------ events and answers

    def _on_event(self, event: Event) -> None:
        if event.kind.value not in EVENT_KINDS:
            return
        payload = {**event.as_dict(), "time": int(time.time())}
        self._queue(Outgoing(self.topics.events(event.instance_id), _encode(payload)))

    def _queue(self, item: Outgoing) -> None:
        if len(self._outbox) >= OUTBOX_LIMIT:
            dropped = self._outbox.popleft()
            _LOGGER.warning("MQTT outbox full; dropped the oldest message for %s", dropped.topic)
        self._outbox.append(item)
        self._outbox_ready.set()

    async def _send_outbox(self, client: aiomqtt.Client) -> None:
        while True:
            await self._outbox_ready.wait()
            self._outbox_ready.clear()
            await self._flush_outbox(client)

    async def _flush_outbox(self, client: aiomqtt.Client) -> None:
        while self._outbox:
            item = self._outbox[0]
            if item.attempts >= MAX_ATTEMPTS:
                self._outbox.popleft()
                _LOGGER.warning(
                    "MQTT broker dropped the connection on each of %d tries to publish to %s; "
                    "that message is dropped",
                    item.attempts,
                    item.topic[:120],
                )
                continue
            properties = None
            if item.correlation is not None:
                properties = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
                properties.CorrelationData = item.correlation
            item.attempts += 1
            try:
                await client.publish(
                    item.topic, item.payload, self.settings.qos, properties=properties
                )
            except (ValueError, TypeError) as err:  # refused by paho before it left
                _LOGGER.warning("MQTT message for %s not sendable (%s); dropped", item.topic, err)
            self._outbox.popleft()  # only once the broker took it (or it can never be sent)

    # ------------------------------------------------------------------ commands

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            topic = str(message.topic)
            if topic == self.topics.ha_status:
                if bytes(_payload(message)).strip().lower() == b"online":
                    _LOGGER.info("Home Assistant came online; republishing discovery and state")
                    for view in self.views.values():
                        view.reset()
                    self._changed_state(*self.views)
                continue
            target = self.topics.parse_command(topic)
            if target is not None:
                task = asyncio.create_task(self._command(*target, message))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            elif message.retain and _payload(message):
                self._stale.add(topic)
                self._dirty.set()

    async def _command(self, instance: str, name: str, message: aiomqtt.Message) -> None:
        payload = _payload(message)
        response_topic, correlation = _response_properties(message)
        answer: dict[str, Any] = {"instance": instance, "command": name}
        problem = (
            None if response_topic is None else self.topics.answer_topic_problem(response_topic)
        )
        try:
            if problem is not None:
                response_topic = None
                raise InvalidRequestError(  # noqa: TRY301 - answered like any refusal
                    f"the response topic cannot carry an answer ({problem}); "
                    "nothing was done, answering here instead"
                )
            self._bridge(instance)
            request = parse_payload(name, payload)
            answer["request_id"] = request.request_id
            if INSTANCES in request.args:  # add on several servers: one answer each
                result = await execute_across(self.bridges, request, self._run)
            else:
                result = await self._run(instance, request)
            answer.update(ok=True, result=result)
        except QbtBridgeError as err:
            _LOGGER.warning("MQTT command %s for %s refused: %s", name[:60], instance, err)
            answer.update(ok=False, error=error_reply(err))
        except Exception as err:
            _LOGGER.exception("MQTT command %s for %s failed", name[:60], instance)
            answer.update(ok=False, error=error_reply(err))
        if answer.get("request_id") is None:
            answer["request_id"] = request_id_of(payload)
        topic = response_topic or self.topics.reply(instance)
        self._queue(Outgoing(topic, _encode(answer), correlation))

    async def _run(self, instance: str, request: Request) -> Any:
        """One command on one server, after the commands sent to it before (in order)."""
        async with self._order[instance]:
            return await execute(self._bridge(instance), request)

    def _bridge(self, instance: str) -> Bridge:
        bridge = self.bridges.get(instance)
        if bridge is None:
            known = ", ".join(sorted(self.bridges))
            raise NotFoundError(f"no instance {instance!r} (known: {known})")
        return bridge

    async def _drain_commands(self) -> None:
        """Let running commands finish (their answers go to the outbox)."""
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


def _encode(data: dict[str, Any]) -> bytes:
    """An answer or event as UTF-8 JSON.

    One that holds text that cannot be encoded (a lone surrogate that slipped through) becomes a
    plain refusal instead of ending the session.
    """
    try:
        return redact_text(to_json(data)).encode("utf-8")
    except UnicodeEncodeError:
        _LOGGER.warning("an MQTT answer held text that is not valid Unicode; sent a refusal")
        refusal = {
            "instance": data.get("instance"),
            "command": data.get("command"),
            "request_id": None,
            "ok": False,
            "error": {
                "code": "invalid_request",
                "message": "the request held text that is not valid Unicode",
            },
        }
        return to_json(refusal).encode("utf-8", errors="replace")


def _payload(message: aiomqtt.Message) -> bytes:
    payload = message.payload
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    if payload is None:
        return b""
    return str(payload).encode()


def _response_properties(message: aiomqtt.Message) -> tuple[str | None, bytes | None]:
    """MQTT 5 response topic and correlation data, when the sender gave them."""
    properties = message.properties
    if properties is None:
        return None, None
    topic = getattr(properties, "ResponseTopic", None)
    correlation = getattr(properties, "CorrelationData", None)
    return topic, bytes(correlation) if correlation is not None else None
