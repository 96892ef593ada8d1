"""The Telegram front: one python-telegram-bot Application that serves every instance.

Only allow-listed users get any data or action. Every answer goes through ``_send`` or
``_edit``, which retry flood control and network errors with back-off; notifications wait in
an outbox until Telegram takes them. Buttons carry a short token that stands for the action
(Telegram allows 64 bytes of callback data); tokens are kept for the last few thousand buttons.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import secrets
import shlex
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from qbt_bridge.core.errors import (
    AmbiguousTargetError,
    ConnectionFailedError,
    InvalidRequestError,
    NotFoundError,
    QbtBridgeError,
)
from qbt_bridge.core.models import RssFeed, RssRule, StateGroup
from qbt_bridge.core.redact import redact_text
from qbt_bridge.engine import MANAGE_COMMANDS, Capability, ManageOutcome
from qbt_bridge.engine.bridge import AddOutcome, Bridge, CommandResult
from qbt_bridge.engine.events import Event
from qbt_bridge.telegram.format import (
    cut,
    esc,
    event_text,
    fit,
    plain,
    rule_line,
    search_page,
    status_text,
    torrent_details,
    torrent_list,
)
from qbt_bridge.telegram.settings import TelegramConfig, TelegramUser

_LOGGER = logging.getLogger(__name__)

MAX_TORRENT_FILE = 8 * 1024 * 1024
MAX_BACKOFF = 60.0
SEND_ATTEMPTS = 6  # for answers; notifications are retried until the daemon stops
OUTBOX_LIMIT = 1000
ACTIONS_KEPT = 5000
ALERT_LIMIT = 200  # Telegram shows at most 200 characters in a button's alert
SEARCH_WATCH = 60.0  # seconds a search's message is kept up to date
REFUSAL = "Sorry, you are not allowed to use this bot."
_LINK = re.compile(r"^(magnet:\?\S+|https?://\S+)$", re.IGNORECASE)

COMMANDS = (
    ("status", "speeds, limits, free space, counts"),
    ("list", "torrents [state|category:x|tag:x|name]"),
    ("info", "one torrent's details and buttons"),
    ("add", "magnet/links [category=x] [tags=a,b] [paused]"),
    ("pause", "pause a torrent, 'all', or pick one"),
    ("resume", "resume a torrent, 'all', or pick one"),
    ("search", "search with qBittorrent's plugins"),
    ("rss", "RSS rules and feeds (/rss help)"),
    ("alt", "alternative speed limits [on|off]"),
    ("use", "choose the qBittorrent for this chat"),
    ("help", "what this bot can do"),
)

HELP_TITLE = "<b>qbt-bridge</b> — qBittorrent in this chat."
# (command, line, what it needs: "write", a Capability, "manage" or "instances")
HELP_LINES: tuple[tuple[str, str, str | Capability | None], ...] = (
    ("status", "/status — speeds, limits, free space, counts", None),
    ("list", ("/list [downloading|seeding|completed|running|stopped|active|inactive|stalled|"
              "checking|moving|errored|queued|category:X|tag:X|name]"), None),
    ("info", "/info &lt;name, hash or hash prefix&gt;", None),
    ("add", ("/add &lt;magnet or link …&gt; [category=X] [tags=a,b] [paused] — or send "
             ".torrent files"), "write"),
    ("pause", "/pause, /resume &lt;torrent|all&gt; — without one, pick from a list", "write"),
    ("search", "/search &lt;words&gt;", Capability.SEARCH),
    ("rss", "/rss — rules and feeds; /rss help for the rest", Capability.RSS),
    ("alt", "/alt [on|off]", Capability.ALT_SPEED),
    ("manage", "/manage &lt;command,…&gt; [dry] [torrent] — run qbit_manage", "manage"),
    ("use", ("/use [instance] — which qBittorrent this chat talks to; or start any command's "
             "arguments with @instance"), "instances"),
)  # fmt: skip
# Where each command of the one command table is in the chat, and why the others are not
# (checked by tests/unit/test_command_table.py).
OFFERED: dict[str, str] = {
    "add": "/add, a .torrent file, a pasted magnet",
    "pause": "/pause",
    "resume": "/resume",
    "pause_all": "/pause all",
    "resume_all": "/resume all",
    "recheck": "/info's Recheck button",
    "delete": "/info's Delete button",
    "set_category": "the category buttons after /add",
    "list": "/list",
    "refresh": "/status, /list and /info read fresh",
    "alt_speed": "/alt",
    "rss_rules": "/rss",
    "rss_set_rule": "/rss add",
    "rss_enable_rule": "/rss enable|disable",
    "rss_remove_rule": "/rss delete",
    "rss_matching": "/rss match",
    "rss_feeds": "/rss feeds",
    "rss_add_feed": "/rss addfeed",
    "rss_remove_feed": "/rss delfeed",
    "search_start": "/search",
    "search_results": "/search's pages",
    "search_add": "/search's ➕ buttons",
    "search_stop": "/search stops after a minute",
    "manage": "/manage",
}
NOT_OFFERED: dict[str, str] = {
    "add_tags": "planned: tags from the chat (issue: 5.3's whole WebAPI, item 4)",
    "remove_tags": "planned: tags from the chat (issue: 5.3's whole WebAPI, item 4)",
    "reannounce": "not yet a chat command",
    "force_start": "not yet a chat command",
    "set_torrent_limits": "not yet a chat command",
    "set_global_limits": "planned: /limits (issue: 5.3's whole WebAPI, item 2)",
    "rss_refresh": "not yet a chat command",
    "rss_rename_rule": "not yet a chat command",
    "search_plugins": "plugins are managed in qBittorrent's own UI",
    "search_delete": "a finished search is forgotten by qBittorrent's own limits",
}  # fmt: skip
# Commands that change something: not offered to read-only users.
WRITE_COMMANDS = frozenset({"add", "pause", "alt", "manage"})

RSS_HELP = """<b>RSS</b>
/rss — rules (with buttons) and feeds
/rss add NAME must=TEXT [not=TEXT] [regex=yes] [episode=1x01-] [feeds=PATH,PATH] \
[category=X] [save=PATH] — quote values with spaces: must="the show"
/rss enable NAME · /rss disable NAME · /rss delete NAME
/rss match NAME — articles the rule matches
/rss feeds · /rss addfeed URL [PATH] · /rss delfeed PATH
"""


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


@dataclass(frozen=True, slots=True)
class Action:
    """What a button does when pressed."""

    kind: str
    instance: str
    args: tuple[Any, ...] = ()
    write: bool = True


class NotAllowedError(QbtBridgeError):
    """The user may not do this (read-only, or another instance)."""


class TelegramFront:
    """Runs the bot until the daemon stops; announces events to the configured chats."""

    def __init__(
        self,
        settings: TelegramConfig,
        bridges: Sequence[Bridge],
        names: dict[str, str],
    ) -> None:
        self.settings = settings
        self.bridges = {bridge.instance_id: bridge for bridge in bridges}
        self.names = names
        # httpx logs every request's URL at INFO, and the URL holds the bot token.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        # python-telegram-bot logs a traceback for every failed call during an outage; the
        # failures reach us as exceptions and are logged once per outage instead.
        logging.getLogger("telegram.request").setLevel(logging.CRITICAL)
        self._down = False  # Telegram unreachable now (logged once, and its end once)
        api = settings.api_url.rstrip("/")
        self.app: Application[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(settings.token)
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .get_updates_request(
                _WatchedRequest(self._telegram_up, read_timeout=settings.poll_timeout + 10)
            )
            .build()
        )
        self._chat_instance: dict[int, str] = {}
        self._actions: OrderedDict[str, Action] = OrderedDict()
        self._outbox: deque[tuple[int, str]] = deque()
        self._outbox_ready = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.ready = asyncio.Event()
        self._register()
        for bridge in bridges:
            bridge.add_listener(self._on_event)

    # ------------------------------------------------------------------ running

    def _register(self) -> None:
        commands: dict[str, Callable[..., Awaitable[None]]] = {
            "start": self.cmd_help,
            "help": self.cmd_help,
            "status": self.cmd_status,
            "list": self.cmd_list,
            "info": self.cmd_info,
            "add": self.cmd_add,
            "pause": self.cmd_pause,
            "resume": self.cmd_resume,
            "search": self.cmd_search,
            "rss": self.cmd_rss,
            "alt": self.cmd_alt,
            "use": self.cmd_use,
            "manage": self.cmd_manage,
        }
        for name, handler in commands.items():
            self.app.add_handler(CommandHandler(name, self._guard(handler)))
        # A command none of the above knows gets an answer too.
        self.app.add_handler(MessageHandler(filters.COMMAND, self._guard(self.on_unknown)))
        self.app.add_handler(MessageHandler(filters.Document.ALL, self._guard(self.on_document)))
        self.app.add_handler(
            MessageHandler(filters.TEXT & ~filters.COMMAND, self._guard(self.on_text))
        )
        self.app.add_handler(CallbackQueryHandler(self.on_button))
        self.app.add_error_handler(self._on_error)

    async def run(self, stop: asyncio.Event) -> None:
        """Connect (retrying while Telegram is unreachable), poll, and stop cleanly."""
        backoff = 1.0
        while not stop.is_set():
            try:
                await self.app.initialize()
                self._telegram_up()
                break
            except (NetworkError, RetryAfter) as err:
                self._telegram_down(err)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
        if stop.is_set():
            return
        try:
            await self._announce_commands()
            await self.app.start()
            updater = self.app.updater
            if updater is None:  # pragma: no cover - the builder always makes one
                raise RuntimeError("the Telegram application has no updater")
            await updater.start_polling(
                timeout=self.settings.poll_timeout,
                allowed_updates=["message", "callback_query"],
                drop_pending_updates=False,
                error_callback=self._telegram_down,
            )
            _LOGGER.info("Telegram bot @%s is polling", self.app.bot.username)
            self.ready.set()
            sender = asyncio.create_task(self._send_outbox(stop))
            await stop.wait()
            await sender
            await updater.stop()
            await self.app.stop()
        finally:
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
            await self.app.shutdown()

    async def _announce_commands(self) -> None:
        menu = list(COMMANDS)
        if any(b.manage_client is not None for b in self.bridges.values()):
            menu.insert(-2, ("manage", "run qbit_manage commands [torrent]"))
        try:
            await self.app.bot.set_my_commands([BotCommand(n, d) for n, d in menu])
        except TelegramError as err:
            _LOGGER.warning("could not register the bot's command menu: %s", err)

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
        attempt = 0
        while True:
            attempt += 1
            try:
                result = await call()
            except RetryAfter as err:
                delay = float(
                    err.retry_after.total_seconds()
                    if hasattr(err.retry_after, "total_seconds")
                    else err.retry_after
                )
                _LOGGER.warning("Telegram flood control: waiting %.0f s", delay)
            except (Forbidden, BadRequest):
                raise
            except NetworkError as err:
                delay = backoff
                backoff = min(backoff * 2, MAX_BACKOFF)
                self._telegram_down(err)
            else:
                self._telegram_up()
                return result
            if attempts and attempt >= attempts:
                raise NetworkError(f"Telegram did not take the message after {attempt} tries")
            if stop is not None and stop.is_set():
                return None
            await asyncio.sleep(delay)

    def _on_event(self, event: Event) -> None:
        if event.kind.value not in self.settings.notify_events:
            return
        text = event_text(event, self.names.get(event.instance_id, event.instance_id))
        if text is None:
            return
        for chat in self.settings.notify_chats:
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

    # ------------------------------------------------------------------ access and errors

    def _guard(
        self, handler: Callable[[Update, ContextTypes.DEFAULT_TYPE, TelegramUser], Awaitable[None]]
    ) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
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

    async def _allowed(self, update: Update) -> TelegramUser | None:
        who = update.effective_user
        user = self.settings.user(who.id if who else None)
        if user is not None:
            return user
        _LOGGER.warning("Telegram: refused user id %s", who.id if who else "unknown")
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer(REFUSAL)
        elif self.settings.unauthorised == "refuse" and update.effective_chat is not None:
            await self._send(update.effective_chat.id, REFUSAL)
        return None

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
        _LOGGER.error("Telegram handler failed", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            with contextlib.suppress(TelegramError):
                await self._send(
                    update.effective_chat.id, "⚠️ Something went wrong; see the daemon's log."
                )

    # ------------------------------------------------------------------ instances

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

    @staticmethod
    def _writable(user: TelegramUser) -> None:
        if user.read_only:
            raise NotAllowedError("you have read-only access")

    @staticmethod
    async def _fresh(bridge: Bridge) -> None:
        """A snapshot to answer from: refreshed when missing or while the server was down."""
        if not bridge.store.initialised or not bridge.available:
            await bridge.refresh(full=True)

    def _keyboard(
        self, rows: Sequence[Sequence[InlineKeyboardButton]], user: TelegramUser
    ) -> InlineKeyboardMarkup | None:
        """The buttons this user may press: a read-only user sees none that change things."""
        if user.read_only:
            rows = [
                [b for b in row if not self._changes(b)] for row in rows
            ]  # fmt: skip
        kept = [list(row) for row in rows if row]
        return InlineKeyboardMarkup(kept) if kept else None

    def _changes(self, button: InlineKeyboardButton) -> bool:
        action = self._actions.get(str(button.callback_data))
        return action is None or action.write

    def _button(self, label: str, action: Action) -> InlineKeyboardButton:
        token = secrets.token_urlsafe(6)
        self._actions[token] = action
        while len(self._actions) > ACTIONS_KEPT:
            self._actions.popitem(last=False)
        return InlineKeyboardButton(label, callback_data=token)

    # ------------------------------------------------------------------ commands

    async def cmd_help(
        self, update: Update, _c: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/help and /start: the commands that can work for this user and configuration."""
        await self._send(_chat(update), self._help(user))

    def _help(self, user: TelegramUser) -> str:
        bridges = [b for i, b in self.bridges.items() if user.may_see(i)]

        def offered(need: str | Capability | None, command: str) -> bool:
            if user.read_only and command in WRITE_COMMANDS:
                return False
            if isinstance(need, Capability):
                # Before a server is found its abilities are unknown: offered until then.
                return any(not b.connected or b.supports(need) for b in bridges)
            if need == "manage":
                return any(b.manage_client is not None for b in bridges)
            if need == "instances":
                return len(bridges) > 1
            return True

        lines = [line for command, line, need in HELP_LINES if offered(need, command)]
        if user.read_only:
            lines.append("You have read-only access: you can look, not change.")
        return "\n".join([HELP_TITLE, *lines])

    async def cmd_use(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/use [instance]: show or set this chat's qBittorrent."""
        chat = _chat(update)
        allowed = [i for i in self.bridges if user.may_see(i)]
        args = context.args or []
        if args:
            wanted = args[0].lstrip("@")
            if wanted not in allowed:
                raise NotFoundError(f"no instance {wanted!r} for you; yours: {', '.join(allowed)}")
            self._chat_instance[chat] = wanted
        await self._send(chat, *self._use_view(chat, user))

    def _use_view(self, chat: int, user: TelegramUser) -> tuple[str, InlineKeyboardMarkup | None]:
        """Which qBittorrent this chat uses, with a button for each other one the user may use."""
        allowed = [i for i in self.bridges if user.may_see(i)]
        if not allowed:
            raise NotAllowedError("no instance is open to you")
        chosen = self._chat_instance.get(chat)
        current = chosen if chosen in allowed else allowed[0]
        rows = [
            f"{'▶' if i == current else '•'} <code>{esc(i)}</code> — {esc(self.names.get(i, i))}"
            for i in allowed
        ]
        buttons = [
            self._button(f"Use {cut(self.names.get(i, i), 30)}", Action("use", i, (), write=False))
            for i in allowed
            if i != current
        ]
        keyboard = self._keyboard([buttons[k : k + 2] for k in range(0, len(buttons), 2)], user)
        return "This chat uses:\n" + "\n".join(rows), keyboard

    async def cmd_status(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/status."""
        bridge, _args = self._pick(update, context.args or [], user)
        await bridge.refresh()
        title = self.names.get(bridge.instance_id, bridge.instance_id)
        alt = bridge.store.server().alt_speed_enabled
        await self._send(_chat(update), status_text(bridge.store, title, alt_speed=alt))

    async def cmd_alt(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/alt [on|off]: alternative speed limits."""
        bridge, args = self._pick(update, context.args or [], user)
        self._writable(user)
        word = (args[0].lower() if args else "toggle").strip()
        wanted = {"on": True, "off": False, "toggle": None}
        if word not in wanted:
            raise InvalidRequestError("say /alt on, /alt off, or /alt to toggle")
        enabled = await bridge.set_alt_speed(wanted[word])
        await self._send(
            _chat(update), f"Alternative speed limits are {'on' if enabled else 'off'}."
        )

    # ---- list and info

    async def cmd_list(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/list [filter]."""
        bridge, args = self._pick(update, context.args or [], user)
        await bridge.refresh(full=True)  # asked for by a person: the whole, current list
        text, keyboard = self._list_view(bridge, " ".join(args).strip(), 0, user)
        await self._send(_chat(update), text, keyboard)

    @staticmethod
    def _filtered(bridge: Bridge, query: str, stopped: bool | None) -> list[str]:
        """/list's filter words as the store's filters: a state, category:X, tag:X or a name."""
        lowered = query.lower()
        if not query:
            return bridge.store.select(stopped=stopped)
        if StateGroup.parse(lowered) is not None:
            return bridge.store.select(state=lowered, stopped=stopped)
        kind, _, value = query.partition(":")
        if kind.lower() == "category":
            return bridge.store.select(category=value, stopped=stopped)
        if kind.lower() == "tag":
            return bridge.store.select(tag=value, stopped=stopped)
        return bridge.store.select(name=query, stopped=stopped)

    def _list_view(
        self,
        bridge: Bridge,
        query: str,
        page: int,
        user: TelegramUser,
        *,
        pick: str | None = None,
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """A page of torrents with a button each (info, or ``pick``'s action) and paging."""
        size = self.settings.page_size
        stopped = {"pause": False, "resume": True}.get(pick or "")
        hashes = self._filtered(bridge, query, stopped)
        pages = max(1, -(-len(hashes) // size))
        page = max(0, min(page, pages - 1))
        store = bridge.store
        # Models only for the page shown, not for every torrent.
        chunk = [t for h in hashes[page * size : (page + 1) * size] if (t := store.torrent(h))]
        title = self.names.get(bridge.instance_id, bridge.instance_id)
        if pick:
            title = f"{pick.capitalize()} which torrent? {title}"
        elif query:
            title = f"{title} · {query}"
        text = torrent_list(chunk, first=page * size + 1, total=len(hashes), title=title)
        instance = bridge.instance_id
        buttons = [
            self._button(
                str(number),
                Action(pick, instance, (torrent.hash, (query, page)))
                if pick
                else Action("info", instance, (torrent.hash, (query, page)), write=False),
            )
            for number, torrent in enumerate(chunk, start=page * size + 1)
        ]
        rows = [buttons[k : k + 5] for k in range(0, len(buttons), 5)]
        rows += self._paging(
            page, pages, lambda n: Action("list", instance, (query, n, pick), write=False)
        )
        return text, self._keyboard(rows, user)

    def _paging(
        self, page: int, pages: int, action: Callable[[int], Action]
    ) -> list[list[InlineKeyboardButton]]:
        """A row of ◀ Prev / Next ▶ buttons, when there is more than one page."""
        row = []
        if page > 0:
            row.append(self._button("◀ Prev", action(page - 1)))
        if page < pages - 1:
            row.append(self._button("Next ▶", action(page + 1)))
        return [row] if row else []

    async def cmd_info(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/info <torrent>."""
        bridge, args = self._pick(update, context.args or [], user)
        if not args:
            raise InvalidRequestError("which torrent? /info <name, hash or hash prefix>")
        await self._fresh(bridge)
        hashes = await bridge.resolve(" ".join(args))
        if len(hashes) != 1:  # "all", a category or a tag may name none or many
            if not hashes:
                raise NotFoundError("no torrent matches that")
            raise InvalidRequestError(
                f"that names {len(hashes)} torrents; /info shows one (/list shows them all)"
            )
        text, keyboard = self._info_view(bridge, hashes[0], user)
        await self._send(_chat(update), text, keyboard)

    def _info_view(
        self,
        bridge: Bridge,
        torrent_hash: str,
        user: TelegramUser,
        back: tuple[str, int] | None = None,
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """One torrent with its buttons; ``back``: the list page (query, page) it came from."""
        torrent = bridge.store.torrent(torrent_hash)
        if torrent is None:
            raise NotFoundError("that torrent is gone")
        i, h = bridge.instance_id, torrent.hash
        toggle = (
            self._button("▶ Resume", Action("resume", i, (h, back)))
            if torrent.state.is_stopped
            else self._button("⏸ Pause", Action("pause", i, (h, back)))
        )
        rows = [
            [toggle, self._button("🔁 Recheck", Action("recheck", i, (h, back)))],
            [
                self._button("🗑 Delete", Action("delete?", i, (h, back))),
                self._button("🔄 Refresh", Action("info", i, (h, back), write=False)),
            ],
        ]
        if back is not None:
            query, page = back
            rows.append(
                [self._button("◀ Back", Action("list", i, (query, page, None), write=False))]
            )
        return torrent_details(torrent), self._keyboard(rows, user)

    # ---- add

    async def cmd_add(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/add <magnet or link …> [category=X] [tags=a,b] [paused]."""
        bridge, args = self._pick(update, context.args or [], user)
        self._writable(user)
        links, options = _add_arguments(args)
        if not links:
            raise InvalidRequestError(
                "add what? /add <magnet or http(s) link> …, or send a .torrent file"
            )
        await self._add_all(update, bridge, [(link, link) for link in links], options)

    async def on_unknown(
        self, update: Update, _context: ContextTypes.DEFAULT_TYPE, _user: TelegramUser
    ) -> None:
        """A command this bot does not have."""
        message = update.effective_message
        word = (message.text or "").split(maxsplit=1)[0] if message else ""
        await self._send(
            _chat(update), f"There is no {esc(cut(word, 40))}; /help lists the commands."
        )

    async def on_text(
        self, update: Update, _context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """A plain message: magnet links in it are added; anything else gets the help."""
        message = update.effective_message
        text = message.text if message and message.text else ""
        links = [w for w in text.split() if w.lower().startswith("magnet:?")]
        if not links:
            await self._send(_chat(update), "Send a command; /help lists them.")
            return
        bridge, _args = self._pick(update, [], user)
        self._writable(user)
        await self._add_all(update, bridge, [(link, link) for link in links], {})

    async def on_document(
        self, update: Update, _context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """A .torrent file sent to the chat (its caption may carry /add's options)."""
        message = update.effective_message
        if message is None or message.document is None:
            return
        caption = (message.caption or "").split()
        if caption and caption[0].startswith("/add"):
            caption = caption[1:]
        bridge, args = self._pick(update, caption, user)
        self._writable(user)
        _links, options = _add_arguments(args)
        document = message.document
        name = document.file_name or "file"
        if (document.file_size or 0) > MAX_TORRENT_FILE:
            raise InvalidRequestError(f"{name} is too large for a .torrent file")
        telegram_file = await self._retrying(document.get_file)
        if telegram_file is None:  # pragma: no cover - only when stopping
            return
        data = bytes(await telegram_file.download_as_bytearray())
        await self._add_all(update, bridge, [(name, data)], options)

    async def _add_all(
        self,
        update: Update,
        bridge: Bridge,
        sources: list[tuple[str, str | bytes]],
        options: dict[str, Any],
    ) -> None:
        """Add each source; one answer line each (name, or why it failed)."""
        lines: list[str] = []
        added: list[str] = []
        for label, source in sources:
            try:
                outcome = await bridge.add(source, **options)
            except QbtBridgeError as err:
                if isinstance(err, ConnectionFailedError):
                    raise
                lines.append(f"⚠️ {esc(_shown(label))}: {esc(err)}")
                continue
            lines.append(_added_line(outcome))
            if outcome.hash and not outcome.already_present:
                added.append(outcome.hash)
        keyboard = None
        categories = await bridge.categories() if added and "category" not in options else []
        if categories:
            buttons = [
                self._button(
                    cut(name, 30), Action("category", bridge.instance_id, (tuple(added), name))
                )
                for name in categories[:12]
            ]
            keyboard = InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])
            lines.append("Category?")
        await self._send(_chat(update), "\n".join(lines), keyboard)

    # ---- pause and resume

    async def cmd_pause(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/pause <torrent|all>, or pick from a list."""
        await self._pause_resume(update, context, user, "pause")

    async def cmd_resume(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/resume <torrent|all>, or pick from a list."""
        await self._pause_resume(update, context, user, "resume")

    async def _pause_resume(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser, verb: str
    ) -> None:
        bridge, args = self._pick(update, context.args or [], user)
        self._writable(user)
        await self._fresh(bridge)
        target = " ".join(args).strip()
        if not target:
            await bridge.refresh(full=True)
            text, keyboard = self._list_view(bridge, "", 0, user, pick=verb)
            await self._send(_chat(update), text, keyboard)
            return
        result = await self._run_on(bridge, verb, target)
        await self._send(_chat(update), _result_text(verb, result))

    @staticmethod
    async def _run_on(bridge: Bridge, verb: str, target: str) -> CommandResult:
        if target.lower() == "all":
            return await (bridge.pause_all() if verb == "pause" else bridge.resume_all())
        method = {"pause": bridge.pause, "resume": bridge.resume, "recheck": bridge.recheck}
        return await method[verb](target)

    # ---- qbit_manage

    async def cmd_manage(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/manage <command,command> [dry] [torrent]: run qbit_manage."""
        bridge, args = self._pick(update, context.args or [], user)
        self._writable(user)
        if not args:
            raise InvalidRequestError(
                f"/manage <command,…> [dry] [torrent]; commands: {', '.join(MANAGE_COMMANDS)}"
            )
        commands = [c for c in args[0].split(",") if c]
        rest = args[1:]
        dry_run = bool(rest) and rest[0].lower() in {"dry", "dry-run", "dry_run"}
        target = " ".join(rest[1:] if dry_run else rest).strip() or None
        result = await bridge.manage(commands, target, dry_run=dry_run)
        await self._send(_chat(update), _manage_text(commands, result, dry_run=dry_run))

    # ---- search

    async def cmd_search(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/search <words>: start a search and keep its message up to date."""
        bridge, args = self._pick(update, context.args or [], user)
        pattern = " ".join(args).strip()
        if not pattern:
            raise InvalidRequestError("search for what? /search <words>")
        job = await bridge.search_start(pattern)
        message = await self._send(_chat(update), f"Searching <b>{esc(pattern)}</b>…")
        if message is None:  # pragma: no cover - only when stopping
            return
        task = asyncio.create_task(self._watch_search(bridge, job, pattern, message, user))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _watch_search(
        self, bridge: Bridge, job: int, pattern: str, message: Message, user: TelegramUser
    ) -> None:
        """Edit the search message as results come, until the search ends (or a minute)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SEARCH_WATCH
        shown = -1
        try:
            while True:
                page = await bridge.search_results(job, page_size=self.settings.page_size)
                if page.total != shown or not page.running:
                    shown = page.total
                    text, keyboard = self._search_view(bridge, job, pattern, 0, user, page=page)
                    await self._edit(message, text, keyboard)
                if not page.running:
                    return
                if loop.time() >= deadline:
                    await bridge.search_stop(job)
                    continue
                await asyncio.sleep(1.0)
        except QbtBridgeError as err:
            await self._edit(message, f"⚠️ Search <b>{esc(pattern)}</b> failed: {esc(err)}")

    def _search_view(
        self, bridge: Bridge, job: int, pattern: str, number: int, user: TelegramUser, *, page: Any
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        size = self.settings.page_size
        first = number * size
        text = search_page(
            pattern, page.results, first=first + 1, total=page.total, running=page.running
        )
        i = bridge.instance_id
        buttons = [
            self._button(f"➕ {first + n + 1}", Action("search_add", i, (job, first + n)))
            for n in range(len(page.results))
        ]
        rows = [buttons[k : k + 5] for k in range(0, len(buttons), 5)]
        rows += self._paging(
            number, page.pages, lambda n: Action("search", i, (job, pattern, n), write=False)
        )
        return text, self._keyboard(rows, user)

    # ---- rss

    async def cmd_rss(
        self, update: Update, _context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/rss and its subcommands (/rss help lists them)."""
        message = update.effective_message
        text = message.text if message and message.text else ""
        try:
            words = shlex.split(text)[1:]
        except ValueError as err:
            raise InvalidRequestError(f"cannot read that: {err}") from None
        bridge, words = self._pick(update, words, user)
        sub = words[0].lower() if words else ""
        rest = words[1:]
        chat = _chat(update)
        if sub in {"", "list", "rules"}:
            await self._send(chat, *await self._rss_view(bridge, user))
        elif sub == "help":
            await self._send(chat, RSS_HELP)
        elif sub == "feeds":
            feeds = await bridge.rss_feeds()
            rows = [f"• <code>{esc(f.path)}</code> ({len(f.articles)} articles)" for f in feeds]
            await self._send(chat, "<b>Feeds</b>\n" + ("\n".join(rows) or "none"))
        elif sub == "match":
            await self._rss_match(chat, bridge, _one(rest, "rule name"))
        else:
            self._writable(user)
            await self._rss_change(chat, bridge, sub, rest)

    async def _rss_view(
        self, bridge: Bridge, user: TelegramUser
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """The rules with their buttons and the feeds line: for /rss and after each button."""
        rules = await bridge.rss_rules()
        feeds = await bridge.rss_feeds()
        i = bridge.instance_id
        lines = ["<b>RSS rules</b>"] + [rule_line(r) for r in rules.values()]
        if not rules:
            lines.append("none yet — /rss help says how to add one")
        lines.append(f"<b>Feeds</b>: {len(feeds)} (/rss feeds)")
        rows = []
        for name, rule in list(rules.items())[:20]:
            rows.append(
                [
                    self._button(
                        f"{'⏸' if rule.enabled else '▶'} {cut(name, 20)}",
                        Action("rss_enable", i, (name, not rule.enabled)),
                    ),
                    self._button(f"🗑 {cut(name, 20)}", Action("rss_delete?", i, (name,))),
                ]
            )
        return "\n".join(lines), self._keyboard(rows, user)

    async def _rss_match(self, chat: int, bridge: Bridge, name: str) -> None:
        matching = await bridge.rss_matching(name)
        lines = [f"Rule <b>{esc(name)}</b> matches:"]
        for feed, titles in matching.items():
            lines.append(f"<code>{esc(feed)}</code>")
            lines += [f"• {esc(cut(t))}" for t in titles[:30]]
        if len(lines) == 1:
            lines.append("nothing in the feeds right now")
        await self._send(chat, "\n".join(lines))

    async def _rss_change(self, chat: int, bridge: Bridge, sub: str, rest: list[str]) -> None:
        if sub == "add":
            rule = _rule_from_words(rest, await bridge.rss_feeds())
            await bridge.rss_set_rule(rule)
            await self._send(chat, "Saved: " + rule_line(rule))
        elif sub in {"enable", "disable"}:
            name = _one(rest, "rule name")
            await bridge.rss_enable_rule(name, enabled=sub == "enable")
            await self._send(chat, f"Rule <b>{esc(name)}</b> {sub}d.")
        elif sub in {"delete", "remove"}:
            name = _one(rest, "rule name")
            await bridge.rss_remove_rule(name)
            await self._send(chat, f"Rule <b>{esc(name)}</b> deleted.")
        elif sub == "addfeed":
            if not rest:
                raise InvalidRequestError("/rss addfeed URL [PATH]")
            await bridge.rss_add_feed(rest[0], rest[1] if len(rest) > 1 else "")
            await self._send(chat, "Feed added.")
        elif sub == "delfeed":
            path = _one(rest, "feed path")
            await bridge.rss_remove_feed(path)
            await self._send(chat, f"Feed <code>{esc(path)}</code> removed.")
        else:
            raise InvalidRequestError(f"no /rss {sub}; /rss help lists what there is")

    # ------------------------------------------------------------------ buttons

    async def on_button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every button press: answered always, run only for allowed users."""
        query = update.callback_query
        if query is None:
            return
        user = await self._allowed(update)
        if user is None:
            return
        action = self._actions.get(query.data or "")
        if action is None:
            await query.answer("This button has expired; run the command again.")
            return
        try:
            if action.write:
                self._writable(user)
            if not user.may_see(action.instance) or action.instance not in self.bridges:
                raise NotAllowedError(f"you may not use {action.instance}")
            note = await self._act(query.message, self.bridges[action.instance], action, user)
        except QbtBridgeError as err:
            with contextlib.suppress(TelegramError):
                alert = plain(self._explain(err, action.instance))
                await query.answer(cut(redact_text(alert), ALERT_LIMIT), show_alert=True)
            return
        with contextlib.suppress(TelegramError):
            await query.answer(redact_text(note) if note else None)

    async def _act(
        self, message: Any, bridge: Bridge, action: Action, user: TelegramUser
    ) -> str | None:
        """Carry out a button's action; returns the short note shown to the user."""
        kind, args = action.kind, action.args
        if kind == "list":
            query, page, pick = args
            await self._fresh(bridge)
            await self._edit(message, *self._list_view(bridge, query, page, user, pick=pick))
            return None
        if kind == "info":
            await bridge.refresh()
            await self._edit(message, *self._info_view(bridge, args[0], user, args[1]))
            return None
        if kind in {"pause", "resume", "recheck"}:
            result = await self._run_on(bridge, kind, args[0])
            with contextlib.suppress(QbtBridgeError):
                await self._edit(message, *self._info_view(bridge, args[0], user, args[1]))
            return _result_text(kind, result)
        if kind == "delete?":
            torrent_hash, back = args
            torrent = bridge.store.torrent(torrent_hash)
            name = torrent.name if torrent else torrent_hash
            i = bridge.instance_id
            keep, purge = ((torrent_hash, files, back) for files in (False, True))
            keyboard = self._keyboard(
                [
                    [self._button("Remove, keep files", Action("delete!", i, keep))],
                    [self._button("Remove with files", Action("delete!", i, purge))],
                    [self._button("Cancel", Action("info", i, (torrent_hash, back), write=False))],
                ],
                user,
            )
            await self._edit(message, f"Delete <b>{esc(cut(name))}</b>?", keyboard)
            return None
        if kind == "delete!":
            torrent_hash, with_files, back = args
            result = await bridge.delete(torrent_hash, delete_files=with_files)
            names = ", ".join(result.names) or torrent_hash
            files = " and its files" if with_files else ""
            keyboard = None
            if back is not None:
                query, page = back
                to_list = Action("list", bridge.instance_id, (query, page, None), write=False)
                keyboard = self._keyboard([[self._button("◀ Back", to_list)]], user)
            await self._edit(message, f"🗑 Removed <b>{esc(cut(names))}</b>{files}.", keyboard)
            return "Removed"
        return await self._act_more(message, bridge, action, user)

    async def _act_more(  # noqa: PLR0911 - one branch per kind of button
        self, message: Any, bridge: Bridge, action: Action, user: TelegramUser
    ) -> str | None:
        kind, args = action.kind, action.args
        if kind == "category":
            hashes, name = args
            await bridge.set_category(list(hashes), name)
            await self._edit(message, f"{message.text_html}\n→ category <b>{esc(name)}</b>")
            return f"Category {name}"
        if kind == "search":
            job, pattern, number = args
            page = await bridge.search_results(job, page=number, page_size=self.settings.page_size)
            view = self._search_view(bridge, job, pattern, number, user, page=page)
            await self._edit(message, *view)
            return None
        if kind == "search_add":
            job, index = args
            outcome = await bridge.search_add(job, index)
            await self._send(message.chat.id, _added_line(outcome))
            return "Added"
        if kind == "rss_enable":
            name, enabled = args
            await bridge.rss_enable_rule(name, enabled=enabled)
            await self._edit(message, *await self._rss_view(bridge, user))
            return f"{name}: {'enabled' if enabled else 'disabled'}"
        if kind == "rss_delete?":
            (name,) = args
            i = bridge.instance_id
            keyboard = self._keyboard(
                [[self._button("🗑 Delete the rule", Action("rss_delete!", i, (name,))),
                  self._button("Cancel", Action("rss", i, (), write=False))]],
                user,
            )  # fmt: skip
            await self._edit(message, f"Delete the RSS rule <b>{esc(name)}</b>?", keyboard)
            return None
        if kind == "rss_delete!":
            (name,) = args
            await bridge.rss_remove_rule(name)
            await self._edit(message, *await self._rss_view(bridge, user))
            return f"{name}: deleted"
        if kind == "rss":
            await self._edit(message, *await self._rss_view(bridge, user))
            return None
        if kind == "use":
            self._chat_instance[message.chat.id] = bridge.instance_id
            await self._edit(message, *self._use_view(message.chat.id, user))
            return f"Using {self.names.get(bridge.instance_id, bridge.instance_id)}"
        raise InvalidRequestError(f"unknown action {kind}")  # pragma: no cover


# ---------------------------------------------------------------------------- helpers


def _chat(update: Update) -> int:
    if update.effective_chat is None:  # pragma: no cover - the guard checked it
        raise InvalidRequestError("no chat")
    return update.effective_chat.id


def _one(words: list[str], what: str) -> str:
    if not words:
        raise InvalidRequestError(f"which {what}?")
    return " ".join(words)


def _shown(label: str) -> str:
    """A source as it may be shown: a magnet's name or hash, a link's host, a file's name."""
    if label.lower().startswith("magnet:"):
        found = re.search(r"[?&]dn=([^&]+)", label) or re.search(r"btih:([0-9a-zA-Z]+)", label)
        return cut(found.group(1) if found else "magnet link", 60)
    if label.lower().startswith(("http://", "https://")):
        host = label.split("/")[2] if label.count("/") >= 2 else label
        return f"link on {host.rsplit('@', 1)[-1]}"
    return cut(label, 60)


def _manage_text(commands: list[str], result: ManageOutcome, *, dry_run: bool) -> str:
    what = ", ".join(commands) + (" (dry run)" if dry_run else "")
    if result.queued:
        return f"⏳ qbit_manage is busy with a scheduled run; {esc(what)} will run after it."
    stats = []
    for entry in result.results:
        for key, value in (entry.get("stats") or {}).items():
            if key != "executed_commands" and value:
                stats.append(f"{esc(key)}: {esc(value)}")
    return f"🛠 qbit_manage ran {esc(what)}" + (": " + ", ".join(stats) if stats else ".")


def _added_line(outcome: AddOutcome) -> str:
    name = esc(cut(outcome.name or outcome.hash or "the torrent"))
    if outcome.already_present:
        return f"ℹ️ Already there: <b>{name}</b>"
    if outcome.hash is None:
        return "⏳ qBittorrent is still fetching the link; it will show up in /list."
    return f"➕ Added <b>{name}</b>" + ("" if outcome.confirmed else " (not shown yet)")


def _result_text(verb: str, result: CommandResult) -> str:
    done = {"pause": "Paused", "resume": "Resumed", "recheck": "Rechecking"}[verb]
    names = [cut(n, 60) for n in result.names[:10]]
    count = len(result.hashes)
    what = ", ".join(names) if names and count <= 10 else f"{count} torrents"
    if not count:
        what = "nothing"
    suffix = "" if result.confirmed else " (qBittorrent has not shown it yet)"
    note = f" ({esc(result.message)})" if result.message else ""
    return f"{done}: {esc(what)}{note}{suffix}"


def _add_arguments(words: list[str]) -> tuple[list[str], dict[str, Any]]:
    """Links and options (category=, tags=, paused) of /add."""
    links: list[str] = []
    options: dict[str, Any] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if sep and key.lower() in {"category", "cat"}:
            options["category"] = value
        elif sep and key.lower() in {"tags", "tag"}:
            options["tags"] = [t for t in value.split(",") if t.strip()]
        elif word.lower() == "paused":
            options["paused"] = True
        elif _LINK.match(word):
            links.append(word)
        else:
            raise InvalidRequestError(
                f"{cut(word, 40)!r} is neither a magnet/http(s) link nor category=, tags=, paused"
            )
    return links, options


_RULE_KEYS = {
    "must": "mustContain",
    "not": "mustNotContain",
    "regex": "useRegex",
    "episode": "episodeFilter",
    "feeds": "affectedFeeds",
    "category": "assignedCategory",
    "save": "savePath",
}


def _rule_from_words(words: list[str], feeds: Sequence[RssFeed]) -> RssRule:
    """``NAME key=value …`` of /rss add; feeds by path, title or URL (default: all)."""
    if not words or "=" in words[0]:
        raise InvalidRequestError("/rss add NAME must=TEXT … (/rss help)")
    data: dict[str, Any] = {"affectedFeeds": [f.url for f in feeds]}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        wire = _RULE_KEYS.get(key.lower())
        if not sep or wire is None:
            raise InvalidRequestError(
                f"unknown rule option {cut(word, 30)!r}; known: {', '.join(_RULE_KEYS)}"
            )
        if wire == "useRegex":
            data[wire] = value.lower() in {"yes", "true", "1", "on"}
        elif wire == "affectedFeeds":
            data[wire] = [_feed_url(name, feeds) for name in value.split(",") if name]
        else:
            data[wire] = value
    return RssRule.from_rule(words[0], data)


def _feed_url(name: str, feeds: Sequence[RssFeed]) -> str:
    for feed in feeds:
        if name in {feed.path, feed.title, feed.url}:
            return feed.url
    known = ", ".join(f.path for f in feeds) or "none"
    raise NotFoundError(f"no RSS feed {name!r} (feeds: {known})")
