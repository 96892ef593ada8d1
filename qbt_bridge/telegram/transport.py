"""Talking to Telegram: sending and editing with retries, outages logged once, the outbox.

Every answer goes through ``send`` or ``edit``, which retry flood control and network errors
with back-off and pass the text through ``redact_text`` (no secret in a URL reaches the chat);
notifications wait in an outbox, in order, until Telegram takes them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.request import HTTPXRequest

from qbt_bridge.core.redact import redact_text
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.events import Event
from qbt_bridge.telegram.format import event_text, fit
from qbt_bridge.telegram.settings import TelegramConfig
from qbt_bridge.telegram.subscriptions import Subscriptions

_LOGGER = logging.getLogger(__name__)

MAX_BACKOFF = 60.0
SEND_ATTEMPTS = 6  # network failures an answer meets; notifications are retried until the end
FLOOD_PATIENCE = 300.0  # seconds of flood control an answer waits out before it is given up
OUTBOX_LIMIT = 1000
SUBSCRIPTIONS_FILE = "telegram.json"  # in the state folder: /notify's choices, the adders
GIVEN_UP_NOTICE = (
    "⚠️ Telegram refused messages for a while, so an answer to you was not sent. "
    "Please send your command again."
)


class GivenUpError(TelegramError):
    """An answer Telegram did not take within its bounds (network tries, flood control)."""


class _WatchedRequest(HTTPXRequest):
    """The polling connection; each answer from Telegram tells the front it is reachable."""

    def __init__(self, on_answer: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_answer = on_answer

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Send as usual; a 200 answer ends an outage."""
        code, payload = await super().do_request(*args, **kwargs)
        if code == HTTPStatus.OK:
            self._on_answer()
        return code, payload


