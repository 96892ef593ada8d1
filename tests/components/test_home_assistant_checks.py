"""What hassfest and the HACS action check of a custom integration, checked here.

Both run only from their own repositories (Home Assistant's wheel has no hassfest), so
.github/workflows/validate.yml keeps the real ones for GitHub and these tests check the same
things on every run: the manifest's keys and values, Home Assistant's own loader taking the
integration, services.yaml through Home Assistant's own schema, exception words, hacs.json by
HACS's rules, and the brand images in the form a custom integration ships them (``brand/``,
served by Home Assistant 2026.3 and newer). The translations of flow steps, errors, aborts,
entities and action fields are checked in test_translations.py and test_command_table.py.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.core import HomeAssistant
from homeassistant.helpers import service
from homeassistant.loader import async_get_integration
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
from PIL import Image

from custom_components.qbt_bridge.const import DOMAIN
from qbt_bridge import __version__

ROOT = Path(__file__).parents[2]
INTEGRATION = ROOT / "custom_components" / DOMAIN
MANIFEST = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))

IOT_CLASSES = {"assumed_state", "calculated", "cloud_polling", "cloud_push", "local_polling",
               "local_push"}  # fmt: skip
INTEGRATION_TYPES = {"device", "entity", "hardware", "helper", "hub", "service", "system",
                     "virtual"}  # fmt: skip
MANIFEST_KEYS = {
    # what a custom integration's manifest may hold (hassfest's schema)
    "domain", "name", "after_dependencies", "bluetooth", "codeowners", "config_flow",
    "dependencies", "dhcp", "documentation", "homekit", "import_executor", "integration_type",
    "iot_class", "issue_tracker", "loggers", "mqtt", "requirements", "single_config_entry",
    "ssdp", "usb", "version", "zeroconf",
}  # fmt: skip
HACS_KEYS = {"name", "content_in_root", "country", "filename", "hacs", "hide_default_branch",
             "homeassistant", "persistent_directory", "render_readme", "zip_release"}  # fmt: skip


def test_the_manifest_has_what_hassfest_and_hacs_require() -> None:
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"] and keys[2:] == sorted(keys[2:]), "hassfest's order"
    assert set(keys) <= MANIFEST_KEYS, set(keys) - MANIFEST_KEYS
    assert MANIFEST["domain"] == INTEGRATION.name
    assert re.fullmatch(r"[a-z0-9_]+", MANIFEST["domain"])
    assert isinstance(MANIFEST["name"], str) and MANIFEST["name"]
    assert isinstance(MANIFEST["codeowners"], list)
    assert MANIFEST["iot_class"] in IOT_CLASSES
    assert MANIFEST["integration_type"] in INTEGRATION_TYPES
    for key in ("documentation", "issue_tracker"):
        assert urlsplit(MANIFEST[key]).scheme == "https", key
    version = AwesomeVersion(MANIFEST["version"])  # required of custom integrations
    assert version.strategy != AwesomeVersionStrategy.UNKNOWN
    assert MANIFEST["requirements"] == [f"qbt-bridge=={__version__}"]
    assert MANIFEST["config_flow"] is True and (INTEGRATION / "config_flow.py").exists()
    for dependency in MANIFEST["dependencies"] + MANIFEST.get("after_dependencies", []):
        assert importlib.util.find_spec(f"homeassistant.components.{dependency}"), dependency
    assert all(isinstance(logger, str) for logger in MANIFEST["loggers"])


async def test_home_assistants_loader_takes_it_as_a_custom_integration(
    hass: HomeAssistant,
) -> None:
    integration = await async_get_integration(hass, DOMAIN)
    assert integration.is_built_in is False
    assert str(integration.version) == __version__
    assert integration.config_flow is True
    await integration.async_get_component()
    await integration.async_get_platform("config_flow")
    if hasattr(integration, "has_branding"):  # Home Assistant 2026.3 and newer
        assert integration.has_branding


def test_services_yaml_passes_home_assistants_own_schema() -> None:
    """The schema Home Assistant's service-description loader applies (from the installed
    package: it logs "Unable to parse services.yaml" and shows no action otherwise)."""
    loaded = load_yaml_dict(str(INTEGRATION / "services.yaml"))
    checked = service._SERVICES_SCHEMA(loaded)
    assert set(checked) == set(loaded)


def test_every_exception_the_code_raises_has_its_words() -> None:
    """translation_key= in the code names a key of "exceptions" in every translation."""
    code = "".join(path.read_text(encoding="utf-8") for path in INTEGRATION.glob("*.py"))
    used = set(re.findall(r"translation_key=\"(\w+)\"", code))
    assert used, "the pattern finds the raises"
    for path in sorted((INTEGRATION / "translations").glob("*.json")):
        words = json.loads(path.read_text(encoding="utf-8"))
        known = set(words["exceptions"]) | {
            key for platform in words["entity"].values() for key in platform
        }
        assert used - known == set(), f"{path.name}: {sorted(used - known)}"


def test_hacs_json_follows_hacs_rules() -> None:
    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    assert set(hacs) <= HACS_KEYS, set(hacs) - HACS_KEYS
    assert isinstance(hacs["name"], str) and hacs["name"]
    assert AwesomeVersion(hacs["homeassistant"]).strategy == AwesomeVersionStrategy.CALVER
    for key in ("content_in_root", "hide_default_branch", "render_readme", "zip_release"):
        assert isinstance(hacs.get(key, False), bool), key
    # One integration under custom_components/ (HACS installs that folder).
    assert [p.name for p in (ROOT / "custom_components").iterdir() if p.is_dir()
            and not p.name.startswith("__")] == [DOMAIN]  # fmt: skip
    assert (ROOT / "README.md").exists()  # render_readme shows it in HACS


@pytest.mark.parametrize(
    ("name", "sizes"),
    [
        ("icon.png", ((256, 256),)),
        ("icon@2x.png", ((512, 512),)),
        ("logo.png", (128, 256)),  # the shorter side, from-to
        ("logo@2x.png", (256, 512)),
        ("dark_logo.png", (128, 256)),
        ("dark_logo@2x.png", (256, 512)),
    ],
)
def test_the_brand_images_are_what_home_assistant_serves(
    name: str, sizes: tuple[object, ...]
) -> None:
    with Image.open(INTEGRATION / "brand" / name) as image:
        assert image.format == "PNG"
        assert image.mode == "RGBA"  # a transparent background
        assert image.getextrema()[3][0] == 0, "some pixels are transparent"
        if name.startswith(("icon", "dark_icon")):
            assert (image.width, image.height) in sizes
        else:
            low, high = sizes
            assert low <= min(image.size) <= high  # type: ignore[operator]
            assert image.getbbox() == (0, 0, image.width, image.height), "trimmed"


async def test_home_assistant_serves_the_integrations_own_icon(
    hass: HomeAssistant, hass_client: object
) -> None:
    """Home Assistant 2026.3 and newer: /api/brands/ serves brand/ before any CDN."""
    if importlib.util.find_spec("homeassistant.components.brands") is None:
        pytest.skip("Home Assistant before 2026.3 has no brands proxy (the newest tier runs it)")
    assert await async_setup_component(hass, "brands", {})
    client = await hass_client()  # type: ignore[operator]
    for image in ("icon.png", "logo.png", "dark_logo@2x.png"):
        answer = await client.get(f"/api/brands/integration/{DOMAIN}/{image}")
        assert answer.status == 200, image
        assert await answer.read() == (INTEGRATION / "brand" / image).read_bytes()
