"""The dashboard card's websocket commands: a live page of the torrent list, and commands.

``qbt_bridge/subscribe`` sends the first page (the ``list`` command's filters, sort and page)
and then only what changed, whenever the entry's coordinator has new data (a poll, a push, a
command): nothing polls for the card. ``qbt_bridge/command`` runs one command of the command
table (changes: administrators and the users the entry's options name) and answers what the
table answers, or its error code and message. Home Assistant's websocket server authenticates
every connection before these run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import voluptuous as vol
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import ERR_UNAUTHORIZED
from homeassistant.components.websocket_api.decorators import async_response, websocket_command
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.core import HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from qbt_bridge.api.answers import error_reply
from qbt_bridge.api.commands import COMMANDS, Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.api.view import Watch
from qbt_bridge.core.errors import NotFoundError, QbtBridgeError
from qbt_bridge.core.redact import redact_data, redact_text

from .const import CONF_CARD_USERS, DOMAIN, LOGGER
from .coordinator import QbtConfigEntry

# At most this many live pages per server (each costs a page's work on every refresh): a page
# that never closes (a script subscribing in a loop) cannot pile up work.
MAX_SUBSCRIPTIONS = 50
# What ends each open subscription of an entry, called when the entry unloads.
_ENDINGS: HassKey[dict[str, set[Callable[[], None]]]] = HassKey(f"{DOMAIN}_subscriptions")
_warned_full: set[str] = set()  # entries whose full house was logged


@callback
def async_setup(hass: HomeAssistant) -> None:
    """Register the card's websocket commands."""
    hass.data.setdefault(_ENDINGS, {})
    async_register_command(hass, ws_subscribe)
    async_register_command(hass, ws_command)


@callback
def end_subscriptions(hass: HomeAssistant, entry_id: str) -> None:
    """Tell every subscriber of an entry that unloads that its page ends (it subscribes again)."""
    for end in list(hass.data.get(_ENDINGS, {}).pop(entry_id, ())):
        end()


def _entry(hass: HomeAssistant, entry_id: str | None) -> QbtConfigEntry:
    """The loaded entry named, or the first loaded one when none is named."""
    loaded = hass.config_entries.async_loaded_entries(DOMAIN)
    for entry in loaded:
        if entry_id in (None, entry.entry_id):
            return entry
    other = hass.config_entries.async_get_entry(entry_id) if entry_id else None
    if other is not None and other.domain == DOMAIN:  # one of ours, not loaded
        raise NotFoundError(f"server {other.title!r} is not loaded ({other.state.value})")
    raise NotFoundError(
        "no qbt-bridge server here" if entry_id is None else f"no qbt-bridge entry {entry_id!r}"
    )


def _may_act(connection: ActiveConnection, entry: QbtConfigEntry) -> bool:
    """Administrators, and the users the entry's options name, may change torrents."""
    user = connection.user
    return bool(user.is_admin or user.id in entry.options.get(CONF_CARD_USERS, ()))


def _refuse(connection: ActiveConnection, msg_id: int, err: Exception) -> None:
    reply = error_reply(err)
    connection.send_error(msg_id, reply["code"], redact_text(reply["message"]))


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/subscribe",
        vol.Optional("entry_id"): str,
        vol.Optional("view", default=dict): dict,
    }
)
@callback
def ws_subscribe(hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]) -> None:
    """A live page: the first one whole, then the rows, order and figures that changed."""
    try:
        entry = _entry(hass, msg.get("entry_id"))
        watch = Watch(request(Name.LIST, msg["view"]).args)
    except QbtBridgeError as err:
        _refuse(connection, msg["id"], err)
        return
    endings = hass.data[_ENDINGS].setdefault(entry.entry_id, set())
    if len(endings) >= MAX_SUBSCRIPTIONS:
        if entry.entry_id not in _warned_full:
            _warned_full.add(entry.entry_id)
            LOGGER.warning(
                "%s: %d live pages of the torrent list are open; more are refused until one "
                "closes (said once)", entry.title, MAX_SUBSCRIPTIONS,
            )  # fmt: skip
        connection.send_error(
            msg["id"], "too_many", f"{MAX_SUBSCRIPTIONS} live pages are open for this server"
        )
        return
    coordinator = entry.runtime_data
    available = coordinator.last_update_success

    @callback
    def send_changes() -> None:
        nonlocal available
        out = watch.changes(coordinator.bridge.store) or {}
        if coordinator.last_update_success != available:
            available = out["available"] = coordinator.last_update_success
        if out:
            connection.send_message(event_message(msg["id"], out))

    @callback
    def ended() -> None:
        unsubscribe()
        connection.subscriptions.pop(msg["id"], None)
        connection.send_message(event_message(msg["id"], {"ended": True}))

    remove_listener = coordinator.async_add_listener(send_changes)
    endings.add(ended)

    @callback
    def unsubscribe() -> None:
        remove_listener()
        endings.discard(ended)

    connection.subscriptions[msg["id"]] = unsubscribe
    connection.send_result(msg["id"])
    first = {
        "entry": {"id": entry.entry_id, "title": entry.title},
        "can_act": _may_act(connection, entry),
        "capabilities": sorted(c.value for c in coordinator.bridge.capabilities),
        "available": available,
        **watch.first(coordinator.bridge.store),
    }
    connection.send_message(event_message(msg["id"], first))


@websocket_command(
    {
        vol.Required("type"): f"{DOMAIN}/command",
        vol.Optional("entry_id"): str,
        vol.Required("command"): vol.In(sorted(COMMANDS)),
        vol.Optional("args", default=dict): dict,
    }
)
@async_response
async def ws_command(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """One command of the table; its answer, or its error's code and words."""
    command = COMMANDS[msg["command"]]
    try:
        entry = _entry(hass, msg.get("entry_id"))
        if not command.read_only and not _may_act(connection, entry):
            connection.send_error(
                msg["id"],
                ERR_UNAUTHORIZED,
                "only an administrator, or a user this server's options allow, may change torrents",
            )
            return
        answer = await execute(entry.runtime_data.bridge, request(command.name, msg["args"]))
    except QbtBridgeError as err:
        _refuse(connection, msg["id"], err)
        return
    connection.send_result(msg["id"], redact_data(answer))
