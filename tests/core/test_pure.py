"""Code that needs no server: bencode, torrent files, magnets, versions, models, URLs."""

from __future__ import annotations

import base64
import hashlib

import pytest

from qbt_bridge.clients.http import normalize_url
from qbt_bridge.core.models import (
    MainData,
    ServerState,
    StateGroup,
    Torrent,
    TorrentState,
    parse_ratio,
    state_groups,
)
from qbt_bridge.core.rss import RssRule, parse_rss_items
from qbt_bridge.core.torrentfile import (
    BencodeError,
    bdecode,
    bencode,
    magnet_info_hash,
    make_torrent,
    read_torrent,
)
from qbt_bridge.core.units import parse_duration, parse_rate
from qbt_bridge.core.versions import Version, is_supported
from qbt_bridge.engine.catalog import TorrentFilter, selected_torrents
from qbt_bridge.engine.events import Event, EventKind, in_order, torrent_event
from qbt_bridge.engine.refresh import sweep_interval_for
from qbt_bridge.engine.snapshot import Figures, tracker_host
from qbt_bridge.engine.store import SyncStore
from qbt_bridge.telegram.format import event_text

pytestmark = pytest.mark.unit  # the fast tier: no daemon


def test_bencode_round_trip() -> None:
    value = {b"a": [1, -2, b"x"], b"b": {b"c": b""}}
    assert bdecode(bencode(value)) == value
    assert bencode({"b": 1, "a": 2}) == b"d1:ai2e1:bi1ee"


@pytest.mark.parametrize(
    "data",
    [b"", b"i12", b"l1:a", b"5:abc", b"d1:a", b"x", b"i1ei2e", b"dli1ee1:ae", b"ixe"],
)
def test_bdecode_rejects_garbage(data: bytes) -> None:
    with pytest.raises(BencodeError):
        bdecode(data)


def test_read_torrent_hash_matches_the_exact_info_bytes(tmp_path) -> None:
    payload = tmp_path / "file.bin"
    payload.write_bytes(b"z" * 50000)
    data = make_torrent(payload, trackers=("http://t/announce?passkey=abc",))
    meta = read_torrent(data)
    info = bencode(bdecode(data)[b"info"])
    assert meta.info_hash == hashlib.sha1(info).hexdigest()
    assert meta.name == "file.bin"
    assert meta.total_size == 50000
    assert meta.trackers == ("http://t/announce?passkey=abc",)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html>", "does not start"),
        (b"de", "no info dictionary"),
        (b"d4:infod4:name1:x12:piece lengthi16e6:pieces20:" + b"p" * 20 + b"6:lengthi3eee", None),
        (b"d4:infod4:name1:xee", "no piece length"),
        (b"d4:infod4:name1:x12:piece lengthi16e6:pieces3:abc6:lengthi3eee", "not SHA-1"),
        (b"d4:infod6:lengthd1:ai1ee4:name1:x12:piece lengthi1e6:pieces0:ee", "not SHA-1"),
        (b"d4:infoi1ee", "no info dictionary"),
        (b"d4:infod4:name1:xe", "truncated"),
    ],
)
def test_read_torrent_explains_what_is_wrong(data: bytes, reason: str | None) -> None:
    if reason is None:
        assert read_torrent(data).name == "x"
        return
    with pytest.raises(BencodeError, match=reason):
        read_torrent(data)


def test_magnet_links() -> None:
    hex_hash = "0123456789abcdef0123456789ABCDEF01234567"
    assert magnet_info_hash(f"magnet:?xt=urn:btih:{hex_hash}&dn=x") == hex_hash.lower()
    b32 = base64.b32encode(bytes.fromhex(hex_hash)).decode()
    assert (
        magnet_info_hash(f"magnet:?xt=urn:btih:{b32}") == "0123456789abcdef0123456789abcdef01234567"
    )
    for bad, reason in [
        ("http://x", "not a magnet"),
        ("magnet:?dn=x", "without an xt"),
        ("magnet:?xt=urn:btih:1234", "malformed"),
        ("magnet:?xt=urn:sha1:abc", "without a BitTorrent"),
    ]:
        with pytest.raises(ValueError, match=reason):
            magnet_info_hash(bad)


