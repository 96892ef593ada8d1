"""The Telegram front."""

from qbt_bridge.telegram.front import TelegramFront

__all__ = ["TelegramFront"]
