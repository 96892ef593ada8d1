"""The YAML configuration's schema: every key, its type and its default (voluptuous).

``config.py`` loads the file, checks it against ``CONFIG_SCHEMA`` and builds the settings.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import voluptuous as vol

from qbt_bridge.api.commands import STATE_GROUP
from qbt_bridge.clients.detect import ClientKind
from qbt_bridge.clients.http import normalize_url
from qbt_bridge.core.units import parse_size
from qbt_bridge.engine.catalog import ORDERS
from qbt_bridge.engine.push import PUSH_COMMANDS, SECRET_PATTERN, SECRET_RULE
from qbt_bridge.mqtt.settings import DEFAULT_DISCOVERY_PREFIX, DEFAULT_PREFIX
from qbt_bridge.telegram.settings import DEFAULT_TELEGRAM_API

TELEGRAM_EVENTS = ("added", "completed", "errored", "low_disk_space", "disk_space_ok")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_TOPIC_LEVEL = re.compile(r"^[^#+\x00]+$")


def _slug(value: Any) -> str:
    if not isinstance(value, str) or not _SLUG.match(value):
        raise vol.Invalid("expected lower-case letters, digits, '-' or '_' (at most 64)")
    return value


def _url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise vol.Invalid("expected a URL such as http://nas:8080")
    try:
        return normalize_url(value)
    except ValueError as err:
        raise vol.Invalid(str(err)) from err


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


def _integer(value: Any) -> int:
    """An integer, and not a YAML boolean (``true`` is 1 to Python, never a port)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise vol.Invalid("expected int")
    return value


_LOGGER = logging.getLogger(__name__)
_INT = _integer
_SECONDS = vol.All(vol.Coerce(float), vol.Range(min=0.5, max=86400))
_TEXT = vol.All(str, vol.Length(min=1))


def _size(value: Any) -> int:
    """Bytes as ``50G``, ``512M`` or a number (binary units)."""
    try:
        size = parse_size(value)
    except ValueError as err:
        raise vol.Invalid(str(err)) from None
    if size <= 0:
        raise vol.Invalid("expected more than 0 bytes (50G, 512M …)")
    return size


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


def _secret(value: Any) -> str:
    if not isinstance(value, str) or not SECRET_PATTERN.match(value):
        raise vol.Invalid(f"expected {SECRET_RULE}")
    return value


_INSTANCE_KEYS = vol.Schema(
    {
        vol.Required("id"): _slug,
        vol.Required("url"): _url,
        vol.Optional("name"): _TEXT,
        vol.Optional("username"): str,
        vol.Optional("password"): str,
        vol.Optional("api_key"): _TEXT,
        vol.Optional("kind", default="auto"): vol.In([k.value for k in ClientKind]),
        vol.Optional("verify_certificate", default=True): bool,
        vol.Optional("request_timeout", default=10.0): _SECONDS,
        vol.Optional("fast_interval", default=5.0): _SECONDS,
        vol.Optional("full_interval", default=300.0): _SECONDS,
        vol.Optional("push_full_interval", default=900.0): _SECONDS,
        vol.Optional("disk_guard"): {
            vol.Required("min_free"): _size,
            vol.Optional("pause", default=False): bool,
        },
        vol.Optional("qbit_manage"): {
            vol.Required("url"): _url,
            vol.Optional("config_file"): _TEXT,
            vol.Optional("on_push", default=list): [_push_command],
        },
    }
)
INSTANCE_SCHEMA = vol.All(_renamed, _INSTANCE_KEYS, _key_needs_qbittorrent)

TORRENTS_SCHEMA = vol.Schema(
    {
        vol.Optional("enabled", default=False): bool,
        vol.Optional("states", default=list): [STATE_GROUP],
        vol.Optional("categories", default=list): [str],
        vol.Optional("tags", default=list): [str],
        vol.Optional("limit", default=50): vol.All(_INT, vol.Range(min=1, max=100_000)),
        vol.Optional("order", default="newest"): vol.In(ORDERS),
        vol.Optional("active_only", default=False): bool,
    }
)

TLS_SCHEMA = vol.Schema(
    {
        vol.Optional("ca_file"): _TEXT,
        vol.Optional("cert_file"): _TEXT,
        vol.Optional("key_file"): _TEXT,
        vol.Optional("insecure", default=False): bool,
    }
)

MQTT_SCHEMA = vol.Schema(
    {
        vol.Optional("host", default="127.0.0.1"): _TEXT,
        vol.Optional("port"): vol.All(_INT, vol.Range(min=1, max=65535)),
        vol.Optional("username"): _TEXT,
        vol.Optional("password"): str,
        vol.Optional("client_id"): vol.All(str, vol.Length(min=1, max=128)),
        vol.Optional("protocol", default="5"): _protocol,
        vol.Optional("keepalive", default=60): vol.All(_INT, vol.Range(min=5, max=3600)),
        vol.Optional("qos", default=1): vol.All(_INT, vol.In([0, 1, 2])),
        vol.Optional("prefix", default=DEFAULT_PREFIX): _topic_prefix,
        vol.Optional("tls"): vol.Any(None, TLS_SCHEMA),
        vol.Optional("discovery", default=True): bool,
        vol.Optional("discovery_prefix", default=DEFAULT_DISCOVERY_PREFIX): _topic_prefix,
        vol.Optional("torrents", default=dict): TORRENTS_SCHEMA,
    }
)


def _token(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^\d+:[A-Za-z0-9_-]{20,}$", value.strip()):
        raise vol.Invalid("expected a bot token from @BotFather (digits, ':', then letters)")
    return value.strip()


TELEGRAM_USER_SCHEMA = vol.Schema(
    {
        vol.Required("id"): _INT,
        vol.Optional("instances", default=list): [_slug],
        vol.Optional("read_only", default=False): bool,
    }
)

TELEGRAM_SCHEMA = vol.Schema(
    {
        vol.Required("token"): _token,
        vol.Required("users"): vol.All(
            [vol.Any(vol.All(_INT, lambda i: {"id": i}), TELEGRAM_USER_SCHEMA)], vol.Length(min=1)
        ),
        vol.Optional("notify", default=dict): {
            vol.Optional("chats", default=list): [_INT],
            vol.Optional("events", default=["completed"]): [vol.In(TELEGRAM_EVENTS)],
        },
        vol.Optional("unauthorised", default="refuse"): vol.In(["refuse", "ignore"]),
        vol.Optional("page_size", default=8): vol.All(_INT, vol.Range(min=1, max=20)),
        vol.Optional("api_url", default=DEFAULT_TELEGRAM_API): _url,
        vol.Optional("poll_timeout", default=30): vol.All(_INT, vol.Range(min=0, max=60)),
        vol.Optional("tag_adder", default=False): bool,
    }
)

PUSH_SCHEMA = vol.Schema(
    {
        vol.Optional("listen", default="127.0.0.1"): _TEXT,
        vol.Optional("port", default=8089): vol.All(_INT, vol.Range(min=1, max=65535)),
        vol.Optional("secret"): _secret,
        vol.Optional("url"): _url,
        vol.Optional("install", default=False): bool,
    }
)

CONFIG_SCHEMA = vol.Schema(
    {
        vol.Required("instances"): vol.All([INSTANCE_SCHEMA], vol.Length(min=1)),
        vol.Optional("mqtt"): MQTT_SCHEMA,
        vol.Optional("push"): PUSH_SCHEMA,
        vol.Optional("telegram"): TELEGRAM_SCHEMA,
        vol.Optional("state_dir"): _TEXT,
        vol.Optional("log_level", default="info"): vol.In(["debug", "info", "warning", "error"]),
    }
)
