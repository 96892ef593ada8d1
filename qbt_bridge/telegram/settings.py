"""The Telegram front's settings (the daemon's YAML config fills them in)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import voluptuous as vol

from qbt_bridge.core.settings import integer, setting
from qbt_bridge.engine.events import ANNOUNCED
from qbt_bridge.engine.link import check_url

# The events the chat can be told of (``notify.events``, /notify): the announced ones but
# removals, which every front shows otherwise.
TELEGRAM_EVENTS = tuple(kind for kind in ANNOUNCED if kind != "removed")


def _token(value: Any) -> str:
    if not isinstance(value, str) or not re.match(r"^\d+:[A-Za-z0-9_-]{20,}$", value.strip()):
        raise vol.Invalid("expected a bot token from @BotFather (digits, ':', then letters)")
    return value.strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class TelegramUser:
    """One allow-listed Telegram user."""

    id: int
    instances: frozenset[str] = frozenset()  # empty: every instance
    read_only: bool = False

    def may_see(self, instance: str) -> bool:
        """Whether this user may use that instance at all."""
        return not self.instances or instance in self.instances


@dataclass(frozen=True, slots=True, kw_only=True)
class TelegramConfig:
    """The Telegram front."""

    token: str = setting(help="the bot's token from @BotFather (or !env / !file)", check=_token)
    users: tuple[TelegramUser, ...]
    notify_chats: tuple[int, ...] = ()
    notify_events: frozenset[str] = frozenset({"completed"})
    unauthorised: str = setting(
        default="refuse",
        help="a chat not on the list: refuse (answer so) or ignore (say nothing)",
        check=vol.In(["refuse", "ignore"]),
    )
    page_size: int = setting(
        default=8, help="torrents per page of /list", check=integer, minimum=1, maximum=20
    )
    api_url: str = setting(
        default="https://api.telegram.org",
        help="the Bot API server (a local one, say)",
        check=check_url,
    )
    poll_timeout: int = setting(
        default=30,
        help="seconds each long poll for updates waits",
        check=integer,
        minimum=0,
        maximum=60,
    )
    watch_every: int = setting(
        default=10,
        help="seconds between edits of /watch's live message (10 at least)",
        check=integer,
        minimum=10,
        maximum=3600,
    )
    watch_for: int = setting(
        default=600,
        help="seconds a /watch lasts at most (it also ends when nothing is active)",
        check=integer,
        minimum=60,
        maximum=86400,
    )
    tag_adder: bool = setting(
        default=False,
        help="tag each torrent added from the chat with its user (tg:alice)",
        check=bool,
    )

    def user(self, user_id: int | None) -> TelegramUser | None:
        """The allow-list entry of a user id, or None."""
        return next((u for u in self.users if u.id == user_id), None)

    def secrets(self) -> list[str]:
        """The values that must never reach a log."""
        return [self.token]
