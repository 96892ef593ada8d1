"""The command API as data: one table of named commands with their argument schemas.

Fronts that speak in messages (MQTT, later others) parse a payload with ``parse.parse_payload``
and run it with ``parse.execute``; both raise the engine's typed errors, which
``answers.error_reply`` turns into an answer that says why. The engine calls behind the
commands are in ``handlers``. Results are plain JSON-able values; a front passes every outgoing text
through ``redact.redact_text`` at its one exit, which takes secrets out of URLs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import voluptuous as vol

from qbt_bridge.api.handlers import (
    Handler,
    add,
    all_torrents,
    alt_speed,
    b64,
    categories,
    create_category,
    done,
    enable_rule,
    file_priority,
    files,
    force_start,
    global_limits,
    list_torrents,
    manage,
    manage_plain,
    on_targets,
    refresh,
    remove_category,
    rss_export,
    rss_feeds,
    rss_import,
    rss_rules,
    rss_set_rule,
    search,
    search_add,
    search_plugins,
    search_results,
    search_start,
    session,
    tag_names,
    tags,
)
from qbt_bridge.core.content import FilePriority
from qbt_bridge.core.errors import (
    InvalidRequestError,
)
from qbt_bridge.core.models import StateGroup
from qbt_bridge.core.torrentfile import parse_hashes
from qbt_bridge.engine import MANAGE_COMMANDS, check_manage_commands
from qbt_bridge.engine.bridge import Bridge

MAX_PAYLOAD = 64 * 1024  # bytes, every command but add
MAX_ADD_PAYLOAD = 8 * 1024 * 1024  # bytes: a .torrent (raw or base64 in JSON)
MAX_LIST = 1000


@dataclass(frozen=True, slots=True)
class Command:
    """One command: its arguments, how a plain (non-JSON) payload maps to them, what it does."""

    name: str
    summary: str
    schema: vol.Schema
    run: Handler
    plain: Callable[[str], dict[str, Any]] | None = None
    read_only: bool = False

    @property
    def max_payload(self) -> int:
        """Largest payload accepted, in bytes."""
        return MAX_ADD_PAYLOAD if self.name == "add" else MAX_PAYLOAD


# ---------------------------------------------------------------------------- argument types

_TARGETS = vol.Any(
    vol.All(str, vol.Length(min=1)), vol.All([vol.All(str, vol.Length(min=1))], vol.Length(min=1))
)
_TAGS = vol.Any(vol.All(str, vol.Length(min=1)), [vol.All(str, vol.Length(min=1))])
_RATE = vol.All(int, vol.Range(min=0, max=2**31 - 1))  # qBittorrent keeps 32 bits
_NAME = vol.All(str, vol.Length(min=1))
_JOB = vol.All(int, vol.Range(min=0))


def _manage_commands(value: Any) -> list[str]:
    """qbit_manage command names (a list, or "a,b"), checked here: it answers 500 to others."""
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise vol.Invalid("expected qbit_manage command names")
    try:
        return check_manage_commands(names, with_hashes=False)
    except InvalidRequestError as err:
        raise vol.Invalid(str(err)) from None


def _state_group(value: Any) -> str:
    """A state group by any release's name for it (``paused`` is ``stopped``)."""
    group = StateGroup.parse(value) if isinstance(value, str) else None
    if group is None:
        raise vol.Invalid(f"expected one of {', '.join(g.value for g in StateGroup)}")
    return group.value


STATE_GROUP = vol.All(str, _state_group)


def _file_priority(value: str | int) -> str:
    try:
        return FilePriority.parse(value).word
    except ValueError as err:
        raise vol.Invalid(str(err)) from None


_ON = {"on", "true", "1", "yes", "enable", "enabled"}
_OFF = {"off", "false", "0", "no", "disable", "disabled"}


def _targets(text: str) -> dict[str, Any]:
    return {"torrents": text}


def _nothing(text: str) -> dict[str, Any]:
    # Home Assistant's buttons send "PRESS"; any short word is taken as a press.
    if len(text) > 32:
        raise InvalidRequestError("this command takes no arguments (send an empty payload or {})")
    return {}


def _pushed(value: Any) -> list[str]:
    """Torrent ids as qBittorrent pushes them (a torrent just added may not be listed yet)."""
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise vol.Invalid("expected torrent ids (40 or 64 hex digits)")
    try:
        return parse_hashes(values)
    except ValueError as err:
        raise vol.Invalid(str(err)) from err


def _refresh_plain(text: str) -> dict[str, Any]:
    """A bare torrent id (``mosquitto_pub -m HASH``) is a push; any short word a press."""
    return {"hash": text} if len(text) in {40, 64} else _nothing(text)


