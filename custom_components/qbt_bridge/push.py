"""Push from qBittorrent through Home Assistant's own webhook: one webhook id per entry.

qBittorrent runs the entry's curl line (``push_line``) when a torrent is added and when one
finishes; the webhook hands the ids to the engine's push handling (``answer_push``), and the
coordinator refreshes at once, so *added* and *completed* events reach automations within a
second. The webhook id is the secret (only local networks may call it, as for every local-only
webhook of Home Assistant).
"""

from __future__ import annotations

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import NoURLAvailableError

from qbt_bridge.core.errors import QbtBridgeError
from qbt_bridge.engine.push import (
    PushSetup,
    PushTarget,
    answer_push,
    install_push,
    push_installed,
    push_line,
)

from .const import CONF_MANAGE_ON_PUSH, DOMAIN, LOGGER
from .coordinator import QbtConfigEntry

PLACEHOLDER_HOST = "http://HOME-ASSISTANT:8123"  # when Home Assistant knows no URL of its own


def webhook_id(hass: HomeAssistant, entry: QbtConfigEntry) -> str:
    """The entry's webhook id, made (and kept in its data) on first use."""
    known = entry.data.get(CONF_WEBHOOK_ID)
    if known:
        return str(known)
    made = webhook.async_generate_id()
    hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_WEBHOOK_ID: made})
    return made


def hook_url(hass: HomeAssistant, hook: str) -> str:
    """Where qBittorrent posts: Home Assistant's internal URL (qBittorrent is on the LAN)."""
    try:
        return webhook.async_generate_url(hass, hook, allow_external=False, prefer_external=False)
    except NoURLAvailableError:
        return f"{PLACEHOLDER_HOST}{webhook.async_generate_path(hook)}"


def entry_push_line(hass: HomeAssistant, entry: QbtConfigEntry) -> str:
    """The line for qBittorrent's "run external program" (on add and on finish)."""
    return push_line(hook_url(hass, webhook_id(hass, entry)))


async def install(hass: HomeAssistant, entry: QbtConfigEntry) -> PushSetup:
    """Set the line in qBittorrent's empty program slots (another program is left as it is)."""
    bridge = entry.runtime_data.bridge
    return await install_push(bridge, entry_push_line(hass, entry), webhook_id(hass, entry))


def register(hass: HomeAssistant, entry: QbtConfigEntry) -> None:
    """Serve the entry's webhook until the entry unloads."""
    coordinator = entry.runtime_data
    target = PushTarget(coordinator.bridge, entry.options.get(CONF_MANAGE_ON_PUSH, ()))

    async def handle(_hass: HomeAssistant, _hook: str, request: web.Request) -> web.Response:
        response = await answer_push(target, request)
        if response.status == 202:
            coordinator.pushed()
        return response

    hook = webhook_id(hass, entry)
    webhook.async_register(
        hass, DOMAIN, entry.title, hook, handle, local_only=True, allowed_methods=["POST"]
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, hook))
    entry.async_on_unload(target.close)


async def check(hass: HomeAssistant, entry: QbtConfigEntry) -> None:
    """Whether qBittorrent runs the entry's line (one preferences call): then sweeps are rare."""
    try:
        await push_installed(entry.runtime_data.bridge, webhook_id(hass, entry))
    except QbtBridgeError as err:  # another client, or the server went away: poll as before
        LOGGER.debug("push not checked for %s: %s", entry.title, err)
