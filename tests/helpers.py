"""Helpers shared by the tests: polling with a deadline, a loopback file server, test data."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiohttp import web

from qbt_bridge.clients import QBittorrentClient
from qbt_bridge.core.models import Torrent
from qbt_bridge.core.torrentfile import make_torrent, read_torrent
from qbt_bridge.daemon.config import InstanceConfig
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.events import Event, EventKind

DEADLINE = 60.0
POLL_INTERVAL = 0.1  # between looks at the condition; the deadline decides


async def wait_for[T](
    probe: Callable[[], Awaitable[T | None]], what: str, timeout: float = DEADLINE
) -> T:
    """Poll ``probe`` until it returns something truthy; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(POLL_INTERVAL)
    raise AssertionError(f"timed out waiting for {what} (last value: {last!r})")


async def wait_torrent(
    client: QBittorrentClient,
    info_hash: str,
    check: Callable[[Torrent], bool] = lambda _t: True,
    what: str = "torrent",
) -> Torrent:
    """Wait until the torrent is listed and ``check`` holds for it."""

    async def probe() -> Torrent | None:
        found = await client.torrents_info(hashes=[info_hash])
        return found[0] if found and check(found[0]) else None

    return await wait_for(probe, f"{what} {info_hash[:8]}")


class FileServer:
    """A loopback HTTP server that serves byte strings registered under paths."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}
        self.hits: dict[str, int] = {}
        routes, hits = self.routes, self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                hits[path] = hits.get(path, 0) + 1
                if path not in routes:
                    self.send_error(404)
                    return
                content_type, body = routes[path]
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes, content_type: str = "application/octet-stream") -> str:
        self.routes[path] = (content_type, body)
        return self.url(path)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def with_server(instance: InstanceConfig, **changes: Any) -> InstanceConfig:
    """The instance with some of the engine's settings for it changed (a test's variation)."""
    return dataclasses.replace(instance, server=dataclasses.replace(instance.server, **changes))


def make_payload(folder: Path, name: str, size: int, seed: int = 0) -> tuple[Path, bytes]:
    """Write a file of pseudo-random bytes and return it with its .torrent."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    block = bytes((i * 131 + seed * 7 + (i >> 8)) % 251 for i in range(65536))
    with path.open("wb") as handle:
        written = 0
        while written < size:
            chunk = block[: min(len(block), size - written)]
            handle.write(chunk)
            written += len(chunk)
    return path, make_torrent(path)


def tiny_torrent(folder: Path, name: str) -> tuple[bytes, str]:
    """A small unique torrent (and its hash) for tests that never download it."""
    _path, data = make_payload(folder, name, 4096, seed=hash(name) % 1000)
    return data, read_torrent(data).info_hash


def folder_torrent(
    folder: Path, names: Iterable[str], size: Callable[[int], int] = lambda n: n + 1
) -> tuple[bytes, str]:
    """A torrent of a folder of small files (file n is ``size(n)`` bytes), and its hash."""
    folder.mkdir(parents=True)
    for n, name in enumerate(names):
        (folder / name).write_bytes(b"x" * size(n))
    data = make_torrent(folder)
    return data, read_torrent(data).info_hash


SEARCH_PLUGIN = """# VERSION: 1.5
# AUTHORS: qbt-bridge tests
from urllib.parse import unquote

from novaprinter import prettyPrinter


class qbtbridgetest(object):
    url = "http://127.0.0.1:{port}"
    name = "qbt-bridge test engine"
    supported_categories = {{"all": "0"}}

    def search(self, what, cat="all"):
        words = unquote(what).replace("+", " ")
        for index, seeds in enumerate((5, 42, 17)):
            prettyPrinter({{
                "link": self.url + "/files/result-%d.torrent" % index,
                "name": "%s result %d" % (words, index),
                "size": str(1024 * (index + 1)),
                "seeds": seeds,
                "leech": index,
                "engine_url": self.url,
                "desc_link": self.url + "/desc/%d" % index,
                "pub_date": 0,
            }})
"""


def rss_feed(title: str, items: list[tuple[str, str]]) -> bytes:
    """An RSS 2.0 document whose items link to .torrent URLs."""
    entries = "".join(
        f"<item><title>{name}</title><guid>{url}</guid><link>{url}</link>"
        f'<enclosure url="{url}" type="application/x-bittorrent" length="1"/></item>'
        for name, url in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://127.0.0.1/</link><description>test</description>{entries}</channel></rss>"
    ).encode()


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_ca(folder: Path) -> dict[str, Path]:
    """A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, all PEM."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {n: folder / f"{n}.pem" for n in ("ca", "ca_key", "server", "server_key", "client",
                                              "client_key")}  # fmt: skip
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
             "/CN=qbt-bridge test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             "-keyout", str(files["ca_key"]), "-out", str(files["ca"]))  # fmt: skip
    for name, cn, usage in (("server", "127.0.0.1", "serverAuth"),
                            ("client", "qbt-bridge", "clientAuth")):  # fmt: skip
        extensions = folder / f"{name}.cnf"
        extensions.write_text(
            "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            f"extendedKeyUsage={usage}\nauthorityKeyIdentifier=keyid,issuer\n",
            encoding="utf-8",
        )
        request = folder / f"{name}.csr"
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}",
                 "-keyout", str(files[f"{name}_key"]), "-out", str(request))  # fmt: skip
        _openssl("x509", "-req", "-in", str(request), "-CA", str(files["ca"]), "-CAkey",
                 str(files["ca_key"]), "-CAcreateserial", "-days", "2", "-extfile",
                 str(extensions), "-out", str(files[name]))  # fmt: skip
    return files


async def serve_loopback(app: web.Application, port: int) -> web.AppRunner:
    """Serve an aiohttp application on 127.0.0.1:``port``; ``cleanup()`` the runner to stop."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


class EventLog:
    """Collects a bridge's events for assertions."""

    def __init__(self, bridge: Bridge) -> None:
        self.events: list[Event] = []
        bridge.add_listener(self.events.append)

    def of(self, kind: EventKind, torrent_hash: str | None = None) -> list[Event]:
        return [
            e
            for e in self.events
            if e.kind is kind and (torrent_hash is None or e.hash == torrent_hash)
        ]


class LoopThread:
    """An event loop on a thread of its own, for module-wide async set-ups that hypothesis's
    synchronous tests drive: ``call`` runs a coroutine there and waits for it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def call[T](self, job: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(job, self.loop).result(timeout=120)

    async def _stop(self) -> None:
        """What a subclass tears down on the loop before it stops."""

    def close(self) -> None:
        self.call(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