def _switch(text: str) -> dict[str, Any]:
    word = text.lower()
    if word in _ON:
        return {"enabled": True}
    if word in _OFF:
        return {"enabled": False}
    if word == "toggle":
        return {"enabled": None}
    raise InvalidRequestError(f"expected ON, OFF or TOGGLE, got {text[:40]!r}")


def _source(text: str) -> dict[str, Any]:
    return {"source": text}


# The table's own validators whose choices describe.py cannot read from their form.
CHOICES: dict[Callable[..., Any], tuple[tuple[str, ...], bool]] = {
    _state_group: (tuple(g.value for g in StateGroup), False),
    _file_priority: (tuple(p.word for p in FilePriority), False),
    _manage_commands: (tuple(MANAGE_COMMANDS), True),  # several at once
}

# ---------------------------------------------------------------------------- the table


def _schema(fields: Mapping[Any, Any]) -> vol.Schema:
    return vol.Schema(dict(fields))


_TARGET_ONLY = _schema({vol.Required("torrents"): _TARGETS})
_EMPTY = _schema({})
_LIMITS = {vol.Optional("download"): _RATE, vol.Optional("upload"): _RATE}

COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command(
            "add",
            "add a magnet, an http(s) link to a .torrent, or a .torrent (raw or base64 'file'; "
            "with file_priorities: skip, normal, high, max in file order)",
            _schema(
                {
                    vol.Optional("source"): _NAME,
                    vol.Optional("file"): b64,
                    vol.Optional("category"): str,
                    vol.Optional("tags"): _TAGS,
                    vol.Optional("save_path"): str,
                    vol.Optional("paused"): bool,
                    vol.Optional("file_priorities"): vol.All(
                        [vol.All(vol.Any(str, int), _file_priority)], vol.Length(min=1)
                    ),
                }
            ),
            add,
            plain=_source,
        ),
        Command("pause", "pause torrents", _TARGET_ONLY, on_targets(Bridge.pause), plain=_targets),
        Command(
            "resume", "resume torrents", _TARGET_ONLY, on_targets(Bridge.resume), plain=_targets
        ),
        Command(
            "delete",
            "remove torrents (and their files with delete_files)",
            _schema({vol.Required("torrents"): _TARGETS, vol.Optional("delete_files"): bool}),
            on_targets(Bridge.delete),
            plain=_targets,
        ),
        Command(
            "recheck", "recheck torrents", _TARGET_ONLY, on_targets(Bridge.recheck), plain=_targets
        ),
        Command(
            "reannounce",
            "reannounce torrents",
            _TARGET_ONLY,
            on_targets(Bridge.reannounce),
            plain=_targets,
        ),
        Command(
            "force_start",
            "force-start torrents (enabled: false to undo)",
            _schema(
                {vol.Required("torrents"): _TARGETS, vol.Optional("enabled", default=True): bool}
            ),
            force_start,
            plain=_targets,
        ),
        Command(
            "set_category",
            "set the category of torrents ('' clears it)",
            _schema({vol.Required("torrents"): _TARGETS, vol.Required("category"): str}),
            on_targets(Bridge.set_category),
        ),
        Command(
            "add_tags",
            "tag torrents",
            _schema({vol.Required("torrents"): _TARGETS, vol.Required("tags"): _TAGS}),
            lambda b, a: tags(b, a, add=True),
        ),
        Command(
            "remove_tags",
            "untag torrents",
            _schema({vol.Required("torrents"): _TARGETS, vol.Required("tags"): _TAGS}),
            lambda b, a: tags(b, a, add=False),
        ),
        Command(
            "set_torrent_limits",
            "per-torrent speed limits in bytes/s (0: none)",
            _schema({vol.Required("torrents"): _TARGETS, **_LIMITS}),
            on_targets(Bridge.set_torrent_limits),
        ),
        Command(
            "pause_all",
            "pause every torrent",
            _EMPTY,
            lambda b, _a: all_torrents(b, pause=True),
            plain=_nothing,
        ),
        Command(
            "resume_all",
            "resume every torrent",
            _EMPTY,
            lambda b, _a: all_torrents(b, pause=False),
            plain=_nothing,
        ),
        Command(
            "resume_paused",
            "resume only what pause_all paused (remembered across "
            "restarts; torrents paused by hand stay paused)",
            _EMPTY,
            lambda b, _a: all_torrents(b, pause=False, only_paused=True),
            plain=_nothing,
        ),
        Command(
            "pause_session",
            "suspend qBittorrent's whole session (5.3 and newer): nothing "
            "moves, each torrent keeps its state; a restart of qBittorrent ends it",
            _EMPTY,
            lambda b, _a: session(b, paused=True),
            plain=_nothing,
        ),
        Command(
            "resume_session",
            "end a suspended session: every torrent as it was",
            _EMPTY,
            lambda b, _a: session(b, paused=False),
            plain=_nothing,
        ),
        Command(
            "alt_speed",
            "alternative speed limits on, off or toggled (enabled: null)",
            _schema({vol.Optional("enabled"): vol.Any(bool, None)}),
            alt_speed,
            plain=_switch,
        ),
        Command(
            "set_global_limits",
            "global speed limits in bytes/s (0: none), normal and alternative",
            _schema(
                {**_LIMITS, vol.Optional("alt_download"): _RATE, vol.Optional("alt_upload"): _RATE}
            ),
            global_limits,
        ),
        Command(
            "refresh",
            "read everything from qBittorrent now (with hash: those torrents, as a push does)",
            _schema({vol.Optional("hash"): _pushed}),
            refresh,
            plain=_refresh_plain,
            read_only=True,
        ),
        Command(
            "list",
            "torrents, newest first, filtered by state, category or tag",
            _schema(
                {
                    vol.Optional("state"): STATE_GROUP,
                    vol.Optional("category"): str,
                    vol.Optional("tag"): str,
                    vol.Optional("limit", default=100): vol.All(
                        int, vol.Range(min=1, max=MAX_LIST)
                    ),
                }
            ),
            list_torrents,
            plain=lambda text: {"state": text},
            read_only=True,
        ),
        Command(
            "files",
            "one torrent's files with size, progress and priority, a page at a time",
            _schema(
                {
                    vol.Required("torrent"): _NAME,
                    vol.Optional("page", default=0): vol.All(int, vol.Range(min=0)),
                    vol.Optional("per_page", default=100): vol.All(
                        int, vol.Range(min=1, max=MAX_LIST)
                    ),
                }
            ),
            files,
            plain=lambda text: {"torrent": text, "page": 0, "per_page": 100},
            read_only=True,
        ),
        Command(
            "set_file_priority",
            "give files of one torrent a priority: skip, normal, high or max (files: indexes "
            'from the files command, or "all")',
            _schema(
                {
                    vol.Required("torrent"): _NAME,
                    vol.Required("files"): vol.Any(
                        "all", vol.All([vol.All(int, vol.Range(min=0))], vol.Length(min=1))
                    ),
                    vol.Required("priority"): vol.All(str, _file_priority),
                }
            ),
            file_priority,
        ),
        Command(
            "categories",
            "the server's categories with their save path and number of torrents",
            _EMPTY,
            categories,
            plain=_nothing,
            read_only=True,
        ),
        Command(
            "create_category",
            "make a category (optionally with its save path)",
            _schema({vol.Required("name"): _NAME, vol.Optional("save_path", default=""): str}),
            create_category,
            plain=lambda text: {"name": text, "save_path": ""},
        ),
        Command(
            "remove_category",
            "delete a category; its torrents stay, without one",
            _schema({vol.Required("name"): _NAME}),
            remove_category,
            plain=lambda text: {"name": text},
        ),
        Command("tags", "the server's tags", _EMPTY, tag_names, plain=_nothing, read_only=True),
        Command(
            "rss_feeds",
            "RSS feeds (URLs redacted)",
            _EMPTY,
            rss_feeds,
            plain=_nothing,
            read_only=True,
        ),
        Command(
            "rss_add_feed",
            "subscribe to an RSS feed",
            _schema({vol.Required("url"): _NAME, vol.Optional("path", default=""): str}),
            done(Bridge.rss_add_feed, "url", "path"),
            plain=lambda text: {"url": text, "path": ""},
        ),
        Command(
            "rss_remove_feed",
            "unsubscribe from an RSS feed by its path",
            _schema({vol.Required("path"): _NAME}),
            done(Bridge.rss_remove_feed, "path"),
            plain=lambda text: {"path": text},
        ),
        Command(
            "rss_refresh",
            "fetch one feed (path) or all now",
            _schema({vol.Optional("path", default=None): vol.Any(None, _NAME)}),
            done(Bridge.rss_refresh, "path"),
            plain=lambda text: {"path": text or None},
        ),
        Command(
            "rss_rules",
            "RSS auto-download rules",
            _EMPTY,
            rss_rules,
            plain=_nothing,
            read_only=True,
        ),
        Command(
            "rss_export_rules",
            "every RSS rule as qBittorrent's rules file (5.3 and newer; feed URLs redacted)",
            _EMPTY,
            rss_export,
            plain=_nothing,
            read_only=True,
        ),
        Command(
            "rss_import_rules",
            "add or replace RSS rules from a rules file: what rss_export_rules answered, or "
            "qBittorrent's own export (5.3 and newer)",
            _schema({vol.Required("rules"): vol.All(dict, vol.Length(min=1))}),
            rss_import,
        ),
        Command(
            "rss_set_rule",
            "add or replace an RSS auto-download rule (feeds by URL, path or title; all if none)",
            _schema(
                {
                    vol.Required("name"): _NAME,
                    vol.Optional("enabled", default=True): bool,
                    vol.Optional("must_contain"): str,
                    vol.Optional("must_not_contain"): str,
                    vol.Optional("use_regex", default=False): bool,
                    vol.Optional("episode_filter"): str,
                    vol.Optional("smart_filter", default=False): bool,
                    vol.Optional("feeds"): [_NAME],
                    vol.Optional("category"): str,
                    vol.Optional("save_path"): str,
                }
            ),
            rss_set_rule,
        ),
        Command(
            "rss_enable_rule",
            "enable or disable an RSS rule",
            _schema({vol.Required("name"): _NAME, vol.Optional("enabled", default=True): bool}),
            enable_rule,
        ),
        Command(
            "rss_rename_rule",
            "rename an RSS rule",
            _schema({vol.Required("name"): _NAME, vol.Required("new_name"): _NAME}),
            done(Bridge.rss_rename_rule, "name", "new_name"),
        ),
        Command(
            "rss_remove_rule",
            "delete an RSS rule",
            _schema({vol.Required("name"): _NAME}),
            done(Bridge.rss_remove_rule, "name"),
            plain=lambda text: {"name": text},
        ),
        Command(
            "rss_matching",
            "article titles an RSS rule matches, by feed",
            _schema({vol.Required("name"): _NAME}),
            lambda b, a: b.rss_matching(a["name"]),
            plain=lambda text: {"name": text},
            read_only=True,
        ),
        Command(
            "search_plugins",
            "installed search plugins",
            _EMPTY,
            search_plugins,
            plain=_nothing,
            read_only=True,
        ),
        Command(
            "search_start",
            "start a search with qBittorrent's plugins",
            _schema(
                {
                    vol.Required("pattern"): _NAME,
                    vol.Optional("plugins", default="enabled"): _NAME,
                    vol.Optional("category", default="all"): _NAME,
                }
            ),
            search_start,
            plain=lambda text: {"pattern": text, "plugins": "enabled", "category": "all"},
            read_only=True,
        ),
        Command(
            "search_results",
            "a page of a search's results, best seeded first",
            _schema(
                {
                    vol.Required("job_id"): _JOB,
                    vol.Optional("page", default=0): vol.All(int, vol.Range(min=0)),
                    vol.Optional("per_page", default=10): vol.All(int, vol.Range(min=1, max=100)),
                }
            ),
            search_results,
            read_only=True,
        ),
        Command(
            "search",
            "search with qBittorrent's plugins and wait for them (at most 30 s): the best "
            "results, without links",
            _schema(
                {
                    vol.Required("query"): _NAME,
                    vol.Optional("limit", default=20): vol.All(int, vol.Range(min=1, max=100)),
                }
            ),
            search,
            plain=lambda text: {"query": text, "limit": 20},
            read_only=True,
        ),
        Command(
            "search_add",
            "add a search result by its index: of search job_id, or in one call of a search "
            "for pattern",
            _schema(
                {
                    vol.Optional("job_id"): _JOB,
                    vol.Optional("pattern"): _NAME,
                    vol.Required("index"): vol.All(int, vol.Range(min=0)),
                    vol.Optional("category"): str,
                    vol.Optional("tags"): _TAGS,
                }
            ),
            search_add,
        ),
        Command(
            "manage",
            "run qbit_manage commands (cat_update, tag_update, share_limits …), on torrents or all",
            _schema(
                {
                    vol.Required("commands"): _manage_commands,
                    vol.Optional("torrents"): _TARGETS,
                    vol.Optional("dry_run", default=False): bool,
                }
            ),
            manage,
            plain=manage_plain,
        ),
        Command(
            "search_stop",
            "stop a search",
            _schema({vol.Required("job_id"): _JOB}),
            done(Bridge.search_stop, "job_id"),
            read_only=True,
        ),
        Command(
            "search_delete",
            "forget a search",
            _schema({vol.Required("job_id"): _JOB}),
            done(Bridge.search_delete, "job_id"),
            read_only=True,
        ),
    )
}
