"""The command API as data: one table of named commands with their argument schemas.

Fronts that speak in messages (MQTT, later others) parse a payload with ``parse_payload`` and
run it with ``execute``; both raise the engine's typed errors, which ``error_reply`` turns into
an answer that says why. Results are plain JSON-able values; a front passes every outgoing text
through ``redact.redact_text`` at its one exit, which takes secrets out of URLs.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import voluptuous as vol

from qbt_bridge.core.errors import (
    AmbiguousTargetError,
    APIError,
    AuthenticationError,
    ConnectionFailedError,
    EndpointNotImplementedError,
    InvalidRequestError,
    NotFoundError,
    NotSupportedError,
    QbtBridgeError,
    UnsupportedVersionError,
)
from qbt_bridge.core.models import RssRule, StateGroup, Torrent
from qbt_bridge.engine.bridge import AddOutcome, Bridge, CommandResult

MAX_PAYLOAD = 64 * 1024  # bytes, every command but add
MAX_ADD_PAYLOAD = 8 * 1024 * 1024  # bytes: a .torrent (raw or base64 in JSON)
MAX_LIST = 1000

Handler = Callable[[Bridge, dict[str, Any]], Awaitable[Any]]


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
_RATE = vol.All(int, vol.Range(min=0))
_NAME = vol.All(str, vol.Length(min=1))
_JOB = vol.All(int, vol.Range(min=0))


def _state_group(value: Any) -> str:
    """A state group by any release's name for it (``paused`` is ``stopped``)."""
    group = StateGroup.parse(value) if isinstance(value, str) else None
    if group is None:
        raise vol.Invalid(f"expected one of {', '.join(g.value for g in StateGroup)}")
    return group.value


STATE_GROUP = vol.All(str, _state_group)
_ON = {"on", "true", "1", "yes", "enable", "enabled"}
_OFF = {"off", "false", "0", "no", "disable", "disabled"}


def _targets(text: str) -> dict[str, Any]:
    return {"torrents": text}


def _nothing(text: str) -> dict[str, Any]:
    # Home Assistant's buttons send "PRESS"; any short word is taken as a press.
    if len(text) > 32:
        raise InvalidRequestError("this command takes no arguments (send an empty payload or {})")
    return {}


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


# ---------------------------------------------------------------------------- results


def torrent_summary(torrent: Torrent) -> dict[str, Any]:
    """What a list or an event shows of a torrent (no tracker, no magnet)."""
    return {
        "hash": torrent.hash,
        "name": torrent.name,
        "state": torrent.state.word,
        "progress": round(torrent.progress * 100, 2),
        "size": torrent.size,
        "download_speed": torrent.download_speed,
        "upload_speed": torrent.upload_speed,
        "eta": torrent.eta,
        "ratio": torrent.ratio,
        "category": torrent.category,
        "tags": list(torrent.tags),
        "save_path": torrent.save_path,
    }


def _result(result: CommandResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "torrents": [
            {"hash": h, "name": n} for h, n in zip(result.hashes, result.names, strict=False)
        ]
        or [{"hash": h} for h in result.hashes],
        "confirmed": result.confirmed,
    }
    if result.message:
        out["message"] = result.message
    return out


def _added(outcome: AddOutcome) -> dict[str, Any]:
    return {
        "hash": outcome.hash,
        "name": outcome.name,
        "already_present": outcome.already_present,
        "confirmed": outcome.confirmed,
    }


def _rule(rule: RssRule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "enabled": rule.enabled,
        "must_contain": rule.must_contain,
        "must_not_contain": rule.must_not_contain,
        "use_regex": rule.use_regex,
        "episode_filter": rule.episode_filter,
        "feeds": list(rule.affected_feeds),
        "category": rule.assigned_category,
        "save_path": rule.save_path,
        "last_match": rule.last_match,
    }


# ---------------------------------------------------------------------------- handlers


async def _add(bridge: Bridge, args: dict[str, Any]) -> Any:
    source: str | bytes | None = args.get("source")
    if "file" in args:
        if source is not None:
            raise InvalidRequestError("give either source or file, not both")
        source = args["file"]
    if source is None:
        raise InvalidRequestError("nothing to add: give source (magnet or URL) or file")
    outcome = await bridge.add(
        source,
        category=args.get("category"),
        tags=_tag_list(args.get("tags")),
        save_path=args.get("save_path"),
        paused=args.get("paused"),
    )
    return _added(outcome)


