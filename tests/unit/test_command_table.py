"""Every command of the one command table reaches every front, or is left out with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import voluptuous as vol
import yaml

from custom_components.qbt_bridge import services
from qbt_bridge.api.commands import COMMANDS
from qbt_bridge.mqtt.render import Topics
from qbt_bridge.telegram import front as telegram

TABLE = set(COMMANDS)


def test_mqtt_offers_every_command_as_a_topic() -> None:
    topics = Topics("qbt-bridge", "homeassistant")
    for name in TABLE:
        assert topics.parse_command(topics.command("nas", name)) == ("nas", name)


@pytest.mark.parametrize(
    ("front", "offered", "left_out"),
    [
        ("Home Assistant", services.OFFERED, services.NOT_OFFERED),
        ("Telegram", telegram.OFFERED, telegram.NOT_OFFERED),
    ],
)
def test_each_front_offers_a_command_or_says_why_not(
    front: str, offered: dict[str, str], left_out: dict[str, str]
) -> None:
    assert not set(offered) & set(left_out), front
    assert set(offered) | set(left_out) == TABLE, (front, TABLE ^ (set(offered) | set(left_out)))
    assert all(offered.values()), front
    assert all(left_out.values()), front


def test_services_yaml_describes_every_action_with_its_schemas_fields() -> None:
    path = Path(services.__file__).with_name("services.yaml")
    described = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(described) == set(services.SCHEMAS)
    for action, schema in services.SCHEMAS.items():
        fields = {str(key.schema): key for key in schema.schema}
        assert set(described[action]["fields"]) == set(fields), action
        for name, key in fields.items():
            required = bool(described[action]["fields"][name].get("required"))
            assert required == isinstance(key, vol.Required), (action, name)
