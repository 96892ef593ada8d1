"""The push endpoint under hostile clients, driven with raw sockets: every refusal is one log
line per kind (never a traceback), slow clients are closed, a good push always gets through."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.httpguard import MAX_CONNECTIONS
from qbt_bridge.engine.push import MAX_BODY, PushReceiver, PushTarget
from tests.helpers import wait_for

HASH = "0123456789abcdef0123456789abcdef01234567"
SECRET = "a-secret-of-24-characters"
AUTH = f"Authorization: Bearer {SECRET}\r\n"


@pytest.fixture
async def receiver(caplog: pytest.LogCaptureFixture) -> AsyncIterator[PushReceiver]:
    """A push endpoint for instance "nas" (its qBittorrent is never called here)."""
    caplog.set_level(logging.DEBUG)
    async with QBittorrentClient("127.0.0.1:9", "u", "p") as client:
        receiver = PushReceiver({"nas": PushTarget(Bridge(client, "nas"))}, secret=SECRET)
        await receiver.start()
        try:
            yield receiver
        finally:
            await receiver.stop()


async def _exchange(receiver: PushReceiver, raw: bytes) -> bytes:
    """Send raw bytes, read until the server closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
    writer.write(raw)
    await writer.drain()
    try:
        return await reader.read()
    finally:
        writer.close()


def _post(path: str, body: bytes, headers: str = AUTH) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\n{headers}"
        f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def _no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    bad = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert bad == [], [r.getMessage() for r in bad]


def _lines(caplog: pytest.LogCaptureFixture, words: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if words in r.getMessage()]


async def test_every_kind_of_refusal_is_logged_once(
    receiver: PushReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(5):
        other = await _exchange(receiver, _post("/push/other", b"hash=" + HASH.encode()))
        assert _status(other) == 404
        assert _status(await _exchange(receiver, _post("/push/nas", b"x" * (MAX_BODY + 1)))) == 413
        assert _status(await _exchange(receiver, _post("/push/nas", b"hash=bad"))) == 400
        assert _status(await _exchange(receiver, _post("/push/nas", b"", headers=""))) == 401
        assert _status(await _exchange(receiver, _post("/elsewhere", b""))) == 404
    assert len(_lines(caplog, "no instance 'other'")) == 1
    assert len(_lines(caplog, "over 64 KiB")) == 1
    assert len(_lines(caplog, "not a torrent id")) == 1
    assert len(_lines(caplog, "wrong or missing secret")) == 1
    assert len(_lines(caplog, "'/elsewhere'")) == 1
    _no_traceback(caplog)


async def test_a_body_of_exactly_the_limit_is_taken(receiver: PushReceiver) -> None:
    prefix = b"hash=" + HASH.encode() + b"&pad="
    exact = prefix + b"0" * (MAX_BODY - len(prefix))
    assert len(exact) == MAX_BODY
    answer = await _exchange(receiver, _post("/push/nas", exact))
    assert _status(answer) == 202, answer
    assert _status(await _exchange(receiver, _post("/push/nas", exact + b"0"))) == 413


async def test_malformed_http_is_one_line_per_kind_without_traceback(
    receiver: PushReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    garbage = [
        "POST /push/nä\u00df HTTP/1.1\r\nHost: x\r\n\r\n".encode(),  # raw UTF-8 in the path
        b"POST /push/" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",  # a 10 KB line
        b"P\x01ST /push/nas HTTP/1.1\r\nHost: x\r\n\r\n",  # not a method
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # TLS to a plain-HTTP port
    ]
    for _ in range(150):
        for raw in garbage:
            answer = await _exchange(receiver, raw)
            assert not answer or _status(answer) == 400, answer[:80]
    refused = _lines(caplog, "refused malformed HTTP")
    assert 1 <= len(refused) <= len(garbage), refused  # one per kind of error aiohttp names
    assert len(refused) == len(set(refused))
    _no_traceback(caplog)
    assert _status(await _exchange(receiver, _post("/push/nas", b"hash=" + HASH.encode()))) == 202


async def test_stalled_clients_are_closed_and_a_good_push_still_gets_through(
    receiver: PushReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    writers, closed = [], []
    for number in range(200):
        reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
        whole = _post("/push/nas", b"hash=" + HASH.encode())
        # half stop in the headers, half in the body
        writer.write(whole[: 40 if number % 2 else len(whole) - 10])
        await writer.drain()
        writers.append(writer)
        closed.append(asyncio.create_task(reader.read()))  # done when the server closes it
    assert MAX_CONNECTIONS < 200  # the oldest were closed to keep the cap

    answer = await _exchange(receiver, _post("/push/nas", b"hash=" + HASH.encode()))
    assert _status(answer) == 202

    async def all_closed() -> bool:
        return all(task.done() for task in closed)

    await wait_for(all_closed, "the server to close every stalled client")
    assert all(task.exception() is not None or task.result() == b"" for task in closed)
    for writer in writers:
        writer.close()
    assert len(_lines(caplog, "sent no whole request")) == 1
    assert len(_lines(caplog, "connections open: closing the oldest")) == 1
    _no_traceback(caplog)


async def test_a_client_gone_mid_body_is_a_debug_line(
    receiver: PushReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(20):
        reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
        head = _post("/push/nas", b"")[: -len("Content-Length: 0\r\n\r\n")]
        writer.write(head + b"Content-Length: 1000\r\n\r\nhash=0123")
        await writer.drain()
        writer.transport.abort()  # a reset, not a polite close
        del reader
    assert _status(await _exchange(receiver, _post("/push/nas", b"hash=" + HASH.encode()))) == 202

    async def told() -> list[str]:
        return _lines(caplog, "went away")

    await wait_for(told, "the debug line for a client that went away")
    _no_traceback(caplog)
