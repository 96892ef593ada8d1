"""Rules on add, on real daemons: what a new torrent of a category or tag gets, once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.daemon.config import ConfigError, parse_config
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.events import EventKind
from qbt_bridge.engine.rules import AddRule
from tests.helpers import EventLog, tiny_torrent, wait_for

RULES = (
    AddRule(category="tv", ratio_limit=1.5, seeding_time_limit=60, download_limit=512 * 1024,
            tags=frozenset({"ruled"}), sequential=True),
    AddRule(tag="public", upload_limit=100 * 1024),
    AddRule(category="movies", tags=frozenset({"never"})),
)  # fmt: skip


async def _raw(client: QBittorrentClient, torrent_hash: str) -> dict[str, Any]:
    return (await client.torrents_info_raw(hashes=[torrent_hash]))[0]


async def _seen_added(bridge: Bridge, log: EventLog, torrent_hash: str) -> bool:
    await bridge.refresh(full=True)
    return bool(log.of(EventKind.ADDED, torrent_hash))


async def test_rules_on_add_are_applied_once_and_caught_up_after_a_restart(
    client: QBittorrentClient, tmp_path: Path
) -> None:
    await client.torrents_create_category("tv")
    before, before_hash = tiny_torrent(tmp_path, "there-before")
    await client.torrents_add(torrent_files=[before], category="tv", paused=True)
    await wait_for(lambda: _listed(client, before_hash), "the torrent there before")
    ledger = tmp_path / "ledger.json"
    bridge = Bridge(client, "ruled", ledger_path=ledger, rules=RULES)
    log = EventLog(bridge)
    await bridge.refresh(full=True)  # the baseline: what was there is nobody's new torrent

    data, show = tiny_torrent(tmp_path, "a-show")
    await client.torrents_add(torrent_files=[data], category="tv", tags=["public"], paused=True)
    await wait_for(lambda: _seen_added(bridge, log, show), "the show's added event")
    raw = await _raw(client, show)
    assert raw["ratio_limit"] == 1.5
    assert raw["seeding_time_limit"] == 60
    assert (raw["dl_limit"], raw["up_limit"]) == (512 * 1024, 100 * 1024)
    assert raw["seq_dl"] is True
    assert set(raw["tags"].split(", ")) == {"public", "ruled"}
    untouched = await _raw(client, before_hash)
    assert (untouched["dl_limit"], untouched["tags"]) == (0, "")

    # Once: taken off by hand, the tag stays off (no second ruling, also after a restart).
    await client.torrents_remove_tags([show], ["ruled"])
    # Added while no engine runs: ruled at the first refresh of the next one.
    away, away_hash = tiny_torrent(tmp_path, "added-away")
    await client.torrents_add(torrent_files=[away], category="tv", paused=True)
    await wait_for(lambda: _listed(client, away_hash), "the torrent added while away")
    again = Bridge(client, "ruled", ledger_path=ledger, rules=RULES)
    await again.refresh(full=True)
    assert (await _raw(client, away_hash))["dl_limit"] == 512 * 1024
    assert "ruled" not in (await _raw(client, show))["tags"]
    assert (await _raw(client, before_hash))["dl_limit"] == 0


async def _listed(client: QBittorrentClient, torrent_hash: str) -> bool:
    return bool(await client.torrents_info(hashes=[torrent_hash]))


def test_rules_in_the_yaml_are_checked(tmp_path: Path) -> None:
    def config(rule: dict[str, Any], **instance: Any) -> Any:
        return parse_config({
            "instances": [{"id": "nas", "url": "http://127.0.0.1:9", "rules": [rule], **instance}],
            "state_dir": str(tmp_path),
        })  # fmt: skip

    rule = config({"category": "tv", "download_limit": "5M", "tags": ["a"]}).instances[0]
    assert rule.server.rules == (
        AddRule(category="tv", download_limit=5 * 2**20, tags=frozenset({"a"})),
    )
    for bad, words in (
        ({"category": "tv"}, "nothing to do"),
        ({"ratio_limit": "lots"}, "ratio_limit"),
        ({"download_limit": "fast"}, "not a speed"),
        ({"manage": ["tag_update"]}, "qbit_manage.url"),
        ({"manage": ["rem_orphaned"]}, "whole library"),
    ):
        with pytest.raises(ConfigError, match=words):
            config(bad)
