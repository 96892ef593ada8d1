"""Config flow: add a server, re-authenticate, reconfigure, and the options."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_SCAN_INTERVAL,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import callback
from homeassistant.helpers import selector
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from qbt_bridge.core.errors import (
    AuthenticationError,
    ConnectionFailedError,
    LoginBannedError,
    NotSupportedError,
    QbtBridgeError,
    UnsupportedVersionError,
)
from qbt_bridge.core.models import StateGroup
from qbt_bridge.core.settings import default
from qbt_bridge.engine import (
    PUSH_COMMANDS,
    ClientKind,
    check_server,
    detect_server,
    make_bridge,
    normalize_url,
)
from qbt_bridge.engine.catalog import ORDERS, CategoryFilter, TorrentFilter
from qbt_bridge.engine.diskguard import DiskGuard
from qbt_bridge.engine.push import SLOTS as PUSH_SLOTS
from qbt_bridge.engine.push import PushSetup, install_push, push_line, taken_slots
from qbt_bridge.engine.watchdog import ACTIONS as STALL_ACTIONS
from qbt_bridge.engine.watchdog import StallRule

from . import push
from .const import (
    CONF_ACTIVE_ONLY,
    CONF_API_KEY,
    CONF_CARD_USERS,
    CONF_CATEGORIES,
    CONF_CATEGORY_ENTITIES,
    CONF_CLIENT,
    CONF_DISK_MIN_FREE,
    CONF_DISK_PAUSE,
    CONF_EVENTS,
    CONF_LIMIT,
    CONF_MANAGE_ON_PUSH,
    CONF_MANAGE_URL,
    CONF_METADATA_MINUTES,
    CONF_ORDER,
    CONF_PORT_FILE,
    CONF_PUSH_INSTALL,
    CONF_RULES,
    CONF_STALLED_ACTION,
    CONF_STALLED_HOURS,
    CONF_STATES,
    CONF_TAGS,
    CONF_TORRENTS,
    DEFAULT_LIMIT,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    EVENT_KINDS,
    LOGGER,
    MAX_LIMIT,
    REQUEST_TIMEOUT,
)
from .coordinator import QbtConfigEntry
from .options import (
    METADATA_MINUTES,
    METADATA_MINUTES_RANGE,
    STALLED_HOURS,
    STALLED_HOURS_RANGE,
    rules_on_add,
)

_PASSWORD = selector.TextSelector(
    selector.TextSelectorConfig(type=selector.TextSelectorType.PASSWORD)
)
_URL = selector.TextSelector(selector.TextSelectorConfig(type=selector.TextSelectorType.URL))

# The options form's defaults are the engine's (core.settings), bar the entity cap (const.py).
_FILTER = {name: default(TorrentFilter, name) for name in ("enabled", "order", "active_only")}


def _credentials(defaults: Mapping[str, Any]) -> dict[Any, Any]:
    return {
        vol.Optional(CONF_USERNAME, default=defaults.get(CONF_USERNAME, "")): str,
        vol.Optional(CONF_PASSWORD, default=""): _PASSWORD,
        vol.Optional(CONF_API_KEY, default=""): _PASSWORD,
    }


def _server_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_URL, default=defaults.get(CONF_URL, "http://")): _URL,
            **_credentials(defaults),
            vol.Optional(CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, True)): bool,
        }
    )


async def _find_kind(hass: Any, data: dict[str, Any]) -> dict[str, str]:
    """Which API the server speaks, into ``data``; the form's errors when none."""
    if data.get(CONF_API_KEY):
        data[CONF_CLIENT] = ClientKind.QBITTORRENT.value
        return {}
    # Detection sends no credentials and keeps no cookie: Home Assistant's shared session.
    session = async_get_clientsession(hass, verify_ssl=data.get(CONF_VERIFY_SSL, True))
    try:
        kind = await detect_server(data[CONF_URL], session=session, probe_timeout=REQUEST_TIMEOUT)
    except NotSupportedError as err:
        LOGGER.debug("%s: %s", data[CONF_URL], err)
        return {"base": "not_a_torrent_client"}
    except ConnectionFailedError as err:
        LOGGER.debug("cannot connect to %s: %s", data[CONF_URL], err)
        return {"base": "cannot_connect"}
    data[CONF_CLIENT] = kind.value
    return {}


