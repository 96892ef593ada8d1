"""Constants of the qbt-bridge integration."""

from __future__ import annotations

import logging
from typing import Final

from qbt_bridge.core.settings import default
from qbt_bridge.engine import RefreshPolicy, ServerSettings
from qbt_bridge.engine.events import ANNOUNCED

DOMAIN: Final = "qbt_bridge"
LOGGER = logging.getLogger(__package__)

CONF_API_KEY: Final = "api_key"
CONF_CLIENT: Final = "client"  # which API the server speaks (ClientKind), found by the flow
CONF_TORRENTS: Final = "torrent_entities"
CONF_CATEGORY_ENTITIES: Final = "category_entities"  # entities for each category (capped)
CONF_STATES: Final = "states"
CONF_CATEGORIES: Final = "categories"
CONF_TAGS: Final = "tags"
CONF_LIMIT: Final = "limit"
CONF_ORDER: Final = "order"  # which torrents the cap keeps (newest, oldest, ratio, …)
CONF_ACTIVE_ONLY: Final = "active_only"
CONF_DISK_MIN_FREE: Final = "disk_min_free_gib"  # the disk guard's threshold (0: no guard)
CONF_DISK_PAUSE: Final = "disk_pause"  # and whether it pauses downloads
CONF_EVENTS: Final = "events"
CONF_MANAGE_URL: Final = "qbit_manage_url"
CONF_CARD_USERS: Final = "card_users"  # users (besides administrators) who may act in the card
CONF_MANAGE_ON_PUSH: Final = "qbit_manage_on_push"  # its commands run on each batch of pushed ids
CONF_STALLED_HOURS: Final = "stalled_hours"  # the watchdog: hours without progress (0: off)
CONF_METADATA_MINUTES: Final = "metadata_minutes"  # minutes a magnet may wait for metadata
CONF_STALLED_ACTION: Final = "stalled_action"  # none, reannounce, pause, delete, …
CONF_RULES: Final = "rules"  # rules on add: a list of the engine's AddRule mappings
CONF_PORT_FILE: Final = "port_file"  # a VPN client's forwarded-port file on this host
CONF_PUSH_INSTALL: Final = "push_install"  # a request in the options form, never stored

# Home Assistant's own choices, where they differ from the engine's settings (core.settings):
# a dashboard refreshes more slowly than the daemon (10 s, not 5), sweeps sooner than its 300 s
# (a user who never set up push still sees edits made elsewhere within 4 minutes), and gives
# fewer torrents entities (each is a device's worth of entities in the registry).
DEFAULT_SCAN_INTERVAL: Final = 10  # seconds
# Full sweeps (sync/maindata: O(torrents) CPU for qBittorrent), in seconds: the only way to see
# edits made elsewhere to idle torrents. With push, added and finished torrents come without one.
SWEEP_INTERVAL: Final = 240
DEFAULT_LIMIT: Final = 25
MAX_LIMIT: Final = 500
# The engine's own defaults.
PUSH_SWEEP_INTERVAL: Final[float] = default(RefreshPolicy, "push_full_interval")
REQUEST_TIMEOUT: Final[float] = default(ServerSettings, "request_timeout")  # in the flow's errors

EVENT_KINDS: Final = ANNOUNCED
EVENT_PREFIX: Final = f"{DOMAIN}_torrent_"  # qbt_bridge_torrent_completed …
