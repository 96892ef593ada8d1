"""What the store announces while qBittorrent is still loading or checking: nothing already true.

The answers below have the shape ``sync/maindata`` gives (recorded from qbittorrent-nox 4.5.2 and
5.x while they loaded their torrents); no daemon is needed to replay them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from qbt_bridge.core.models import MainData
from qbt_bridge.engine.events import Event, EventKind
from qbt_bridge.engine.snapshot import Outlook
from qbt_bridge.engine.store import CompletionLedger, SyncStore

pytestmark = pytest.mark.unit  # the fast tier: no daemon


def _torrent(index: int, state: str, progress: float, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"t{index}",
        "state": state,
        "progress": progress,
        "size": 1000,
        "added_on": 1_700_000_000 + index,
        "completion_on": 1_700_000_100 + index if progress >= 1 else -1,
        **extra,
    }


def _hash(index: int) -> str:
    return f"{index:040x}"


def _full(rid: int, torrents: dict[str, dict[str, Any]]) -> MainData:
    return MainData.from_api({"rid": rid, "full_update": True, "torrents": torrents})


def _delta(rid: int, torrents: dict[str, dict[str, Any]]) -> MainData:
    return MainData.from_api({"rid": rid, "torrents": torrents})


def _kinds(events: list[Event], kind: EventKind) -> list[str]:
    return [e.hash for e in events if e.kind is kind]


def _replay(store: SyncStore, first: str, then: str, count: int = 30) -> list[Event]:
    """Thirty complete torrents seen first in state ``first``, then settled as ``then``."""
    events = store.apply_maindata(
        _full(1, {_hash(i): _torrent(i, first, 0.0) for i in range(count)})
    )
    settled = {_hash(i): {"state": then, "progress": 1.0} for i in range(count)}
    events += store.apply_maindata(_delta(2, settled))
    return events


def test_a_fresh_start_while_qbittorrent_loads_announces_no_completion(tmp_path: Path) -> None:
    for loading in ("checkingResumeData", "checkingUP", "checkingDL", "metaDL", "moving"):
        store = SyncStore("x", CompletionLedger(tmp_path / f"{loading}.json"))
        events = _replay(store, loading, "stalledUP")
        assert _kinds(events, EventKind.COMPLETED) == [], loading
        assert _kinds(events, EventKind.ADDED) == [], loading
        assert len(store.ledger.complete) == 30, "known complete from now on"
        # Later changes are news again: one torrent goes back to downloading and finishes.
        store.apply_maindata(_delta(3, {_hash(0): {"state": "downloading", "progress": 0.5}}))
        done = store.apply_maindata(_delta(4, {_hash(0): {"state": "uploading", "progress": 1.0}}))
        assert _kinds(done, EventKind.COMPLETED) == [_hash(0)]


def test_errors_found_while_loading_are_not_news() -> None:
    store = SyncStore("x")
    events = _replay(store, "checkingResumeData", "missingFiles", count=6)
    assert _kinds(events, EventKind.ERRORED) == []
    # A torrent that was fine when first seen settled and breaks later is news.
    store.apply_maindata(_full(3, {_hash(9): _torrent(9, "stalledUP", 1.0)}))
    broke = store.apply_maindata(_delta(4, {_hash(9): {"state": "error"}}))
    assert _kinds(broke, EventKind.ERRORED) == [_hash(9)]


def test_torrents_appearing_while_qbittorrent_loads_are_neither_added_nor_completed() -> None:
    store = SyncStore("x")
    store.apply_maindata(_full(1, {_hash(0): _torrent(0, "stalledUP", 1.0)}))
    late = {_hash(i): _torrent(i, "checkingResumeData", 0.0) for i in range(1, 11)}
    events = store.apply_maindata(_delta(2, late))
    events += store.apply_maindata(
        _delta(3, {h: {"state": "stalledUP", "progress": 1.0} for h in late})
    )
    assert _kinds(events, EventKind.ADDED) == []
    assert _kinds(events, EventKind.COMPLETED) == []


def test_what_happens_after_the_first_view_is_still_announced() -> None:
    store = SyncStore("x")
    store.apply_maindata(_full(1, {_hash(0): _torrent(0, "downloading", 0.4)}))
    # A torrent added now, checked first and then found complete, was completed under our eyes.
    added = store.apply_maindata(_delta(2, {_hash(1): _torrent(1, "checkingDL", 0.0)}))
    assert _kinds(added, EventKind.ADDED) == [_hash(1)]
    events = store.apply_maindata(
        _delta(
            3,
            {
                _hash(0): {"state": "uploading", "progress": 1.0},
                _hash(1): {"state": "stalledUP", "progress": 1.0},
            },
        )
    )
    assert sorted(_kinds(events, EventKind.COMPLETED)) == [_hash(0), _hash(1)]


def test_a_completion_while_the_engine_was_away_is_still_caught_up_after_loading(
    tmp_path: Path,
) -> None:
    ledger_path = tmp_path / "ledger.json"
    before = SyncStore("x", CompletionLedger(ledger_path))
    before.apply_maindata(_full(1, {_hash(0): _torrent(0, "downloading", 0.5)}))
    assert before.ledger.saved_at is not None
    # Away; it finished meanwhile, and qBittorrent is loading it when the engine comes back.
    after = SyncStore("x", CompletionLedger(ledger_path))
    now = int(time.time()) + 1
    loading = _torrent(0, "checkingResumeData", 0.0, completion_on=now)
    events = after.apply_maindata(_full(1, {_hash(0): loading}))
    events += after.apply_maindata(_delta(2, {_hash(0): {"state": "stalledUP", "progress": 1.0}}))
    assert _kinds(events, EventKind.COMPLETED) == [_hash(0)]


def test_a_torrent_added_now_is_added_even_when_first_seen_loading_its_resume_data() -> None:
    store = SyncStore("x")
    store.apply_maindata(_full(1, {_hash(0): _torrent(0, "stalledUP", 1.0)}))
    fresh = _torrent(1, "checkingResumeData", 0.0, added_on=int(time.time()) + 1)
    events = store.apply_maindata(_delta(2, {_hash(1): fresh}))
    assert _kinds(events, EventKind.ADDED) == [_hash(1)]


def test_the_downloads_outlook_counts_bytes_of_all_and_times_of_the_running_ones() -> None:
    store = SyncStore("x")
    torrents = {
        "a" * 40: {"state": "downloading", "size": 1000, "amount_left": 250, "eta": 60},
        "b" * 40: {"state": "pausedDL", "size": 1000, "amount_left": 1000, "eta": 8640000},
        "c" * 40: {"state": "uploading", "size": 5000, "amount_left": 0, "eta": 10},  # done
    }
    store.apply_maindata(MainData.from_api({"rid": 1, "full_update": True, "torrents": torrents}))
    outlook = store.outlook()
    assert (outlook.downloads, outlook.wanted, outlook.remaining) == (2, 2000, 1250)
    assert outlook.progress == 37.5  # of the wanted bytes, the stopped download's too
    assert (outlook.soonest, outlook.latest) == (60, 60)  # times: the running ones only
    stalled = {"d" * 40: {"state": "stalledDL", "size": 10, "amount_left": 10, "eta": 8640000}}
    store.apply_maindata(MainData.from_api({"rid": 2, "torrents": stalled}))
    assert (store.outlook().soonest, store.outlook().latest) == (60, None)  # no ETA: unknown
    store.apply_maindata(
        MainData.from_api({"rid": 3, "torrents_removed": ["a" * 40, "b" * 40, "d" * 40]})
    )
    assert store.outlook() == Outlook(0, 0, 0, None, None)
    assert store.outlook().progress is None
