"""The Telegram front.

``TelegramFront`` is imported on first use: python-telegram-bot and httpx cost the daemon
~20 MiB, and the daemon's config reads ``telegram.settings`` whether or not a bot is configured.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qbt_bridge.telegram.front import TelegramFront

__all__ = ["TelegramFront"]


def __getattr__(name: str) -> Any:
    if name == "TelegramFront":
        from qbt_bridge.telegram.front import TelegramFront  # noqa: PLC0415

        return TelegramFront
    raise AttributeError(name)
