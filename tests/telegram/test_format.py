"""The chat's texts built from a store, without a bot or a server."""

from __future__ import annotations

import pytest

from qbt_bridge.core.models import MainData, Torrent
from qbt_bridge.engine.events import Event, EventKind, torrent_event
from qbt_bridge.engine.store import SyncStore
from qbt_bridge.telegram.format import event_text, status_text

pytestmark = pytest.mark.unit  # the fast tier: no daemon


def test_status_says_how_far_the_downloads_are_and_when_they_are_done() -> None:
    store = SyncStore("x")
    torrents = {
        "a" * 40: {"state": "downloading", "size": 2**30, "amount_left": 2**29, "eta": 600},
        "b" * 40: {"state": "downloading", "size": 2**30, "amount_left": 2**29, "eta": 3600},
    }
    store.apply_maindata(MainData.from_api({"rid": 1, "full_update": True, "torrents": torrents}))
    text = status_text(store, "nas", alt_speed=False)
    assert "Downloads: 2, 1.0 GiB left, 50 % done; next done in 10m 0s, all in 1h 0m" in text
    store.apply_maindata(MainData.from_api({"rid": 2, "torrents_removed": list(torrents)}))
    assert "Downloads" not in status_text(store, "nas", alt_speed=False)


def test_a_port_change_is_said_with_the_old_and_new_port() -> None:
    event = Event(EventKind.PORT_CHANGED, "nas", detail={"port": 51413, "previous": 6881})
    assert event_text(event, "NAS") == (
        "🔌 NAS listens on port 51413 now (was 6881), as the port file says"
    )


def test_a_stuck_download_is_said_with_why_and_what_was_done() -> None:
    torrent = Torrent(hash="cd" * 20, name="orphan", size=0)
    event = torrent_event(
        EventKind.STALLED, torrent, "nas",
        detail={"reason": "no_metadata", "seconds": 1800, "action": "pause", "done": "paused"},
    )  # fmt: skip
    assert event_text(event, "NAS") == (
        "⏳ Stuck: <b>orphan</b> on NAS\nno metadata for 30m 0s; paused"
    )