class Transport:
    """The bot's application and everything that goes out through it."""

    def __init__(
        self,
        settings: TelegramConfig,
        bridges: Sequence[Bridge],
        names: dict[str, str],
        state_dir: Path | None = None,
    ) -> None:
        self.settings = settings
        # Who hears of what (notify's defaults, /notify's choices, the adders), kept on disk.
        self.subscriptions = Subscriptions(
            None if state_dir is None else state_dir / SUBSCRIPTIONS_FILE,
            settings.notify_chats,
            settings.notify_events,
        )
        self.bridges = {bridge.instance_id: bridge for bridge in bridges}
        self.names = names
        # httpx logs every request's URL at INFO, and the URL holds the bot token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        # python-telegram-bot logs a traceback for every failed call during an outage; the
        # failures reach us as exceptions and are logged once per outage instead.
        logging.getLogger("telegram.request").setLevel(logging.CRITICAL)
        self._down = False  # Telegram unreachable now (logged once, and its end once)
        self._flooded = False  # under flood control now (logged once, until a call goes through)
        api = settings.api_url.rstrip("/")
        self.app: Application[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(settings.token)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .get_updates_request(
                _WatchedRequest(self._telegram_up, read_timeout=settings.poll_timeout + 10)
            )
            # Buttons carry their typed action (telegram/buttons.py); python-telegram-bot keeps
            # it and sends Telegram a short id (Telegram allows 64 bytes of callback data).
            .arbitrary_callback_data(True)  # noqa: FBT003 - the builder's own signature
            .build()
        )
        self._outbox: deque[tuple[int, str]] = deque()
        self._outbox_ready = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        for bridge in bridges:
            bridge.add_listener(self._on_event)

    # ------------------------------------------------------------------ outages

    def _telegram_down(self, err: TelegramError) -> None:
        """A failed call to Telegram: the first of an outage is logged, the rest are not."""
        if isinstance(err, RetryAfter):
            return  # flood control is not an outage; _retrying waits it out
        if not self._down:
            self._down = True
            _LOGGER.warning("Telegram unreachable: %s (retrying; its end will be logged)", err)
        else:
            _LOGGER.debug("Telegram still unreachable: %s", err)

    def _telegram_up(self) -> None:
        """A call to Telegram worked: the end of an outage, if there was one."""
        if self._down:
            self._down = False
            _LOGGER.info("Telegram reachable again")

    # ------------------------------------------------------------------ sending

    async def _send(
        self,
        chat_id: int,
        text: str,
        keyboard: InlineKeyboardMarkup | None = None,
        *,
        attempts: int = SEND_ATTEMPTS,
        stop: asyncio.Event | None = None,
    ) -> Message | None:
        """Send one message, retrying flood control and network errors with back-off."""
        return await self._retrying(
            lambda: self.app.bot.send_message(
                chat_id,
                fit(redact_text(text)),
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                disable_web_page_preview=True,
            ),
            attempts=attempts,
            stop=stop,
        )

    async def _edit(
        self, message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None
    ) -> None:
        """Replace a message's text and buttons (an unchanged message is no error)."""

        async def edit() -> Any:
            try:
                return await message.edit_text(
                    fit(redact_text(text)),
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard,
                    disable_web_page_preview=True,
                )
            except BadRequest as err:
                if "not modified" in str(err).lower():
                    return None
                raise

        await self._retrying(edit)

    async def _retrying[T](
        self,
        call: Callable[[], Awaitable[T]],
        *,
        attempts: int = SEND_ATTEMPTS,
        stop: asyncio.Event | None = None,
    ) -> T | None:
        backoff = 1.0
        failures = 0
        flood_waited = 0.0
        while True:
            try:
                result = await call()
            except RetryAfter as err:
                # Telegram says when: waiting is no failure, but an answer waits only so long.
                delay = float(
                    err.retry_after.total_seconds()
                    if hasattr(err.retry_after, "total_seconds")
                    else err.retry_after
                )
                if attempts and flood_waited + delay > FLOOD_PATIENCE:
                    raise GivenUpError(
                        f"flood control went on for over {FLOOD_PATIENCE:.0f} s"
                    ) from err
                flood_waited += delay
                if not self._flooded:
                    self._flooded = True
                    _LOGGER.warning(
                        "Telegram flood control: waiting %.0f s (messages wait; logged once "
                        "until one goes through)", delay,
                    )  # fmt: skip
            except (Forbidden, BadRequest):
                raise
            except NetworkError as err:
                failures += 1
                if attempts and failures >= attempts:
                    raise GivenUpError(f"Telegram did not answer after {failures} tries") from err
                delay = backoff
                backoff = min(backoff * 2, MAX_BACKOFF)
                self._telegram_down(err)
            else:
                self._flooded = False  # a message went through (polls pass during a flood)
                self._telegram_up()
                return result
            if stop is not None and stop.is_set():
                return None
            await asyncio.sleep(delay)

    def _given_up(self, chat_id: int, err: GivenUpError) -> None:
        """An answer was given up: one log line, and the chat is told once Telegram takes it."""
        _LOGGER.warning(
            "an answer to chat %s was given up (%s); the chat is told when Telegram takes "
            "messages again", chat_id, err,
        )  # fmt: skip
        self._queue(chat_id, GIVEN_UP_NOTICE)

    # ------------------------------------------------------------------ notifications

    def _on_event(self, event: Event) -> None:
        chats = self.subscriptions.recipients(event, self._may_hear)
        text = event_text(event, self.names.get(event.instance_id, event.instance_id))
        if text is None:
            return
        for chat in chats:
            self._queue(chat, text)

    def _may_hear(self, user_id: int, instance: str) -> bool:
        user = self.settings.user(user_id)
        return user is not None and user.may_see(instance)

    def _queue(self, chat: int, text: str) -> None:
        """Send ``text`` through the outbox: in order, retried until Telegram takes it."""
        if len(self._outbox) >= OUTBOX_LIMIT:
            _LOGGER.warning("Telegram outbox full; dropped the oldest notification")
            self._outbox.popleft()
        self._outbox.append((chat, text))
        self._outbox_ready.set()

    async def _send_outbox(self, stop: asyncio.Event) -> None:
        """Deliver notifications in order; each is retried until Telegram takes it."""
        while not stop.is_set():
            waiter = asyncio.create_task(self._outbox_ready.wait())
            stopper = asyncio.create_task(stop.wait())
            await asyncio.wait([waiter, stopper], return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            stopper.cancel()
            self._outbox_ready.clear()
            while self._outbox and not stop.is_set():
                chat, text = self._outbox[0]
                try:
                    await self._send(chat, text, attempts=0, stop=stop)
                except (Forbidden, BadRequest) as err:
                    _LOGGER.warning("notification to chat %s refused by Telegram: %s", chat, err)
                if stop.is_set():
                    break
                self._outbox.popleft()
