"""Who may do what, and how refusals and errors read in the chat.

Only allow-listed users get any data or action; a read-only user sees no button that changes
something; each command picks its instance (``@id``, the chat's /use, or the first allowed).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from qbt_bridge.core.errors import (
    AmbiguousTargetError,
    ConnectionFailedError,
    InvalidRequestError,
    NotFoundError,
    QbtBridgeError,
)
from qbt_bridge.core.redact import redact_text
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.telegram.buttons import Button
from qbt_bridge.telegram.format import cut, esc, plain
from qbt_bridge.telegram.settings import TelegramUser
from qbt_bridge.telegram.transport import GivenUpError, Transport

_LOGGER = logging.getLogger(__name__)

ALERT_LIMIT = 200  # Telegram shows at most 200 characters in a button's alert
REFUSAL = "Sorry, you are not allowed to use this bot."
EXPIRED = "This button has expired; run the command again."

CommandHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE, TelegramUser], Awaitable[None]]
# A button's handler: the message it sits on, the instance, the button, who pressed it; it
# returns the short note shown to the user (or None).
ButtonHandler = Callable[[Message, Bridge, Any, TelegramUser], Awaitable[str | None]]


class NotAllowedError(QbtBridgeError):
    """The user may not do this (read-only, or another instance)."""


class Access(Transport):
    """Allow-list, instance choice, refusals, and the wrappers every handler runs in."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._chat_instance: dict[int, str] = {}
        # What the next plain message of a chat is (a name asked for by a button), by chat.
        self._awaiting: dict[int, Any] = {}

    # ------------------------------------------------------------------ wrappers

    def _guard(
        self, handler: CommandHandler
    ) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
        """A command or message handler, run for allowed users only; errors are explained."""

        async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            user = await self._allowed(update)
            if user is None or update.effective_chat is None:
                return
            try:
                await handler(update, context, user)
            except QbtBridgeError as err:
                try:
                    instance = self._pick(update, list(context.args or []), user)[0].instance_id
                except QbtBridgeError:
                    instance = ""
                await self._send(update.effective_chat.id, self._explain(err, instance))

        return guarded

    def _pressed(
        self, handler: ButtonHandler
    ) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
        """A button's handler: every press is answered, and run only when this user may."""

        async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            query = update.callback_query
            if query is None:  # pragma: no cover - the handler's pattern saw a query
                return
            user = await self._allowed(update)
            if user is None:
                return
            button = query.data
            if not isinstance(button, Button) or not isinstance(query.message, Message):
                await _answer(query, EXPIRED)
                return
            try:
                if button.write:
                    self._writable(user)
                if not user.may_see(button.instance) or button.instance not in self.bridges:
                    raise NotAllowedError(f"you may not use {button.instance}")
                bridge = self.bridges[button.instance]
                note = await handler(query.message, bridge, button, user)
            except QbtBridgeError as err:
                alert = plain(self._explain(err, button.instance))
                await _answer(query, cut(redact_text(alert), ALERT_LIMIT), alert=True)
                return
            await _answer(query, redact_text(note) if note else None)

        return pressed

    async def _expired(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button whose action is no longer kept (an old message, or after a restart)."""
        if update.callback_query is not None:
            await _answer(update.callback_query, EXPIRED)

    # ------------------------------------------------------------------ who

    async def _allowed(self, update: Update) -> TelegramUser | None:
        who = update.effective_user
        user = self.settings.user(who.id if who else None)
        if user is not None:
            return user
        _LOGGER.warning("Telegram: refused user id %s", who.id if who else "unknown")
        if update.callback_query is not None:
            await _answer(update.callback_query, REFUSAL)
        elif self.settings.unauthorised == "refuse" and update.effective_chat is not None:
            await self._send(update.effective_chat.id, REFUSAL)
        return None

    @staticmethod
    def _writable(user: TelegramUser) -> None:
        if user.read_only:
            raise NotAllowedError("you have read-only access")

    def _pick(
        self, update: Update, args: list[str], user: TelegramUser
    ) -> tuple[Bridge, list[str]]:
        """The instance for a command: ``@id`` first, else the chat's /use, else the first."""
        chat = update.effective_chat.id if update.effective_chat else 0
        chosen = self._chat_instance.get(chat)
        instance = chosen or next(iter(self.bridges))
        named = bool(args and args[0].startswith("@") and len(args[0]) > 1)
        if named:
            instance = args[0][1:]
            args = args[1:]
        if instance not in self.bridges:
            raise NotFoundError(f"no instance {instance!r}; known: {', '.join(self.bridges)}")
        if not user.may_see(instance):
            allowed = [i for i in self.bridges if user.may_see(i)]
            if named or instance == chosen or not allowed:
                raise NotAllowedError(f"you may not use {instance}")
            instance = allowed[0]
        return self.bridges[instance], args

    def _pick_many(
        self, update: Update, args: list[str], user: TelegramUser
    ) -> tuple[list[Bridge], list[str]]:
        """The instances of an add: ``@all`` (each the user may use), ``@a,b``, or ``_pick``'s."""
        word = args[0] if args else ""
        if not (word.startswith("@") and (word == "@all" or "," in word)):
            bridge, rest = self._pick(update, args, user)
            return [bridge], rest
        allowed = [i for i in self.bridges if user.may_see(i)]
        names = allowed if word == "@all" else [n for n in word[1:].split(",") if n]
        for name in names:
            if name not in self.bridges:
                raise NotFoundError(f"no instance {name!r}; known: {', '.join(self.bridges)}")
            if name not in allowed:
                raise NotAllowedError(f"you may not use {name}")
        if not names:
            raise NotAllowedError("no instance is open to you")
        return [self.bridges[name] for name in dict.fromkeys(names)], args[1:]

    @staticmethod
    def _keyboard(
        rows: Sequence[Sequence[InlineKeyboardButton]], user: TelegramUser
    ) -> InlineKeyboardMarkup | None:
        """The buttons this user may press: a read-only user sees none that change things."""
        if user.read_only:
            rows = [[b for b in row if not _changes(b)] for row in rows]
        kept = [list(row) for row in rows if row]
        return InlineKeyboardMarkup(kept) if kept else None

    async def _typed(self, _update: Update, _user: TelegramUser) -> bool:
        """Take a plain message as the answer a button asked for; False when none was asked."""
        return False

    # ------------------------------------------------------------------ errors

    def _explain(self, err: QbtBridgeError, instance: str) -> str:
        if isinstance(err, AmbiguousTargetError):
            names = "\n".join(
                f"• {esc(cut(name))} (<code>{h[:8]}</code>)" for h, name in err.candidates[:20]
            )
            more = len(err.candidates) - 20
            return (
                f"More than one torrent matches <b>{esc(err.target)}</b>:\n{names}"
                + (f"\n… and {more} more" if more > 0 else "")
                + "\nSay which one: a longer name or a hash prefix."
            )
        if isinstance(err, ConnectionFailedError):
            # The reason for people: no internal URL, no exception text.
            return (
                f"⚠️ {esc(self.names.get(instance, instance))} is unreachable right now "
                f"({esc(err.reason)}). Nothing was done; try again later."
            )
        return f"⚠️ {esc(err)}"

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if isinstance(context.error, GivenUpError):  # Telegram's side, not a bug: no traceback
            if chat is not None:
                self._given_up(chat.id, context.error)
            return
        _LOGGER.error("Telegram handler failed", exc_info=context.error)
        if chat is not None:
            with contextlib.suppress(TelegramError):
                await self._send(chat.id, "⚠️ Something went wrong; see the daemon's log.")


async def fresh(bridge: Bridge) -> None:
    """A snapshot to answer from: refreshed when missing or while the server was down."""
    if not bridge.store.initialised or not bridge.available:
        await bridge.refresh(full=True)


def chat_of(update: Update) -> int:
    """The chat an update came from (the guard made sure there is one)."""
    if update.effective_chat is None:  # pragma: no cover - the guard checked it
        raise InvalidRequestError("no chat")
    return update.effective_chat.id


def one(words: list[str], what: str) -> str:
    """The words as one argument; asks for it when there is none."""
    if not words:
        raise InvalidRequestError(f"which {what}?")
    return " ".join(words)


def _changes(button: InlineKeyboardButton) -> bool:
    data = button.callback_data
    return not isinstance(data, Button) or data.write


async def _answer(query: CallbackQuery, text: str | None, *, alert: bool = False) -> None:
    with contextlib.suppress(TelegramError):
        await query.answer(text, show_alert=alert)
