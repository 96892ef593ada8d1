"""The daemon's YAML configuration, validated with voluptuous into typed settings.

Secrets need not sit in the file: any value may be written ``!env NAME`` (read from the
environment) or ``!file PATH`` (read from a file, trailing newline dropped; a relative path is
relative to the config file). A wrong key or type is refused at start with the path of the bad
value, e.g. ``mqtt.port: expected int``.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import voluptuous as vol
import yaml

from qbt_bridge.core.errors import QbtBridgeError
from qbt_bridge.core.settings import schema
from qbt_bridge.daemon.metrics_config import MetricsConfig
from qbt_bridge.daemon.schema import CONFIG_SCHEMA
from qbt_bridge.engine.catalog import CategoryFilter, TorrentFilter
from qbt_bridge.engine.diskguard import DiskGuard
from qbt_bridge.engine.factory import ServerSettings
from qbt_bridge.engine.link import RefreshPolicy
from qbt_bridge.engine.push import SECRET_RULE, PushConfig
from qbt_bridge.engine.rules import AddRule
from qbt_bridge.engine.watchdog import StallRule
from qbt_bridge.mqtt.settings import (
    MqttConfig,
    TLSConfig,
)
from qbt_bridge.telegram.settings import TelegramConfig, TelegramUser


class ConfigError(QbtBridgeError):
    """The configuration file is missing, unreadable or invalid."""


# ---------------------------------------------------------------------------- settings


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceConfig:
    """One torrent client the daemon serves: its name, and the engine's settings for it."""

    name: str
    server: ServerSettings  # the ledger is placed by the process
    qbit_manage_on_push: tuple[str, ...] = ()  # qbit_manage's commands run on pushed ids

    @property
    def id(self) -> str:
        """The instance's id (the YAML's ``id``; the engine's ``instance_id``)."""
        return self.server.instance_id

    def secrets(self) -> list[str]:
        """The values that must never reach a log."""
        return [s for s in (self.server.password, self.server.api_key) if s]


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """The whole daemon."""

    instances: tuple[InstanceConfig, ...]
    mqtt: MqttConfig | None = None
    telegram: TelegramConfig | None = None
    push: PushConfig | None = None
    metrics: MetricsConfig | None = None
    state_dir: Path = field(default_factory=lambda: _default_state_dir())  # noqa: PLW0108 - defined below
    log_level: str = "info"

    def secrets(self) -> list[str]:
        """Every secret in the configuration."""
        found = [s for i in self.instances for s in i.secrets()]
        found += self.mqtt.secrets() if self.mqtt else []
        found += self.push.secrets() if self.push else []
        found += self.metrics.secrets() if self.metrics else []
        return found + (self.telegram.secrets() if self.telegram else [])


def _default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "qbt-bridge"


# ---------------------------------------------------------------------------- loading


class _Loader(yaml.SafeLoader):
    """Safe YAML plus the ``!env`` and ``!file`` tags."""

    base: Path = Path()


def _env_tag(loader: _Loader, node: yaml.Node) -> str:
    name = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    value = os.environ.get(name)
    if value is None:
        raise ConfigError(
            f"line {node.start_mark.line + 1}: environment variable {name} is not set"
        )
    return value


def _file_tag(loader: _Loader, node: yaml.Node) -> str:
    path = Path(str(loader.construct_scalar(node)))  # type: ignore[arg-type]
    path = path if path.is_absolute() else loader.base / path
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as err:
        raise ConfigError(
            f"line {node.start_mark.line + 1}: cannot read {path}: {err.strerror}"
        ) from err
    except UnicodeDecodeError as err:
        raise ConfigError(
            f"line {node.start_mark.line + 1}: {path} is not UTF-8 text (byte {err.start})"
        ) from err


_Loader.add_constructor("!env", _env_tag)
_Loader.add_constructor("!file", _file_tag)


