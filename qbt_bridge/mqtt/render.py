"""What the MQTT front publishes, as plain data: topics, state payloads and discovery configs.

Nothing here does I/O. ``InstanceView`` turns one bridge's store into the retained messages
that should exist on the broker; ``RetainedCache`` remembers what was sent, so only changes go
out, and a message that should no longer exist becomes an empty retained payload (a removal).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from qbt_bridge import __version__
from qbt_bridge.core.models import Torrent
from qbt_bridge.core.redact import redact_text
from qbt_bridge.engine import ALL_CAPABILITIES, Capability
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.catalog import (
    CATEGORY_ENTITIES,
    GLOBAL_ENTITIES,
    TORRENT_ENTITIES,
    CategoryFilter,
    EntityKind,
    EntitySpec,
    NumberSetting,
    TorrentFilter,
    capped,
    category_id,
    category_values,
    global_values,
    matches,
    selected_categories,
    supported,
    torrent_values,
)
from qbt_bridge.engine.events import ANNOUNCED
from qbt_bridge.engine.snapshot import Figures

ONLINE = "online"
OFFLINE = "offline"
PRESS = "PRESS"
SUPPORT_URL = "https://github.com/qbt-bridge/qbt-bridge"
EVENT_KINDS = ANNOUNCED


@dataclass(frozen=True, slots=True)
class Topics:
    """Every topic the front uses, from the state prefix and the discovery prefix."""

    prefix: str
    discovery_prefix: str

    @property
    def bridge_status(self) -> str:
        """``online``/``offline`` of the daemon itself (the last will)."""
        return f"{self.prefix}/bridge/status"

    def availability(self, instance: str) -> str:
        """``online`` while the instance's torrent client answers."""
        return f"{self.prefix}/{instance}/availability"

    def state(self, instance: str, key: str) -> str:
        """One global value."""
        return f"{self.prefix}/{instance}/state/{key}"

    def torrent(self, instance: str, torrent_hash: str) -> str:
        """One torrent's values as a JSON object."""
        return f"{self.prefix}/{instance}/torrent/{torrent_hash}"

    def category(self, instance: str, category: str) -> str:
        """One category's figures as a JSON object (``category``: ``catalog.category_id``)."""
        return f"{self.prefix}/{instance}/category/{category}"

    def events(self, instance: str) -> str:
        """Torrent events (not retained)."""
        return f"{self.prefix}/{instance}/events"

    def command(self, instance: str, name: str) -> str:
        """Where a command is sent."""
        return f"{self.prefix}/{instance}/cmd/{name}"

    @property
    def commands(self) -> str:
        """Subscription for every command of every instance."""
        return f"{self.prefix}/+/cmd/#"

    def reply(self, instance: str) -> str:
        """Answers to commands sent without an MQTT 5 response topic."""
        return f"{self.prefix}/{instance}/reply"

    @property
    def ha_status(self) -> str:
        """Home Assistant's birth and will messages."""
        return f"{self.discovery_prefix}/status"

    def device_config(self, instance: str, object_id: str) -> str:
        """A device-based discovery config (``object_id``: ``server`` or a torrent hash)."""
        return f"{self.discovery_prefix}/device/{node_id(instance)}/{object_id}/config"

    def parse_command(self, topic: str) -> tuple[str, str] | None:
        """``(instance, command)`` of a command topic, or None."""
        head = f"{self.prefix}/"
        if not topic.startswith(head):
            return None
        instance, sep, rest = topic[len(head) :].partition("/cmd/")
        if not sep or "/" in instance or not instance:
            return None
        return instance, rest

    def answer_topic_problem(self, topic: str) -> str | None:
        """Why an MQTT 5 response topic cannot carry an answer, or None when it can.

        A broker takes such a topic from a sender but may drop the connection of whoever
        publishes to it (Mosquitto: more than 200 levels), so it is checked before use.
        """
        problem = None
        if not topic:
            problem = "it is empty"
        elif "+" in topic or "#" in topic or "\0" in topic:
            problem = "it holds a wildcard or a NUL character"
        elif topic.startswith("$"):
            problem = "topics starting with $ are the broker's own"
        elif len(topic.encode("utf-8", errors="replace")) > MAX_TOPIC_BYTES:
            problem = f"it is longer than {MAX_TOPIC_BYTES} bytes"
        elif topic.count("/") + 1 > MAX_TOPIC_LEVELS:
            problem = f"it has more than {MAX_TOPIC_LEVELS} levels"
        elif self.parse_command(topic) is not None:
            problem = "it is one of this bridge's command topics"
        return problem


