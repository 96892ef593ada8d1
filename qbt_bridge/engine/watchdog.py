"""The watchdog: downloads that are stuck, said once per episode, and what was done about them.

A download is stuck when it made no progress (its bytes left did not shrink) for
``StallRule.after``, or waited for its metadata (a magnet nobody answers) for
``metadata_after``. Each episode is announced once with a ``stalled`` event — also across
restarts: the torrents reported are kept in the ledger until they move again. The optional
action (off by default) is carried out then and named in the event.

The time without progress is counted by this process (qBittorrent keeps no such clock): after a
restart it starts again for a download that was already stuck, which is then reported that much
later, never twice. The time without metadata is counted from when qBittorrent added it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import voluptuous as vol

from qbt_bridge.core.errors import QbtBridgeError
from qbt_bridge.core.models import StateGroup, TorrentState
from qbt_bridge.core.settings import SECONDS, setting
from qbt_bridge.engine.actions import TorrentActions
from qbt_bridge.engine.events import Event, EventKind, torrent_event
from qbt_bridge.engine.link import Link

_LOGGER = logging.getLogger(__name__)

ACTIONS = ("none", "reannounce", "pause", "delete", "delete_with_files")
_DONE = {"none": "none", "reannounce": "reannounced", "pause": "paused", "delete": "deleted",
         "delete_with_files": "deleted with its files"}  # fmt: skip
LOOK_EVERY = 60.0  # seconds between looks (sooner for shorter times): an O(torrents) walk
_METADATA = frozenset({TorrentState.META_DL, TorrentState.FORCED_META_DL})
# Downloads that wait for a reason of their own are not stuck: stopped, queued (their turn
# comes), being checked or moved, in error (said by its own event).
_NOT_WATCHED = frozenset({StateGroup.STOPPED, StateGroup.QUEUED, StateGroup.CHECKING,
                          StateGroup.MOVING, StateGroup.ERRORED})  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class StallRule:
    """When a download counts as stuck, and what is done then."""

    enabled: bool = setting(default=True, help="watch downloads at all", check=bool)
    after: float = setting(
        default=6 * 3600.0,
        help="seconds a running download may go without progress (6 h)",
        check=SECONDS, minimum=1, maximum=365 * 86400,
    )  # fmt: skip
    metadata_after: float = setting(
        default=1800.0,
        help="seconds a magnet may wait for its metadata (30 min)",
        check=SECONDS, minimum=1, maximum=365 * 86400,
    )  # fmt: skip
    action: str = setting(
        default="none",
        help="what is done to a stuck download: none, reannounce, pause, delete, delete_with_files",
        check=vol.In(ACTIONS),
    )


class Watchdog:
    """Looks for stuck downloads after each refresh."""

    def __init__(self, link: Link, torrents: TorrentActions, rule: StallRule) -> None:
        self.link = link
        self._torrents = torrents
        self.rule = rule
        # hash: (waiting for metadata, bytes left, since when): what was seen, since when
        self._progress: dict[str, tuple[bool, int, float]] = {}
        self._every = min(LOOK_EVERY, rule.after / 2, rule.metadata_after / 2)
        self._last_look = -1e18

    async def check(self, _events: Sequence[Event] = ()) -> list[Event]:
        """The downloads that became stuck since the last look, each acted on as the rule says."""
        if time.monotonic() - self._last_look < self._every:
            return []
        self._last_look = time.monotonic()
        store, now = self.link.store, time.time()
        ledger = store.ledger
        watched: dict[str, tuple[bool, int, float]] = {}
        stuck: list[tuple[str, str, float]] = []
        moved: set[str] = set()
        for torrent_hash in store.hashes():
            groups = store.groups(torrent_hash)
            if StateGroup.DOWNLOADING not in groups or groups & _NOT_WATCHED:
                continue
            raw = store.raw(torrent_hash)
            metadata = store.state(torrent_hash) in _METADATA
            left = int(raw.get("amount_left") or 0)
            before = self._progress.get(torrent_hash)
            since = now
            if before is not None and before[0] == metadata and left >= before[1]:
                since = before[2]  # no progress since then
            elif before is not None:  # it moved (or got its metadata): a new episode
                moved.add(torrent_hash)
            watched[torrent_hash] = (metadata, left, since)
            if metadata:
                waited = now - float(raw.get("added_on") or now)
                if waited >= self.rule.metadata_after:
                    stuck.append((torrent_hash, "no_metadata", waited))
            elif now - since >= self.rule.after:
                stuck.append((torrent_hash, "no_progress", now - since))
        self._progress = watched
        # An episode ends when the download moves, or stops being watched (finished, stopped,
        # removed); its next one is reported again.
        ended = ledger.stalled & moved | (ledger.stalled - set(watched))
        ledger.stalled -= ended
        events = [await self._report(h, why, waited) for h, why, waited in stuck
                  if h not in ledger.stalled]  # fmt: skip
        if events or ended:
            ledger.stalled |= {e.hash for e in events}
            ledger.save()
        return events

    async def _report(self, torrent_hash: str, reason: str, waited: float) -> Event:
        torrent = self.link.store.torrent(torrent_hash)
        assert torrent is not None  # noqa: S101 - listed a moment ago
        action = self.rule.action
        done = _DONE[action]
        try:
            if action == "reannounce":
                await self._torrents.reannounce(torrent_hash)
            elif action == "pause":
                await self._torrents.pause(torrent_hash)
            elif action.startswith("delete"):
                with_files = action == "delete_with_files"
                await self._torrents.delete(torrent_hash, delete_files=with_files)
        except QbtBridgeError as err:
            done = f"not {done}: {err}"
        _LOGGER.info("%s: %s is stuck (%s for %d s); %s",
                     self.link.instance_id, torrent.name, reason, waited, done)  # fmt: skip
        detail = {"reason": reason, "seconds": round(waited), "action": action, "done": done}
        return torrent_event(EventKind.STALLED, torrent, self.link.instance_id, detail=detail)
