"""The entry's options as the engine's types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import voluptuous as vol
from homeassistant.const import CONF_SCAN_INTERVAL

from qbt_bridge.core.settings import bounds, default
from qbt_bridge.engine.catalog import CategoryFilter, TorrentFilter
from qbt_bridge.engine.diskguard import DiskGuard
from qbt_bridge.engine.rules import AddRule, add_rules
from qbt_bridge.engine.watchdog import StallRule

from .const import (
    CONF_ACTIVE_ONLY,
    CONF_CATEGORIES,
    CONF_CATEGORY_ENTITIES,
    CONF_DISK_MIN_FREE,
    CONF_DISK_PAUSE,
    CONF_EVENTS,
    CONF_LIMIT,
    CONF_METADATA_MINUTES,
    CONF_ORDER,
    CONF_RULES,
    CONF_STALLED_ACTION,
    CONF_STALLED_HOURS,
    CONF_STATES,
    CONF_TAGS,
    CONF_TORRENTS,
    DEFAULT_LIMIT,
    DEFAULT_SCAN_INTERVAL,
    EVENT_KINDS,
)


def split_list(text: str | None) -> frozenset[str]:
    """``"tv, movies"`` as a set of names."""
    return frozenset(part.strip() for part in (text or "").split(",") if part.strip())


def torrent_filter(options: Mapping[str, Any]) -> TorrentFilter:
    """Which torrents get entities."""
    given = {
        name: options[key]
        for name, key in (
            ("enabled", CONF_TORRENTS), ("order", CONF_ORDER), ("active_only", CONF_ACTIVE_ONLY)
        )
        if key in options
    }  # fmt: skip
    return TorrentFilter(
        **given,  # the rest: the engine's defaults
        states=frozenset(options.get(CONF_STATES, ())),
        categories=split_list(options.get(CONF_CATEGORIES)),
        tags=split_list(options.get(CONF_TAGS)),
        limit=int(options.get(CONF_LIMIT, DEFAULT_LIMIT)),
    )


def scan_interval(options: Mapping[str, Any]) -> float:
    """Seconds between refreshes."""
    return float(options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL))


def fired_events(options: Mapping[str, Any]) -> frozenset[str]:
    """Which torrent events go on the bus (all by default)."""
    return frozenset(options.get(CONF_EVENTS, EVENT_KINDS))


def disk_guard(options: Mapping[str, Any]) -> DiskGuard | None:
    """The disk guard: a threshold in GiB (0: none), and whether it pauses downloads."""
    gib = float(options.get(CONF_DISK_MIN_FREE, 0) or 0)
    if gib <= 0:
        return None
    paused = {"pause": bool(options[CONF_DISK_PAUSE])} if CONF_DISK_PAUSE in options else {}
    return DiskGuard(min_free=round(gib * 2**30), **paused)


# The watchdog's options, in the units of the form, defaulting to the engine's own.
STALLED_HOURS = default(StallRule, "after") / 3600
METADATA_MINUTES = default(StallRule, "metadata_after") / 60
_AFTER, _METADATA = bounds(StallRule, "after"), bounds(StallRule, "metadata_after")
# Hours (0: off) and minutes, within the engine's bounds.
STALLED_HOURS_RANGE = vol.Range(min=0, max=float(_AFTER[1] or 0) / 3600)
METADATA_MINUTES_RANGE = vol.Range(
    min=float(_METADATA[0] or 0) / 60, max=float(_METADATA[1] or 0) / 60
)


def stall_rule(options: Mapping[str, Any]) -> StallRule | None:
    """The watchdog for stuck downloads (hours 0: none)."""
    hours = float(options.get(CONF_STALLED_HOURS, STALLED_HOURS))
    if hours <= 0:
        return None
    minutes = float(options.get(CONF_METADATA_MINUTES, METADATA_MINUTES))
    action = str(options.get(CONF_STALLED_ACTION, default(StallRule, "action")))
    return StallRule(after=hours * 3600, metadata_after=minutes * 60, action=action)


def rules_on_add(options: Mapping[str, Any]) -> tuple[AddRule, ...]:
    """The rules on add (checked when the options were saved)."""
    return add_rules(options.get(CONF_RULES) or None)


def category_filter(options: Mapping[str, Any]) -> CategoryFilter:
    """Which categories get entities (off by default; the engine's cap)."""
    return CategoryFilter(enabled=bool(options.get(CONF_CATEGORY_ENTITIES, False)))