def test_versions() -> None:
    assert Version.parse("v4.5.2") == Version(4, 5, 2)
    assert Version.parse("2.11") == Version(2, 11, 0)
    assert Version.parse("5.1.0beta1") == Version(5, 1, 0)
    assert Version(2, 8, 19) < Version(2, 11, 4) < Version(2, 16, 2)
    assert is_supported(Version(4, 5, 2), Version(2, 8, 19))
    assert is_supported(Version(5, 3, 0), Version(2, 16, 2))
    assert not is_supported(Version(3, 1, 12), Version(1, 0, 0))
    with pytest.raises(ValueError, match="not a version"):
        Version.parse("unknown")


@pytest.mark.parametrize(
    ("wire", "state", "word", "group"),
    [
        ("pausedDL", TorrentState.STOPPED_DL, "stopped", StateGroup.STOPPED),
        ("stoppedDL", TorrentState.STOPPED_DL, "stopped", StateGroup.DOWNLOADING),
        ("pausedUP", TorrentState.STOPPED_UP, "stopped", StateGroup.COMPLETED),
        ("stalledUP", TorrentState.STALLED_UP, "seeding", StateGroup.SEEDING),
        ("stalledUP", TorrentState.STALLED_UP, "seeding", StateGroup.STALLED),
        ("queuedUP", TorrentState.QUEUED_UP, "queued", StateGroup.SEEDING),
        ("forcedMetaDL", TorrentState.FORCED_META_DL, "downloading", StateGroup.DOWNLOADING),
        ("missingFiles", TorrentState.MISSING_FILES, "errored", StateGroup.ERRORED),
        ("somethingNew", TorrentState.UNKNOWN, "unknown", StateGroup.INACTIVE),
    ],
)
def test_torrent_states_are_normalised(
    wire: str, state: TorrentState, word: str, group: StateGroup
) -> None:
    assert TorrentState.parse(wire) is state
    assert state.word == word
    assert group in state_groups(state, downloading=False, uploading=False)


def test_active_follows_the_release() -> None:
    stalled = TorrentState.STALLED_DL
    up_only = {"downloading": False, "uploading": True}
    idle = {"downloading": False, "uploading": False}
    assert StateGroup.ACTIVE in state_groups(stalled, **up_only)
    assert StateGroup.ACTIVE in state_groups(stalled, **up_only, active_by_state=True)
    uploading = TorrentState.UPLOADING  # before 5.2 "active" even at no speed
    assert StateGroup.INACTIVE in state_groups(uploading, **idle)
    assert StateGroup.ACTIVE in state_groups(uploading, **idle, active_by_state=True)
    assert StateGroup.parse("Paused") is StateGroup.STOPPED
    assert StateGroup.parse("resumed") is StateGroup.RUNNING
    assert StateGroup.parse("sleeping") is None


def test_placeholders_become_none() -> None:
    torrent = Torrent.from_api({"hash": "h", "eta": 8640000, "ratio": -1, "new_key": 1})
    assert torrent.eta is None
    assert torrent.ratio is None
    assert torrent.raw["new_key"] == 1
    state = ServerState.from_api({"global_ratio": "-", "free_space_on_disk": -1})
    assert state.global_ratio is None
    assert state.free_space_on_disk is None
    assert parse_ratio("∞") is None
    assert parse_ratio("1.25") == 1.25


def test_rss_rule_keeps_unknown_keys() -> None:
    rule = RssRule.from_rule("r", {"mustContain": "x", "torrentParams": {"stopped": True}})
    wire = rule.to_api()
    assert wire["torrentParams"] == {"stopped": True}
    assert wire["mustContain"] == "x"
    assert "name" not in wire


def test_rss_items_are_flattened() -> None:
    feeds = parse_rss_items(
        {"A": {"B": {"url": "http://b", "uid": "1"}}, "C": "http://c", "D": {"url": "http://d"}}
    )
    assert [(f.path, f.url) for f in feeds] == [
        ("A\\B", "http://b"),
        ("C", "http://c"),
        ("D", "http://d"),
    ]


