"""The push endpoint under hostile clients, measured: log lines, answers, how soon stalls close.

Run: ``.venv/bin/python bench/hostile_push.py`` (loopback only; a few seconds). It sends 600
malformed requests of four kinds, a body of exactly 64 KiB and one byte more, and opens 200
connections that stop mid-request before a good push, then prints what the endpoint did.
"""

from __future__ import annotations

import asyncio
import logging
import time

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.push import MAX_BODY, PushReceiver, PushTarget

HASH = "0123456789abcdef0123456789abcdef01234567"
GARBAGE = (
    "POST /push/nä HTTP/1.1\r\nHost: x\r\n\r\n".encode(),  # raw UTF-8 in the path
    b"POST /push/" + b"a" * 10_000 + b" HTTP/1.1\r\n\r\n",  # a 10 KB request line
    b"P\x01ST / HTTP/1.1\r\n\r\n",  # not a method
    b"\x16\x03\x01\x02\x00",  # TLS to a plain-HTTP port
)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def _send(port: int, raw: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(raw)
    await writer.drain()
    try:
        return await reader.read()
    finally:
        writer.close()


def _post(body: bytes) -> bytes:
    head = (
        "POST /push/nas HTTP/1.1\r\nHost: x\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _status(answer: bytes) -> str:
    return answer.split(b" ")[1].decode() if answer else "closed"


async def main() -> None:
    """Measure and print."""
    log = _Records()
    logging.getLogger().addHandler(log)
    logging.getLogger().setLevel(logging.INFO)
    async with QBittorrentClient("127.0.0.1:9", "u", "p") as client:  # never called
        receiver = PushReceiver({"nas": PushTarget(Bridge(client, "nas"))})
        await receiver.start()
        for _ in range(150):
            for raw in GARBAGE:
                await _send(receiver.port, raw)
        said = [r for r in log.records if "malformed" in r.getMessage()]
        loud = [r for r in log.records if r.exc_info or r.levelno >= logging.ERROR]
        print(f"600 malformed requests: {len(said)} log lines, {len(loud)} errors or tracebacks")
        exact = b"hash=" + HASH.encode() + b"&pad="
        exact += b"0" * (MAX_BODY - len(exact))
        print(
            f"a body of exactly 64 KiB: {_status(await _send(receiver.port, _post(exact)))}; "
            f"one byte more: {_status(await _send(receiver.port, _post(exact + b'0')))}"
        )
        started = time.monotonic()
        waiting = []
        for _ in range(200):
            reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
            writer.write(_post(b"hash=" + HASH.encode())[:40])
            await writer.drain()
            waiting.append(asyncio.create_task(reader.read()))
        good = await _send(receiver.port, _post(b"hash=" + HASH.encode()))
        print(f"a good push while 200 stalled connections are open: {_status(good)}")
        await asyncio.wait(waiting, timeout=60)
        closed = sum(task.done() for task in waiting)
        print(f"stalled connections closed: {closed} of 200, {time.monotonic() - started:.1f} s")
        await receiver.stop()


if __name__ == "__main__":
    asyncio.run(main())