# What a broker accepts to publish on: MQTT's own length limit and Mosquitto's level limit.
MAX_TOPIC_BYTES = 65_535
MAX_TOPIC_LEVELS = 200


def node_id(instance: str) -> str:
    """The discovery node id (and the prefix of every unique id) of an instance."""
    return f"qbt_bridge_{instance.replace('-', '_')}"


def format_value(value: Any) -> str:
    """A global value as its state payload; ``None`` is Home Assistant's "unknown"."""
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "ON" if value else "OFF"
    if isinstance(value, float):
        return repr(round(value, 4))
    if isinstance(value, datetime):
        return value.isoformat()  # what a timestamp sensor takes
    return str(value)


def to_json(data: Any) -> str:
    """Compact JSON, the same text for the same data."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


# ---------------------------------------------------------------------------- discovery


def _entity_config(entity: EntitySpec, unique_id: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        "platform": entity.platform.value,
        "unique_id": unique_id,
        "name": entity.name,
    }
    optional = {
        "icon": entity.icon,
        "device_class": entity.device_class,
        "state_class": entity.state_class,
        "unit_of_measurement": entity.unit,
        "entity_category": entity.entity_category,
        "suggested_display_precision": entity.suggested_precision,
        "options": list(entity.options) if entity.options else None,
    }
    config.update({k: v for k, v in optional.items() if v is not None})
    if not entity.enabled_by_default:
        config["enabled_by_default"] = False
    return config


def _number_config(number: NumberSetting) -> dict[str, Any]:
    """A number's range, and the command payload its value becomes (scaled, whole)."""
    value = "value | float" if number.scale == 1 else f"value | float * {number.scale}"
    return {
        "min": number.minimum,
        "max": number.maximum,
        "step": number.step,
        "mode": "box",
        "command_template": f'{{"{number.argument}": {{{{ ({value}) | round | int }}}}}}',
    }


def server_discovery(
    topics: Topics,
    instance: str,
    *,
    name: str,
    url: str,
    version: str | None,
    qos: int,
    capabilities: frozenset[Capability] = ALL_CAPABILITIES,
    model: str = "qBittorrent",
) -> dict[str, Any]:
    """The device-based discovery config of one server and the global entities it can have."""
    node = node_id(instance)
    components: dict[str, Any] = {}
    for entity in supported(GLOBAL_ENTITIES, capabilities):
        config = _entity_config(entity, f"{node}_{entity.key}")
        if entity.platform is EntityKind.BUTTON:
            config["command_topic"] = topics.command(instance, entity.command or entity.key)
            config["payload_press"] = PRESS
        else:
            config["state_topic"] = topics.state(instance, entity.key)
        if entity.platform is EntityKind.SWITCH:
            config["command_topic"] = topics.command(instance, entity.command or entity.key)
            config["payload_on"], config["payload_off"] = "ON", "OFF"
        if entity.number is not None:
            config.update(_number_config(entity.number))
            config["command_topic"] = topics.command(instance, entity.command or entity.key)
        components[entity.key] = config
    device: dict[str, Any] = {
        "identifiers": [node],
        "name": name,
        "model": model,
        "configuration_url": url,
    }
    if version:
        device["sw_version"] = version
    return _device_config(topics, instance, device, components, qos)


def _device_config(
    topics: Topics, instance: str, device: dict[str, Any], components: dict[str, Any], qos: int
) -> dict[str, Any]:
    """A device-based discovery payload: available while the daemon and the server are."""
    return {
        "device": device,
        "origin": {"name": "qbt-bridge", "sw_version": __version__, "support_url": SUPPORT_URL},
        "availability": [{"topic": topics.bridge_status}, {"topic": topics.availability(instance)}],
        "availability_mode": "all",
        "qos": qos,
        "components": components,
    }


