"""The MQTT front's settings (the daemon's YAML config fills them in)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qbt_bridge.engine.catalog import TorrentFilter

DEFAULT_PREFIX = "qbt-bridge"
DEFAULT_DISCOVERY_PREFIX = "homeassistant"


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

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    client_id: str | None = None
    protocol: str = "5"
    keepalive: int = 60
    qos: int = 1
    prefix: str = DEFAULT_PREFIX
    tls: TLSConfig | None = None
    discovery: bool = True
    discovery_prefix: str = DEFAULT_DISCOVERY_PREFIX
    torrents: TorrentFilter = field(default_factory=TorrentFilter)

    def secrets(self) -> list[str]:
        """The values that must never reach a log."""
        return [self.password] if self.password else []
