"""Commands for a while, on real daemons: what they changed comes back by itself, exactly.

The timers' clock is the test's own (``Timers.clock``): the end is reached by moving it, not by
waiting; everything qBittorrent does is real, on each release.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, parse_payload, request
from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.errors import InvalidRequestError
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.catalog import global_values
from tests.helpers import tiny_torrent, wait_for

HOUR = 3600


class Clock:
    """The timers' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _clocked(bridge: Bridge) -> Clock:
    clock = Clock()
    bridge.timers.clock = clock
    return clock


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


async def _run(bridge: Bridge, name: Name, args: dict[str, Any]) -> Any:
    return await execute(bridge, request(name, args))


async def test_alternative_speed_and_limits_come_back_as_they_were(
    client: QBittorrentClient, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.json"
    bridge = Bridge(client, "timed", ledger_path=ledger)
    clock = _clocked(bridge)
    await client.transfer_set_speed_limits_mode(enabled=True)  # on before: on after
    await client.transfer_set_speed_limits(download=300 * 1024, alt_download=100 * 1024)
    try:
        answer = await _run(bridge, Name.ALT_SPEED, {"enabled": False, "duration": "30m"})
        assert answer == {"enabled": False, "until": _iso(clock.now + 1800)}
        # A second timed command moves the end; what comes back stays what was there first.
        answer = await _run(bridge, Name.ALT_SPEED, {"enabled": False, "duration": "1h"})
        assert answer["until"] == _iso(clock.now + HOUR)
        for limit in (2, 3):
            answer = await _run(
                bridge, Name.SET_GLOBAL_LIMITS, {"download": limit * 2**20, "duration": 600}
            )
        assert answer["download"] == 3 * 2**20
        assert answer["until"] == _iso(clock.now + 600)
        values = global_values(bridge.store, bridge.capabilities)
        assert values["alt_speed_until"] == datetime.fromtimestamp(int(clock.now + HOUR), UTC)
        assert values["limits_until"] == datetime.fromtimestamp(int(clock.now + 600), UTC)
        assert values["paused_until"] is None

        await bridge.refresh(full=True)  # nothing has ended yet
        assert await client.transfer_speed_limits_mode() is False
        assert (await client.transfer_speed_limits()).download == 3 * 2**20

        clock.now += 601  # the limits' end: the download limit as it was, the mode still off
        await bridge.refresh()
        limits = await client.transfer_speed_limits()
        assert (limits.download, limits.alt_download) == (300 * 1024, 100 * 1024)
        assert await client.transfer_speed_limits_mode() is False
        assert global_values(bridge.store, bridge.capabilities)["limits_until"] is None

        clock.now += HOUR  # the mode's end: on again, as before the first command
        await bridge.refresh()
        assert await client.transfer_speed_limits_mode() is True
        assert global_values(bridge.store, bridge.capabilities)["alt_speed_until"] is None
        assert json.loads(ledger.read_text(encoding="utf-8"))["timers"] == {}

        # The same command without a duration cancels the timer: the change stays.
        await _run(bridge, Name.ALT_SPEED, {"enabled": False, "duration": "1h"})
        await _run(bridge, Name.ALT_SPEED, {"enabled": False})
        assert bridge.timers.until("alt_speed") is None
        clock.now += 2 * HOUR
        await bridge.refresh()
        assert await client.transfer_speed_limits_mode() is False
    finally:
        await client.transfer_set_speed_limits_mode(enabled=False)
        await client.transfer_set_speed_limits(download=0, alt_download=0)


async def test_timed_pauses_resume_only_what_they_paused_even_after_a_restart(
    client: QBittorrentClient, tmp_path: Path
) -> None:
    ledger = tmp_path / "ledger.json"
    bridge = Bridge(client, "timed", ledger_path=ledger)
    clock = _clocked(bridge)
    hashes = []
    for name in ("timed-a", "timed-b", "timed-c", "timed-d"):
        data, torrent_hash = tiny_torrent(tmp_path, name)
        await bridge.torrents.add(data, paused=name == "timed-c")  # c: paused by the user
        hashes.append(torrent_hash)
    a, b, c, d = hashes

    answer = await _run(bridge, Name.PAUSE, {"torrents": [a, b, c], "duration": "2h"})
    assert answer["until"] == _iso(clock.now + 2 * HOUR)
    assert global_values(bridge.store, bridge.capabilities)["paused_until"] == (
        datetime.fromtimestamp(int(clock.now + 2 * HOUR), UTC)
    )
    # A second timed pause of a moves its end (a is paused now, by the first).
    moved = await _run(bridge, Name.PAUSE, {"torrents": a, "duration": "3h"})
    assert moved["until"] == _iso(clock.now + 3 * HOUR)
    answer = await _run(bridge, Name.PAUSE, {"torrents": a, "duration": "2h"})
    assert answer["until"] == _iso(clock.now + 2 * HOUR)
    already = await _run(bridge, Name.PAUSE, {"torrents": c, "duration": "1h"})
    assert "until" not in already
    assert "nothing to resume" in already["message"]
    await _run(bridge, Name.RESUME, {"torrents": b})  # b's timer ends here
    await _run(bridge, Name.PAUSE, {"torrents": b})  # … and b is paused for good
    assert bridge.timers.until(f"pause:{b}") is None

    # The daemon goes away; the end passes meanwhile; a new engine on the same ledger.
    again = Bridge(client, "timed", ledger_path=ledger)
    _clocked(again).now = clock.now + 2 * HOUR + 1
    await again.refresh()  # the first refresh carries out what ended while away

    async def states() -> dict[str, bool] | None:
        await again.refresh(full=True)
        stopped = {h: again.store.state(h).is_stopped for h in hashes}
        return stopped if not stopped[a] else None

    stopped = await wait_for(states, "the timed pause's end")
    assert stopped == {a: False, b: True, c: True, d: False}
    assert again.timers.until("pause:") is None

    # Pause all for a while: at its end what it paused resumes, c (the user's) stays paused.
    clock = _clocked(again)
    answer = await _run(again, Name.PAUSE_ALL, {"duration": "1h"})
    assert answer["until"] == _iso(clock.now + HOUR)
    assert {t["hash"] for t in answer["torrents"]} == {a, d}
    clock.now += HOUR
    await again.refresh()

    async def resumed() -> dict[str, bool] | None:
        await again.refresh(full=True)
        stopped = {h: again.store.state(h).is_stopped for h in hashes}
        return stopped if not stopped[a] and not stopped[d] else None

    assert await wait_for(resumed, "pause all's end") == {a: False, b: True, c: True, d: False}

    # resume_paused ends a timed pause all: nothing is resumed twice later.
    await _run(again, Name.PAUSE_ALL, {"duration": "1h"})
    await _run(again, Name.RESUME_PAUSED, {})
    assert again.timers.until("pause_all") is None


async def test_durations_are_checked_before_anything_is_done(
    client: QBittorrentClient, tmp_path: Path
) -> None:
    bridge = Bridge(client, "timed", ledger_path=tmp_path / "ledger.json")
    for bad in ("soon", "0s", "31d", -5, "1h and a bit"):
        with pytest.raises(InvalidRequestError, match="duration"):
            request(Name.PAUSE_ALL, {"duration": bad})
    with pytest.raises(InvalidRequestError, match="limits to set"):
        await _run(bridge, Name.SET_GLOBAL_LIMITS, {"duration": "1h"})
    # MQTT's plain payloads: a mode and a duration; a duration alone for pause_all.
    assert parse_payload(Name.ALT_SPEED, b"ON 30m").args == {"enabled": True, "duration": 1800}
    assert parse_payload(Name.PAUSE_ALL, b"2h").args == {"duration": 7200}
    assert parse_payload(Name.PAUSE_ALL, b"PRESS").args == {}
    with pytest.raises(InvalidRequestError, match="duration"):
        parse_payload(Name.ALT_SPEED, b"ON later")
    assert bridge.timers.until("alt_speed") is None
    assert not await client.transfer_speed_limits_mode()
