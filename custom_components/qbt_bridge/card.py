"""The dashboard card: its bundle served from a static path and loaded by Home Assistant's frontend.

The bundle (``frontend/qbt-bridge-card.js``) is built from the repository's ``card/src`` by
``npm run build`` in ``card/`` and committed, so a HACS install has it with nothing else to
fetch. Its URL carries the bundle's digest: a browser caches it until the integration ships
another.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from homeassistant.components.frontend import add_extra_js_url
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant

from .const import DOMAIN, LOGGER

BUNDLE = Path(__file__).parent / "frontend" / "qbt-bridge-card.js"
URL = f"/{DOMAIN}/qbt-bridge-card.js"


def _digest() -> str:
    return hashlib.sha256(BUNDLE.read_bytes()).hexdigest()[:12]


async def async_register(hass: HomeAssistant) -> None:
    """Serve the bundle and have every dashboard load it (once per Home Assistant start)."""
    digest = await hass.async_add_executor_job(_digest)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(URL, str(BUNDLE), cache_headers=True)]
    )
    if "frontend" not in hass.config.components:  # a Home Assistant without its UI
        LOGGER.debug("no frontend: the card is served at %s but not loaded", URL)
        return
    add_extra_js_url(hass, f"{URL}?v={digest}")
