"""Every entity of the catalog has its name in every translation the integration ships."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qbt_bridge.engine.catalog import GLOBAL_ENTITIES, TORRENT_ENTITIES, EntitySpec

pytestmark = pytest.mark.unit  # the fast tier: no daemon

TRANSLATIONS = sorted(
    (Path(__file__).parents[2] / "custom_components/qbt_bridge/translations").glob("*.json")
)
CATALOG: tuple[EntitySpec, ...] = (*GLOBAL_ENTITIES, *TORRENT_ENTITIES)


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
