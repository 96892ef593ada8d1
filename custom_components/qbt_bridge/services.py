"""Actions: every one names the config entry (server) it acts on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv

from qbt_bridge.api.commands import COMMANDS, Name
from qbt_bridge.api.describe import Argument, Kind, arguments
from qbt_bridge.api.parse import execute, request
from qbt_bridge.core.redact import redact_data
from qbt_bridge.engine import Bridge

from .const import DOMAIN, LOGGER
from .errors import translated

ATTR_ENTRY = "config_entry_id"
ATTR_TORRENTS = "torrents"
MAX_FILE = 8 * 1024 * 1024

_ENTRY: dict[Any, Any] = {vol.Required(ATTR_ENTRY): cv.string}


def _whole(value: Any) -> Any:
    """A number typed as text ("5") as the number; anything else as it is."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value


def _indexes(value: Any) -> Any:
    """File indexes typed in a text field ("0, 3, 4") as a list; "all" and lists as they are."""
    if isinstance(value, str) and value.strip() != "all":
        return [_whole(part.strip()) for part in value.split(",") if part.strip()]
    return value


# What Home Assistant adds to the table's arguments, declared here and nowhere else: a number
# may come typed as text (every integer argument), and two arguments are text fields of their
# own: the add action's file is a path on the Home Assistant host (read by the handler, then
# given to the table as bytes; None here), file indexes come as "0, 3, 4".
_TEXT_FIELDS: dict[tuple[str, str], Callable[[Any], Any] | None] = {
    ("add", "file"): None,
    ("set_file_priority", "files"): _indexes,
}


# Arguments of the table Home Assistant has no use for: its actions name one server by
# config_entry_id (an automation adds to several by calling once for each).
LEFT_OUT = {("add", "instances")}


def _derived(command: str) -> vol.Schema:
    """An action's schema: the command's own arguments and validators, and the server."""
    kinds = {argument.name: argument.kind for argument in arguments(command)}
    fields = dict(_ENTRY)
    for marker, validator in COMMANDS[command].schema.schema.items():
        name = str(marker)
        if (command, name) in LEFT_OUT:
            continue
        if (command, name) in _TEXT_FIELDS:
            before = _TEXT_FIELDS[(command, name)]
            fields[marker] = cv.string if before is None else vol.All(before, validator)
        elif kinds[name] is Kind.INTEGER:
            fields[marker] = vol.All(_whole, validator)
        else:
            fields[marker] = validator
    return vol.Schema(fields)


NOT_OFFERED: dict[str, str] = {
    "search_stop": "the search action stops its job itself",
    "search_delete": "the search action deletes its job itself",
}
# The commands offered as actions, each under its own name, with its arguments and answer.
ACTIONS = (
    "add", "pause", "resume", "recheck", "delete", "set_category", "add_tags", "remove_tags",
    "set_torrent_limits", "rss_set_rule", "rss_remove_rule", "manage", "search",
    "search_add", "files", "set_file_priority", "categories", "create_category",
    "remove_category", "tags", "list", "reannounce", "force_start", "rss_feeds", "rss_add_feed",
    "rss_remove_feed", "rss_refresh", "rss_rules", "rss_enable_rule", "rss_rename_rule",
    "rss_matching", "rss_export_rules", "rss_import_rules", "search_plugins", "set_listen_port",
    "pause_all", "alt_speed", "set_global_limits",
)  # fmt: skip
# The names these actions had before they took their command's (kept for one release; each use
# logs once that the name is deprecated).
RENAMED = {
    "add_torrent": "add", "get_torrents": "list", "set_limits": "set_torrent_limits",
    "rss_add_rule": "rss_set_rule", "run_qbit_manage": "manage", "get_files": "files",
    "get_categories": "categories", "get_tags": "tags",
}  # fmt: skip
# Each action name Home Assistant knows and the command it runs.
ACTION_COMMANDS = {**{name: name for name in ACTIONS}, **RENAMED}
# Where each command of the one command table (qbt_bridge.api.commands) is in Home Assistant,
# and why the others are not (NOT_OFFERED; checked by tests/api/test_command_table.py).
OFFERED: dict[str, str] = {
    **{name: f"action {name}" for name in ACTIONS},
    "search_start": "action search (starts the job)",
    "search_results": "action search (waits for the results)",
    "pause_all": "action pause_all (for a while with duration), button Pause all",
    "resume_all": "button Resume all",
    "resume_paused": "button Resume what Pause all paused",
    "pause_session": "button Pause the session (qBittorrent 5.3 and newer)",
    "resume_session": "button Resume the session (qBittorrent 5.3 and newer)",
    "alt_speed": "action alt_speed (for a while with duration), switch Alternative speed limits",
    "set_global_limits": (
        "action set_global_limits (for a while with duration), numbers Download/Upload limit "
        "and their alternative pair"
    ),
    "refresh": "the coordinator's refresh (homeassistant.update_entity)",
}
SCHEMAS: dict[str, vol.Schema] = {
    action: _derived(command) for action, command in ACTION_COMMANDS.items()
}
# From the table: a read-only command answers (ONLY), a changing one may (OPTIONAL).
RESPONSES = {
    action: SupportsResponse.ONLY if COMMANDS[command].read_only else SupportsResponse.OPTIONAL
    for action, command in ACTION_COMMANDS.items()
}


def _bridge(hass: HomeAssistant, call: ServiceCall) -> Bridge:
    entry = hass.config_entries.async_get_entry(call.data[ATTR_ENTRY])
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_entry",
            translation_placeholders={"entry": call.data[ATTR_ENTRY]},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"entry": entry.title},
        )
    return entry.runtime_data.bridge  # type: ignore[no-any-return]


