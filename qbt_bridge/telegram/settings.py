"""The Telegram front's settings (the daemon's YAML config fills them in)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TELEGRAM_API = "https://api.telegram.org"


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

    token: str
    users: tuple[TelegramUser, ...]
    notify_chats: tuple[int, ...] = ()
    notify_events: frozenset[str] = frozenset({"completed"})
    unauthorised: str = "refuse"  # or "ignore"
    page_size: int = 8
    api_url: str = DEFAULT_TELEGRAM_API
    poll_timeout: int = 30
    tag_adder: bool = False  # tag each torrent added from the chat with its user (tg:alice)

    def user(self, user_id: int | None) -> TelegramUser | None:
        """The allow-list entry of a user id, or None."""
        return next((u for u in self.users if u.id == user_id), None)

    def secrets(self) -> list[str]:
        """The values that must never reach a log."""
        return [self.token]