def _b64(value: Any) -> bytes:
    """Raw .torrent bytes (a binary payload) or base64 text (in JSON)."""
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise vol.Invalid("expected base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as err:
        raise vol.Invalid("not valid base64") from err


def _tag_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [t.strip() for t in value.split(",")] if isinstance(value, str) else list(value)


def _on_targets(method: str, **fixed: Any) -> Handler:
    async def handler(bridge: Bridge, args: dict[str, Any]) -> Any:
        extra = {k: v for k, v in args.items() if k != "torrents"}
        result: CommandResult = await getattr(bridge, method)(args["torrents"], **fixed, **extra)
        return _result(result)

    return handler


async def _tags(bridge: Bridge, args: dict[str, Any], *, add: bool) -> Any:
    tags = _tag_list(args["tags"]) or []
    if add:
        return _result(await bridge.add_tags(args["torrents"], tags))
    return _result(await bridge.remove_tags(args["torrents"], tags))


async def _list(bridge: Bridge, args: dict[str, Any]) -> Any:
    if not bridge.store.initialised or not bridge.available:
        await bridge.refresh(full=True)  # raises while the server is down: no stale answer
    store = bridge.store
    hits = store.select(state=args.get("state"), category=args.get("category"), tag=args.get("tag"))
    shown = [t for h in hits[: args["limit"]] if (t := store.torrent(h)) is not None]
    return {"count": len(hits), "torrents": [torrent_summary(t) for t in shown]}


async def _alt(bridge: Bridge, args: dict[str, Any]) -> Any:
    return {"enabled": await bridge.set_alt_speed(args.get("enabled"))}


async def _global_limits(bridge: Bridge, args: dict[str, Any]) -> Any:
    await bridge.set_global_limits(download=args.get("download"), upload=args.get("upload"))
    server = bridge.store.server()
    return {"download": server.download_limit, "upload": server.upload_limit}


async def _refresh(bridge: Bridge, _args: dict[str, Any]) -> Any:
    bridge.retry_login()  # asked for by a person: one login attempt even after a refusal
    events = await bridge.refresh(full=True)
    return {"torrents": len(bridge.store), "events": len(events)}


async def _rss_feeds(bridge: Bridge, _args: dict[str, Any]) -> Any:
    return [
        {
            "path": feed.path,
            "title": feed.title,
            "url": feed.url,
            "has_error": feed.has_error,
            "articles": len(feed.articles),
        }
        for feed in await bridge.rss_feeds()
    ]


async def _rss_rules(bridge: Bridge, _args: dict[str, Any]) -> Any:
    return [_rule(rule) for rule in (await bridge.rss_rules()).values()]


async def _rss_set_rule(bridge: Bridge, args: dict[str, Any]) -> Any:
    data = {
        "enabled": args["enabled"],
        "mustContain": args.get("must_contain", ""),
        "mustNotContain": args.get("must_not_contain", ""),
        "useRegex": args["use_regex"],
        "episodeFilter": args.get("episode_filter", ""),
        "smartFilter": args["smart_filter"],
        "affectedFeeds": args.get("feeds", []),
        "assignedCategory": args.get("category", ""),
        "savePath": args.get("save_path", ""),
    }
    await bridge.rss_set_rule(RssRule.from_rule(args["name"], data))
    return _rule((await bridge.rss_rules())[args["name"]])


async def _search_start(bridge: Bridge, args: dict[str, Any]) -> Any:
    job = await bridge.search_start(
        args["pattern"], plugins=args["plugins"], category=args["category"]
    )
    return {"job_id": job}


async def _search_results(bridge: Bridge, args: dict[str, Any]) -> Any:
    page = await bridge.search_results(
        args["job_id"], page=args["page"], page_size=args["per_page"]
    )
    first = page.page * args["per_page"]
    return {
        "job_id": page.job_id,
        "running": page.running,
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "results": [
            {
                "index": first + n,
                "name": r.file_name,
                "size": r.file_size,
                "seeders": r.seeders,
                "leechers": r.leechers,
                "site": r.site_url,
            }
            for n, r in enumerate(page.results)
        ],
    }


async def _search_plugins(bridge: Bridge, _args: dict[str, Any]) -> Any:
    return [
        {"name": p.name, "full_name": p.full_name, "enabled": p.enabled, "version": p.version}
        for p in await bridge.search_plugins()
    ]


def _done(method: str, *keys: str) -> Handler:
    """A handler for a bridge method that returns nothing: answer with its arguments."""

    async def handler(bridge: Bridge, args: dict[str, Any]) -> Any:
        await getattr(bridge, method)(*(args[k] for k in keys))
        return {k: args[k] for k in keys}

    return handler


async def _forced(bridge: Bridge, args: dict[str, Any]) -> Any:
    return _result(await bridge.force_start(args["torrents"], enable=args["enabled"]))


async def _all(bridge: Bridge, *, pause: bool) -> Any:
    result = await (bridge.pause_all() if pause else bridge.resume_all())
    out: dict[str, Any] = {"torrents": len(result.hashes), "confirmed": result.confirmed}
    if result.message:
        out["message"] = result.message  # those that did not change, and why
    return out


async def _enable_rule(bridge: Bridge, args: dict[str, Any]) -> Any:
    await bridge.rss_enable_rule(args["name"], enabled=args["enabled"])
    return {"name": args["name"], "enabled": args["enabled"]}


async def _manage(bridge: Bridge, args: dict[str, Any]) -> Any:
    commands = args["commands"]
    names = commands.split(",") if isinstance(commands, str) else commands
    result = await bridge.manage(names, args.get("torrents"), dry_run=args["dry_run"])
    return {"status": result.status, "message": result.message, "results": list(result.results)}


def _manage_plain(text: str) -> dict[str, Any]:
    return {"commands": text}


async def _search_add(bridge: Bridge, args: dict[str, Any]) -> Any:
    outcome = await bridge.search_add(
        args["job_id"],
        args["index"],
        category=args.get("category"),
        tags=_tag_list(args.get("tags")),
    )
    return _added(outcome)


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
            "add a magnet, an http(s) link to a .torrent, or a .torrent (raw or base64 'file')",
            _schema(
                {
                    vol.Optional("source"): _NAME,
                    vol.Optional("file"): _b64,
                    vol.Optional("category"): str,
                    vol.Optional("tags"): _TAGS,
                    vol.Optional("save_path"): str,
                    vol.Optional("paused"): bool,
                }
            ),
            _add,
            plain=_source,
        ),
        Command("pause", "pause torrents", _TARGET_ONLY, _on_targets("pause"), plain=_targets),
        Command("resume", "resume torrents", _TARGET_ONLY, _on_targets("resume"), plain=_targets),
        Command(
            "delete",
            "remove torrents (and their files with delete_files)",
            _schema({vol.Required("torrents"): _TARGETS, vol.Optional("delete_files"): bool}),
            _on_targets("delete"),
            plain=_targets,
        ),
        Command("recheck", "recheck torrents", _TARGET_ONLY, _on_targets("recheck"),
                plain=_targets),
        Command(
            "reannounce", "reannounce torrents", _TARGET_ONLY, _on_targets("reannounce"),
            plain=_targets,
        ),
        Command(
            "force_start",
            "force-start torrents (enabled: false to undo)",
            _schema(
                {vol.Required("torrents"): _TARGETS, vol.Optional("enabled", default=True): bool}
            ),
            _forced,
            plain=_targets,
        ),
        Command(
            "set_category",
            "set the category of torrents ('' clears it)",
            _schema({vol.Required("torrents"): _TARGETS, vol.Required("category"): str}),
            _on_targets("set_category"),
        ),
        Command(
            "add_tags",
            "tag torrents",
            _schema({vol.Required("torrents"): _TARGETS, vol.Required("tags"): _TAGS}),
            lambda b, a: _tags(b, a, add=True),
        ),
        Command(
            "remove_tags",
            "untag torrents",
            _schema({vol.Required("torrents"): _TARGETS, vol.Required("tags"): _TAGS}),
            lambda b, a: _tags(b, a, add=False),
        ),
        Command(
            "set_torrent_limits",
            "per-torrent speed limits in bytes/s (0: none)",
            _schema({vol.Required("torrents"): _TARGETS, **_LIMITS}),
            _on_targets("set_torrent_limits"),
        ),
        Command("pause_all", "pause every torrent", _EMPTY, lambda b, _a: _all(b, pause=True),
                plain=_nothing),
        Command("resume_all", "resume every torrent", _EMPTY, lambda b, _a: _all(b, pause=False),
                plain=_nothing),
        Command(
            "alt_speed",
            "alternative speed limits on, off or toggled (enabled: null)",
            _schema({vol.Optional("enabled"): vol.Any(bool, None)}),
            _alt,
            plain=_switch,
        ),
        Command("set_global_limits", "global speed limits in bytes/s (0: none)",
                _schema(_LIMITS), _global_limits),
        Command("refresh", "read everything from qBittorrent now", _EMPTY, _refresh,
                plain=_nothing, read_only=True),
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
            _list,
            plain=lambda text: {"state": text},
            read_only=True,
        ),
        Command("rss_feeds", "RSS feeds (URLs redacted)", _EMPTY, _rss_feeds, plain=_nothing,
                read_only=True),
        Command(
            "rss_add_feed",
            "subscribe to an RSS feed",
            _schema({vol.Required("url"): _NAME, vol.Optional("path", default=""): str}),
            _done("rss_add_feed", "url", "path"),
            plain=lambda text: {"url": text, "path": ""},
        ),
        Command(
            "rss_remove_feed",
            "unsubscribe from an RSS feed by its path",
            _schema({vol.Required("path"): _NAME}),
            _done("rss_remove_feed", "path"),
            plain=lambda text: {"path": text},
        ),
        Command(
            "rss_refresh",
            "fetch one feed (path) or all now",
            _schema({vol.Optional("path", default=None): vol.Any(None, _NAME)}),
            _done("rss_refresh", "path"),
            plain=lambda text: {"path": text or None},
        ),
        Command("rss_rules", "RSS auto-download rules", _EMPTY, _rss_rules, plain=_nothing,
                read_only=True),
        Command(
            "rss_set_rule",
            "add or replace an RSS auto-download rule",
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
            _rss_set_rule,
        ),
        Command(
            "rss_enable_rule",
            "enable or disable an RSS rule",
            _schema({vol.Required("name"): _NAME, vol.Optional("enabled", default=True): bool}),
            _enable_rule,
        ),
        Command(
            "rss_rename_rule",
            "rename an RSS rule",
            _schema({vol.Required("name"): _NAME, vol.Required("new_name"): _NAME}),
            _done("rss_rename_rule", "name", "new_name"),
        ),
        Command(
            "rss_remove_rule",
            "delete an RSS rule",
            _schema({vol.Required("name"): _NAME}),
            _done("rss_remove_rule", "name"),
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
        Command("search_plugins", "installed search plugins", _EMPTY, _search_plugins,
                plain=_nothing, read_only=True),
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
            _search_start,
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
            _search_results,
            read_only=True,
        ),
        Command(
            "search_add",
            "add a search result by its index",
            _schema(
                {
                    vol.Required("job_id"): _JOB,
                    vol.Required("index"): vol.All(int, vol.Range(min=0)),
                    vol.Optional("category"): str,
                    vol.Optional("tags"): _TAGS,
                }
            ),
            _search_add,
        ),
        Command(
            "manage",
            "run qbit_manage commands (cat_update, tag_update, share_limits …), on torrents or all",
            _schema(
                {
                    vol.Required("commands"): vol.Any(_NAME, [_NAME]),
                    vol.Optional("torrents"): _TARGETS,
                    vol.Optional("dry_run", default=False): bool,
                }
            ),
            _manage,
            plain=_manage_plain,
        ),
        Command("search_stop", "stop a search", _schema({vol.Required("job_id"): _JOB}),
                _done("search_stop", "job_id"), read_only=True),
        Command("search_delete", "forget a search", _schema({vol.Required("job_id"): _JOB}),
                _done("search_delete", "job_id"), read_only=True),
    )
}  # fmt: skip


