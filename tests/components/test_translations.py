"""Every entity of the catalog has its name in every translation the integration ships."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qbt_bridge.core.settings import schema
from qbt_bridge.engine.catalog import (
    CATEGORY_ENTITIES,
    GLOBAL_ENTITIES,
    TORRENT_ENTITIES,
    EntitySpec,
)
from qbt_bridge.engine.events import ANNOUNCED
from qbt_bridge.engine.rules import AddRule
from qbt_bridge.engine.watchdog import ACTIONS

pytestmark = pytest.mark.unit  # the fast tier: no daemon

TRANSLATIONS = sorted(
    (Path(__file__).parents[2] / "custom_components/qbt_bridge/translations").glob("*.json")
)
CATALOG: tuple[EntitySpec, ...] = (*GLOBAL_ENTITIES, *TORRENT_ENTITIES, *CATEGORY_ENTITIES)


def test_english_is_shipped() -> None:
    assert "en.json" in {path.name for path in TRANSLATIONS}


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda p: p.name)
def test_every_catalog_entity_has_a_name(path: Path) -> None:
    entities = json.loads(path.read_text())["entity"]
    missing = [
        f"{e.platform.value}.{e.key}"
        for e in CATALOG
        if not entities.get(e.platform.value, {}).get(e.key, {}).get("name")
    ]
    assert missing == [], f"{path.name} has no name for {missing}"


def test_english_names_are_the_catalogs() -> None:
    """The catalog's name is what MQTT discovery shows; Home Assistant shows the same words."""
    entities = json.loads(TRANSLATIONS[0].with_name("en.json").read_text())["entity"]
    differ = {
        e.key: (e.name, entities[e.platform.value][e.key]["name"])
        for e in CATALOG
        if entities[e.platform.value][e.key]["name"] != e.name
    }
    assert differ == {}


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda p: p.name)
def test_every_announced_event_and_watchdog_action_has_its_words(path: Path) -> None:
    """The engine's event kinds and the watchdog's actions are declared once, in the engine."""
    words = json.loads(path.read_text())
    event_types = words["entity"]["event"]["torrent_event"]["state_attributes"]["event_type"]
    assert set(event_types["state"]) == set(ANNOUNCED), path.name
    assert set(words["selector"]["events"]["options"]) == set(ANNOUNCED), path.name
    assert set(words["selector"]["stalled_action"]["options"]) == set(ACTIONS), path.name


def test_the_mqtt_page_names_every_announced_event() -> None:
    page = (Path(__file__).parents[2] / "docs/mqtt.md").read_text(encoding="utf-8")
    row = next(line for line in page.splitlines() if "/events`" in line)
    assert [kind for kind in ANNOUNCED if f'"{kind}"' not in row] == []


FLOW = Path(__file__).parents[2] / "custom_components/qbt_bridge/config_flow.py"


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda p: p.name)
def test_every_flow_step_error_and_abort_has_its_words(path: Path) -> None:
    """What the config and options flows show (read from config_flow.py) is in each translation:
    Home Assistant would otherwise show the raw key."""
    source = FLOW.read_text(encoding="utf-8")
    used = {
        "error": set(re.findall(r'\{"base": "([a-z_]+)"\}', source))
        | set(re.findall(r'errors\[[A-Za-z_"]+\] = "([a-z_]+)"', source)),
        "abort": set(re.findall(r'reason="([a-z_]+)"', source))
        | {"reauth_successful", "reconfigure_successful"},  # async_update_reload_and_abort's
        "step": set(re.findall(r'step_id="([a-z_]+)"', source)),
    }
    assert all(used.values()), used  # the patterns still find what the flow uses
    words = json.loads(path.read_text())
    for kind, keys in used.items():
        have = set(words["config"].get(kind, {})) | set(words["options"].get(kind, {}))
        assert keys - have == set(), f"{path.name}: {kind} {sorted(keys - have)}"


@pytest.mark.parametrize("path", TRANSLATIONS, ids=lambda p: p.name)
def test_the_rules_option_names_every_setting_of_a_rule(path: Path) -> None:
    """The option's help lists a rule's keys; they are the engine's AddRule settings."""
    text = json.loads(path.read_text())["options"]["step"]["init"]["data_description"]["rules"]
    keys = {str(marker) for marker in schema(AddRule)}
    assert sorted(k for k in keys if k not in text) == []