async def _add(hass: HomeAssistant, bridge: Bridge, data: dict[str, Any]) -> Any:
    """add: a file is read here (it must be under allowlist_external_dirs)."""
    options = {"category", "tags", "save_path", "paused", "file_priorities"}
    args = {k: v for k, v in data.items() if k in options}
    if "file" in data:
        path = Path(data["file"])
        if not hass.config.is_allowed_path(str(path)):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="path_not_allowed",
                translation_placeholders={"path": str(path)},
            )
        args["file"] = await hass.async_add_executor_job(_read_file, path)
    elif "source" in data:
        args["source"] = data["source"]
    else:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="nothing_to_add")
    return await execute(bridge, request(Name.ADD, args))


def _read_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="file_too_large",
                translation_placeholders={"path": str(path)},
            )
        return path.read_bytes()
    except OSError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="file_unreadable",
            translation_placeholders={"path": str(path), "error": err.strerror or str(err)},
        ) from err


def _handlers(hass: HomeAssistant) -> dict[str, Callable[[Bridge, dict[str, Any]], Awaitable[Any]]]:
    handlers: dict[str, Callable[[Bridge, dict[str, Any]], Awaitable[Any]]] = {}
    for action, command in ACTION_COMMANDS.items():
        # add reads a file on the Home Assistant host; the rest run their command as they come
        handlers[action] = (
            (lambda b, d: _add(hass, b, d)) if command == "add" else _through_table(command)
        )
    return handlers


def _through_table(command: str) -> Callable[[Bridge, dict[str, Any]], Awaitable[Any]]:
    async def run(bridge: Bridge, data: dict[str, Any]) -> Any:
        args = {k: v for k, v in data.items() if k != ATTR_ENTRY}
        return await execute(bridge, request(Name(command), args))

    return run


def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration."""
    handlers = _handlers(hass)
    warned: set[str] = set()  # deprecated names used since start (each said once)

    def make(name: str) -> Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
        async def handle(call: ServiceCall) -> ServiceResponse:
            if name in RENAMED and name not in warned:
                warned.add(name)
                LOGGER.warning(
                    "%s.%s is deprecated: it is now %s.%s (the old name goes in the next "
                    "release)", DOMAIN, name, DOMAIN, RENAMED[name],
                )  # fmt: skip
            bridge = _bridge(hass, call)
            async with translated():
                result = await handlers[name](bridge, dict(call.data))
            if not call.return_response:
                return None
            answer = redact_data(result)
            # Home Assistant takes an object: a list (rss_rules …) comes as its "result"
            return answer if isinstance(answer, dict) else {"result": answer}

        return handle

    for name, schema in SCHEMAS.items():
        hass.services.async_register(
            DOMAIN, name, make(name), schema=schema,
            supports_response=RESPONSES[name],
        )  # fmt: skip


# What services.yaml shows beyond the table: examples, and the fields Home Assistant takes as text.
_EXAMPLES = {"source": "magnet:?xt=urn:btih:...", "file": "/media/torrents/x.torrent",
             "file_priorities": "[skip, normal, high]", "torrents": "ubuntu", "torrent": "ubuntu",
             "query": "debian iso", "pattern": "debian iso", "files": "0, 2",
             "create_category.name": "tv", "remove_category.name": "tv"}  # fmt: skip
_SELECTOR_EXTRA: dict[str, dict[str, Any]] = {
    "state": {"translation_key": "states"},  # the options form's words for the state groups
    "sort": {"translation_key": "sorts"},
    "download": {"unit_of_measurement": "B/s"},
    "upload": {"unit_of_measurement": "B/s"},
    "alt_download": {"unit_of_measurement": "B/s"},
    "alt_upload": {"unit_of_measurement": "B/s"},
}


def _selector(command: str, argument: Argument) -> dict[str, Any]:
    """Home Assistant's selector for one argument of the table."""
    if (command, argument.name) in _TEXT_FIELDS or argument.kind is Kind.TEXT:
        return {"text": {}}
    if argument.kind is Kind.TEXTS:
        return {"text": {"multiple": True}}
    if argument.kind is Kind.INTEGER:
        bounds = {"min": argument.minimum, "max": argument.maximum}
        return {"number": {k: v for k, v in bounds.items() if v is not None} | {"mode": "box"}}
    if argument.kind is Kind.CHOICE:
        multiple = {"multiple": True} if argument.multiple else {}
        return {"select": {"options": list(argument.choices), **multiple}}
    if argument.kind is Kind.DURATION:
        return {"duration": {"enable_day": True}}
    return {argument.kind.value: {}}  # boolean, object


HEADER = (
    "# Generated from the command table by scripts/generate-services: edit the table "
    "(qbt_bridge/api/commands.py)\n# or services.py's Home Assistant additions, then run it.\n"
)


def services_description() -> dict[str, Any]:
    """services.yaml as the table gives it (scripts/generate-services writes it)."""
    described: dict[str, Any] = {}
    for action, command in ACTION_COMMANDS.items():
        fields: dict[str, Any] = {
            ATTR_ENTRY: {"required": True, "selector": {"config_entry": {"integration": DOMAIN}}}
        }
        for argument in arguments(command):
            if (command, argument.name) in LEFT_OUT:
                continue
            field: dict[str, Any] = {}
            if argument.required:
                field["required"] = True
            if argument.default not in (None, ""):
                field["default"] = argument.default
            example = _EXAMPLES.get(f"{command}.{argument.name}", _EXAMPLES.get(argument.name))
            if example is not None:
                field["example"] = example
            (kind, options), *_ = _selector(command, argument).items()
            field["selector"] = {kind: {**options, **_SELECTOR_EXTRA.get(argument.name, {})}}
            fields[argument.name] = field
        described[action] = {"fields": fields}
    return described