@pytest.mark.parametrize(
    ("given", "want"),
    [
        ("localhost:8080", "http://localhost:8080"),
        ("http://nas:8080/", "http://nas:8080"),
        ("https://user:pw@nas/qbt/", "https://nas/qbt"),
        ("HTTP://[::1]:8080", "http://[::1]:8080"),
    ],
)
def test_urls_are_normalised(given: str, want: str) -> None:
    assert normalize_url(given) == want


@pytest.mark.parametrize("bad", ["", "ftp://x", "http://"])
def test_bad_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        normalize_url(bad)


def test_per_torrent_entities_follow_the_chosen_order_and_the_active_filter() -> None:
    store = SyncStore()
    rows = {
        "a" * 40: {"name": "Charlie", "added_on": 300, "ratio": 0.5, "progress": 0.2,
                   "state": "downloading", "dlspeed": 5},
        "b" * 40: {"name": "alpha", "added_on": 100, "ratio": 2.0, "progress": 1.0,
                   "state": "stalledUP"},
        "c" * 40: {"name": "Bravo", "added_on": 200, "ratio": 1.0, "progress": 0.7,
                   "state": "stoppedDL"},
    }  # fmt: skip
    store.apply_maindata(MainData.from_api({"rid": 1, "full_update": True, "torrents": rows}))
    a, b, c = "a" * 40, "b" * 40, "c" * 40
    expected = {
        "newest": [a, c, b], "oldest": [b, c, a], "ratio": [b, c, a],
        "progress": [b, c, a], "name": [b, c, a],
    }  # fmt: skip
    for order, wanted in expected.items():
        rule = TorrentFilter(enabled=True, limit=3, order=order)
        assert selected_torrents(store, rule) == wanted, order
    assert selected_torrents(store, TorrentFilter(enabled=True, limit=2, order="ratio")) == [b, c]
    active = TorrentFilter(enabled=True, active_only=True)
    assert selected_torrents(store, active) == [a]  # data moving (5.2+ meaning; by state before)


def test_speeds_people_type_are_read_in_binary_units() -> None:
    assert [parse_rate(t) for t in ("5M", "512k", "1.5MiB/s", "300 KB", "10B/s", "off", "0")] == [
        5 * 2**20, 512 * 2**10, 3 * 2**19, 300 * 2**10, 10, 0, 0,
    ]  # fmt: skip
    for bad in ("fast", "-1", "5 Mbps", "", "1.2.3", "nan"):
        with pytest.raises(ValueError, match="not a speed"):
            parse_rate(bad)


@pytest.mark.parametrize(
    ("given", "seconds"),
    [("30m", 1800), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), (" 1 h 30 min", 5400),
     ("90s", 90), ("1.5h", 5400), (45, 45), ({"hours": 1, "minutes": 30}, 5400),
     ({"days": 1, "hours": 0, "minutes": 0, "seconds": 0}, 86400)],
)  # fmt: skip
def test_durations_people_give_are_read_in_seconds(given: object, seconds: int) -> None:
    assert parse_duration(given) == seconds


@pytest.mark.parametrize(
    "bad", ["30", "soon", "1h soon", "", "0s", "31d", -1, 0, True, 1.5, {}, {"weeks": 1}, [60]]
)
def test_what_is_no_duration_is_refused_with_the_rule(bad: object) -> None:
    with pytest.raises(ValueError, match="30m, 2h|from 1s to 30d"):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("url", "host"),
    [("https://tracker.example/a1b2c3d4e5/announce?passkey=a1b2c3d4e5", "tracker.example"),
     ("udp://user:secret@Open.Tracker.example:6969/announce", "open.tracker.example"),
     ("http://[2001:db8::1]:8080/announce", "2001:db8::1"), ("", ""), ("not a url", "")],
)  # fmt: skip
def test_a_tracker_is_shown_by_its_host_alone(url: str, host: str) -> None:
    assert tracker_host(url) == host


