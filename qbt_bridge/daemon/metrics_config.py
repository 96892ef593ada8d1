"""The ``metrics:`` section's settings.

Apart from the endpoint (``daemon.metrics``): reading a configuration needs no
``prometheus_client``, only serving ``/metrics`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qbt_bridge.core.settings import TEXT, integer, setting
from qbt_bridge.engine.catalog import TorrentFilter
from qbt_bridge.engine.push import SECRET_RULE, check_secret


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricsConfig:
    """The ``/metrics`` endpoint (the daemon's)."""

    listen: str = setting(default="127.0.0.1", help="address /metrics listens on", check=TEXT)
    port: int = setting(default=8091, help="its port", check=integer, minimum=1, maximum=65535)
    secret: str | None = setting(
        default=None,
        help=f"when set, a scrape needs 'Authorization: Bearer <secret>': {SECRET_RULE}",
        check=check_secret,
    )
    # Per-torrent series: off unless enabled, at most ``limit`` torrents (the MQTT filter).
    torrents: TorrentFilter = field(default_factory=TorrentFilter)

    def secrets(self) -> list[str]:
        """What must never be logged."""
        return [self.secret] if self.secret else []
