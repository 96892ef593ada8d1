"""The daemon's config file: defaults, refusals with the path of the bad value, secrets."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from qbt_bridge.daemon.cli import main
from qbt_bridge.daemon.config import ConfigError, load_config, parse_config
from qbt_bridge.engine.diskguard import DiskGuard

pytestmark = pytest.mark.unit  # the fast tier: no daemon

MINIMAL = {"instances": [{"id": "home", "url": "nas:8080"}]}


def test_minimal_config_gets_sensible_defaults() -> None:
    config = parse_config({**MINIMAL, "mqtt": {}})
    home = config.instances[0]
    assert home.server.url == "http://nas:8080"  # no scheme: http
    assert home.name == "qBittorrent home"
    policy = home.server.policy
    assert (policy.fast_interval, policy.full_interval, home.server.verify_certificate) == (
        5.0,
        300.0,
        True,
    )
    assert config.mqtt is not None
    assert (config.mqtt.host, config.mqtt.port, config.mqtt.protocol) == ("127.0.0.1", 1883, "5")
    assert config.mqtt.prefix == "qbt-bridge"
    assert config.mqtt.discovery_prefix == "homeassistant"
    assert config.mqtt.torrents.enabled is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "instances: required"),
        ({"instances": []}, "instances: length of value must be at least 1"),
        ({"instances": [{"id": "Home!", "url": "x:1"}]}, "instances.0.id: expected lower-case"),
        ({"instances": [{"id": "a", "url": "ftp://x"}]}, "instances.0.url: unsupported URL scheme"),
        ({**MINIMAL, "mqtt": {"port": "many"}}, "mqtt.port: expected int"),
        ({**MINIMAL, "mqtt": {"qos": 3}}, "mqtt.qos: value must be one of [0, 1, 2]"),
        ({**MINIMAL, "mqtt": {"protocol": "4.0"}}, "mqtt.protocol: expected 5 or 3.1.1"),
        ({**MINIMAL, "mqtt": {"prefix": "a/#"}}, "mqtt.prefix: expected a topic without"),
        ({**MINIMAL, "mqtt": {"torrents": {"states": ["sleepy"]}}}, "mqtt.torrents.states.0"),
        ({**MINIMAL, "mqtt": {"tls": {"cert_file": "/nonexistent.pem", "key_file": "/k"}}},
         "mqtt.tls.cert_file: no such file"),
        ({**MINIMAL, "mqtt": {"passwrd": "x"}}, "mqtt.passwrd: unknown key"),
        ({"instances": [{"id": "a", "url": "x:1"}, {"id": "a", "url": "y:1"}]}, "used twice"),
        ({"instances": [{"id": "a", "url": "x:1", "kind": "deluge"}]},
         "instances.0.kind: value must be one of"),
        ({"instances": [{"id": "a", "url": "x:1", "kind": "utorrent", "api_key": "k"}]},
         "instances.0.api_key: utorrent has no API keys"),
        ({"instances": [{"id": "a", "url": "x:1", "kind": "auto", "client": "auto"}]},
         "instances.0.client: give kind or its old name client, not both"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_with_their_path(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert message in str(caught.value)


def test_renamed_keys_still_work_for_one_release_and_say_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = {"id": "a", "url": "x:1", "client": "utorrent", "verify_ssl": False, "timeout": 3,
           "full_interval_with_push": 600}  # fmt: skip
    server = parse_config({"instances": [old]}).instances[0].server
    assert (server.kind, server.verify_certificate) == ("utorrent", False)
    assert (server.request_timeout, server.policy.push_full_interval) == (3.0, 600.0)
    said = [r.getMessage() for r in caplog.records if "the old name goes" in r.getMessage()]
    assert len(said) == 4
    assert "client is now called kind" in said[0]


def test_secrets_from_the_environment_and_from_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mqtt.secret").write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("QBT_PASSWORD", "from-the-env")
    path = tmp_path / "config.yaml"
    path.write_text(
        "instances:\n"
        "  - id: home\n"
        "    url: http://nas:8080\n"
        "    username: admin\n"
        "    password: !env QBT_PASSWORD\n"
        "mqtt:\n"
        "  username: bridge\n"
        "  password: !file mqtt.secret\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.instances[0].server.password == "from-the-env"
    assert config.mqtt is not None
    assert config.mqtt.password == "from-a-file"
    assert sorted(config.secrets()) == ["from-a-file", "from-the-env"]


def test_missing_secrets_and_broken_yaml_say_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    path = tmp_path / "config.yaml"
    path.write_text("instances:\n  - id: a\n    url: x:1\n    password: !env NOT_SET_ANYWHERE\n")
    with pytest.raises(ConfigError, match="line 4: environment variable NOT_SET_ANYWHERE"):
        load_config(path)
    path.write_text("instances: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")


def test_check_config_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("instances:\n  - id: home\n    url: nas:8080\nmqtt:\n  port: 70000\n")
    assert main(["check-config", "--config", str(path)]) == 2
    assert "mqtt.port: value must be at most 65535" in capsys.readouterr().err
    path.write_text("instances:\n  - id: home\n    url: nas:8080\nmqtt: {}\n")
    assert main(["check-config", "--config", str(path)]) == 0
    assert "valid (1 instance(s), MQTT)" in capsys.readouterr().out
    assert main(["run", "--config", str(tmp_path / "nope.yaml")]) == 2


TOKEN = "123456789:AAbbCCddEEffGGhhIIjjKKllMMnn"


def test_telegram_section_defaults_users_and_secrets() -> None:
    config = parse_config(
        {
            "instances": [{"id": "home", "url": "nas:8080"}, {"id": "work", "url": "w:1"}],
            "telegram": {"token": TOKEN, "users": [42, {"id": 7, "instances": ["work"],
                                                        "read_only": True}]},
        }
    )  # fmt: skip
    telegram = config.telegram
    assert telegram is not None
    assert telegram.api_url == "https://api.telegram.org"
    assert telegram.notify_events == frozenset({"completed"})
    assert telegram.unauthorised == "refuse"
    everyone, limited = telegram.user(42), telegram.user(7)
    assert everyone is not None
    assert everyone.may_see("home")
    assert everyone.may_see("work")
    assert limited is not None
    assert limited.read_only
    assert not limited.may_see("home")
    assert telegram.user(1) is None
    assert TOKEN in config.secrets()


@pytest.mark.parametrize(
    ("telegram", "message"),
    [
        ({"users": [1]}, "telegram.token: required"),
        ({"token": "nope", "users": [1]}, "telegram.token: expected a bot token"),
        ({"token": TOKEN}, "telegram.users: required"),
        ({"token": TOKEN, "users": []}, "telegram.users: length of value must be at least 1"),
        ({"token": TOKEN, "users": [{"id": 1, "instances": ["elsewhere"]}]},
         "telegram.users.0.instances: no instance 'elsewhere'"),
        ({"token": TOKEN, "users": [1], "notify": {"events": ["exploded"]}},
         "telegram.notify.events.0"),
        ({"token": TOKEN, "users": [1], "unauthorised": "shout"}, "telegram.unauthorised"),
    ],
)  # fmt: skip
def test_bad_telegram_values_are_refused_with_their_path(
    telegram: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({**MINIMAL, "telegram": telegram})
    assert message in str(caught.value)


def test_qbit_manage_is_optional_per_instance() -> None:
    config = parse_config(
        {"instances": [{"id": "home", "url": "nas:8080", "qbit_manage": {"url": "nas:8181"}},
                       {"id": "work", "url": "w:1"}]}
    )  # fmt: skip
    assert config.instances[0].server.manage_url == "http://nas:8181"
    assert config.instances[1].server.manage_url is None
    with pytest.raises(ConfigError, match=r"instances.0.qbit_manage.url: required"):
        parse_config({"instances": [{"id": "a", "url": "x:1", "qbit_manage": {}}]})


HOME = "instances: [{id: home, url: 'nas:8080'}]\n"


def test_configs_that_once_ended_in_a_traceback_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_cert = tmp_path / "ca.pem"
    not_a_cert.write_text("this is not a certificate\n", encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    latin1 = tmp_path / "secret.txt"
    latin1.write_bytes("pass\xe9word".encode("latin-1"))
    cases = {
        "port.yaml": ("instances: [{id: home, url: 'nas:8080'}]\nmqtt: {port: true}\n",
                      "mqtt.port: expected int"),
        "qos.yaml": ("instances: [{id: home, url: 'nas:8080'}]\nmqtt: {qos: true}\n",
                     "mqtt.qos: expected int"),
        "ca.yaml": (HOME + f"mqtt: {{tls: {{ca_file: '{not_a_cert}'}}}}\n",
                    "mqtt.tls.ca_file: not a PEM certificate"),
        "state.yaml": (HOME + f"state_dir: '{blocker}/state'\n", "a file, so"),
        "secret.yaml": (f"instances: [{{id: home, url: 'nas:8080', password: !file '{latin1}'}}]\n",
                        "is not UTF-8 text"),
    }  # fmt: skip
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        for command in ("check-config", "run"):
            assert main([command, "--config", str(path)]) == 2, (name, command)
            err = capsys.readouterr().err
            assert message in err, (name, command, err)
            assert len(err.strip().splitlines()) == 1, err
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"instances: \xff\xfe\n")
    assert main(["check-config", "--config", str(binary)]) == 2
    assert "is not UTF-8 text" in capsys.readouterr().err


def test_check_config_shows_the_resolved_instances_with_secrets_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QBT_SECRET", "s3cr3t-from-env")
    path = tmp_path / "c.yaml"
    path.write_text(
        "instances:\n"
        "  - {id: home, url: 'nas:8080', username: admin, password: !env QBT_SECRET}\n"
        "  - {id: work, url: 'w:1', api_key: qbt_k3y_f0r_w0rk}\n",
        encoding="utf-8",
    )
    assert main(["check-config", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "home: http://nas:8080 (auto; user admin, password ****)" in out
    assert "work: http://w:1 (auto; api key ****)" in out
    assert "s3cr3t" not in out
    assert "k3y" not in out


PUSH_SECRET = "0123456789abcdef-push"


@pytest.mark.parametrize(
    ("push", "manage", "message"),
    [
        ({"listen": "0.0.0.0"}, {}, "push.secret: required when push listens beyond loopback"),
        ({"secret": "short"}, {}, "push.secret: expected at least 16 letters"),
        ({"secret": "has spaces in it, sixteen+"}, {}, "push.secret: expected at least 16"),
        ({"port": True}, {}, "push.port: expected int"),
        (None, {"url": "qm:8080", "on_push": ["tag_update"]}, "needs a push: section"),
        ({}, {"url": "qm:8080", "on_push": ["rem_orphaned"]}, "on_push.0: expected one of"),
    ],
)
def test_bad_push_settings_are_refused_with_their_path(
    push: dict[str, object] | None, manage: dict[str, object], message: str
) -> None:
    instance: dict[str, object] = {"id": "a", "url": "h:1"}
    if manage:
        instance["qbit_manage"] = manage
    data: dict[str, object] = {"instances": [instance]}
    if push is not None:
        data["push"] = push
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("+", r"\+")):
        parse_config(data)


def test_the_push_line_is_printed_masked_and_on_request_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "instances:\n"
        "  - id: nas\n"
        "    url: 'nas:8080'\n"
        "    qbit_manage: {url: 'nas:8181', on_push: [tag_update, share_limits]}\n"
        f"push: {{listen: 0.0.0.0, port: 8089, secret: {PUSH_SECRET}, url: 'http://pi:8089'}}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.instances[0].qbit_manage_on_push == ("tag_update", "share_limits")
    assert PUSH_SECRET in config.secrets()  # so the log filter masks it
    assert main(["check-config", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    line = 'curl -fsS -m 5 -H "Authorization: Bearer ****" -d hash=%K http://pi:8089/push/nas'
    assert f"  nas: {line}" in out
    assert PUSH_SECRET not in out
    assert main(["push-line", "--config", str(path)]) == 0
    assert capsys.readouterr().out == f"nas: {line.replace('****', PUSH_SECRET)}\n"


def test_the_disk_guard_takes_sizes_people_type() -> None:
    config = parse_config(
        {"instances": [{"id": "a", "url": "x:1", "disk_guard": {"min_free": "50G", "pause": True}}]}
    )
    assert config.instances[0].server.disk_guard == DiskGuard(min_free=50 * 2**30, pause=True)
    assert (
        parse_config({"instances": [{"id": "a", "url": "x:1"}]}).instances[0].server.disk_guard
        is None
    )
    for bad, why in (("lots", "not a size: 'lots'"), ("5M/s", "not a size"), (0, "more than 0")):
        with pytest.raises(ConfigError, match=rf"instances\.0\.disk_guard\.min_free: .*{why}"):
            parse_config(
                {"instances": [{"id": "a", "url": "x:1", "disk_guard": {"min_free": bad}}]}
            )


def _reference() -> Any:
    spec = importlib.util.spec_from_file_location(
        "config_reference", Path(__file__).parents[2] / "scripts" / "config_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_configuration_reference_is_what_the_schema_gives() -> None:
    """docs/configuration-reference.md is generated from the schema (scripts/generate-docs)."""
    reference = _reference()
    assert reference.PAGE.read_text(encoding="utf-8") == reference.configuration_page(), (
        "docs/configuration-reference.md differs from the schema: run scripts/generate-docs"
    )
    keys = list(reference.rows())
    assert len(keys) > 50
    assert [key for key, _default, _takes, text in keys if not text] == [], "keys without help"
    assert ("instances.*.fast_interval", "`5.0`") in [(k, d) for k, d, _t, _x in keys]


def test_an_instance_takes_a_port_file() -> None:
    config = parse_config(
        {"instances": [{"id": "a", "url": "x:1", "port_file": "/tmp/gluetun/forwarded_port"}]}
    )
    assert config.instances[0].server.port_file == "/tmp/gluetun/forwarded_port"
    assert parse_config(MINIMAL).instances[0].server.port_file is None
