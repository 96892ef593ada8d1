"""The MQTT front's pure parts: payload parsing, change-only publishing, Home Assistant schemas."""

from __future__ import annotations

import asyncio
import importlib
import json
from typing import Any

import jinja2
import pytest

from qbt_bridge.api.commands import MAX_ADD_PAYLOAD
from qbt_bridge.api.parse import parse_payload
from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.errors import InvalidRequestError
from qbt_bridge.core.models import MainData
from qbt_bridge.core.redact import SecretFilter, redact_url
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.catalog import TorrentFilter
from qbt_bridge.mqtt.render import (
    InstanceView,
    Topics,
    server_discovery,
    torrent_discovery,
    torrent_state,
)

pytestmark = pytest.mark.unit  # the fast tier: no daemon

TOPICS = Topics("qbt-bridge", "homeassistant")


def test_plain_and_json_forms() -> None:
    assert parse_payload("alt_speed", b"ON").args == {"enabled": True}
    assert parse_payload("alt_speed", b"toggle").args == {"enabled": None}
    assert parse_payload("pause", b" all ").args == {"torrents": "all"}
    request = parse_payload("pause", b'{"torrents": ["abc"], "request_id": 7}')
    assert (request.args, request.request_id) == ({"torrents": ["abc"]}, 7)
    assert parse_payload("pause_all", b"PRESS").args == {}
    assert (
        parse_payload("add", b"magnet:?xt=urn:btih:" + b"a" * 40)
        .args["source"]
        .startswith("magnet:")
    )
    assert parse_payload("add", b"d8:announce").args == {"file": b"d8:announce"}
    assert parse_payload("add", b'{"file": "ZDE6YWkxZWU="}').args == {"file": b"d1:ai1ee"}


@pytest.mark.parametrize(
    ("name", "payload", "words"),
    [
        ("add", b"x" * (MAX_ADD_PAYLOAD + 1), "over the limit"),
        ("add", b'{"file": "***"}', "file: not valid base64"),
        ("pause", b'{"torrents": "a", "request_id": {"x": 1}}', "request_id must be"),
        ("pause", b'"a string"', "must be an object"),
        ("pause", b"[" * 100_000, "over the limit"),
        ("pause", b"[" * 5000 + b"]" * 5000, "JSON"),
        ("set_category", b"x", "takes a JSON object: {torrents, category}"),
    ],
    ids=["big-add", "base64", "request-id", "string", "big", "deep", "plain"],
)
def test_refusals(name: str, payload: bytes, words: str) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_payload(name, payload)
    assert words in str(caught.value)


def _torrent(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "hash": f"{n:040x}",
        "name": f"t{n}",
        "state": "stalledUP",
        "progress": 1.0,
        "added_on": n,
        "category": "",
        "tags": "",
        "size": 1000,
        **extra,
    }


def _view(count: int, rule: TorrentFilter) -> InstanceView:
    bridge = Bridge(QBittorrentClient("127.0.0.1:9"), "test")
    bridge.available = True
    bridge.store.apply_maindata(
        MainData.from_api(
            {
                "rid": 1,
                "full_update": True,
                "torrents": {f"{n:040x}": _torrent(n) for n in range(count)},
                "server_state": {"dl_info_speed": 0, "up_info_speed": 0},
            }
        )
    )
    return InstanceView(bridge, TOPICS, name="test", rule=rule, discovery=True, qos=1)


def _publish(view: InstanceView) -> list[tuple[str, str]]:
    out = list(view.messages())
    for topic, payload in out:
        view.cache.mark(topic, payload)
    return out


def test_only_changes_are_published_at_ten_thousand_torrents() -> None:
    view = _view(10_000, TorrentFilter(enabled=True, limit=5000))
    first = _publish(view)
    torrent_topics = [t for t, _p in first if "/torrent/" in t]
    assert len(torrent_topics) == 5000  # the cap; the newest ones
    assert f"qbt-bridge/test/torrent/{9999:040x}" in torrent_topics
    assert _publish(view) == []  # nothing changed, nothing sent

    changed = {f"{n:040x}": {"progress": 0.5, "state": "downloading"} for n in range(9900, 10_000)}
    view.bridge.store.apply_maindata(MainData.from_api({"rid": 2, "torrents": changed}))
    second = _publish(view)
    # 100 torrents: their state topics, plus the counters that moved and the downloads' figures
    # (there are downloads now; without ETAs their times stay unknown).
    assert len([t for t, _p in second if "/torrent/" in t]) == 100
    assert {t.rsplit("/", 1)[1] for t, _p in second if "/state/" in t} == {
        "downloading_torrents",
        "stalled_torrents",
        "seeding_torrents",  # they were idle seeds (stalledUP): seeding and completed too
        "completed_torrents",
        "downloads_progress",
        "remaining",
    }


