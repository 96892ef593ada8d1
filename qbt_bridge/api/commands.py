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
from enum import StrEnum
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
    listen_port,
    manage,
    manage_plain,
    on_targets,
    pause,
    refresh,
    remove_category,
    resume,
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
from qbt_bridge.api.view import SORTS
from qbt_bridge.core.content import FilePriority
from qbt_bridge.core.errors import (
    InvalidRequestError,
)
from qbt_bridge.core.models import LISTEN_PORTS, PORT_RULE, StateGroup
from qbt_bridge.core.settings import STATE_GROUP, state_group
from qbt_bridge.core.torrentfile import parse_hashes
from qbt_bridge.core.units import parse_duration
from qbt_bridge.engine import MANAGE_COMMANDS, check_manage_commands
from qbt_bridge.engine.actions import TorrentActions

MAX_PAYLOAD = 64 * 1024  # bytes, every command but add
MAX_ADD_PAYLOAD = 8 * 1024 * 1024  # bytes: a .torrent (raw or base64 in JSON)
MAX_LIST = 1000
MAX_INSTANCES = 100
# ``add`` on several servers at once: their instance ids, or "all" (see parse.execute_across).
INSTANCES = "instances"
ALL_INSTANCES = "all"


class Name(StrEnum):
    """Every command's name: fronts name a command by this, not by a string."""

    ADD = "add"
    PAUSE = "pause"
    RESUME = "resume"
    DELETE = "delete"
    RECHECK = "recheck"
    REANNOUNCE = "reannounce"
    FORCE_START = "force_start"
    SET_CATEGORY = "set_category"
    ADD_TAGS = "add_tags"
    REMOVE_TAGS = "remove_tags"
    SET_TORRENT_LIMITS = "set_torrent_limits"
    PAUSE_ALL = "pause_all"
    RESUME_ALL = "resume_all"
    RESUME_PAUSED = "resume_paused"
    PAUSE_SESSION = "pause_session"
    RESUME_SESSION = "resume_session"
    ALT_SPEED = "alt_speed"
    SET_GLOBAL_LIMITS = "set_global_limits"
    SET_LISTEN_PORT = "set_listen_port"
    REFRESH = "refresh"
    LIST = "list"
    FILES = "files"
    SET_FILE_PRIORITY = "set_file_priority"
    CATEGORIES = "categories"
    CREATE_CATEGORY = "create_category"
    REMOVE_CATEGORY = "remove_category"
    TAGS = "tags"
    RSS_FEEDS = "rss_feeds"
    RSS_ADD_FEED = "rss_add_feed"
    RSS_REMOVE_FEED = "rss_remove_feed"
    RSS_REFRESH = "rss_refresh"
    RSS_RULES = "rss_rules"
    RSS_EXPORT_RULES = "rss_export_rules"
    RSS_IMPORT_RULES = "rss_import_rules"
    RSS_SET_RULE = "rss_set_rule"
    RSS_ENABLE_RULE = "rss_enable_rule"
    RSS_RENAME_RULE = "rss_rename_rule"
    RSS_REMOVE_RULE = "rss_remove_rule"
    RSS_MATCHING = "rss_matching"
    SEARCH_PLUGINS = "search_plugins"
    SEARCH_START = "search_start"
    SEARCH_RESULTS = "search_results"
    SEARCH = "search"
    SEARCH_ADD = "search_add"
    MANAGE = "manage"
    SEARCH_STOP = "search_stop"
    SEARCH_DELETE = "search_delete"


@dataclass(frozen=True, slots=True)
class Command:
    """One command: its arguments, how a plain (non-JSON) payload maps to them, what it does."""

    name: Name
    summary: str
    schema: vol.Schema
    run: Handler
    plain: Callable[[str], dict[str, Any]] | None = None
    read_only: bool = False

    @property
    def max_payload(self) -> int:
        """Largest payload accepted, in bytes."""
        return MAX_ADD_PAYLOAD if self.name is Name.ADD else MAX_PAYLOAD


# ---------------------------------------------------------------------------- argument types

_TARGETS = vol.Any(
    vol.All(str, vol.Length(min=1)), vol.All([vol.All(str, vol.Length(min=1))], vol.Length(min=1))
)
_TAGS = vol.Any(vol.All(str, vol.Length(min=1)), [vol.All(str, vol.Length(min=1))])
_RATE = vol.All(int, vol.Range(min=0, max=2**31 - 1))  # qBittorrent keeps 32 bits
_NAME = vol.All(str, vol.Length(min=1))
_JOB = vol.All(int, vol.Range(min=0))