# ---------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed command: what to run, with which arguments, and the caller's request id."""

    command: Command
    args: dict[str, Any]
    request_id: str | int | None = None


def lookup(name: str) -> Command:
    """The command of that name; an unknown name is an InvalidRequestError listing the known."""
    command = COMMANDS.get(name)
    if command is None:
        shown = name if len(name) <= 40 and name.isprintable() else repr(name[:40])
        raise InvalidRequestError(
            f"unknown command {shown!r}; known: {', '.join(sorted(COMMANDS))}"
        )
    return command


def request_id_of(payload: bytes) -> str | int | None:
    """The ``request_id`` of a JSON payload, if one can be read (for answers to bad requests)."""
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    rid = data.get("request_id") if isinstance(data, dict) else None
    return rid if _valid_request_id(rid) else None


def _valid_request_id(rid: Any) -> bool:
    if isinstance(rid, bool):
        return False
    return isinstance(rid, int) or (isinstance(rid, str) and 0 < len(rid) <= 128 and _is_text(rid))


def _is_text(value: Any) -> bool:
    """Whether every string in a decoded JSON value is real Unicode (no lone surrogate).

    JSON may spell a lone UTF-16 surrogate (``"\\ud83d"``); Python decodes it into a string that
    can be neither encoded for an answer nor sent to qBittorrent.
    """
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_payload(name: str, payload: bytes) -> Request:
    """Turn a message payload into a Request, or raise InvalidRequestError saying why.

    A payload is a JSON object of arguments (with an optional ``request_id``), or for simple
    commands a plain text (``ON``, a magnet, a hash …); ``add`` also takes raw .torrent bytes.
    """
    command = lookup(name)
    if len(payload) > command.max_payload:
        raise InvalidRequestError(
            f"payload of {len(payload)} bytes is over the limit of {command.max_payload} bytes"
        )
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        if command.name == "add":
            return Request(command, _validate(command, {"file": payload}))
        raise InvalidRequestError("payload is not UTF-8 text (send JSON or plain text)") from None
    request_id = None
    if text.startswith(("{", "[", '"')):
        args, request_id = _json_args(text)
    elif command.name == "add" and text.startswith("d") and text[1:2].isdigit():
        args = {"file": payload}  # a .torrent that happens to be valid UTF-8
    elif not text:
        args = {}
    elif command.plain is not None:
        args = command.plain(text)
    else:
        raise InvalidRequestError(f"{command.name} takes a JSON object: {_shape(command)}")
    return Request(command, _validate(command, args), request_id)


