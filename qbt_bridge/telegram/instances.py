"""/help, /use, /status, /alt and /limits: the bot itself, its servers, the global settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, parse_payload, request
from qbt_bridge.core.errors import InvalidRequestError, NotFoundError
from qbt_bridge.core.models import StateGroup
from qbt_bridge.core.units import parse_rate
from qbt_bridge.engine import Capability
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.engine.snapshot import Figures
from qbt_bridge.engine.store import SyncStore
from qbt_bridge.engine.timers import ALT_SPEED as ALT_TIMER
from qbt_bridge.telegram.access import Access, NotAllowedError, chat_of
from qbt_bridge.telegram.buttons import FOR_A_WHILE, AltFor, NotifyToggle, UseInstance, key
from qbt_bridge.telegram.format import (
    cut,
    esc,
    figures_text,
    limits_text,
    status_text,
    until_text,
)
from qbt_bridge.telegram.settings import TELEGRAM_EVENTS, TelegramUser

HELP_TITLE = "<b>qbt-bridge</b> — qBittorrent in this chat."
# (command, line, what it needs: "write", a Capability, "manage" or "instances")
HELP_LINES: tuple[tuple[str, str, str | Capability | None], ...] = (
    ("status", ("/status — speeds, limits, free space, counts; /status category, /status tracker "
                "— torrents and speeds of each"), None),
    ("list", f"/list [{'|'.join(g.value for g in StateGroup)}|category:X|tag:X|name]", None),
    ("info", "/info &lt;name, hash or hash prefix&gt;", None),
    ("files", "/files &lt;torrent&gt; [page] — its files; a button sets each one's priority",
     Capability.FILES),
    ("categories", ("/categories [add NAME [save path] | remove NAME]; /info has Category and "
                    "Tags buttons"), Capability.CATEGORIES),
    ("add", ("/add [@all] &lt;magnet or link …&gt; [category=X] [tags=a,b] [paused] — or send "
             ".torrent files; @all or @a,b: on several servers"), "write"),
    ("pause", ("/pause, /resume &lt;torrent|all&gt; — without one, pick from a list; "
     "/pause all for 2h — for a while; /resume paused: what /pause all paused"), "write"),
    ("search", "/search &lt;words&gt;", Capability.SEARCH),
    ("rss", "/rss — rules and feeds; /rss help for the rest", Capability.RSS),
    ("alt", ("/alt — the mode, with buttons; /alt on|off|toggle [30m|2h|1d] — for good or for "
             "a while"), Capability.ALT_SPEED),
    ("session", ("/session pause|resume — suspend the whole session (every torrent keeps its "
                 "state) or end that"), Capability.SESSION_PAUSE),
    ("limits", ("/limits — the speed limits; /limits dl 5M, /limits ul off, /limits alt dl 1M "
                "(K, M, G: binary)"), Capability.GLOBAL_LIMITS),
    ("port", "/port [N] — the port qBittorrent listens on for peers; /port 51413 sets it",
     Capability.LISTEN_PORT),
    ("manage", "/manage &lt;command,…&gt; [dry] [torrent] — run qbit_manage", "manage"),
    ("watch", ("/watch — one message with the active torrents, edited in place until ⏹ Stop, "
               "the end, or nothing is active"), None),
    ("notify", ("/notify — which events this chat is told of, and of the torrents added from "
                "it (a button each)"), None),
    ("use", ("/use [instance] — which qBittorrent this chat talks to; or start any command's "
             "arguments with @instance"), "instances"),
)  # fmt: skip
OWN = "own"  # /notify's button for the torrents added from the chat

# Commands that change something: not offered to read-only users.
WRITE_COMMANDS = frozenset(
    {"add", "pause", "alt", "session", "manage"}
)  # /limits shows to all, sets for writers


class InstanceCommands(Access):
    """What the bot offers this user, which server a chat uses, and the server's status."""

    async def cmd_help(
        self, update: Update, _c: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/help and /start: the commands that can work for this user and configuration."""
        await self._send(chat_of(update), self._help(user))

    def _help(self, user: TelegramUser) -> str:
        bridges = [b for i, b in self.bridges.items() if user.may_see(i)]

        def offered(need: str | Capability | None, command: str) -> bool:
            if user.read_only and command in WRITE_COMMANDS:
                return False
            if isinstance(need, Capability):
                # Before a server is found its abilities are unknown: offered until then.
                return any(not b.connected or b.supports(need) for b in bridges)
            if need == "manage":
                return any(b.manage.client is not None for b in bridges)
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
        chat = chat_of(update)
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
            key(f"Use {cut(self.names.get(i, i), 30)}", UseInstance(i))
            for i in allowed
            if i != current
        ]
        keyboard = self._keyboard([buttons[k : k + 2] for k in range(0, len(buttons), 2)], user)
        return "This chat uses:\n" + "\n".join(rows), keyboard

    async def on_use(
        self, message: Message, bridge: Bridge, _button: UseInstance, user: TelegramUser
    ) -> str | None:
        """The chat talks to the button's instance from now on."""
        self._chat_instance[message.chat.id] = bridge.instance_id
        await self._edit(message, *self._use_view(message.chat.id, user))
        return f"Using {self.names.get(bridge.instance_id, bridge.instance_id)}"

    async def cmd_status(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/status [category|tracker]: the server, or its figures per category or tracker."""
        bridge, args = self._pick(update, context.args or [], user)
        word = args[0].lower() if args else ""
        if word not in {"", *_BY}:
            raise InvalidRequestError("say /status, /status category or /status tracker")
        await bridge.refresh()
        title = self.names.get(bridge.instance_id, bridge.instance_id)
        if word:
            kind, figures = _BY[word]
            text = figures_text(figures(bridge.store), f"{title} by {kind}")
        else:
            alt = bridge.store.server().alt_speed_enabled
            text = status_text(bridge.store, title, alt_speed=alt)
        await self._send(chat_of(update), text)

    async def cmd_alt(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/alt [on|off|toggle] [[for] 30m]: alternative speed limits; alone: the mode, buttons."""
        bridge, args = self._pick(update, context.args or [], user)
        self._writable(user)
        words = [a.lower() for a in args if a.lower() != "for"]
        wanted = {"on": True, "off": False, "toggle": None}
        if words:
            if words[0] not in wanted or len(words) > 2:
                raise InvalidRequestError(
                    "say /alt on, /alt off or /alt toggle, and maybe for how long: /alt on 30m"
                )
            payload: dict[str, Any] = {"enabled": wanted[words[0]]}
            if len(words) > 1:
                payload["duration"] = words[1]
            await execute(bridge, request(Name.ALT_SPEED, payload))
        else:
            await bridge.connect()
            bridge.need(Capability.ALT_SPEED)
            await bridge.refresh()
        await self._send(chat_of(update), *self._alt_view(bridge, user))

    def _alt_view(
        self, bridge: Bridge, user: TelegramUser
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """The alternative-speed mode (and until when), with buttons to change it for a while."""
        on = bool(bridge.store.server().alt_speed_enabled)
        end = bridge.timers.until(ALT_TIMER)
        until = "" if end is None else f" until {until_text(end)}"
        other, i = ("Off" if on else "On"), bridge.instance_id
        rows = [
            [key(f"Turn {other.lower()}", AltFor(i, not on))],
            [key(f"{other} for {label}", AltFor(i, not on, seconds))
             for seconds, label in FOR_A_WHILE],
        ]  # fmt: skip
        text = f"Alternative speed limits are {'on' if on else 'off'}{until}."
        return text, self._keyboard(rows, user)

    async def on_alt(
        self, message: Message, bridge: Bridge, button: AltFor, user: TelegramUser
    ) -> str | None:
        """Alternative speed on or off, for good or for a while; the view is shown again."""
        args: dict[str, Any] = {"enabled": button.enabled}
        if button.seconds is not None:
            args["duration"] = button.seconds
        await execute(bridge, request(Name.ALT_SPEED, args))
        await self._edit(message, *self._alt_view(bridge, user))
        return f"Alternative speed {'on' if button.enabled else 'off'}"

    async def cmd_notify(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/notify: which events this chat is told of, a button to turn each on or off."""
        bridge, _args = self._pick(update, context.args or [], user)
        await self._send(chat_of(update), *self._notify_view(chat_of(update), bridge, user))

    def _notify_view(
        self, chat: int, bridge: Bridge, user: TelegramUser
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        subscriptions, i = self.subscriptions, bridge.instance_id
        chosen = subscriptions.events(chat)
        buttons = [
            key(
                f"{'✅' if kind in chosen else '▫️'} {kind.replace('_', ' ')}", NotifyToggle(i, kind)
            )
            for kind in TELEGRAM_EVENTS
        ]
        rows = [buttons[k : k + 2] for k in range(0, len(buttons), 2)]
        own = subscriptions.own(chat)
        rows.append([key(f"{_tick(own)} torrents added here", NotifyToggle(i, OWN))])
        text = (
            "<b>Notifications in this chat</b>: "
            + (", ".join(k.replace("_", " ") for k in TELEGRAM_EVENTS if k in chosen) or "none")
            + ("; and the completion or error of torrents added here" if own else "")
            + ". A button turns one on or off."
        )
        return text, self._keyboard(rows, user)

    async def on_notify(
        self, message: Message, bridge: Bridge, button: NotifyToggle, user: TelegramUser
    ) -> str | None:
        """Turn one kind of notification on or off for this chat; the view is shown again."""
        chat = message.chat.id
        if button.kind == OWN:
            on = self.subscriptions.toggle_own(chat)
        else:
            on = self.subscriptions.toggle(chat, user.id, button.kind)
        await self._edit(message, *self._notify_view(chat, bridge, user))
        return f"{'On' if on else 'Off'}: {button.kind.replace('_', ' ')}"

    async def cmd_session(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/session pause|resume: suspend qBittorrent's whole session, or end that."""
        bridge, args = self._pick(update, context.args or [], user)
        self._writable(user)
        word = args[0].lower() if args else ""
        commands = {"pause": Name.PAUSE_SESSION, "resume": Name.RESUME_SESSION}
        if word not in commands:
            raise InvalidRequestError("say /session pause or /session resume")
        answer = await execute(bridge, request(commands[word], {}))
        await self._send(
            chat_of(update),
            "The session is paused: nothing moves until /session resume."
            if answer["paused"]
            else "The session runs: every torrent is as it was.",
        )

    async def cmd_port(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/port [N]: the port qBittorrent listens on for peers, or set it."""
        bridge, args = self._pick(update, context.args or [], user)
        if args:
            self._writable(user)
            if len(args) != 1:
                raise InvalidRequestError("say /port and one number, e.g. /port 51413")
            answer = await execute(bridge, parse_payload(Name.SET_LISTEN_PORT, args[0].encode()))
            text = f"qBittorrent listens on port {answer['port']} now."
        else:
            await bridge.connect()
            bridge.need(Capability.LISTEN_PORT)
            await bridge.refresh()
            text = f"qBittorrent listens on port {bridge.store.listen_port}."
        await self._send(chat_of(update), text)

    async def cmd_limits(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/limits [alt] [dl|ul] [speed]: show the global limits, or set one."""
        bridge, args = self._pick(update, context.args or [], user)
        if args:
            self._writable(user)
            await execute(bridge, request(Name.SET_GLOBAL_LIMITS, _limit_args(args)))
        else:
            await bridge.refresh()
        await self._send(chat_of(update), limits_text(bridge))


# /status's views per group: the word, what it is called, the store's figures.
_BY: dict[str, tuple[str, Callable[[SyncStore], dict[str, Figures]]]] = {
    "category": ("category", SyncStore.by_category),
    "categories": ("category", SyncStore.by_category),
    "tracker": ("tracker", SyncStore.by_tracker),
    "trackers": ("tracker", SyncStore.by_tracker),
}


def _tick(on: bool) -> str:
    return "✅" if on else "▫️"


_DIRECTIONS = {"dl": "download", "down": "download", "download": "download",
               "ul": "upload", "up": "upload", "upload": "upload"}  # fmt: skip
_LIMITS_USAGE = "say /limits dl 5M, /limits ul off or /limits alt dl 512K"


def _limit_args(args: list[str]) -> dict[str, int]:
    """``[alt] dl|ul SPEED`` as the command table's arguments."""
    words = [a.lower() for a in args]
    alt = bool(words) and words[0] in {"alt", "alternative"}
    words = words[1:] if alt else words
    if len(words) != 2 or words[0] not in _DIRECTIONS:
        raise InvalidRequestError(_LIMITS_USAGE)
    try:
        rate = parse_rate(words[1])
    except ValueError as err:
        raise InvalidRequestError(str(err)) from None
    return {("alt_" if alt else "") + _DIRECTIONS[words[0]]: rate}
