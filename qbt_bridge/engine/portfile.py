"""The port file: a VPN client writes its forwarded port there; qBittorrent is set to listen on it.

gluetun writes one number to ``/tmp/gluetun/forwarded_port`` whenever its provider forwards a new
port. After each refresh the file is looked at (a ``stat``; it is read only when it changed):
a port that is not the one qBittorrent listens on is set, with a ``port_changed`` event. What
is not a port qBittorrent may listen on (``core.models.LISTEN_PORTS``) gets one warning per
content and changes nothing; a file that is not there (the VPN not up yet) one warning until
it is.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from qbt_bridge.clients import Capability
from qbt_bridge.core.errors import QbtBridgeError
from qbt_bridge.core.models import LISTEN_PORTS, PORT_RULE
from qbt_bridge.engine.events import Event, EventKind
from qbt_bridge.engine.link import Link
from qbt_bridge.engine.transfer import Transfer

_LOGGER = logging.getLogger(__name__)

MAX_READ = 64  # bytes: a port is five digits and maybe a newline


class PortFile:
    """Watches one port file for one server."""

    def __init__(self, link: Link, transfer: Transfer, path: str | Path) -> None:
        self.link = link
        self._transfer = transfer
        self.path = Path(path).expanduser()
        self._seen: tuple[int, int] | None = None  # (mtime_ns, size) of what was acted on
        self._warned: str | None = None  # what was last warned about (once each)

    async def check(self, _events: Sequence[Event] = ()) -> list[Event]:
        """Set qBittorrent's port from the file when it holds another; the event says so."""
        if Capability.LISTEN_PORT not in self.link.capabilities:
            self._warn("unsupported", "port_file is off: %s cannot set its listening port",
                       self.link.client.product)  # fmt: skip
            return []
        found = self._read()
        if found is None:
            return []
        seen, port = found
        previous = self.link.store.listen_port
        if port == previous:
            self._seen = seen
            return []
        try:
            now = await self._transfer.set_listen_port(port)
        except QbtBridgeError as err:  # tried again after the next refresh
            _LOGGER.debug("%s: port %d from %s not set yet: %s",
                          self.link.instance_id, port, self.path, err)  # fmt: skip
            return []
        self._seen, self._warned = seen, None
        _LOGGER.info("%s: listening port %s -> %d (from %s)",
                     self.link.instance_id, previous, now, self.path)  # fmt: skip
        detail = {"port": now, "previous": previous, "source": str(self.path)}
        return [Event(EventKind.PORT_CHANGED, self.link.instance_id, detail=detail)]

    def _read(self) -> tuple[tuple[int, int], int] | None:
        """(what the file is now, its port) when it changed and holds a port, else None."""
        try:
            stat = self.path.stat()
            seen = (stat.st_mtime_ns, stat.st_size)
            if seen == self._seen:
                return None
            with self.path.open("rb") as file:
                text = file.read(MAX_READ).decode("utf-8", "replace").strip()
        except OSError as err:
            self._warn(f"unreadable:{err.errno}", "port_file %s cannot be read (%s); the port "
                       "is left as it is", self.path, err.strerror)  # fmt: skip
            return None
        port = int(text) if text.isdigit() and len(text) <= 5 else 0
        if port not in LISTEN_PORTS:
            self._warn(f"bad:{text}", "port_file %s holds %r: %s; the port is left as it is",
                       self.path, text[:20], PORT_RULE)  # fmt: skip
            self._seen = seen
            return None
        return seen, port

    def _warn(self, what: str, message: str, *args: object) -> None:
        """Log a warning, once for each thing wrong (again only after it was put right)."""
        if self._warned != what:
            self._warned = what
            _LOGGER.warning(f"%s: {message}", self.link.instance_id, *args)  # noqa: G004
