"""A page of the list (filter, sort, offset) and the changes a subscriber is sent."""

from __future__ import annotations

from typing import Any

import pytest

from qbt_bridge.api.commands import COMMANDS, Name
from qbt_bridge.api.view import SORTS, Watch, page
from qbt_bridge.core.models import MainData
from qbt_bridge.engine.store import SyncStore

pytestmark = pytest.mark.unit  # the fast tier: no daemon


def _torrent(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "name": f"Linux ISO {n:02d}",
        "state": "pausedUP" if n % 3 == 0 else "downloading",
        "progress": 1.0 if n % 3 == 0 else n / 100,
        "dlspeed": 0 if n % 3 == 0 else n * 1000,
        "upspeed": 0,
        "eta": 8640000 if n % 3 == 0 else 1000 - n,
        "size": (20 - n) * 10**6,
        "ratio": n / 10,
        "category": "linux" if n % 2 else "",
        "tags": "iso" if n < 5 else "",
        "added_on": 1_700_000_000 + n,
        **extra,
    }


def _store(count: int = 20) -> SyncStore:
    store = SyncStore()
    store.apply_maindata(
        MainData.from_api(
            {
                "rid": 1,
                "full_update": True,
                "torrents": {f"{n:040x}": _torrent(n) for n in range(count)},
                "categories": {"linux": {"name": "linux", "savePath": ""}},
                "tags": ["iso"],
                "server_state": {"dl_info_speed": 123, "free_space_on_disk": 5 * 10**9},
            }
        )
    )
    return store


def _args(**given: Any) -> dict[str, Any]:
    return dict(COMMANDS[Name.LIST].schema(given))  # the defaults, as the command fills them


def _names(store: SyncStore, hashes: list[str]) -> list[str]:
    return [store.name(h) for h in hashes]


def test_a_page_is_newest_first_by_default_and_cut_by_offset_and_limit() -> None:
    store = _store()
    count, hashes = page(store, _args(offset=2, limit=3))
    assert count == 20
    assert _names(store, hashes) == ["Linux ISO 17", "Linux ISO 16", "Linux ISO 15"]


@pytest.mark.parametrize("column", sorted(SORTS))
def test_every_column_sorts_both_ways(column: str) -> None:
    store = _store()
    _, up = page(store, _args(sort=column, descending=False, limit=20))
    _, down = page(store, _args(sort=column, descending=True, limit=20))
    keys = [SORTS[column](store.raw(h)) for h in up]
    assert keys == sorted(keys)
    assert [SORTS[column](store.raw(h)) for h in down] == sorted(keys, reverse=True)


def test_no_eta_sorts_after_every_real_one_and_names_ignore_case() -> None:
    store = _store(6)
    store.apply_maindata(MainData.from_api({"rid": 2, "torrents": {f"{1:040x}": {"name": "a"}}}))
    _, by_eta = page(store, _args(sort="eta", descending=False))
    assert [store.raw(h)["eta"] for h in by_eta][-2:] == [8640000, 8640000]
    _, by_name = page(store, _args(sort="name", descending=False))
    assert store.name(by_name[0]) == "a"


def test_filters_combine_state_category_tag_and_a_part_of_the_name() -> None:
    store = _store()
    count, hashes = page(store, _args(state="stopped", category="linux"))
    assert count == 3  # 3, 9, 15 are paused and odd
    assert _names(store, hashes) == ["Linux ISO 15", "Linux ISO 09", "Linux ISO 03"]
    assert page(store, _args(tag="iso", name="iso 0"))[0] == 5
    assert page(store, _args(name="nothing like it"))[0] == 0


def test_the_list_command_refuses_an_unknown_column() -> None:
    with pytest.raises(Exception, match="sort"):
        _args(sort="hash")


def test_a_subscriber_gets_the_whole_page_then_only_what_changed() -> None:
    store = _store()
    watch = Watch(_args(limit=5))
    first = watch.first(store)
    assert first["count"] == 20 and len(first["order"]) == 5 and len(first["rows"]) == 5
    assert first["header"]["download_speed"] == 123
    assert first["header"]["counts"]["total"] == 20
    assert first["rows"][first["order"][0]]["status"] == "downloading"
    assert watch.changes(store) is None  # nothing moved

    top = first["order"][0]
    store.apply_maindata(MainData.from_api({"rid": 2, "torrents": {top: {"dlspeed": 1}}}))
    changed = watch.changes(store)
    assert changed is not None
    assert set(changed) == {"rows"}  # the one row; the header and the order are the same
    assert list(changed["rows"]) == [top]
    assert changed["rows"][top]["download_speed"] == 1

    newest = "f" * 40
    store.apply_maindata(
        MainData.from_api({"rid": 3, "torrents": {newest: _torrent(99, name="New")}})
    )
    changed = watch.changes(store)
    assert changed is not None
    assert changed["order"][0] == newest and len(changed["order"]) == 5
    assert changed["count"] == 21
    assert list(changed["rows"]) == [newest]  # the others are as they were sent

    store.apply_maindata(MainData.from_api({"rid": 4, "torrents_removed": [newest]}))
    changed = watch.changes(store)
    assert changed is not None
    assert newest not in changed["order"] and changed["count"] == 20
