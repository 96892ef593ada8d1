"""The YAML configuration's schema (voluptuous), made of the settings' own declarations.

Each group's keys, defaults, bounds and help are the fields of the class that takes them
(``core.settings``): the engine's ``ServerSettings``, ``RefreshPolicy``, ``DiskGuard`` and
``TorrentFilter``, the fronts' ``MqttConfig`` and ``TelegramConfig``, the daemon's
``PushConfig``. What is declared here is only what the YAML has beyond them (an instance's id
and name, qbit_manage, TLS files, the chat's users). ``config.py`` loads the file, checks it
against ``CONFIG_SCHEMA`` and builds the settings.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import voluptuous as vol

from qbt_bridge.clients.detect import ClientKind
from qbt_bridge.core.settings import TEXT, default, integer, schema
from qbt_bridge.daemon.metrics_config import MetricsConfig
from qbt_bridge.engine.catalog import CategoryFilter, TorrentFilter
from qbt_bridge.engine.diskguard import DiskGuard
from qbt_bridge.engine.factory import ServerSettings
from qbt_bridge.engine.link import RefreshPolicy, check_url
from qbt_bridge.engine.push import PUSH_COMMANDS, PushConfig
from qbt_bridge.engine.rules import RULE_SCHEMA
from qbt_bridge.engine.watchdog import StallRule
from qbt_bridge.mqtt.settings import MqttConfig
from qbt_bridge.telegram.settings import TELEGRAM_EVENTS, TelegramConfig

# What the chat can be told of: every announced event but removals (the chat that removed one
# hears it in the answer).
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_LOGGER = logging.getLogger(__name__)


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise vol.Invalid("expected lower-case letters, digits, '-' or '_' (at most 64)")
    return value


def _key_needs_qbittorrent(instance: dict[str, Any]) -> dict[str, Any]:
    legacy = (ClientKind.QBITTORRENT_31.value, ClientKind.UTORRENT.value)
    if instance.get("api_key") and instance["kind"] in legacy:
        raise vol.Invalid(
            f"{instance['kind']} has no API keys; give a username and password",
            path=["api_key"],
        )
    return instance


# Keys that took the engine's names (one name per thing, from the YAML to the engine): the old
# ones still work in this release, with a warning.
RENAMED_KEYS = {
    "client": "kind",
    "verify_ssl": "verify_certificate",
    "timeout": "request_timeout",
    "full_interval_with_push": "push_full_interval",
}


def _renamed(instance: Any) -> Any:
    """An instance with its old key names put to the new ones (warned about)."""
    if not isinstance(instance, dict):
        return instance
    instance = dict(instance)
    for old, new in RENAMED_KEYS.items():
        if old not in instance:
            continue
        if new in instance:
            raise vol.Invalid(f"give {new} or its old name {old}, not both", path=[old])
        _LOGGER.warning(
            "instance %s: %s is now called %s (the old name goes in the next release)",
            instance.get("id", "?"), old, new,
        )  # fmt: skip
        instance[new] = instance.pop(old)
    return instance


def _push_command(value: Any) -> str:
    if value not in PUSH_COMMANDS:
        raise vol.Invalid(f"expected one of {', '.join(PUSH_COMMANDS)} (commands that take hashes)")
    return str(value)


_INSTANCE_KEYS = vol.Schema(
    {
        vol.Required("id", description="a short name: lower-case letters, digits, - or _"): _slug,
        vol.Optional("name", description="shown to people (default: qBittorrent <id>)"): TEXT,
        **schema(ServerSettings),
        **schema(RefreshPolicy),
        vol.Optional("disk_guard", description="events when free space is low"): schema(DiskGuard),
        vol.Optional(
            "rules",
            default=list,
            description="rules on add: what new torrents of a category or tag get",
        ): [RULE_SCHEMA],
        vol.Optional(
            "stalled", default=dict, description="the watchdog: events for stuck downloads"
        ): schema(StallRule),
        vol.Optional("qbit_manage", description="qbit_manage's web server for it"): {
            vol.Required("url", description="qbit_manage's web API"): check_url,
            vol.Optional("config_file", description="its config file (default: its own)"): TEXT,
            vol.Optional(
                "on_push", default=list, description="its commands run on each pushed batch"
            ): [_push_command],
        },
    }
)
INSTANCE_SCHEMA = vol.All(_renamed, _INSTANCE_KEYS, _key_needs_qbittorrent)

TLS_SCHEMA = vol.Schema(
    {
        vol.Optional("ca_file", description="the broker's CA certificate (PEM)"): TEXT,
        vol.Optional("cert_file", description="a client certificate (PEM), with key_file"): TEXT,
        vol.Optional("key_file", description="its key (PEM)"): TEXT,
        vol.Optional("insecure", default=False, description="skip certificate checks"): bool,
    }
)

MQTT_SCHEMA = vol.Schema(
    {
        **schema(MqttConfig),
        vol.Optional(
            "port", description="the broker's port (default 1883, 8883 with tls)"
        ): vol.All(integer, vol.Range(min=1, max=65535)),
        vol.Optional("tls", description="TLS towards the broker"): vol.Any(None, TLS_SCHEMA),
        vol.Optional(
            "torrents", default=dict, description="which torrents get topics and entities"
        ): schema(TorrentFilter),
        vol.Optional(
            "categories", default=dict, description="topics and entities for each category"
        ): schema(CategoryFilter),
    }
)

TELEGRAM_USER_SCHEMA = vol.Schema(
    {
        vol.Required("id", description="a Telegram user id"): integer,
        vol.Optional("instances", default=list, description="only these (none: all)"): [_slug],
        vol.Optional("read_only", default=False, description="may look, not act"): bool,
    }
)

TELEGRAM_SCHEMA = vol.Schema(
    {
        **schema(TelegramConfig),
        vol.Required("users", description="who may use the bot: ids, or id with options"): vol.All(
            [vol.Any(vol.All(integer, lambda i: {"id": i}), TELEGRAM_USER_SCHEMA)],
            vol.Length(min=1),
        ),
        vol.Optional("notify", default=dict, description="which events go to which chats"): {
            vol.Optional("chats", default=list, description="chat ids told of events"): [integer],
            vol.Optional(
                "events",
                default=lambda: sorted(default(TelegramConfig, "notify_events")),
                description="which events",
            ): [vol.In(TELEGRAM_EVENTS)],
        },
    }
)

PUSH_SCHEMA = vol.Schema(schema(PushConfig))

METRICS_SCHEMA = vol.Schema(
    {
        **schema(MetricsConfig),
        vol.Optional(
            "torrents", default=dict, description="per-torrent series (off unless enabled)"
        ): schema(TorrentFilter),
    }
)

CONFIG_SCHEMA = vol.Schema(
    {
        vol.Required("instances", description="the torrent clients served"): vol.All(
            [INSTANCE_SCHEMA], vol.Length(min=1)
        ),
        vol.Optional("mqtt", description="the MQTT front"): MQTT_SCHEMA,
        vol.Optional("push", description="the push endpoint"): PUSH_SCHEMA,
        vol.Optional("metrics", description="GET /metrics for Prometheus"): METRICS_SCHEMA,
        vol.Optional("telegram", description="the Telegram bot"): TELEGRAM_SCHEMA,
        vol.Optional(
            "state_dir",
            description="where ledgers and health live (default $XDG_STATE_HOME/qbt-bridge)",
        ): TEXT,
        vol.Optional("log_level", default="info", description="debug, info, warning or error"): (
            vol.In(["debug", "info", "warning", "error"])
        ),
    }
)