def test_leaving_the_filter_or_the_server_removes_topics_and_discovery() -> None:
    view = _view(3, TorrentFilter(enabled=True, states=frozenset({"stalled"})))
    _publish(view)
    first, second = f"{0:040x}", f"{1:040x}"
    store = view.bridge.store
    store.apply_maindata(
        MainData.from_api(
            {"rid": 2, "torrents": {first: {"state": "pausedUP"}}, "torrents_removed": [second]}
        )
    )
    out = dict(_publish(view))
    for gone in (first, second):
        assert out[f"qbt-bridge/test/torrent/{gone}"] == ""
        assert out[f"homeassistant/device/qbt_bridge_test/{gone}/config"] == ""
    assert view.selected == {f"{2:040x}"}


class _Keys:
    def __getattr__(self, name: str) -> str:
        return name


def _validate(discovery: dict[str, Any]) -> None:
    """Validate every component with Home Assistant's own MQTT discovery schemas."""
    shared = {k: v for k, v in discovery.items() if k != "components"}
    for config in discovery["components"].values():
        component = dict(config)
        platform = component.pop("platform")
        # Home Assistant's template validator needs a running instance; render it ourselves.
        if template := component.pop("value_template", None):
            key = jinja2.Template(template).render(value_json=_Keys())
            assert key in torrent_state(_view(1, TorrentFilter()).bridge.store.torrents()[0])
        if template := component.pop("command_template", None):  # numbers: JSON for the table
            sent = json.loads(jinja2.Template(template).render(value=12.5))
            assert sent in (
                {"download": 12800},
                {"upload": 12800},
                {"alt_download": 12800},
                {"alt_upload": 12800},
                {"port": 12},
            )  # fmt: skip  (a port under 1024: the table refuses it)
        module = importlib.import_module(f"homeassistant.components.mqtt.{platform}")
        module.DISCOVERY_SCHEMA({**shared, **component})


def test_value_templates_are_safe_on_an_empty_payload() -> None:
    """Home Assistant renders a template without ``value_json`` on a non-JSON payload."""
    torrent = _view(1, TorrentFilter()).bridge.store.torrents()[0]
    discovery = torrent_discovery(TOPICS, "test", torrent, 1)
    strict = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    for component in discovery["components"].values():
        assert strict.from_string(component["value_template"]).render() == "None"


def test_discovery_passes_home_assistants_schemas() -> None:
    server = server_discovery(
        TOPICS, "test", name="qBittorrent test", url="http://nas:8080", version="5.1.0", qos=1
    )
    _validate(json.loads(json.dumps(server)))
    view = _view(1, TorrentFilter(enabled=True))
    torrent = view.bridge.store.torrents()[0]
    _validate(json.loads(json.dumps(torrent_discovery(TOPICS, "test", torrent, 1))))


def test_redaction() -> None:
    assert redact_url("https://u:p@tracker.example/announce/0123456789abcdef0123?passkey=s3") == (
        "https://tracker.example/announce/**REDACTED**?passkey=**REDACTED**"
    )
    magnet = "magnet:?xt=urn:btih:" + "a" * 40 + "&tr=https://t.example/a?pk=1&dn=x"
    assert "t.example" not in redact_url(magnet)
    assert "dn=x" in redact_url(magnet)
    record = __import__("logging").LogRecord("x", 30, "f", 1, "login with %s", ("hunter22",), None)
    SecretFilter(["hunter22"]).filter(record)
    assert record.getMessage() == "login with **REDACTED**"


async def test_a_refresh_of_one_instance_publishes_that_instance_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each view walks its whole library to say what changed: ten servers, not ten squared."""
    from qbt_bridge.mqtt.front import MqttFront
    from qbt_bridge.mqtt.settings import MqttConfig

    clients = [QBittorrentClient("http://127.0.0.1:9") for _ in range(3)]  # never called
    bridges = [Bridge(client, f"s{n}") for n, client in enumerate(clients)]
    front = MqttFront(MqttConfig(port=1883), [(b, b.instance_id) for b in bridges])
    walked: list[str] = []
    for instance, view in front.views.items():
        monkeypatch.setattr(view, "messages", lambda i=instance: walked.append(i) or [])

    class Broker:
        async def publish(self, *_args: Any, **_kwargs: Any) -> None:
            return None

    publishing = asyncio.create_task(front._publish_state(Broker()))  # type: ignore[arg-type]
    try:
        bridges[1].link.refreshed()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert walked == ["s1"]
        front._changed_state(*front.views)  # a (re)connection: every instance
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert walked == ["s1", "s0", "s1", "s2"]
    finally:
        publishing.cancel()
        for client in clients:
            await client.close()
