"""The engine calls behind the commands: each takes validated arguments, answers JSON-able data."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

import voluptuous as vol

from qbt_bridge.api.answers import add_outcome, command_result, rss_rule, timed, torrent_summary
from qbt_bridge.api.view import page
from qbt_bridge.core.content import FilePriority
from qbt_bridge.core.errors import (
    InvalidRequestError,
)
from qbt_bridge.engine import Capability
from qbt_bridge.engine.bridge import Bridge, CommandResult

Handler = Callable[[Bridge, dict[str, Any]], Awaitable[Any]]


async def add(bridge: Bridge, args: dict[str, Any]) -> Any:
    source: str | bytes | None = args.get("source")
    if "file" in args:
        if source is not None:
            raise InvalidRequestError("give either source or file, not both")
        source = args["file"]
    if source is None:
        raise InvalidRequestError("nothing to add: give source (magnet or URL) or file")
    outcome = await bridge.torrents.add(
        source,
        category=args.get("category"),
        tags=tag_list(args.get("tags")),
        save_path=args.get("save_path"),
        paused=args.get("paused"),
        file_priorities=[FilePriority.parse(p) for p in args.get("file_priorities") or ()],
    )
    return add_outcome(outcome)


def b64(value: Any) -> bytes:
    """Raw .torrent bytes (a binary payload) or base64 text (in JSON)."""
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise vol.Invalid("expected base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as err:
        raise vol.Invalid("not valid base64") from err


def tag_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    return [t.strip() for t in value.split(",")] if isinstance(value, str) else list(value)


def on_targets(method: Callable[..., Awaitable[CommandResult]]) -> Handler:
    """A handler for a torrent command (``TorrentActions.pause`` …): targets first."""

    async def handler(bridge: Bridge, args: dict[str, Any]) -> Any:
        extra = {k: v for k, v in args.items() if k != "torrents"}
        return command_result(await method(bridge.torrents, args["torrents"], **extra))

    return handler


async def tags(bridge: Bridge, args: dict[str, Any], *, add: bool) -> Any:
    tags = tag_list(args["tags"]) or []
    if add:
        return command_result(await bridge.torrents.add_tags(args["torrents"], tags))
    return command_result(await bridge.torrents.remove_tags(args["torrents"], tags))


async def list_torrents(bridge: Bridge, args: dict[str, Any]) -> Any:
    await bridge.refresh(full=True)  # asked for: the whole list as it is now (raises when down)
    store = bridge.store
    count, hashes = page(store, args)
    shown = [t for h in hashes if (t := store.torrent(h)) is not None]
    return {"count": count, "torrents": [torrent_summary(t) for t in shown]}


async def pause(bridge: Bridge, args: dict[str, Any]) -> Any:
    return command_result(await bridge.timers.pause(args["torrents"], args.get("duration")))


async def resume(bridge: Bridge, args: dict[str, Any]) -> Any:
    return command_result(await bridge.timers.resume(args["torrents"]))


async def alt_speed(bridge: Bridge, args: dict[str, Any]) -> Any:
    mode, until = await bridge.timers.set_alt_speed(args.get("enabled"), args.get("duration"))
    return {"enabled": mode, **timed(until)}


async def session(bridge: Bridge, *, paused: bool) -> Any:
    return {"paused": await bridge.transfer.pause_session(paused=paused)}


async def global_limits(bridge: Bridge, args: dict[str, Any]) -> Any:
    limits, until = await bridge.timers.set_global_limits(**args)
    answer = limits.as_dict()
    if Capability.ALT_SPEED not in bridge.capabilities:  # no alternative pair to speak of
        del answer["alt_download"], answer["alt_upload"]
    return {**answer, **timed(until)}


async def listen_port(bridge: Bridge, args: dict[str, Any]) -> Any:
    return {"port": await bridge.transfer.set_listen_port(args["port"])}


async def refresh(bridge: Bridge, args: dict[str, Any]) -> Any:
    bridge.retry_login()  # asked for by a person: one login attempt even after a refusal
    pushed = args.get("hash") or []
    for torrent_hash in pushed:  # as qBittorrent's push: those torrents, no sweep
        bridge.notify(torrent_hash)
    events = await bridge.refresh(full=not pushed)
    return {"torrents": len(bridge.store), "events": len(events)}


async def rss_feeds(bridge: Bridge, _args: dict[str, Any]) -> Any:
    return [
        {
            "path": feed.path,
            "title": feed.title,
            "url": feed.url,
            "has_error": feed.has_error,
            "articles": len(feed.articles),
        }
        for feed in await bridge.rss.feeds()
    ]


async def rss_rules(bridge: Bridge, _args: dict[str, Any]) -> Any:
    return [rss_rule(rule) for rule in (await bridge.rss.rules()).values()]


async def rss_export(bridge: Bridge, _args: dict[str, Any]) -> Any:
    return {"rules": await bridge.rss.export_rules()}


async def rss_import(bridge: Bridge, args: dict[str, Any]) -> Any:
    return {"imported": await bridge.rss.import_rules(args["rules"])}


async def rss_set_rule(bridge: Bridge, args: dict[str, Any]) -> Any:
    options = {k: v for k, v in args.items() if k != "name"}
    return rss_rule(await bridge.rss.save_rule(args["name"], **options))


async def search_start(bridge: Bridge, args: dict[str, Any]) -> Any:
    job = await bridge.search.start(
        args["pattern"], plugins=args["plugins"], category=args["category"]
    )
    return {"job_id": job}


async def search_results(bridge: Bridge, args: dict[str, Any]) -> Any:
    page = await bridge.search.results(
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


async def search_plugins(bridge: Bridge, _args: dict[str, Any]) -> Any:
    return [
        {"name": p.name, "full_name": p.full_name, "enabled": p.enabled, "version": p.version}
        for p in await bridge.search.plugins()
    ]


def done(method: Callable[[Bridge], Callable[..., Awaitable[object]]], *keys: str) -> Handler:
    """A handler for an engine method that answers nothing: answer with its arguments."""

    async def handler(bridge: Bridge, args: dict[str, Any]) -> Any:
        await method(bridge)(*(args[k] for k in keys))
        return {k: args[k] for k in keys}

    return handler


async def force_start(bridge: Bridge, args: dict[str, Any]) -> Any:
    return command_result(
        await bridge.torrents.force_start(args["torrents"], enable=args["enabled"])
    )


async def all_torrents(
    bridge: Bridge, *, pause: bool, only_paused: bool = False, duration: int | None = None
) -> Any:
    timers = bridge.timers
    if only_paused:
        result = await timers.resume_paused()
    else:
        result = await (timers.pause_all(duration) if pause else timers.resume_all())
    # the torrents that changed (the message says which did not, and why)
    return {**command_result(result), "count": len(result.hashes)}


async def enable_rule(bridge: Bridge, args: dict[str, Any]) -> Any:
    await bridge.rss.enable_rule(args["name"], enabled=args["enabled"])
    return {"name": args["name"], "enabled": args["enabled"]}


async def manage(bridge: Bridge, args: dict[str, Any]) -> Any:
    result = await bridge.manage.run(
        args["commands"], args.get("torrents"), dry_run=args["dry_run"]
    )
    return {"status": result.status, "message": result.message, "results": list(result.results)}


def manage_plain(text: str) -> dict[str, Any]:
    return {"commands": text}


async def search(bridge: Bridge, args: dict[str, Any]) -> Any:
    page = await bridge.search.find(args["query"], limit=args["limit"])
    results = [
        {"index": i, "name": r.file_name, "size": r.file_size, "seeders": r.seeders,
         "leechers": r.leechers}  # no link: it may carry a tracker pass-key
        for i, r in enumerate(page.results)
    ]  # fmt: skip
    return {"job_id": page.job_id, "total": page.total, "finished": not page.running,
            "results": results}  # fmt: skip


async def search_add(bridge: Bridge, args: dict[str, Any]) -> Any:
    if ("job_id" in args) == ("pattern" in args):
        raise InvalidRequestError("give job_id (a search made before) or pattern (search now)")
    job = args.get("job_id")
    if job is None:  # one call: search, wait, take result ``index``, forget the search
        job = (await bridge.search.find(args["pattern"], limit=args["index"] + 1)).job_id
    try:
        outcome = await bridge.search.add(
            job, args["index"], category=args.get("category"), tags=tag_list(args.get("tags"))
        )
    finally:
        if "pattern" in args:
            await bridge.search.delete(job)
    return add_outcome(outcome)


async def files(bridge: Bridge, args: dict[str, Any]) -> Any:
    torrent_hash, listed = await bridge.content.files(args["torrent"])
    per_page, page = args["per_page"], args["page"]
    torrent = bridge.store.torrent(torrent_hash)
    return {
        "hash": torrent_hash,
        "name": torrent.name if torrent else "",
        "count": len(listed),
        "page": page,
        "pages": max(1, -(-len(listed) // per_page)),
        "files": [f.as_dict() for f in listed[page * per_page : (page + 1) * per_page]],
    }


async def file_priority(bridge: Bridge, args: dict[str, Any]) -> Any:
    chosen = args["files"]
    result = await bridge.content.set_file_priority(
        args["torrent"], None if chosen == "all" else chosen, FilePriority.parse(args["priority"])
    )
    return command_result(result)


async def categories(bridge: Bridge, _args: dict[str, Any]) -> Any:
    listed = await bridge.labels.category_list()
    return {"categories": [{"name": c.name, "save_path": c.save_path, "torrents": c.torrents}
                           for c in listed]}  # fmt: skip


async def create_category(bridge: Bridge, args: dict[str, Any]) -> Any:
    made = await bridge.labels.create_category(args["name"], args.get("save_path", ""))
    return {"name": made.name, "save_path": made.save_path}


async def remove_category(bridge: Bridge, args: dict[str, Any]) -> Any:
    return {"name": args["name"], "torrents": await bridge.labels.remove_category(args["name"])}


async def tag_names(bridge: Bridge, _args: dict[str, Any]) -> Any:
    if not bridge.store.initialised:
        await bridge.refresh(full=True)
    return {"tags": await bridge.labels.tag_list()}
