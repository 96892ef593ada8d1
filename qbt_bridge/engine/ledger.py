"""The completion ledger: what is known complete, what the engine paused, its timers; on disk."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from qbt_bridge.core.files import write_atomically

_LOGGER = logging.getLogger(__name__)


class CompletionLedger:
    """The hashes known to be complete, kept on disk so a restart fires no completion twice.

    Without a path it lives in memory only: then the first snapshot after a start is the
    baseline, and torrents already complete then are never reported.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.complete: set[str] = set()
        # What "pause all" paused (and is not known to run again): what "resume paused" resumes.
        self.paused_by_pause_all: set[str] = set()
        # The disk guard: whether free space is low now, and what it paused for that.
        self.low_disk = False
        self.paused_by_guard: set[str] = set()
        # The watchdog: downloads reported stalled in their current episode (no repeats).
        self.stalled: set[str] = set()
        # Rules on add (engine/rules.py): the torrents already ruled (once each), and the newest
        # torrents known (their added_on, and their hashes): what is newer came while away.
        self.ruled: set[str] = set()
        self.newest: tuple[int, set[str]] | None = None
        # Commands given for a while (engine/timers.py): per timer, its end and what comes back.
        self.timers: dict[str, dict[str, Any]] = {}
        self.saved_at: float | None = None  # None: no earlier run to catch up with
        # When the earlier run last saved: what finished after it finished while we were away.
        # Kept apart from saved_at, which this run's own saves move on.
        self.away_since: float | None = None
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.complete = set(data.get("complete", ()))
                self.paused_by_pause_all = set(data.get("paused_by_pause_all", ()))
                self.low_disk = bool(data.get("low_disk", False))
                self.paused_by_guard = set(data.get("paused_by_guard", ()))
                self.stalled = set(data.get("stalled", ()))
                self.timers = dict(data.get("timers", {}))
                self.ruled = set(data.get("ruled", ()))
                if data.get("newest") is not None:
                    added_on, hashes = data["newest"]
                    self.newest = (int(added_on), set(hashes))
                self.saved_at = self.away_since = float(data["saved_at"])
            except (OSError, ValueError, KeyError, TypeError):
                _LOGGER.warning("completion ledger %s is unreadable; starting afresh", path)

    def ends(self, key: str) -> float | None:
        """When the soonest timer named ``key`` (or, with a trailing ":", of that kind) ends."""
        ends = [
            float(timer["until"])
            for name, timer in self.timers.items()
            if name == key or (key.endswith(":") and name.startswith(key))
        ]
        return min(ends, default=None)

    def save(self) -> None:
        """Write the ledger atomically (no-op without a path)."""
        if self.path is None:
            return
        self.saved_at = time.time()
        payload = json.dumps(
            {
                "saved_at": self.saved_at,
                "complete": sorted(self.complete),
                "paused_by_pause_all": sorted(self.paused_by_pause_all),
                "low_disk": self.low_disk,
                "paused_by_guard": sorted(self.paused_by_guard),
                "stalled": sorted(self.stalled),
                "timers": self.timers,
                "ruled": sorted(self.ruled),
                "newest": None if self.newest is None else [self.newest[0], sorted(self.newest[1])],
            }
        )
        write_atomically(self.path, payload)
