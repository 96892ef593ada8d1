"""Who hears of what: the events each chat gets, and who added which torrent; kept on disk.

A chat of ``notify.chats`` gets ``notify.events`` until ``/notify`` changes its choice; any
other chat gets nothing until it chooses. Whoever adds a torrent from the chat is told of its
completion or error in that chat ("my torrents": on unless the chat turned it off), once, even
when the chat does not get every completion. The choices and the adders are kept in a JSON file
in the daemon's state folder, written whole on each change, so a restart keeps them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from qbt_bridge.core.files import write_atomically
from qbt_bridge.engine.events import Event, EventKind

_LOGGER = logging.getLogger(__name__)

# What the adder of a torrent hears of, in their own chat.
OWN_EVENTS = frozenset({EventKind.COMPLETED.value, EventKind.ERRORED.value})
# Adders remembered at most (the oldest go first): a torrent added and never finished.
MAX_ADDERS = 10_000


class Subscriptions:
    """The events each chat gets, its "my torrents" switch, and who added what."""

    def __init__(
        self,
        path: Path | None,
        default_chats: Iterable[int] = (),
        default_events: Iterable[str] = (),
    ) -> None:
        self.path = path
        self._defaults = {chat: frozenset(default_events) for chat in default_chats}
        self._chosen: dict[int, frozenset[str]] = {}  # chats that chose with /notify
        self._users: dict[int, int] = {}  # who chose for a chat (whose instances it may hear of)
        self._own_off: set[int] = set()
        self._adders: dict[str, int] = {}  # "instance:hash" -> the chat it was added from
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self._chosen = {int(c): frozenset(e) for c, e in data.get("chats", {}).items()}
                self._users = {int(c): int(u) for c, u in data.get("users", {}).items()}
                self._own_off = {int(c) for c in data.get("own_off", ())}
                self._adders = {str(k): int(c) for k, c in data.get("adders", {}).items()}
            except (OSError, ValueError, TypeError, AttributeError):
                _LOGGER.warning(
                    "Telegram notification choices %s are unreadable; starting afresh", path
                )

    def events(self, chat: int) -> frozenset[str]:
        """The event kinds this chat gets."""
        return self._chosen.get(chat, self._defaults.get(chat, frozenset()))

    def own(self, chat: int) -> bool:
        """Whether this chat hears of the torrents added from it."""
        return chat not in self._own_off

    def toggle(self, chat: int, user: int, kind: str) -> bool:
        """Turn ``kind`` on for this chat if it was off, else off; whether it is on now."""
        events = set(self.events(chat)) ^ {kind}
        self._chosen[chat] = frozenset(events)
        self._users[chat] = user
        self.save()
        return kind in events

    def toggle_own(self, chat: int) -> bool:
        """Turn "my torrents" over for this chat; whether it is on now."""
        self._own_off ^= {chat}
        self.save()
        return self.own(chat)

    def added(self, instance: str, torrent_hash: str, chat: int) -> None:
        """A torrent was added from this chat: its completion or error is told there."""
        self._adders.pop(f"{instance}:{torrent_hash}", None)
        self._adders[f"{instance}:{torrent_hash}"] = chat
        while len(self._adders) > MAX_ADDERS:
            self._adders.pop(next(iter(self._adders)))
        self.save()

    def recipients(self, event: Event, may_hear: Callable[[int, str], bool]) -> list[int]:
        """The chats told of an event, each once.

        ``may_hear(user, instance)`` says whether a chat's chooser may see that instance; the
        configured chats hear of every instance, as configured.
        """
        kind = event.kind.value
        chats = [
            chat
            for chat in dict.fromkeys([*self._defaults, *self._chosen])
            if kind in self.events(chat)
            and (chat not in self._users or may_hear(self._users[chat], event.instance_id))
        ]
        key = f"{event.instance_id}:{event.hash}"
        adder = self._adders.get(key) if event.hash else None
        if adder is not None and kind in OWN_EVENTS and self.own(adder) and adder not in chats:
            chats.append(adder)
        if adder is not None and kind in {EventKind.COMPLETED.value, EventKind.REMOVED.value}:
            del self._adders[key]  # told (or gone): nothing more to tell
            self.save()
        return chats

    def save(self) -> None:
        """Write the choices and the adders atomically (no-op without a path)."""
        if self.path is None:
            return
        data: dict[str, Any] = {
            "chats": {str(c): sorted(e) for c, e in self._chosen.items()},
            "users": {str(c): u for c, u in self._users.items()},
            "own_off": sorted(self._own_off),
            "adders": self._adders,
        }
        try:
            write_atomically(self.path, json.dumps(data))
        except OSError as err:
            _LOGGER.warning("cannot keep the Telegram notification choices: %s", err)
