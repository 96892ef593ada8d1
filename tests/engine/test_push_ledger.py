"""Push ids as qBittorrent sends them, the push line, ``qbt-bridge notify``, the ledger."""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.torrentfile import parse_hashes
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.push import PushReceiver, PushTarget, push_line
from qbt_bridge.engine.store import CompletionLedger

HASH = "0123456789abcdef0123456789abcdef01234567"
HASH_V2 = "ab" * 32
SECRET = "a-secret-of-24-characters"


def test_push_ids_are_read_as_qbittorrent_sends_them() -> None:
    assert parse_hashes([HASH.upper()]) == [HASH]
    assert parse_hashes([f"{HASH}|{HASH_V2}", f" {HASH} "]) == [HASH, HASH_V2, HASH]
    assert parse_hashes(["-", ""]) == []  # %I of a v2-only torrent: nothing to look at
    for junk in ("not-a-hash", HASH[:-1], HASH + "0", "\u0660" * 40):
        with pytest.raises(ValueError, match="not a torrent id"):
            parse_hashes([junk])


def test_the_push_line_splits_the_same_in_a_shell_and_in_qt() -> None:
    line = push_line("http://bridge:8089/push/nas", "s3cret-0123456789abcdef")
    # Qt's splitCommand knows double quotes only; a shell splits these the same way.
    assert shlex.split(line) == [
        "curl", "-fsS", "-m", "5", "-H", "Authorization: Bearer s3cret-0123456789abcdef",
        "-d", "hash=%K", "http://bridge:8089/push/nas",
    ]  # fmt: skip
    assert "'" not in line
    with pytest.raises(ValueError, match="no quotes or spaces"):
        push_line('http://bridge:8089/push/"nas', None)


async def test_notify_posts_with_the_secret_from_the_environment() -> None:
    async with QBittorrentClient("127.0.0.1:9", "u", "p") as client:  # never called here
        bridge = Bridge(client, "nas")
        receiver = PushReceiver({"nas": PushTarget(bridge)}, secret=SECRET)
        await receiver.start()
        try:
            argv = [sys.executable, "-m", "qbt_bridge.daemon.cli", "notify"]
            env = {**os.environ, "QBT_BRIDGE_PUSH_SECRET": SECRET}
            done = await asyncio.to_thread(
                subprocess.run, [*argv, "--url", receiver.url("nas"), HASH], env=env,
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            refused = await asyncio.to_thread(
                subprocess.run, [*argv, "--url", receiver.url("nas"), HASH],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            assert refused.returncode == 1
            assert "401 wrong or missing secret" in refused.stderr
        finally:
            await receiver.stop()
        assert HASH in bridge.refresher.clock.pushed
        assert bridge.refresher.next_delay() == 0  # a push makes the next refresh due at once


def test_notify_reports_an_unreachable_daemon() -> None:
    argv = [sys.executable, "-m", "qbt_bridge.daemon.cli", "notify"]
    done = subprocess.run(
        [*argv, "--url", "http://127.0.0.1:9/push/nas", HASH],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith("qbt-bridge notify: http://127.0.0.1:9/push/nas: ")


def test_ledger_survives_a_round_trip_and_a_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "ledger.json"
    ledger = CompletionLedger(path)
    assert ledger.saved_at is None
    ledger.complete.add(HASH)
    ledger.save()
    again = CompletionLedger(path)
    assert again.complete == {HASH}
    assert again.saved_at is not None
    path.write_text("{not json")
    broken = CompletionLedger(path)
    assert broken.complete == set()
    assert broken.saved_at is None