def load_config(path: Path) -> Config:
    """Read, resolve and validate a config file; ConfigError says what and where."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read {path}: {err.strerror}") from err
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path} is not UTF-8 text (byte {err.start})") from err
    loader = _Loader(text)
    loader.base = path.parent
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from err
    finally:
        loader.dispose()
    return parse_config(data, base=path.parent)


def parse_config(data: Any, *, base: Path | None = None) -> Config:
    """Validate already-parsed data (a mapping) into a Config."""
    if not isinstance(data, Mapping):
        raise ConfigError("the configuration must be a mapping with at least 'instances'")
    try:
        valid = CONFIG_SCHEMA(dict(data))
    except vol.MultipleInvalid as err:
        raise ConfigError("; ".join(_describe(e) for e in err.errors)) from err
    except vol.Invalid as err:
        raise ConfigError(_describe(err)) from err
    return _build(valid, base or Path())


def _describe(err: vol.Invalid) -> str:
    path = ".".join(str(p) for p in err.path) or "(top level)"
    message = err.msg
    if message == "extra keys not allowed":
        message = "unknown key"
    elif message == "required key not provided":
        message = "required"
    return f"{path}: {message}"


def _build(valid: dict[str, Any], base: Path) -> Config:
    instances = tuple(_instance(raw) for raw in valid["instances"])
    ids = [i.id for i in instances]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"instances: id {duplicates[0]!r} is used twice")
    mqtt = _mqtt(valid["mqtt"], base) if "mqtt" in valid else None
    telegram = _telegram(valid["telegram"], ids) if "telegram" in valid else None
    push = _push(valid["push"]) if "push" in valid else None
    metrics = None
    if "metrics" in valid:
        raw = valid["metrics"]
        metrics = MetricsConfig(**{**raw, "torrents": TorrentFilter(**raw["torrents"])})
    for instance in instances:
        if instance.qbit_manage_on_push and push is None:
            raise ConfigError(f"qbit_manage.on_push of {instance.id!r} needs a push: section")
    state_dir = Path(valid["state_dir"]).expanduser() if "state_dir" in valid else None
    state_dir = state_dir or _default_state_dir()
    _check_state_dir(state_dir)
    return Config(
        instances=instances,
        mqtt=mqtt,
        telegram=telegram,
        push=push,
        metrics=metrics,
        state_dir=state_dir,
        log_level=valid["log_level"],
    )


def _instance(raw: dict[str, Any]) -> InstanceConfig:
    manage = raw.pop("qbit_manage", {})
    guard = raw.pop("disk_guard", None)
    stalled = raw.pop("stalled")
    rules = tuple(AddRule(**rule) for rule in raw.pop("rules"))  # checked by the schema
    for index, rule in enumerate(rules):
        if rule.manage and not manage.get("url"):
            raise ConfigError(
                f"instances.{raw['id']}.rules.{index}.manage: needs the instance's qbit_manage.url"
            )
    instance_id, name = raw.pop("id"), raw.pop("name", None)
    policy = {key: raw.pop(key) for key in _POLICY_KEYS}
    return InstanceConfig(
        name=name or f"qBittorrent {instance_id}",
        server=ServerSettings(
            instance_id=instance_id,
            **raw,  # the rest is the engine's own settings, by their own names
            policy=RefreshPolicy(**policy),
            manage_url=manage.get("url"),
            manage_config=manage.get("config_file"),
            disk_guard=DiskGuard(**guard) if guard is not None else None,
            stalled=StallRule(**stalled),
            rules=rules,
        ),
        qbit_manage_on_push=tuple(manage.get("on_push", ())),
    )


_POLICY_KEYS = tuple(str(marker) for marker in schema(RefreshPolicy))  # its settings
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _push(raw: dict[str, Any]) -> PushConfig:
    if raw["listen"] not in _LOOPBACK and "secret" not in raw:
        raise ConfigError(
            f"push.secret: required when push listens beyond loopback ({raw['listen']}): "
            f"{SECRET_RULE}"
        )
    return PushConfig(**raw)


def _mqtt(raw: dict[str, Any], base: Path) -> MqttConfig:
    tls = None
    if raw.get("tls") is not None:
        t = raw["tls"]
        files = {k: _file_path(t[k], base, f"mqtt.tls.{k}") for k in t if k.endswith("_file")}
        if ("cert_file" in files) != ("key_file" in files):
            raise ConfigError("mqtt.tls: cert_file and key_file go together")
        _check_tls_files(files)
        tls = TLSConfig(insecure=t["insecure"], **files)
    nested = {"port", "tls", "torrents", "categories"}
    own = {key: value for key, value in raw.items() if key not in nested}
    return MqttConfig(
        **own,
        port=raw.get("port") or (8883 if tls else 1883),
        tls=tls,
        torrents=TorrentFilter(**raw["torrents"]),
        categories=CategoryFilter(**raw["categories"]),
    )


def _telegram(raw: dict[str, Any], instance_ids: list[str]) -> TelegramConfig:
    users = []
    for index, entry in enumerate(raw["users"]):
        unknown = sorted(set(entry.get("instances", [])) - set(instance_ids))
        if unknown:
            raise ConfigError(f"telegram.users.{index}.instances: no instance {unknown[0]!r}")
        users.append(
            TelegramUser(
                id=entry["id"],
                instances=frozenset(entry.get("instances", [])),
                read_only=entry.get("read_only", False),
            )
        )
    own = {key: value for key, value in raw.items() if key not in {"users", "notify"}}
    return TelegramConfig(
        **own,
        users=tuple(users),
        notify_chats=tuple(raw["notify"]["chats"]),
        notify_events=frozenset(raw["notify"]["events"]),
    )


def _file_path(value: str, base: Path, where: str) -> Path:
    path = Path(value).expanduser()
    path = path if path.is_absolute() else base / path
    if not path.is_file():
        raise ConfigError(f"{where}: no such file: {path}")
    return path


def _check_tls_files(files: dict[str, Path]) -> None:
    """Load the TLS files as the MQTT front will: a wrong one is refused at load, not at run."""
    try:
        context = ssl.create_default_context(
            cafile=str(files["ca_file"]) if "ca_file" in files else None
        )
    except (ssl.SSLError, ValueError) as err:
        raise ConfigError(f"mqtt.tls.ca_file: not a PEM certificate ({files['ca_file']})") from err
    if "cert_file" in files:
        try:
            context.load_cert_chain(str(files["cert_file"]), str(files["key_file"]))
        except (ssl.SSLError, ValueError) as err:
            raise ConfigError(
                "mqtt.tls.cert_file, key_file: not a PEM certificate and its key "
                f"({files['cert_file']}, {files['key_file']})"
            ) from err


def _check_state_dir(path: Path) -> None:
    """The state folder can be made: no file in its way, and its nearest folder is writable."""
    for step in (path, *path.parents):
        if not step.exists():
            continue
        if not step.is_dir():
            if step == path:
                raise ConfigError(f"state_dir: {path} is a file, not a folder")
            raise ConfigError(f"state_dir: {step} is a file, so {path} cannot be made")
        if not os.access(step, os.W_OK | os.X_OK):
            raise ConfigError(f"state_dir: cannot write in {step}")
        return