async def validate(hass: Any, data: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """Find the server's API and try the credentials: its name, or the form's errors."""
    from . import server_settings  # noqa: PLC0415 - __init__ imports this module

    errors = await _find_kind(hass, data)
    if errors:
        return "", errors
    error = product = ""
    try:
        # A session of the check's own, closed with it: the login cookie goes nowhere else.
        product = await check_server(server_settings(data))
    except UnsupportedVersionError:
        error = "unsupported_version"
    except LoginBannedError:
        error = "banned"
    except AuthenticationError:
        error = "invalid_auth"
    except ConnectionFailedError as err:
        LOGGER.debug("cannot connect to %s: %s", data[CONF_URL], err)
        error = "cannot_connect"
    except QbtBridgeError:
        LOGGER.exception("unexpected answer from %s", data[CONF_URL])
        error = "unknown"
    return ("", {"base": error}) if error else (product, {})


def _clean(user_input: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Normalise the URL (scheme required, no trailing slash); errors for the form."""
    data = dict(user_input)
    text = str(data.get(CONF_URL, "")).strip()
    if "://" not in text:
        return data, {CONF_URL: "invalid_url"}
    try:
        data[CONF_URL] = normalize_url(text)
    except ValueError:
        return data, {CONF_URL: "invalid_url"}
    if not data.get(CONF_API_KEY) and not data.get(CONF_USERNAME):
        return data, {"base": "credentials_required"}
    return data, {}


async def _on_server(data: Mapping[str, Any], job: Any) -> Any:
    """Run ``job(bridge)`` on a short-lived bridge to the form's server."""
    from . import server_settings  # noqa: PLC0415 - __init__ imports this module

    bridge = make_bridge(server_settings(data))
    try:
        return await job(bridge)
    finally:
        await bridge.close()


class QbtBridgeConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add a qBittorrent server."""

    VERSION = 1

    def __init__(self) -> None:
        """A flow remembers the server it checked for its push step."""
        self._data: dict[str, Any] = {}
        self._title = self._product = ""
        self._taken: tuple[str, ...] = ()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the server and the credentials."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = _clean(user_input)
            if not errors:
                await self.async_set_unique_id(data[CONF_URL].lower())
                self._abort_if_unique_id_configured()
                product, errors = await validate(self.hass, data)
                if not errors:
                    self._data, self._product = data, product
                    self._title = f"{product.split(' ')[0]} {data[CONF_URL].split('://', 1)[1]}"
                    if data[CONF_CLIENT] == ClientKind.QBITTORRENT:
                        return await self._offer_push()
                    return self._create()
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(_server_schema({}), user_input or {}),
            errors=errors,
            description_placeholders={"timeout": f"{REQUEST_TIMEOUT:g}"},
        )

    def _create(self) -> ConfigFlowResult:
        return self.async_create_entry(
            title=self._title,
            data=self._data,
            description_placeholders={"version": self._product},
        )

    async def _offer_push(self) -> ConfigFlowResult:
        """Which of qBittorrent's program slots are free, then the push step."""
        self._data[CONF_WEBHOOK_ID] = webhook.async_generate_id()
        try:
            self._taken = await _on_server(
                self._data, lambda bridge: taken_slots(bridge, self._data[CONF_WEBHOOK_ID])
            )
        except QbtBridgeError as err:  # the server answered a moment ago: offer it unchecked
            LOGGER.debug("program slots of %s not read: %s", self._data[CONF_URL], err)
            self._taken = tuple(when for _prefix, when in PUSH_SLOTS)
        return await self.async_step_push()

    async def async_step_push(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Offer to set qBittorrent's "run external program" to the push line.

        Checked when both slots are free; a slot with another program is never overwritten.
        """
        line = push_line(push.hook_url(self.hass, self._data[CONF_WEBHOOK_ID]))
        placeholders = {
            "push_line": line,
            "slots": " and ".join(self._taken) or "-",
        }
        errors: dict[str, str] = {}
        if user_input is not None:
            if not user_input.get(CONF_PUSH_INSTALL):
                return self._create()
            hook = self._data[CONF_WEBHOOK_ID]
            try:
                setup: PushSetup = await _on_server(
                    self._data, lambda bridge: install_push(bridge, line, hook)
                )
            except QbtBridgeError as err:
                placeholders["error"] = str(err)
                errors["base"] = "push_failed"
            else:
                LOGGER.info("%s", setup.message(self._title))
                return self._create()
        return self.async_show_form(
            step_id="push",
            data_schema=vol.Schema(
                {vol.Required(CONF_PUSH_INSTALL, default=not self._taken): bool}
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reauth(self, _entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """The stored credentials stopped working."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials for the same server."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = _clean({**entry.data, **user_input})
            if not errors:
                _version, errors = await validate(self.hass, data)
                if not errors:
                    return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(_credentials(entry.data)),
            errors=errors,
            description_placeholders={"url": entry.data[CONF_URL]},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the URL, credentials or certificate checks of a server."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = _clean(user_input)
            if not errors:
                unique_id = data[CONF_URL].lower()
                other = self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, unique_id)
                if other is not None and other.entry_id != entry.entry_id:
                    return self.async_abort(reason="already_configured")
                _version, errors = await validate(self.hass, data)
                if not errors:
                    return self.async_update_reload_and_abort(entry, unique_id=unique_id, data=data)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=_server_schema(entry.data),
            errors=errors,
        )

    @staticmethod
    @callback
    def async_get_options_flow(_entry: QbtConfigEntry) -> QbtBridgeOptionsFlow:
        """The options."""
        return QbtBridgeOptionsFlow()


class QbtBridgeOptionsFlow(OptionsFlow):
    """Refresh interval, per-torrent entities and which events to fire."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """One form for all options."""
        errors: dict[str, str] = {}
        placeholders = {
            "push_line": push.entry_push_line(self.hass, self.config_entry),
            "rules_error": "",
        }
        if user_input is not None:
            url = str(user_input.get(CONF_MANAGE_URL) or "").strip()
            if url:
                try:
                    user_input[CONF_MANAGE_URL] = normalize_url(url)
                except ValueError:
                    errors[CONF_MANAGE_URL] = "invalid_url"
            else:
                user_input.pop(CONF_MANAGE_URL, None)
            try:
                rules = rules_on_add(user_input)
            except vol.Invalid as err:
                errors[CONF_RULES] = "invalid_rules"
                placeholders["rules_error"] = str(err)
            else:
                if any(rule.manage for rule in rules) and not user_input.get(CONF_MANAGE_URL):
                    errors[CONF_RULES] = "rules_need_manage"
            if user_input.pop(CONF_PUSH_INSTALL, False) and not errors:
                errors.update(await self._install_push(placeholders))
            if not errors:
                return self.async_create_entry(data=user_input)
        options = self.config_entry.options
        # who may act in the dashboard card besides administrators (they always may)
        users = [
            user
            for user in await self.hass.auth.async_get_users()
            if user.is_active and not user.system_generated and not user.is_admin
        ]
        allowed = [uid for uid in options.get(CONF_CARD_USERS, []) if uid in {u.id for u in users}]
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_SCAN_INTERVAL,
                    default=options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL),
                ): vol.All(vol.Coerce(int), vol.Range(min=2, max=3600)),
                vol.Required(
                    CONF_TORRENTS, default=options.get(CONF_TORRENTS, _FILTER["enabled"])
                ): (bool),
                vol.Optional(CONF_STATES, default=list(options.get(CONF_STATES, []))): (
                    selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=[g.value for g in StateGroup],
                            multiple=True,
                            translation_key=CONF_STATES,
                        )
                    )
                ),
                vol.Optional(CONF_CATEGORIES, default=options.get(CONF_CATEGORIES, "")): str,
                vol.Required(
                    CONF_CATEGORY_ENTITIES,
                    default=options.get(CONF_CATEGORY_ENTITIES, default(CategoryFilter, "enabled")),
                ): bool,
                vol.Optional(CONF_TAGS, default=options.get(CONF_TAGS, "")): str,
                vol.Required(CONF_LIMIT, default=options.get(CONF_LIMIT, DEFAULT_LIMIT)): vol.All(
                    vol.Coerce(int), vol.Range(min=1, max=MAX_LIMIT)
                ),
                vol.Required(CONF_ORDER, default=options.get(CONF_ORDER, _FILTER["order"])): (
                    selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=list(ORDERS), translation_key=CONF_ORDER
                        )
                    )
                ),
                vol.Required(
                    CONF_ACTIVE_ONLY, default=options.get(CONF_ACTIVE_ONLY, _FILTER["active_only"])
                ): bool,
                vol.Required(
                    CONF_DISK_MIN_FREE, default=options.get(CONF_DISK_MIN_FREE, 0)
                ): vol.All(vol.Coerce(float), vol.Range(min=0, max=1_000_000)),
                vol.Required(
                    CONF_DISK_PAUSE,
                    default=options.get(CONF_DISK_PAUSE, default(DiskGuard, "pause")),
                ): bool,
                vol.Required(
                    CONF_STALLED_HOURS, default=options.get(CONF_STALLED_HOURS, STALLED_HOURS)
                ): vol.All(vol.Coerce(float), STALLED_HOURS_RANGE),
                vol.Required(
                    CONF_METADATA_MINUTES,
                    default=options.get(CONF_METADATA_MINUTES, METADATA_MINUTES),
                ): vol.All(vol.Coerce(float), METADATA_MINUTES_RANGE),
                vol.Required(
                    CONF_STALLED_ACTION,
                    default=options.get(CONF_STALLED_ACTION, default(StallRule, "action")),
                ): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=list(STALL_ACTIONS), translation_key=CONF_STALLED_ACTION
                    )
                ),
                vol.Optional(
                    CONF_PORT_FILE, description={"suggested_value": options.get(CONF_PORT_FILE)}
                ): str,
                vol.Optional(
                    CONF_RULES, description={"suggested_value": options.get(CONF_RULES)}
                ): selector.ObjectSelector(),
                vol.Optional(
                    CONF_MANAGE_URL, description={"suggested_value": options.get(CONF_MANAGE_URL)}
                ): str,
                vol.Optional(
                    CONF_MANAGE_ON_PUSH, default=list(options.get(CONF_MANAGE_ON_PUSH, []))
                ): selector.SelectSelector(
                    selector.SelectSelectorConfig(options=list(PUSH_COMMANDS), multiple=True)
                ),
                vol.Optional(CONF_EVENTS, default=list(options.get(CONF_EVENTS, EVENT_KINDS))): (
                    selector.SelectSelector(
                        selector.SelectSelectorConfig(
                            options=list(EVENT_KINDS), multiple=True, translation_key=CONF_EVENTS
                        )
                    )
                ),
                vol.Optional(CONF_CARD_USERS, default=allowed): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=[
                            selector.SelectOptionDict(value=user.id, label=user.name or user.id)
                            for user in users
                        ],
                        multiple=True,
                    )
                ),
                vol.Optional(CONF_PUSH_INSTALL, default=False): bool,
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=schema,
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _install_push(self, placeholders: dict[str, str]) -> dict[str, str]:
        """Set the push line in qBittorrent (empty slots only); errors for the form."""
        if self.config_entry.state is not ConfigEntryState.LOADED:
            return {"base": "not_loaded"}
        try:
            setup = await push.install(self.hass, self.config_entry)
        except NotSupportedError:
            return {"base": "push_not_supported"}
        except QbtBridgeError as err:
            placeholders["error"] = str(err)
            return {"base": "push_failed"}
        if setup.left:
            placeholders["slots"] = " and ".join(setup.left)
            return {"base": "push_slot_taken"}
        return {}