def test_figures_per_category_and_tracker_count_and_add_speeds() -> None:
    store = SyncStore("s")
    torrents = {
        "a" * 40: {"category": "tv", "dlspeed": 100, "tracker": "https://t.example/KEY/announce"},
        "b" * 40: {"category": "tv", "upspeed": 5, "tracker": "https://t.example/KEY/announce"},
        "c" * 40: {"name": "no category, no tracker"},
    }
    categories = {"tv": {"name": "tv"}, "empty": {"name": "empty"}}
    store.apply_maindata(
        MainData.from_api(
            {"rid": 1, "full_update": True, "torrents": torrents, "categories": categories}
        )
    )
    assert store.by_category() == {"tv": Figures(2, 100, 5), "empty": Figures(), "": Figures(1)}
    assert store.by_tracker() == {"t.example": Figures(2, 100, 5), "": Figures(1)}


def test_an_errored_notification_says_why_and_the_torrent_keeps_it() -> None:
    store = SyncStore("nas")
    store.apply_maindata(MainData.from_api({"rid": 1, "full_update": True, "torrents": {
        "a" * 40: {"name": "film", "state": "uploading", "size": 10}}}))  # fmt: skip
    store.apply_maindata(MainData.from_api({"rid": 2, "torrents": {"a" * 40: {"state": "error"}}}))
    store.set_error("a" * 40, 'File error alert. Torrent: "film". Reason: "Is a directory"')
    torrent = store.torrent("a" * 40)
    assert torrent is not None
    assert torrent.error is not None
    assert "Is a directory" in torrent.error
    detail = {"reason": "io_error", "message": torrent.error,
              "tracker_message": "http://t/**REDACTED**/announce: refused"}  # fmt: skip
    event = Event(EventKind.ERRORED, "nas", torrent, torrent.hash, torrent.name, detail=detail)
    text = event_text(event, "NAS") or ""
    assert "Is a directory" in text
    assert "refused" in text
    store.apply_maindata(
        MainData.from_api({"rid": 3, "torrents": {"a" * 40: {"state": "uploading"}}})
    )
    torrent = store.torrent("a" * 40)
    assert torrent is not None
    assert torrent.error is None  # recovered: the reason goes


def test_one_refreshs_events_are_put_in_the_order_they_happened() -> None:
    def torrent(name: str, added: int, completed: int = 0) -> Torrent:
        return Torrent.from_api(
            {"hash": name * 40, "name": name, "added_on": added, "completion_on": completed}
        )

    events = [
        torrent_event(EventKind.COMPLETED, torrent("b", 1, 900), "nas"),
        torrent_event(EventKind.REMOVED, torrent("x", 5), "nas"),
        torrent_event(EventKind.ADDED, torrent("c", 300), "nas"),
        torrent_event(EventKind.COMPLETED, torrent("a", 2, 500), "nas"),
        Event(EventKind.ALT_SPEED_CHANGED, "nas"),
    ]
    ordered = in_order(events)
    assert [(e.kind.value, e.name) for e in ordered] == [
        ("added", "c"), ("removed", "x"), ("completed", "a"), ("completed", "b"),
        ("alt_speed_changed", ""),
    ]  # fmt: skip
    assert in_order([]) == []


def test_sweeps_wait_by_the_cube_of_their_cost_within_the_intervals() -> None:
    """Measured on 4.5.2: a rid sweep takes 0.02 s at 200 torrents, 0.2 s at 1 000, 2.1 s at
    10 000 (bench/signals.py); the daemon's intervals are 5 s and 300 s (900 s with push)."""
    assert sweep_interval_for(0.02, 5, 300) == 5
    assert sweep_interval_for(0.2, 5, 300) == 5  # up to 1 000 torrents: every tick
    assert sweep_interval_for(0.5, 5, 300) == pytest.approx(40)
    assert sweep_interval_for(1.0, 5, 300) == 300  # at the full interval, never longer
    assert sweep_interval_for(2.1, 5, 900) == 900  # 10 000 with push: as before
    assert sweep_interval_for(0.5, 5, 3600) * 8 == pytest.approx(sweep_interval_for(1.0, 5, 3600))
