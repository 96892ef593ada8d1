"""The MQTT front's settings (the daemon's YAML config fills them in)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import voluptuous as vol

from qbt_bridge.core.settings import TEXT, integer, setting
from qbt_bridge.engine.catalog import CategoryFilter, TorrentFilter

_TOPIC_LEVEL = re.compile(r"^[^#+\x00]+$")


def _topic_prefix(value: Any) -> str:
    if not isinstance(value, str) or not value or not _TOPIC_LEVEL.match(value):
        raise vol.Invalid("expected a topic without '#', '+' or NUL")
    if value.startswith("/") or value.endswith("/"):
        raise vol.Invalid("a topic prefix neither starts nor ends with '/'")
    return value


def _protocol(value: Any) -> str:
    text = str(value).strip()
    if text in {"5", "5.0"}:
        return "5"
    if text in {"3.1.1", "311", "4"}:
        return "3.1.1"
    raise vol.Invalid("expected 5 or 3.1.1")


@dataclass(frozen=True, slots=True, kw_only=True)
class TLSConfig:
    """TLS towards the broker."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    insecure: bool = False  # skip certificate and host name checks


@dataclass(frozen=True, slots=True, kw_only=True)
class MqttConfig:
    """The MQTT front."""

    host: str = setting(default="127.0.0.1", help="the broker's host name or address", check=TEXT)
    port: int  # 1883, or 8883 with TLS, unless the YAML says
    username: str | None = setting(default=None, help="broker user name", check=TEXT)
    password: str | None = setting(default=None, help="broker password (or !env / !file)")
    client_id: str | None = setting(
        default=None,
        help="MQTT client id (default: the broker gives one)",
        check=vol.Length(min=1, max=128),
    )
    protocol: str = setting(default="5", help="MQTT version: 5 or 3.1.1", check=_protocol)
    keepalive: int = setting(
        default=60, help="seconds between keep-alive pings", check=integer, minimum=5, maximum=3600
    )
    qos: int = setting(
        default=1, help="QoS of what is published", check=vol.All(integer, vol.In([0, 1, 2]))
    )
    prefix: str = setting(
        default="qbt-bridge", help="the first level of every topic", check=_topic_prefix
    )
    tls: TLSConfig | None = None
    discovery: bool = setting(default=True, help="publish Home Assistant discovery", check=bool)
    discovery_prefix: str = setting(
        default="homeassistant", help="Home Assistant's discovery prefix", check=_topic_prefix
    )
    torrents: TorrentFilter = field(default_factory=TorrentFilter)
    categories: CategoryFilter = field(default_factory=CategoryFilter)

    def secrets(self) -> list[str]:
        """The values that must never reach a log."""
        return [self.password] if self.password else []