def _json_components(
    entities: Iterable[EntitySpec], prefix: str, state_topic: str
) -> dict[str, Any]:
    """Entities that read their value from one JSON state topic (a torrent's, a category's)."""
    components: dict[str, Any] = {}
    for entity in entities:
        config = _entity_config(entity, f"{prefix}_{entity.key}")
        config["state_topic"] = state_topic
        # Safe on an empty payload (the topic being removed): "None" is unknown.
        config["value_template"] = (
            f"{{{{ value_json.{entity.key} if value_json is defined else None }}}}"
        )
        components[entity.key] = config
    return components


def torrent_discovery(
    topics: Topics,
    instance: str,
    torrent: Torrent,
    qos: int,
    capabilities: frozenset[Capability] = ALL_CAPABILITIES,
) -> dict[str, Any]:
    """The device-based discovery config of one torrent (a device under its server)."""
    node = node_id(instance)
    prefix = f"{node}_{torrent.hash}"
    components = _json_components(
        supported(TORRENT_ENTITIES, capabilities), prefix, topics.torrent(instance, torrent.hash)
    )
    device = {
        "identifiers": [prefix],
        "name": torrent.name[:100] or torrent.hash,
        "model": "Torrent",
        "via_device": node,
    }
    return _device_config(topics, instance, device, components, qos)


def category_discovery(topics: Topics, instance: str, name: str, qos: int) -> dict[str, Any]:
    """The discovery config of one category's entities (on the server's device)."""
    node, key = node_id(instance), category_id(name)
    components = _json_components(
        CATEGORY_ENTITIES, f"{node}_category_{key}", topics.category(instance, key)
    )
    for entity in CATEGORY_ENTITIES:
        components[entity.key]["name"] = entity.name.format(category=name)
    return _device_config(topics, instance, {"identifiers": [node]}, components, qos)


def torrent_state(torrent: Torrent) -> dict[str, Any]:
    """A torrent's state topic payload: every per-torrent entity plus what identifies it."""
    return {
        **torrent_values(torrent),
        "hash": torrent.hash,
        "name": torrent.name,
        "save_path": torrent.save_path,
    }


# ---------------------------------------------------------------------------- selection


class RetainedCache:
    """What the broker holds from us, so that only differences are published.

    Only a digest of each payload is kept: at thousands of torrents the discovery configs
    alone would otherwise hold tens of megabytes.
    """

    def __init__(self) -> None:
        self.sent: dict[str, bytes] = {}

    def change(self, topic: str, payload: str | None) -> tuple[str, str] | None:
        """The message that makes the broker hold ``payload`` on ``topic``, if one is needed.

        ``None`` means the topic should not exist: an empty payload removes what we sent.
        """
        if payload is None:
            return (topic, "") if topic in self.sent else None
        if self.sent.get(topic) == _digest(payload):
            return None
        return topic, payload

    def mark(self, topic: str, payload: str) -> None:
        """Record a message as delivered to the broker."""
        if payload:
            self.sent[topic] = _digest(payload)
        else:
            self.sent.pop(topic, None)

    def clear(self) -> None:
        """Forget everything (a new connection, or a broker that lost its retained messages)."""
        self.sent.clear()


def _digest(payload: str) -> bytes:
    return hashlib.blake2b(payload.encode(), digest_size=12).digest()


