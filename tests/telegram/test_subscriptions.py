"""Who hears of what (telegram/subscriptions.py): the rules, without a bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbt_bridge.core.models import Torrent
from qbt_bridge.engine.events import Event, EventKind, torrent_event
from qbt_bridge.telegram.subscriptions import Subscriptions

pytestmark = pytest.mark.unit

ADMIN, OTHER, LIMITED = 1, 2, 3
HASH = "ab" * 20


def _event(kind: EventKind, instance: str = "home", torrent_hash: str = HASH) -> Event:
    return torrent_event(kind, Torrent.from_api({"hash": torrent_hash, "name": "x"}), instance)


def _everyone(_user: int, _instance: str) -> bool:
    return True


def test_configured_chats_hear_the_configured_events_until_they_choose(tmp_path: Path) -> None:
    subs = Subscriptions(tmp_path / "t.json", [ADMIN], ["completed"])
    assert subs.recipients(_event(EventKind.COMPLETED), _everyone) == [ADMIN]
    assert subs.recipients(_event(EventKind.ADDED), _everyone) == []
    assert subs.toggle(ADMIN, ADMIN, "added") is True
    assert subs.recipients(_event(EventKind.ADDED), _everyone) == [ADMIN]
    assert subs.toggle(ADMIN, ADMIN, "completed") is False
    assert subs.recipients(_event(EventKind.COMPLETED), _everyone) == []
    # Kept across a restart, whatever the configuration says then.
    again = Subscriptions(tmp_path / "t.json", [ADMIN], ["completed"])
    assert again.events(ADMIN) == frozenset({"added"})


def test_the_adder_hears_of_their_torrent_once_unless_they_turned_it_off(tmp_path: Path) -> None:
    subs = Subscriptions(tmp_path / "t.json", [ADMIN], ["completed"])
    subs.added("home", HASH, OTHER)
    assert subs.recipients(_event(EventKind.ERRORED), _everyone) == [OTHER]
    assert Subscriptions(tmp_path / "t.json").recipients(
        _event(EventKind.COMPLETED), _everyone
    ) == [OTHER]  # the adder is remembered across a restart  # fmt: skip
    assert subs.recipients(_event(EventKind.COMPLETED), _everyone) == [ADMIN, OTHER]
    assert subs.recipients(_event(EventKind.COMPLETED), _everyone) == [ADMIN]  # told once
    other = "cd" * 20
    subs.added("home", other, ADMIN)  # the admin hears of completions anyway: once, not twice
    assert subs.recipients(_event(EventKind.COMPLETED, torrent_hash=other), _everyone) == [ADMIN]
    assert subs.toggle_own(OTHER) is False
    subs.added("home", other, OTHER)
    assert subs.recipients(_event(EventKind.ERRORED, torrent_hash=other), _everyone) == []
    assert subs.recipients(_event(EventKind.ADDED, torrent_hash=other), _everyone) == []


def test_a_chat_hears_only_of_the_instances_its_user_may_use(tmp_path: Path) -> None:
    subs = Subscriptions(tmp_path / "t.json")
    subs.toggle(LIMITED, LIMITED, "added")

    def home_only(user: int, instance: str) -> bool:
        return user != LIMITED or instance == "home"

    assert subs.recipients(_event(EventKind.ADDED, "home"), home_only) == [LIMITED]
    assert subs.recipients(_event(EventKind.ADDED, "office"), home_only) == []


def test_an_unreadable_file_starts_afresh(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "t.json"
    path.write_text("{not json", encoding="utf-8")
    subs = Subscriptions(path, [ADMIN], ["completed"])
    assert subs.events(ADMIN) == frozenset({"completed"})
    assert "unreadable" in caplog.text
