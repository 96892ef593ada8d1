"""Every ``mosquitto_pub`` and ``mosquitto_rr`` example of the README and the docs, run for real.

Against the demo (``scripts/run``: the daemon, a real Mosquitto, a real qbittorrent-nox with
the demo's torrent), in the order the pages give them, with the real mosquitto-clients. What
an example leaves for the reader to fill in is filled here, once, in ``FILLED``; the broker is
the demo's and the instance ``demo``. Each example must be answered ``"ok": true``; prose
that only names a command (no ``-t``) is not run.
"""

from __future__ import annotations

import asyncio
import json
import re
import shlex
from pathlib import Path

from qbt_bridge.daemon.showcase import DEMO_NAME
from tests.daemon.serving import demo_served
from tests.helpers import tiny_torrent, wait_for
from tests.mqtt.helpers import Probe

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLE = re.compile(r"mosquitto_(?:pub|rr)\b(?:[^`\n\\]|\\\n)*")
MAGNET = "magnet:?xt=urn:btih:" + "ab" * 20 + "&dn=filled-in"
# What the pages leave to the reader, filled in (the demo's torrent is the one to steer).
FILLED = {
    "magnet:?xt=urn:btih:…": MAGNET,
    "ubuntu": DEMO_NAME,
}


# Filled in wherever they stand, even inside a JSON payload (no other word holds them).
PLACEHOLDERS = ("magnet:?xt=urn:btih:…",)


def examples() -> list[tuple[str, str]]:
    """(page, command line) of every example, in page order, comments and line breaks gone.

    Prose that only names a command (``mosquitto_pub … cmd/pause``, no topic) is no example.
    """
    found = []
    for page in PAGES:
        for match in EXAMPLE.finditer(page.read_text(encoding="utf-8")):
            line = match.group(0).replace("\\\n", " ")
            if "-t" in shlex.split(line, comments=True):
                found.append((page.name, line))
    return found


def _filled(words: list[str], port: int, values: dict[str, str]) -> list[str]:
    out = [words[0], "-h", "127.0.0.1", "-p", str(port)]
    args = iter(words[1:])
    for word in args:
        if word in {"-h", "-p"}:
            next(args)  # the reader's broker: the demo's here
            continue
        demo = word.replace("qbt-bridge/nas/", "qbt-bridge/demo/")
        demo = values.get(demo, demo)
        for blank in PLACEHOLDERS:  # inside a JSON payload too
            demo = demo.replace(blank, values[blank])
        out.append(demo)
    return out


async def test_every_mosquitto_example_in_the_docs_is_answered_ok(tmp_path: Path) -> None:
    found = examples()
    assert len(found) >= 10, found  # the README's and the MQTT page's at least
    async with demo_served(size=2**20, rate=2**20) as (demo, daemon, probe):
        bridge = daemon.bridges[0]

        async def listed() -> list[str]:
            return bridge.store.hashes()

        await demo.start_transfer()
        await wait_for(listed, "the demo's torrent")
        data, _hash = tiny_torrent(tmp_path, "from-a-file")
        (tmp_path / "ubuntu.torrent").write_bytes(data)
        values = {
            **FILLED,
            "ubuntu.torrent": str(tmp_path / "ubuntu.torrent"),
            "HASH": bridge.store.hashes()[0],
        }
        for page, line in found:
            words = _filled(shlex.split(line, comments=True), demo.broker.port, values)
            answer = await _run(words, probe)
            assert answer.get("ok") is True, (page, line, answer)
            result = answer.get("result")
            servers = result.get("servers", {}) if isinstance(result, dict) else {}  # several
            assert all(server["ok"] for server in servers.values()), (page, line, answer)


async def _run(words: list[str], probe: Probe) -> dict[str, object]:
    """Run one example; its answer (mosquitto_rr prints it, a publish gets it on reply)."""
    replies = len(probe.on("qbt-bridge/demo/reply"))
    process = await asyncio.create_subprocess_exec(
        *words, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await process.communicate()
    assert process.returncode == 0, (words, err.decode())
    if words[0] == "mosquitto_rr":
        return dict(json.loads(out))

    async def answered() -> dict[str, object] | None:
        new = probe.on("qbt-bridge/demo/reply")[replies:]
        return dict(json.loads(new[0])) if new else None

    return await wait_for(answered, f"the answer to {' '.join(words)}")