class InstanceView:
    """The retained messages one bridge should have on the broker, updated incrementally."""

    def __init__(
        self,
        bridge: Bridge,
        topics: Topics,
        *,
        name: str,
        rule: TorrentFilter,
        categories: CategoryFilter | None = None,
        discovery: bool,
        qos: int,
    ) -> None:
        self.bridge = bridge
        self.instance = bridge.instance_id
        self.topics = topics
        self.name = name
        self.rule = rule
        self.categories = categories or CategoryFilter()
        self._categories_shown: set[str] = set()  # category ids with topics now
        self.discovery = discovery
        self.qos = qos
        self.version: str | None = None
        self.cache = RetainedCache()
        self._generation = -1
        self._matching: set[str] = set()
        self.selected: set[str] = set()

    def reset(self) -> None:
        """Publish everything again on the next ``messages()``."""
        self.cache.clear()
        self._generation = -1

    def messages(self) -> Iterator[tuple[str, str]]:
        """Retained messages to publish now: availability, global state, torrents, discovery.

        Rendered one at a time as they are consumed, so a first publish of thousands of
        torrents never holds all their payloads at once.
        """
        for topic, payload in self._wanted():
            message = self.cache.change(topic, redact_text(payload) if payload else payload)
            if message is not None:
                yield message

    def _wanted(self) -> Iterator[tuple[str, str | None]]:
        bridge = self.bridge
        yield self.topics.availability(self.instance), ONLINE if bridge.available else OFFLINE
        if self.discovery and bridge.connected:
            yield (
                self.topics.device_config(self.instance, "server"),
                to_json(
                    server_discovery(
                        self.topics,
                        self.instance,
                        name=self.name,
                        url=bridge.url,
                        version=self.version,
                        qos=self.qos,
                        capabilities=bridge.capabilities,
                        model=bridge.client.product.split(" ")[0],
                    )
                ),
            )
        if not bridge.store.initialised:
            return
        for key, value in global_values(bridge.store, bridge.capabilities).items():
            yield self.topics.state(self.instance, key), format_value(value)
        if self.rule.enabled:
            yield from self._torrent_messages()
        if self.categories.enabled or self._categories_shown:
            yield from self._category_messages()

    def _category_messages(self) -> Iterator[tuple[str, str | None]]:
        """Each selected category's figures (and entities); the topics of those gone, emptied."""
        store = self.bridge.store
        names = {category_id(n): n for n in selected_categories(store, self.categories)}
        for gone in sorted(self._categories_shown - set(names)):
            if self.discovery:  # the entities first, as for torrents
                yield self.topics.device_config(self.instance, f"category_{gone}"), None
            yield self.topics.category(self.instance, gone), None
        figures = store.by_category() if names else {}
        for key, name in names.items():
            values = {**category_values(figures.get(name, Figures())), "name": name}
            yield self.topics.category(self.instance, key), to_json(values)
            if self.discovery:
                config = category_discovery(self.topics, self.instance, name, self.qos)
                yield self.topics.device_config(self.instance, f"category_{key}"), to_json(config)
        self._categories_shown = set(names)

    def _torrent_messages(self) -> Iterator[tuple[str, str | None]]:
        bridge = self.bridge
        store = bridge.store
        first = self._generation < 0
        if first:
            changed = store.hashes() + [h for h in self.selected if h not in store]
        else:
            changed = store.changed_since(self._generation)
        self._generation = store.generation
        membership_moved = False
        for torrent_hash in changed:
            hit = torrent_hash in store and matches(store, torrent_hash, self.rule)
            if hit != (torrent_hash in self._matching):
                membership_moved = True
                (self._matching.add if hit else self._matching.discard)(torrent_hash)
        before = self.selected
        if membership_moved or first:
            self.selected = self._select()
        for torrent_hash in set(changed) | (before ^ self.selected):
            state_topic = self.topics.torrent(self.instance, torrent_hash)
            config_topic = self.topics.device_config(self.instance, torrent_hash)
            torrent = store.torrent(torrent_hash) if torrent_hash in self.selected else None
            if torrent is None:
                # The entities go first: Home Assistant would otherwise render their templates
                # on the emptied state topic (an error line per entity).
                if self.discovery:
                    yield config_topic, None
                yield state_topic, None
                continue
            yield state_topic, to_json(torrent_state(torrent))
            if self.discovery:
                yield (
                    config_topic,
                    to_json(
                        torrent_discovery(
                            self.topics, self.instance, torrent, self.qos, bridge.capabilities
                        )
                    ),
                )

    def _select(self) -> set[str]:
        """The matching torrents within the cap, in the rule's order."""
        return set(capped(self.bridge.store, self._matching, self.rule))

    def owns(self, topic: str) -> bool:
        """Whether a retained topic is one of this instance's per-torrent topics."""
        return topic.startswith(
            (
                self.topics.torrent(self.instance, ""),
                self.topics.category(self.instance, ""),
                self.topics.device_config(self.instance, "").removesuffix("/config"),
            )
        )

    def stale(self, topic: str) -> bool:
        """Whether a retained message found on the broker is ours but no longer wanted."""
        return self.bridge.store.initialised and self.owns(topic) and topic not in self.cache.sent
