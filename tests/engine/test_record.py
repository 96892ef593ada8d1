"""The store's compact torrent record: it reads as the mapping it was made from, and is smaller."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from qbt_bridge.core.models import MainData
from qbt_bridge.engine.snapshot import Record
from qbt_bridge.engine.store import SyncStore

pytestmark = pytest.mark.unit  # the fast tier: no daemon


def _raw(index: int, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"t{index}",
        "state": "stoppedDL",
        "progress": 0.25,
        "size": 10**9 + index,
        "save_path": "/downloads/" + "x" * index,  # built at run time: not interned already
        "category": "",
        "magnet_uri": f"magnet:?xt=urn:btih:{index:040x}&tr=https://t.example/PASSKEY/announce",
        **extra,
    }


def test_a_record_reads_as_the_mapping_it_was_made_from_without_the_magnet() -> None:
    raw = _raw(1)
    record = Record(raw, torrent_hash="ab" * 20)
    expected = {k: v for k, v in raw.items() if k != "magnet_uri"} | {"hash": "ab" * 20}
    assert dict(record) == expected
    assert record == expected
    assert len(record) == len(expected)
    assert record["size"] == 10**9 + 1
    assert record.get("nothing", "default") == "default"
    assert "magnet_uri" not in record
    with pytest.raises(KeyError):
        record["magnet_uri"]


def test_a_change_makes_a_new_record_over_the_old_one() -> None:
    old = Record(_raw(2))
    new = Record({"state": "downloading", "dlspeed": 512}, old)
    assert new["state"] == "downloading"
    assert new["dlspeed"] == 512
    assert new["name"] == "t2"
    assert old["state"] == "stoppedDL", "the old record is left as it was"
    assert "dlspeed" not in old


def test_a_key_a_later_release_adds_is_absent_from_records_made_before() -> None:
    before = Record(_raw(3))
    after = Record(_raw(4, key_of_a_newer_release=7))
    assert after["key_of_a_newer_release"] == 7
    assert "key_of_a_newer_release" not in before
    assert before.get("key_of_a_newer_release") is None
    assert set(before) == set(_raw(3)) - {"magnet_uri"}


def test_strings_most_torrents_share_are_kept_once() -> None:
    one, two = Record(_raw(5)), Record(_raw(5))
    assert one["save_path"] is two["save_path"]


def test_a_record_takes_less_memory_than_the_dict_it_replaces() -> None:
    # qBittorrent sends ~50 keys per torrent; a record has a place for every key seen so far.
    raw = {f"key_{n}": n for n in range(50)} | dict.fromkeys(Record._keys, 0)
    assert sys.getsizeof(Record(raw)._values) < sys.getsizeof(raw) / 2


def test_the_store_keeps_records_and_merges_partial_answers_into_them() -> None:
    store = SyncStore("s")
    full = {"h" * 40: _raw(6), "g" * 40: _raw(7)}
    store.apply_maindata(MainData.from_api({"rid": 1, "full_update": True, "torrents": full}))
    store.apply_maindata(
        MainData.from_api({"rid": 2, "torrents": {"h" * 40: {"category": "films"}}})
    )
    kept = store.raw("h" * 40)
    assert isinstance(kept, Record)
    assert kept["category"] == "films"
    assert kept["name"] == "t6"
    assert kept["hash"] == "h" * 40
    assert store.torrent("h" * 40) is not None
    assert store.category("h" * 40) == "films"
