"""Every command of the one command table reaches every front, or is left out with a reason."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
import voluptuous as vol
import yaml

from custom_components.qbt_bridge import services
from qbt_bridge.api.commands import COMMANDS, Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.errors import InvalidRequestError
from qbt_bridge.core.models import StateGroup
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.catalog import GLOBAL_ENTITIES
from qbt_bridge.mqtt.render import Topics
from qbt_bridge.telegram import front as telegram
from qbt_bridge.telegram.instances import HELP_LINES

pytestmark = pytest.mark.unit  # the fast tier: no daemon

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


def test_home_assistant_actions_take_their_commands_arguments_and_bounds() -> None:
    """Each action's schema is its command's: the same arguments, required alike, same bounds."""
    for action, command in services.ACTION_COMMANDS.items():
        schema = services.SCHEMAS[action].schema
        ha = {str(k): isinstance(k, vol.Required) for k in schema if str(k) != "config_entry_id"}
        table = {
            str(k): isinstance(k, vol.Required)
            for k in COMMANDS[command].schema.schema
            if (command, str(k)) not in services.LEFT_OUT  # each left out says why
        }
        assert ha == table, action
    entry = {"config_entry_id": "x"}
    with pytest.raises(vol.Invalid, match="limit"):
        services.SCHEMAS["list"]({**entry, "limit": 1001})  # the table caps list at 1000
    assert services.SCHEMAS["list"]({**entry, "limit": "5"})["limit"] == 5
    files = services.SCHEMAS["set_file_priority"](
        {**entry, "torrent": "x", "files": "0, 3", "priority": "high"}
    )
    assert files["files"] == [0, 3]
    with pytest.raises(vol.Invalid, match="unknown qbit_manage command"):
        services.SCHEMAS["manage"]({**entry, "commands": ["bogus"]})


def test_services_yaml_is_what_the_table_gives() -> None:
    """services.yaml is generated (scripts/generate-services): fields, selectors, bounds."""
    path = Path(services.__file__).with_name("services.yaml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(services.HEADER)
    assert yaml.safe_load(text) == services.services_description(), (
        "services.yaml differs from the command table: run scripts/generate-services"
    )


def test_every_action_and_field_has_its_words_in_every_translation() -> None:
    described = services.services_description()
    for path in sorted(Path(services.__file__).with_name("translations").glob("*.json")):
        words = json.loads(path.read_text(encoding="utf-8"))["services"]
        assert set(words) == set(described), path.name
        for action, spec in described.items():
            assert words[action]["name"], (path.name, action)
            assert words[action]["description"], (path.name, action)
            for field in spec["fields"]:
                assert words[action]["fields"][field]["name"], (path.name, action, field)
    icons = json.loads(Path(services.__file__).with_name("icons.json").read_text())["services"]
    assert set(icons) == set(described)


def test_renamed_actions_are_their_commands_under_the_old_name() -> None:
    for old, command in services.RENAMED.items():
        assert command in services.ACTIONS
        assert services.SCHEMAS[old].schema.keys() == services.SCHEMAS[command].schema.keys()
        assert services.RESPONSES[old] is services.RESPONSES[command]


def test_the_docs_list_every_command_of_the_table_once() -> None:
    """The MQTT command reference in the docs names exactly the table's commands."""
    page = (Path(__file__).parents[2] / "docs/mqtt.md").read_text(encoding="utf-8")
    section = page.split("\n## Commands", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.MULTILINE)
    assert sorted(rows) == sorted(COMMANDS), set(rows) ^ set(COMMANDS)
    assert len(rows) == len(set(rows))


def test_the_command_reference_is_what_the_table_gives() -> None:
    """docs/commands.md is generated (scripts/generate-docs): run it after changing the table."""
    spec = importlib.util.spec_from_file_location(
        "reference", Path(__file__).parents[2] / "scripts" / "reference.py"
    )
    assert spec is not None
    assert spec.loader is not None
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    assert reference.PAGE.read_text(encoding="utf-8") == reference.commands_page(), (
        "docs/commands.md differs from the command table: run scripts/generate-docs"
    )


def test_the_chats_help_covers_its_menu_and_every_command_it_offers() -> None:
    """/help names every chat command of the menu, and each offered command is one of them."""
    helped = {name for name, _line, _need in HELP_LINES}
    menu = {name for name, _summary in telegram.COMMANDS}
    assert menu - {"help", "resume"} <= helped, menu - helped  # /resume shares /pause's line
    assert helped - {"manage"} <= menu  # /manage joins the menu where a qbit_manage is set
    for command, where in telegram.OFFERED.items():
        words = re.findall(r"/([a-z]+)", where)
        assert not words or set(words) & (helped | menu), (command, where)


def test_every_catalog_entity_runs_a_command_of_the_table() -> None:
    """The catalog sits below the table, so it names commands as text: each is one."""
    for entity in GLOBAL_ENTITIES:
        if entity.command is not None:
            assert Name(entity.command) in COMMANDS, entity.key
    assert set(Name) == set(COMMANDS)


def test_the_mqtt_page_names_every_state_topic_of_the_catalog() -> None:
    """docs/mqtt.md's state row lists every global value the catalog publishes."""
    page = (Path(__file__).parents[2] / "docs/mqtt.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if "/state/KEY`" in line)
    groups = {f"{g.value}_torrents" for g in StateGroup}  # said once, as GROUP_torrents
    keys = {e.key for e in GLOBAL_ENTITIES if e.value_fn is not None} - groups
    assert sorted(k for k in keys if f"`{k}`" not in row) == []


async def test_a_front_of_one_server_refuses_instances() -> None:
    """add's instances is the fan-out's (execute_across): execute alone refuses it."""
    bridge = Bridge(QBittorrentClient("http://127.0.0.1:9"), "one")  # never asked: refused first
    asked = request(Name.ADD, {"source": "magnet:?xt=urn:btih:" + "ab" * 20, "instances": "all"})
    with pytest.raises(InvalidRequestError, match="instances"):
        await execute(bridge, asked)
    await bridge.close()
    with pytest.raises(InvalidRequestError, match="instances"):
        request(Name.ADD, {"source": "x", "instances": []})