def duration(value: Any) -> int:
    """How long a command holds, in seconds (at its end what it changed comes back).

    ``30m``, ``2h``, ``1d``, a number of seconds, or Home Assistant's duration picker.
    """
    try:
        return parse_duration(value)
    except ValueError as err:
        raise vol.Invalid(str(err)) from None


def _manage_commands(value: Any) -> list[str]:
    """qbit_manage command names (a list, or "a,b"), checked here: it answers 500 to others."""
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise vol.Invalid("expected qbit_manage command names")
    try:
        return check_manage_commands(names, with_hashes=False)
    except InvalidRequestError as err:
        raise vol.Invalid(str(err)) from None


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
    """ON, OFF or TOGGLE, and maybe for how long after it: ``ON 30m``."""
    word, _, rest = text.strip().partition(" ")
    word = word.lower()
    wanted: dict[str, Any]
    if word in _ON:
        wanted = {"enabled": True}
    elif word in _OFF:
        wanted = {"enabled": False}
    elif word == "toggle":
        wanted = {"enabled": None}
    else:
        raise InvalidRequestError(f"expected ON, OFF or TOGGLE (and a duration), got {text[:40]!r}")
    return {**wanted, "duration": rest.strip()} if rest.strip() else wanted


def _press_or_duration(text: str) -> dict[str, Any]:
    """A duration (``30m``) is for how long; any other short word a press."""
    try:
        return {"duration": parse_duration(text)}
    except ValueError:
        return _nothing(text)


def _port(text: str) -> dict[str, Any]:
    try:
        return {"port": int(text.strip())}
    except ValueError:
        raise InvalidRequestError(f"expected a port number, got {text[:40]!r}") from None


def _source(text: str) -> dict[str, Any]:
    return {"source": text}


# The table's own validators whose form describe.py cannot read: one text or a list of them …
TEXT_LISTS: frozenset[Callable[..., Any]] = frozenset({_pushed})
# … and those with choices.
CHOICES: dict[Callable[..., Any], tuple[tuple[str, ...], bool]] = {
    state_group: (tuple(g.value for g in StateGroup), False),
    _file_priority: (tuple(p.word for p in FilePriority), False),
    _manage_commands: (tuple(MANAGE_COMMANDS), True),  # several at once
}

# ---------------------------------------------------------------------------- the table


def _schema(fields: Mapping[Any, Any]) -> vol.Schema:
    return vol.Schema(dict(fields))


_TARGET_ONLY = _schema({vol.Required("torrents"): _TARGETS})
_EMPTY = _schema({})
_LIMITS = {vol.Optional("download"): _RATE, vol.Optional("upload"): _RATE}
_FOR_A_WHILE = {vol.Optional("duration"): duration}

COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command(
            Name.ADD,
            "add a magnet, an http(s) link to a .torrent, or a .torrent (raw or base64 'file'; "
            "with file_priorities: skip, normal, high, max in file order); with instances "
            "(ids, or all): on each of those servers, one answer each",
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
                    vol.Optional(INSTANCES): vol.Any(
                        ALL_INSTANCES, vol.All([_NAME], vol.Length(min=1, max=MAX_INSTANCES))
                    ),
                }
            ),
            add,
            plain=_source,
        ),
        Command(
            Name.PAUSE,
            "pause torrents (with duration: for a while, then those it paused resume)",
            _schema({vol.Required("torrents"): _TARGETS, **_FOR_A_WHILE}),
            pause,
            plain=_targets,
        ),
        Command(
            Name.RESUME,
            "resume torrents (a timed pause of theirs ends)",
            _TARGET_ONLY,
            resume,
            plain=_targets,
        ),
        Command(
            Name.DELETE,
            "remove torrents (and their files with delete_files)",
            _schema({vol.Required("torrents"): _TARGETS, vol.Optional("delete_files"): bool}),
            on_targets(TorrentActions.delete),
            plain=_targets,
        ),
        Command(
            Name.RECHECK,
            "recheck torrents",
            _TARGET_ONLY,
            on_targets(TorrentActions.recheck),
            plain=_targets,
        ),
        Command(
            Name.REANNOUNCE,
            "reannounce torrents",
            _TARGET_ONLY,
            on_targets(TorrentActions.reannounce),
            plain=_targets,
        ),
        Command(
            Name.FORCE_START,
            "force-start torrents (enabled: false to undo)",
            _schema(
                {vol.Required("torrents"): _TARGETS, vol.Optional("enabled", default=True): bool}
            ),
            force_start,
            plain=_targets,
        ),
        Command(
            Name.SET_CATEGORY,
            "set the category of torrents ('' clears it)",
            _schema({vol.Required("torrents"): _TARGETS, vol.Required("category"): str}),
            on_targets(TorrentActions.set_category),
        ),
        Command(
            Name.ADD_TAGS,
            "tag torrents",
            _schema({vol.Required("torrents"): _TARGETS, vol.Required("tags"): _TAGS}),
            lambda b, a: tags(b, a, add=True),
        ),
        Command(
            Name.REMOVE_TAGS,
            "untag torrents",
            _schema({vol.Required("torrents"): _TARGETS, vol.Required("tags"): _TAGS}),
            lambda b, a: tags(b, a, add=False),
        ),
        Command(
            Name.SET_TORRENT_LIMITS,
            "per-torrent speed limits in bytes/s (0: none)",
            _schema({vol.Required("torrents"): _TARGETS, **_LIMITS}),
            on_targets(TorrentActions.set_torrent_limits),
        ),
        Command(
            Name.PAUSE_ALL,
            "pause every torrent (with duration: for a while, then what it paused resumes)",
            _schema(_FOR_A_WHILE),
            lambda b, a: all_torrents(b, pause=True, duration=a.get("duration")),
            plain=_press_or_duration,
        ),
        Command(
            Name.RESUME_ALL,
            "resume every torrent",
            _EMPTY,
            lambda b, _a: all_torrents(b, pause=False),
            plain=_nothing,
        ),
        Command(
            Name.RESUME_PAUSED,
            "resume only what pause_all paused (remembered across "
            "restarts; torrents paused by hand stay paused)",
            _EMPTY,
            lambda b, _a: all_torrents(b, pause=False, only_paused=True),
            plain=_nothing,
        ),
        Command(
            Name.PAUSE_SESSION,
            "suspend qBittorrent's whole session (5.3 and newer): nothing "
            "moves, each torrent keeps its state; a restart of qBittorrent ends it",
            _EMPTY,
            lambda b, _a: session(b, paused=True),
            plain=_nothing,
        ),
        Command(
            Name.RESUME_SESSION,
            "end a suspended session: every torrent as it was",
            _EMPTY,
            lambda b, _a: session(b, paused=False),
            plain=_nothing,
        ),
        Command(
            Name.ALT_SPEED,
            "alternative speed limits on, off or toggled (enabled: null); with duration: "
            "for a while, then the mode before comes back",
            _schema({vol.Optional("enabled"): vol.Any(bool, None), **_FOR_A_WHILE}),
            alt_speed,
            plain=_switch,
        ),
        Command(
            Name.SET_GLOBAL_LIMITS,
            "global speed limits in bytes/s (0: none), normal and alternative; with duration: "
            "for a while, then the limits before come back",
            _schema(
                {
                    **_LIMITS,
                    vol.Optional("alt_download"): _RATE,
                    vol.Optional("alt_upload"): _RATE,
                    **_FOR_A_WHILE,
                }
            ),
            global_limits,
        ),
        Command(
            Name.SET_LISTEN_PORT,
            "the port qBittorrent listens on for peers (a VPN's forwarded port, say)",
            _schema(
                {
                    vol.Required("port"): vol.All(
                        int,
                        vol.Range(min=LISTEN_PORTS[0], max=LISTEN_PORTS[-1], msg=PORT_RULE),
                    )
                }
            ),
            listen_port,
            plain=_port,
        ),
        Command(
            Name.REFRESH,
            "read everything from qBittorrent now (with hash: those torrents, as a push does)",
            _schema({vol.Optional("hash"): _pushed}),
            refresh,
            plain=_refresh_plain,
            read_only=True,
        ),
        Command(
            Name.LIST,
            "torrents, newest first or sorted by a column, filtered by state, category, tag or "
            "a part of the name, a page at a time (offset, limit)",
            _schema(
                {
                    vol.Optional("state"): STATE_GROUP,
                    vol.Optional("category"): str,
                    vol.Optional("tag"): str,
                    vol.Optional("name"): vol.All(str, vol.Length(max=200)),
                    vol.Optional("sort", default="added_on"): vol.In(tuple(SORTS)),
                    vol.Optional("descending", default=True): bool,
                    vol.Optional("offset", default=0): vol.All(int, vol.Range(min=0)),
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
            Name.FILES,
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
            Name.SET_FILE_PRIORITY,
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
            Name.CATEGORIES,
            "the server's categories with their save path and number of torrents",
            _EMPTY,
            categories,
            plain=_nothing,
            read_only=True,
        ),
        Command(
            Name.CREATE_CATEGORY,
            "make a category (optionally with its save path)",
            _schema({vol.Required("name"): _NAME, vol.Optional("save_path", default=""): str}),
            create_category,
            plain=lambda text: {"name": text, "save_path": ""},
        ),
        Command(
            Name.REMOVE_CATEGORY,
            "delete a category; its torrents stay, without one",
            _schema({vol.Required("name"): _NAME}),
            remove_category,
            plain=lambda text: {"name": text},
        ),
        Command(Name.TAGS, "the server's tags", _EMPTY, tag_names, plain=_nothing, read_only=True),
        Command(
            Name.RSS_FEEDS,
            "RSS feeds (URLs redacted)",
            _EMPTY,
            rss_feeds,
            plain=_nothing,
            read_only=True,
        ),
        Command(
            Name.RSS_ADD_FEED,
            "subscribe to an RSS feed",
            _schema({vol.Required("url"): _NAME, vol.Optional("path", default=""): str}),
            done(lambda b: b.rss.add_feed, "url", "path"),
            plain=lambda text: {"url": text, "path": ""},
        ),
        Command(
            Name.RSS_REMOVE_FEED,
            "unsubscribe from an RSS feed by its path",
            _schema({vol.Required("path"): _NAME}),
            done(lambda b: b.rss.remove_feed, "path"),
            plain=lambda text: {"path": text},
        ),
        Command(
            Name.RSS_REFRESH,
            "fetch one feed (path) or all now",
            _schema({vol.Optional("path", default=None): vol.Any(None, _NAME)}),
            done(lambda b: b.rss.refresh, "path"),
            plain=lambda text: {"path": text or None},
        ),
        Command(
            Name.RSS_RULES,
            "RSS auto-download rules",
            _EMPTY,
            rss_rules,
            plain=_nothing,
            read_only=True,
        ),
        Command(
            Name.RSS_EXPORT_RULES,
            "every RSS rule as qBittorrent's rules file (5.3 and newer; feed URLs redacted)",
            _EMPTY,
            rss_export,
            plain=_nothing,
            read_only=True,
        ),
        Command(
            Name.RSS_IMPORT_RULES,
            "add or replace RSS rules from a rules file: what rss_export_rules answered, or "
            "qBittorrent's own export (5.3 and newer)",
            _schema({vol.Required("rules"): vol.All(dict, vol.Length(min=1))}),
            rss_import,
        ),
        Command(
            Name.RSS_SET_RULE,
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
            Name.RSS_ENABLE_RULE,
            "enable or disable an RSS rule",
            _schema({vol.Required("name"): _NAME, vol.Optional("enabled", default=True): bool}),
            enable_rule,
        ),
        Command(
            Name.RSS_RENAME_RULE,
            "rename an RSS rule",
            _schema({vol.Required("name"): _NAME, vol.Required("new_name"): _NAME}),
            done(lambda b: b.rss.rename_rule, "name", "new_name"),
        ),
        Command(
            Name.RSS_REMOVE_RULE,
            "delete an RSS rule",
            _schema({vol.Required("name"): _NAME}),
            done(lambda b: b.rss.remove_rule, "name"),
            plain=lambda text: {"name": text},
        ),
        Command(
            Name.RSS_MATCHING,
            "article titles an RSS rule matches, by feed",
            _schema({vol.Required("name"): _NAME}),
            lambda b, a: b.rss.matching(a["name"]),
            plain=lambda text: {"name": text},
            read_only=True,
        ),
        Command(
            Name.SEARCH_PLUGINS,
            "installed search plugins",
            _EMPTY,
            search_plugins,
            plain=_nothing,
            read_only=True,
        ),
        Command(
            Name.SEARCH_START,
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
            Name.SEARCH_RESULTS,
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
            Name.SEARCH,
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
            Name.SEARCH_ADD,
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
            Name.MANAGE,
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
            Name.SEARCH_STOP,
            "stop a search",
            _schema({vol.Required("job_id"): _JOB}),
            done(lambda b: b.search.stop, "job_id"),
            read_only=True,
        ),
        Command(
            Name.SEARCH_DELETE,
            "forget a search",
            _schema({vol.Required("job_id"): _JOB}),
            done(lambda b: b.search.delete, "job_id"),
            read_only=True,
        ),
    )
}
