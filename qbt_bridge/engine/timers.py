"""Commands given for a while: at their end, what they changed comes back by itself.

``pause``, ``pause_all``, the alternative-speed switch and the global limits take a duration.
Each timer is kept in the ledger with its end and what it brings back, so it survives a restart;
one whose end passed while the process was down is carried out after the first refresh. The
timers are looked at after every refresh: a timer ends within one refresh of its time.

What comes back is exactly what was there before: the alternative-speed mode and the limits in
force before the first timed command on them (a second one moves the end, not what comes back);
only the torrents the timed pause paused that are still paused. A newer command on the same
thing without a duration cancels its timer; a failed command leaves it.

Timer names: ``alt_speed``, ``pause_all``, ``limit:<name>`` (each of the four limits),
``pause:<hash>`` (a torrent paused for a while).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from qbt_bridge.clients import Capability
from qbt_bridge.core.errors import ConnectionFailedError, InvalidRequestError, QbtBridgeError
from qbt_bridge.core.models import SpeedLimits
from qbt_bridge.engine.actions import TorrentActions
from qbt_bridge.engine.events import Event
from qbt_bridge.engine.link import Link, connected, requires
from qbt_bridge.engine.results import CommandResult
from qbt_bridge.engine.targets import Targets
from qbt_bridge.engine.transfer import Transfer

_LOGGER = logging.getLogger(__name__)

ALT_SPEED = "alt_speed"
PAUSE_ALL = "pause_all"
LIMIT = "limit:"
PAUSE = "pause:"


class Timers:
    """The commands that can be given for a while, and the timers that undo them."""

    def __init__(
        self,
        link: Link,
        targets: Targets,
        torrents: TorrentActions,
        transfer: Transfer,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.link = link
        self._targets = targets
        self._torrents = torrents
        self._transfer = transfer
        self.clock = clock
        self._ending = False  # ending timers refreshes too: no second look meanwhile
        self._failing: str | None = None  # what the last failed end said (said once)

    @property
    def _timers(self) -> dict[str, dict[str, Any]]:
        return self.link.store.ledger.timers

    def until(self, key: str) -> float | None:
        """When the soonest timer ``key`` (a name, or a kind ending in ":") ends; None: none."""
        return self.link.store.ledger.ends(key)

    def _start(self, key: str, seconds: int, restore: Any = None) -> float:
        """Start (or move the end of) a timer; a running one keeps what it brings back."""
        old = self._timers.get(key)
        until = self.clock() + seconds
        self._timers[key] = {"until": until, "restore": old["restore"] if old else restore}
        return until

    def _follow(
        self, keys: list[str], duration: int | None, before: dict[str, Any]
    ) -> float | None:
        """A newer command on these timers: with a duration they (re)start, without they end.

        A running timer keeps what it brings back. Returns when the soonest ends (None: none).
        """
        if duration is None:
            self._cancel(keys)
            return None
        return min((self._start(key, duration, before.get(key)) for key in keys), default=None)

    def _cancel(self, keys: Iterable[str]) -> None:
        for key in list(keys):
            self._timers.pop(key, None)

    def _kept(self) -> None:
        """The timers changed: on disk, and the fronts told (their ``until`` values)."""
        self.link.store.ledger.save()
        self.link.refreshed()

    # ---------------------------------------------------------------- the commands

    @connected
    async def pause(
        self, targets: str | Iterable[str], duration: int | None = None
    ) -> CommandResult:
        """Pause torrents; with ``duration`` (seconds), resume those it paused at its end."""
        store = self.link.store
        # Which ones run before: only those are resumed at the end (the pause names them again).
        running = {h for h in await self._targets.resolve(targets) if not store.state(h).is_stopped}
        result = await self._torrents.pause(targets)
        # Timed: those it paused, and those a timed pause had paused (their end moves).
        timed = [PAUSE + h for h in result.hashes if h in running or PAUSE + h in self._timers]
        self._cancel(PAUSE + h for h in result.hashes if PAUSE + h not in timed)
        until = self._follow(timed, duration, {})
        self._kept()
        if duration is not None and until is None:
            note = "all were paused already: nothing to resume at the end"
            return dataclasses.replace(
                result, message="; ".join(filter(None, [result.message, note]))
            )
        return dataclasses.replace(result, until=until)

    @connected
    async def resume(self, targets: str | Iterable[str]) -> CommandResult:
        """Resume torrents; a timed pause of theirs ends here."""
        result = await self._torrents.resume(targets)
        self._cancel(PAUSE + h for h in result.hashes)
        self._kept()
        return result

    @connected
    async def pause_all(self, duration: int | None = None) -> CommandResult:
        """Pause every torrent; with ``duration``, resume what it paused at its end."""
        result = await self._torrents.pause_all()
        self._cancel([k for k in self._timers if k.startswith(PAUSE)])
        until = self._follow([PAUSE_ALL], duration, {})
        self._kept()
        return dataclasses.replace(result, until=until)

    @connected
    async def resume_all(self) -> CommandResult:
        """Resume every torrent; every timed pause ends here."""
        result = await self._torrents.resume_all()
        self._cancel([PAUSE_ALL, *(k for k in self._timers if k.startswith(PAUSE))])
        self._kept()
        return result

    @connected
    async def resume_paused(self) -> CommandResult:
        """Resume what ``pause_all`` paused; a timed pause all ends here."""
        result = await self._torrents.resume_paused()
        self._cancel([PAUSE_ALL])
        self._kept()
        return result

    @requires(Capability.ALT_SPEED)
    async def set_alt_speed(
        self, enabled: bool | None = None, duration: int | None = None
    ) -> tuple[bool, float | None]:
        """The alternative-speed mode (None toggles); with ``duration``, the old one at its end.

        Returns the mode now and when it goes back (None: it stays).
        """
        before = None
        if duration is not None and ALT_SPEED not in self._timers:
            before = bool(await self.link.client.transfer_speed_limits_mode())
        mode = await self._transfer.set_alt_speed(enabled)
        until = self._follow([ALT_SPEED], duration, {ALT_SPEED: before})
        self._kept()
        return mode, until

    @requires(Capability.GLOBAL_LIMITS)
    async def set_global_limits(
        self,
        *,
        download: int | None = None,
        upload: int | None = None,
        alt_download: int | None = None,
        alt_upload: int | None = None,
        duration: int | None = None,
    ) -> tuple[SpeedLimits, float | None]:
        """The global limits (``Transfer.set_global_limits``); with ``duration``, for a while.

        At its end the limits before come back. Returns the four now and when they go back
        (None: they stay).
        """
        limits = {"download": download, "upload": upload,
                  "alt_download": alt_download, "alt_upload": alt_upload}  # fmt: skip
        given = [name for name, value in limits.items() if value is not None]
        if duration is not None and not given:
            raise InvalidRequestError("give the limits to set for a while")
        before = (await self._transfer.limits_now()).as_dict() if duration is not None else {}
        now = await self._transfer.set_global_limits(**limits)
        was = {LIMIT + name: value for name, value in before.items()}
        until = self._follow([LIMIT + name for name in given], duration, was)
        self._kept()
        return now, until

    # ---------------------------------------------------------------- the ends

    async def check(self, _events: Sequence[Event] = ()) -> list[Event]:
        """After a refresh: carry out the timers whose end has come (none are announced)."""
        if self._ending:
            return []
        now = self.clock()
        due = {k: t for k, t in self._timers.items() if float(t["until"]) <= now}
        if not due:
            return []
        self._ending = True
        try:
            await self._end(due)
        finally:
            self._ending = False
        return []

    async def _end(self, due: dict[str, dict[str, Any]]) -> None:
        groups: dict[str, list[str]] = {}
        for key in due:
            groups.setdefault(key.split(":")[0] + (":" if ":" in key else ""), []).append(key)
        for kind, keys in groups.items():
            try:
                await self._undo(kind, {k: due[k]["restore"] for k in keys})
            except ConnectionFailedError as err:  # down: tried again after the next refresh
                self._say_once(f"{self.link.instance_id}: a timer could not end yet: {err}")
                continue
            except QbtBridgeError as err:  # refused: it cannot come back, so it is dropped
                _LOGGER.warning(
                    "%s: a timer (%s) could not end: %s", self.link.instance_id, kind, err
                )
            self._failing = None
            # Dropped unless a newer command started the same timer meanwhile.
            for key in keys:
                if self._timers.get(key) == due[key]:
                    del self._timers[key]
        self._kept()

    async def _undo(self, kind: str, restore: dict[str, Any]) -> None:
        name = self.link.instance_id
        if kind == ALT_SPEED:
            await self._transfer.set_alt_speed(bool(restore[ALT_SPEED]))
            _LOGGER.info(
                "%s: alternative speed back %s (timer ended)",
                name,
                "on" if restore[ALT_SPEED] else "off",
            )
        elif kind == LIMIT:
            limits = {key.removeprefix(LIMIT): int(value) for key, value in restore.items()}
            await self._transfer.set_global_limits(**limits)
            _LOGGER.info("%s: global limits back as they were (timer ended): %s", name, limits)
        elif kind == PAUSE_ALL:
            result = await self._torrents.resume_paused()
            _LOGGER.info("%s: pause all ended: %d torrents resumed", name, len(result.hashes))
        elif kind == PAUSE:
            store = self.link.store
            hashes = [
                h
                for key in restore
                if (h := key.removeprefix(PAUSE)) in store and store.state(h).is_stopped
            ]
            if hashes:
                await self._torrents.resume(hashes)
            _LOGGER.info("%s: a timed pause ended: %d torrents resumed", name, len(hashes))

    def _say_once(self, text: str) -> None:
        if text != self._failing:
            self._failing = text
            _LOGGER.warning("%s", text)
