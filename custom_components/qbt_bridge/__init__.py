"""qbt-bridge: qBittorrent in Home Assistant, on the qbt-bridge engine."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from homeassistant.const import CONF_PASSWORD, CONF_URL, CONF_USERNAME, CONF_VERIFY_SSL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.helpers.storage import STORAGE_DIR
from homeassistant.helpers.typing import ConfigType

from qbt_bridge.core.redact import protect_loggers
from qbt_bridge.engine import ClientKind, RefreshPolicy, ServerSettings, make_bridge

from . import card, push, websocket
from .const import (
    CONF_API_KEY,
    CONF_CLIENT,
    CONF_MANAGE_URL,
    CONF_PORT_FILE,
    DOMAIN,
    PUSH_SWEEP_INTERVAL,
    REQUEST_TIMEOUT,
    SWEEP_INTERVAL,
)
from .coordinator import QbtConfigEntry, QbtCoordinator
from .options import disk_guard, fired_events, rules_on_add, scan_interval, stall_rule
from .services import async_setup_services

PLATFORMS = [Platform.SENSOR, Platform.SWITCH, Platform.BUTTON, Platform.NUMBER, Platform.EVENT]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, _config: ConfigType) -> bool:
    """Register the actions (they name the entry they act on) and the dashboard card."""
    async_setup_services(hass)
    websocket.async_setup(hass)
    await card.async_register(hass)
    return True


def server_settings(
    data: Mapping[str, object], instance_id: str = "", **extra: Any
) -> ServerSettings:
    """The engine's connection settings from an entry's data (or a form's)."""
    return ServerSettings(
        instance_id=instance_id,
        url=str(data[CONF_URL]),
        username=str(data.get(CONF_USERNAME) or ""),
        password=str(data.get(CONF_PASSWORD) or ""),
        api_key=str(data.get(CONF_API_KEY) or "") or None,
        kind=str(data.get(CONF_CLIENT) or ClientKind.QBITTORRENT),
        verify_certificate=bool(data.get(CONF_VERIFY_SSL, True)),
        request_timeout=REQUEST_TIMEOUT,
        **extra,
    )


async def async_setup_entry(hass: HomeAssistant, entry: QbtConfigEntry) -> bool:
    """Connect, read everything once, then set up the platforms."""
    protect_loggers("qbt_bridge", __name__)  # URL secrets never reach Home Assistant's log
    interval = scan_interval(entry.options)
    ledger = hass.config.path(STORAGE_DIR, f"{DOMAIN}.{entry.entry_id}.completed.json")
    settings = server_settings(
        entry.data,
        instance_id=entry.entry_id,
        policy=RefreshPolicy(
            fast_interval=interval,
            full_interval=max(SWEEP_INTERVAL, interval),
            push_full_interval=max(PUSH_SWEEP_INTERVAL, interval),
        ),
        ledger_path=Path(ledger),
        manage_url=entry.options.get(CONF_MANAGE_URL),
        port_file=str(entry.options.get(CONF_PORT_FILE) or "").strip() or None,
        stalled=stall_rule(entry.options),
        disk_guard=disk_guard(entry.options),
        rules=rules_on_add(entry.options),
    )
    # qBittorrent keeps the login in a cookie: a session of the entry's own.
    session = async_create_clientsession(hass, verify_ssl=settings.verify_certificate)
    bridge = await hass.async_add_executor_job(  # reads the completion ledger from disk
        partial(
            make_bridge,
            settings,
            session=session,
            manage_session=async_create_clientsession(hass),
        )
    )
    coordinator = QbtCoordinator(
        hass, entry, bridge, interval=interval, events=fired_events(entry.options)
    )
    try:
        await coordinator.async_config_entry_first_refresh()
    except Exception:
        coordinator.detach()
        await bridge.close()
        raise
    entry.runtime_data = coordinator
    push.register(hass, entry)
    await push.check(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(entry.add_update_listener(_options_changed))
    return True


async def _options_changed(hass: HomeAssistant, entry: QbtConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: QbtConfigEntry) -> bool:
    """Unload the platforms, log out, close the session."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        websocket.end_subscriptions(hass, entry.entry_id)
        coordinator = entry.runtime_data
        coordinator.detach()
        await coordinator.bridge.close()
    return unloaded
