"""The push endpoint's answers to bad input, the notify command, and the completion ledger."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import aiohttp

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.push import PushReceiver, notify_command
from qbt_bridge.engine.store import CompletionLedger

HASH = "0123456789abcdef0123456789abcdef01234567"


async def test_push_receiver_checks_what_it_is_told() -> None:
    async with QBittorrentClient("127.0.0.1:9", "u", "p") as client:  # never called here
        bridge = Bridge(client, "nas")
        receiver = PushReceiver({"nas": bridge})
        await receiver.start()
        try:
            async with aiohttp.ClientSession() as session:
                for form, status in [
                    ({"instance": "nas", "hash": HASH}, 202),
                    ({"hash": HASH.upper()}, 202),
                    ({"instance": "nas", "hash": "not-a-hash"}, 400),
                    ({"instance": "elsewhere", "hash": HASH}, 404),
                    ({"instance": "nas"}, 202),
                ]:
                    async with session.post(receiver.url, data=form) as response:
                        assert response.status == status, form
        finally:
            await receiver.stop()
        assert bridge.next_delay() == 0  # a push makes the next refresh due at once


def test_notify_command_reports_an_unreachable_daemon() -> None:
    command = notify_command("http://127.0.0.1:9/notify", "nas").replace("%I", HASH)
    done = subprocess.run(command, shell=True, capture_output=True, text=True, check=False)  # noqa: S602
    assert done.returncode == 1
    assert "qbt-bridge notify:" in done.stderr
    assert sys.executable in command


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