def _json_args(text: str) -> tuple[dict[str, Any], str | int | None]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise InvalidRequestError(f"payload is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise InvalidRequestError('a JSON payload must be an object, e.g. {"torrents": "all"}')
    if not _is_text(data):
        raise InvalidRequestError(
            "payload holds a lone UTF-16 surrogate escape (such as \\ud83d): not valid text"
        )
    request_id = data.pop("request_id", None)
    if request_id is not None and not _valid_request_id(request_id):
        raise InvalidRequestError("request_id must be a string (1-128 chars) or an integer")
    return data, request_id


def _shape(command: Command) -> str:
    keys = []
    for key in command.schema.schema:
        mark = "" if isinstance(key, vol.Required) else "?"
        keys.append(f"{key.schema}{mark}")
    return "{" + ", ".join(keys) + "}"


def _validate(command: Command, args: dict[str, Any]) -> dict[str, Any]:
    try:
        valid: dict[str, Any] = command.schema(args)
    except vol.MultipleInvalid as err:
        raise InvalidRequestError(
            f"{command.name}: " + "; ".join(_invalid(e) for e in err.errors)
        ) from None
    except vol.Invalid as err:
        raise InvalidRequestError(f"{command.name}: {_invalid(err)}") from None
    return valid


def _invalid(err: vol.Invalid) -> str:
    where = ".".join(str(p) for p in err.path) or "payload"
    message = {
        "extra keys not allowed": "unknown argument",
        "required key not provided": "required",
    }
    return f"{where}: {message.get(err.msg, err.msg)}"


async def execute(bridge: Bridge, request: Request) -> Any:
    """Run a parsed request against a bridge; raises the engine's typed errors."""
    return await request.command.run(bridge, request.args)


# ---------------------------------------------------------------------------- answers

_CODES: tuple[tuple[type[QbtBridgeError], str], ...] = (
    (AmbiguousTargetError, "ambiguous"),
    (NotFoundError, "not_found"),
    (NotSupportedError, "not_supported"),
    (UnsupportedVersionError, "not_supported"),
    (EndpointNotImplementedError, "not_supported"),
    (InvalidRequestError, "invalid_request"),
    (AuthenticationError, "authentication_failed"),
    (ConnectionFailedError, "unavailable"),
    (APIError, "server_error"),
)


def error_code(err: BaseException) -> str:
    """A stable, documented code for an error."""
    for kind, code in _CODES:
        if isinstance(err, kind):
            return code
    return "internal_error"


def error_reply(err: BaseException) -> dict[str, Any]:
    """The ``error`` part of an answer: a code, a message, candidates for ambiguous targets."""
    out: dict[str, Any] = {"code": error_code(err), "message": str(err) or type(err).__name__}
    if isinstance(err, AmbiguousTargetError):
        out["candidates"] = [{"hash": h, "name": n} for h, n in err.candidates]
    if error_code(err) == "internal_error":
        out["message"] = "internal error (see the daemon's log)"
    return out
