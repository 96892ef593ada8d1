"""Chat text for the Telegram front, as HTML; nothing here does I/O.

Nothing rendered here shows a tracker URL, a magnet link or a search result's link: those may
carry a private tracker's pass-key.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from qbt_bridge.core.models import Torrent
from qbt_bridge.core.rss import RssRule
from qbt_bridge.core.search import SearchResult
from qbt_bridge.core.units import format_bytes, format_duration, format_speed
from qbt_bridge.engine import Capability
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.events import Event, EventKind
from qbt_bridge.engine.snapshot import Figures
from qbt_bridge.engine.store import SyncStore

MESSAGE_LIMIT = 4096  # Telegram's limit for one message: characters after HTML is parsed
NAME_LIMIT = 120  # a torrent name is cut here in lists (shorter when a page would not fit)
NAME_LIMITS = (NAME_LIMIT, 60, 30, 15)


def esc(text: object) -> str:
    """Text made safe for Telegram's HTML parse mode."""
    return html.escape(str(text), quote=False)


def plain(text: str) -> str:
    """HTML chat text as plain text (for a button's alert, which has no formatting)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def cut(text: str, limit: int = NAME_LIMIT) -> str:
    """At most ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_length(text: str) -> int:
    """How long Telegram finds an HTML message: its text once parsed, in UTF-16 units."""
    return len(plain(text).encode("utf-16-le")) // 2


def fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message that Telegram accepts: whole lines dropped from the end when too long."""
    if shown_length(text) <= limit:
        return text
    lines = text.split("\n")
    while len(lines) > 1 and shown_length("\n".join([*lines, "…"])) > limit:
        lines.pop()
    if len(lines) == 1 and shown_length(lines[0]) > limit:
        return esc(cut(plain(lines[0]), limit // 2))  # one huge line: plain text, cut
    return "\n".join([*lines, "…"])


def state_word(torrent: Torrent) -> str:
    """A torrent's state in one word, as its server's release says it (4.x: paused)."""
    if str(torrent.raw.get("state", "")).startswith("paused"):
        return "paused"
    return torrent.state.word


def bar(progress: float, width: int = 10) -> str:
    """A progress bar such as ``▓▓▓▓░░░░░░``."""
    filled = max(0, min(width, round(progress * width)))
    return "▓" * filled + "░" * (width - filled)


def _has_eta(torrent: Torrent) -> bool:
    """An ETA means something only for a download that moves data now."""
    return torrent.progress < 1 and torrent.eta is not None and torrent.download_speed > 0


def torrent_line(number: int, torrent: Torrent, name_limit: int = NAME_LIMIT) -> str:
    """One torrent in a list: number, name, bar, state, speeds and ETA."""
    speeds = ""
    if torrent.download_speed or torrent.upload_speed:
        speeds = f" · ↓{format_speed(torrent.download_speed)} ↑{format_speed(torrent.upload_speed)}"
    eta = ""
    if _has_eta(torrent):
        eta = f" · ETA {format_duration(torrent.eta)}"
    return (
        f"<b>{number}.</b> {esc(cut(torrent.name or torrent.hash, name_limit))}\n"
        f"    {bar(torrent.progress)} {torrent.progress:.0%} · {state_word(torrent)}"
        f"{speeds}{eta}"
    )


def torrent_list(torrents: Sequence[Torrent], *, first: int, total: int, title: str) -> str:
    """A page of torrents, numbered from ``first``."""
    if not total:
        return f"{esc(title)}: no torrents."
    head = f"<b>{esc(cut(title, 200))}</b> ({first}–{first + len(torrents) - 1} of {total})"
    # Every row of the page is shown: names get shorter until the page fits one message.
    for limit in NAME_LIMITS:
        rows = [torrent_line(first + i, t, limit) for i, t in enumerate(torrents)]
        text = "\n".join([head, *rows])
        if shown_length(text) <= MESSAGE_LIMIT:
            break
    return text


def torrent_details(torrent: Torrent) -> str:
    """Everything a chat may see of one torrent."""
    rows = [
        f"<b>{esc(cut(torrent.name, 400))}</b>",
        f"{bar(torrent.progress, 16)} {torrent.progress:.1%}",
        f"State: {state_word(torrent)} ({esc(str(torrent.raw.get('state', torrent.state)))})",
        f"Size: {format_bytes(torrent.size)}",
        f"Speed: ↓{format_speed(torrent.download_speed)} ↑{format_speed(torrent.upload_speed)}",
        *([f"ETA: {format_duration(torrent.eta)}"] if _has_eta(torrent) else []),
        f"Ratio: {'–' if torrent.ratio is None else f'{torrent.ratio:.2f}'}",
        (
            f"Seeds: {torrent.seeds} ({torrent.seeds_total}) · "
            f"Leechers: {torrent.leechers} ({torrent.leechers_total})"
        ),
        f"Category: {esc(torrent.category or '–')}",
        f"Tags: {esc(', '.join(torrent.tags) or '–')}",
        f"Save path: <code>{esc(torrent.save_path)}</code>",
        f"Hash: <code>{torrent.hash}</code>",
    ]
    return fit("\n".join(rows))


def status_text(store: SyncStore, title: str, *, alt_speed: bool | None) -> str:
    """Speeds, limits, free space and counts of one server."""
    server = store.server()
    counts = store.counts()
    listed = ", ".join(f"{n} {group}" for group, n in counts.items() if n and group != "total")

    def limit(value: int) -> str:
        return format_speed(value) if value > 0 else "none"

    rows = [
        f"<b>{esc(title)}</b>",
        f"↓ {format_speed(server.download_speed)} (limit {limit(server.download_limit)})",
        f"↑ {format_speed(server.upload_speed)} (limit {limit(server.upload_limit)})",
        f"Alternative speed: {'on' if alt_speed else 'off'}{_until(store, 'alt_speed')}",
        f"Free space: {format_bytes(server.free_space_on_disk)}",
        f"Connection: {esc(server.connection_status)}, {server.dht_nodes} DHT nodes",
        f"Torrents: {counts.get('total', 0)}" + (f" ({listed})" if listed else ""),
    ]
    outlook = store.outlook()
    if outlook.downloads:
        done = "" if outlook.progress is None else f", {outlook.progress:.0f} % done"
        line = f"Downloads: {outlook.downloads}, {format_bytes(outlook.remaining)} left{done}"
        if outlook.soonest is not None:
            line += f"; next done in {format_duration(outlook.soonest)}"
            line += "" if outlook.latest is None else f", all in {format_duration(outlook.latest)}"
        rows.append(line)
    if store.ledger.ends("limit:") is not None:
        rows.append(f"Speed limits as set{_until(store, 'limit:')}, then as before")
    paused = [end for key in ("pause_all", "pause:") if (end := store.ledger.ends(key)) is not None]
    if paused:
        rows.append(f"Paused until {until_text(min(paused))}, then resumed")
    return "\n".join(rows)


MAX_GROUPS = 30  # categories or trackers listed in one message (the busiest first)


def figures_text(figures: Mapping[str, Figures], title: str) -> str:
    """Torrents and speeds of each category or tracker: the most torrents first."""
    if not figures:
        return f"<b>{esc(title)}</b>: none."
    ordered = sorted(figures.items(), key=lambda item: (-item[1].torrents, item[0]))
    rows = [
        f"{esc(cut(name, 60)) if name else '<i>none</i>'}: {f.torrents} · "
        f"↓{format_speed(f.download_speed)} ↑{format_speed(f.upload_speed)}"
        for name, f in ordered[:MAX_GROUPS]
    ]
    more = len(ordered) - MAX_GROUPS
    return "\n".join([f"<b>{esc(title)}</b>", *rows, *([f"… and {more} more"] if more > 0 else [])])


def until_text(until: float | str) -> str:
    """When a timed command ends (a timestamp or an answer's ISO time), in the machine's time.

    ``21:30`` today, ``Sat 05 Dec 21:30`` on another day.
    """
    at = (
        datetime.fromisoformat(until)
        if isinstance(until, str)
        else datetime.fromtimestamp(until, UTC)
    )
    at = at.astimezone()
    same_day = at.date() == datetime.now().astimezone().date()
    return at.strftime("%H:%M" if same_day else "%a %d %b %H:%M")


def _until(store: SyncStore, key: str) -> str:
    end = store.ledger.ends(key)
    return "" if end is None else f" until {until_text(end)}"


def event_text(event: Event, instance_name: str) -> str | None:
    """A notification line for a torrent event, or None for kinds that are not announced."""
    if event.kind in {EventKind.LOW_DISK_SPACE, EventKind.DISK_SPACE_OK}:
        return _disk_text(event, instance_name)
    if event.kind is EventKind.PORT_CHANGED:
        previous = event.detail.get("previous")
        was = f" (was {previous})" if previous else ""
        return (f"🔌 {esc(instance_name)} listens on port {event.detail.get('port')} now{was}, "
                "as the port file says")  # fmt: skip
    label = {
        EventKind.COMPLETED: "✅ Completed",
        EventKind.ADDED: "➕ Added",
        EventKind.ERRORED: "⚠️ Error",
        EventKind.STALLED: "⏳ Stuck",
    }.get(event.kind)
    if label is None:
        return None
    size = ""
    if event.torrent is not None and event.torrent.size:
        size = f" ({format_bytes(event.torrent.size)})"
    text = (
        f"{label}: <b>{esc(cut(event.name or event.hash, 300))}</b>{size} on {esc(instance_name)}"
    )
    if event.kind is EventKind.STALLED:
        why = "no metadata" if event.detail.get("reason") == "no_metadata" else "no progress"
        seconds = int(event.detail.get("seconds") or 0)
        text += f"\n{why} for {format_duration(seconds)}; {esc(str(event.detail.get('done')))}"
    for key in ("message", "tracker_message"):  # why it errored, already redacted
        if event.detail.get(key):
            text += f"\n{esc(cut(str(event.detail[key]), 300))}"
    return text


def search_page(
    pattern: str,
    results: Sequence[SearchResult],
    *,
    first: int,
    total: int,
    running: bool,
) -> str:
    """A page of search results (name, size, seeders, leechers; never the link)."""
    state = "searching…" if running else "done"
    if not results:
        return f"Search <b>{esc(pattern)}</b>: no results ({state})."
    lines = [f"Search <b>{esc(pattern)}</b>: {total} results, {state}, best seeded first"]
    for i, result in enumerate(results):
        lines.append(
            f"<b>{first + i}.</b> {esc(cut(result.file_name))}\n"
            f"    {format_bytes(result.file_size if result.file_size >= 0 else None)}"
            f" · {max(result.seeders, 0)} seeders · {max(result.leechers, 0)} leechers"
        )
    return fit("\n".join(lines))


def rule_line(rule: RssRule) -> str:
    """One RSS rule, with what it matches."""
    mark = "🟢" if rule.enabled else "⚪"
    parts = []
    if rule.must_contain:
        parts.append(f"must contain <code>{esc(rule.must_contain)}</code>")
    if rule.must_not_contain:
        parts.append(f"not <code>{esc(rule.must_not_contain)}</code>")
    if rule.use_regex:
        parts.append("regex")
    if rule.episode_filter:
        parts.append(f"episodes <code>{esc(rule.episode_filter)}</code>")
    if rule.assigned_category:
        parts.append(f"→ {esc(rule.assigned_category)}")
    feeds = len(rule.affected_feeds)
    parts.append(f"{feeds} feed{'s' if feeds != 1 else ''}")
    return f"{mark} <b>{esc(rule.name)}</b>: " + ", ".join(parts)


def limits_text(bridge: Bridge) -> str:
    """The global speed limits: the normal pair, the alternative pair where there is one."""
    limits = bridge.store.configured_limits()

    def shown(value: int) -> str:
        return format_speed(value) if value > 0 else "none"

    alt_on = bool(bridge.store.server().alt_speed_enabled)
    rows = [
        "<b>Speed limits</b>" + (" (alternative in force)" if alt_on else ""),
        f"↓ {shown(limits.download)}   ↑ {shown(limits.upload)}",
    ]
    if bridge.supports(Capability.ALT_SPEED):
        rows.append(f"Alternative: ↓ {shown(limits.alt_download)}   ↑ {shown(limits.alt_upload)}")
    return "\n".join(rows)


def _disk_text(event: Event, instance_name: str) -> str:
    free, threshold = event.detail.get("free"), event.detail.get("threshold")
    if event.kind is EventKind.LOW_DISK_SPACE:
        text = (f"💾 Low disk space on {esc(instance_name)}: {format_bytes(free)} free, "
                f"below {format_bytes(threshold)}")  # fmt: skip
        paused = event.detail.get("paused", 0)
        return text + (f"; {_downloads(paused)} paused until there is room" if paused else "")
    text = f"💾 Disk space OK on {esc(instance_name)}: {format_bytes(free)} free"
    resumed = event.detail.get("resumed", 0)
    return text + (f"; {_downloads(resumed)} resumed" if resumed else "")


def _downloads(count: int) -> str:
    return f"{count} download" if count == 1 else f"{count} downloads"
