"""Adding torrents from the chat: /add, a pasted magnet, a .torrent file; then a category."""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.core.errors import ConnectionFailedError, InvalidRequestError, QbtBridgeError
from qbt_bridge.engine import Capability
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.telegram.access import Access, chat_of
from qbt_bridge.telegram.buttons import SetCategory, key
from qbt_bridge.telegram.format import cut, esc
from qbt_bridge.telegram.settings import TelegramUser

MAX_TORRENT_FILE = 8 * 1024 * 1024
_LINK = re.compile(r"^(magnet:\?\S+|https?://\S+)$", re.IGNORECASE)


class AddCommands(Access):
    """Everything that adds torrents, and what the chat says to other messages."""

    async def cmd_add(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/add [@all|@a,b] <magnet or link …> [category=X] [tags=a,b] [paused]."""
        bridges, args = self._pick_many(update, context.args or [], user)
        self._writable(user)
        links, options = add_arguments(args)
        if not links:
            raise InvalidRequestError(
                "add what? /add <magnet or http(s) link> …, or send a .torrent file"
            )
        await self._add_each(update, bridges, [(link, link) for link in links], options)

    async def _add_each(
        self,
        update: Update,
        bridges: list[Bridge],
        sources: list[tuple[str, str | bytes]],
        options: dict[str, Any],
    ) -> None:
        """Add on each server in turn: one answer per server (its name first when several)."""
        for bridge in bridges:
            title = self.names.get(bridge.instance_id, bridge.instance_id)
            try:
                await self._add_all(
                    update, bridge, sources, options, title if len(bridges) > 1 else None
                )
            except ConnectionFailedError as err:
                if len(bridges) == 1:
                    raise
                await self._send(chat_of(update), f"<b>{esc(title)}</b>\n⚠️ {esc(err)}")

    async def on_unknown(
        self, update: Update, _context: ContextTypes.DEFAULT_TYPE, _user: TelegramUser
    ) -> None:
        """A command this bot does not have."""
        message = update.effective_message
        word = (message.text or "").split(maxsplit=1)[0] if message else ""
        await self._send(
            chat_of(update), f"There is no {esc(cut(word, 40))}; /help lists the commands."
        )

    async def on_text(
        self, update: Update, _context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """A plain message: magnet links in it are added; anything else gets the help."""
        if await self._typed(update, user):  # the name a button asked for
            return
        message = update.effective_message
        text = message.text if message and message.text else ""
        links = [w for w in text.split() if w.lower().startswith("magnet:?")]
        if not links:
            await self._send(chat_of(update), "Send a command; /help lists them.")
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
        bridges, args = self._pick_many(update, caption, user)
        self._writable(user)
        _links, options = add_arguments(args)
        document = message.document
        name = document.file_name or "file"
        if (document.file_size or 0) > MAX_TORRENT_FILE:
            raise InvalidRequestError(f"{name} is too large for a .torrent file")
        telegram_file = await self._retrying(document.get_file)
        if telegram_file is None:  # pragma: no cover - only when stopping
            return
        data = bytes(await telegram_file.download_as_bytearray())
        await self._add_each(update, bridges, [(name, data)], options)

    async def _add_all(
        self,
        update: Update,
        bridge: Bridge,
        sources: list[tuple[str, str | bytes]],
        options: dict[str, Any],
        title: str | None = None,
    ) -> None:
        """Add each source; one answer line each (name, or why it failed), under ``title``."""
        lines: list[str] = [] if title is None else [f"<b>{esc(title)}</b>"]
        added: list[str] = []
        if self.settings.tag_adder and bridge.supports(Capability.TAGS):
            options = {**options, "tags": [*options.get("tags", ()), adder_tag(update)]}
        for label, source in sources:
            what = {"file": source} if isinstance(source, bytes) else {"source": source}
            try:
                outcome = await execute(bridge, request(Name.ADD, {**what, **options}))
            except QbtBridgeError as err:
                if isinstance(err, ConnectionFailedError):
                    raise
                lines.append(f"⚠️ {esc(_shown(label))}: {esc(err)}")
                continue
            lines.append(added_line(outcome))
            if outcome["hash"] and not outcome["already_present"]:
                added.append(outcome["hash"])
                # Its completion or error is told here (/notify's "torrents added here").
                self.subscriptions.added(bridge.instance_id, outcome["hash"], chat_of(update))
        keyboard = None
        categories = await bridge.labels.categories() if added and "category" not in options else []
        if categories:
            i = bridge.instance_id
            buttons = [
                key(cut(name, 30), SetCategory(i, tuple(added), name)) for name in categories[:12]
            ]
            keyboard = InlineKeyboardMarkup([buttons[k : k + 3] for k in range(0, len(buttons), 3)])
            lines.append("Category?")
        await self._send(chat_of(update), "\n".join(lines), keyboard)

    async def on_category(
        self, message: Message, bridge: Bridge, button: SetCategory, _user: TelegramUser
    ) -> str | None:
        """Put the torrents just added into the chosen category."""
        args = {"torrents": list(button.torrents), "category": button.name}
        await execute(bridge, request(Name.SET_CATEGORY, args))
        await self._edit(message, f"{message.text_html}\n→ category <b>{esc(button.name)}</b>")
        return f"Category {button.name}"


def _shown(label: str) -> str:
    """A source as it may be shown: a magnet's name or hash, a link's host, a file's name."""
    if label.lower().startswith("magnet:"):
        found = re.search(r"[?&]dn=([^&]+)", label) or re.search(r"btih:([0-9a-zA-Z]+)", label)
        return cut(found.group(1) if found else "magnet link", 60)
    if label.lower().startswith(("http://", "https://")):
        host = label.split("/")[2] if label.count("/") >= 2 else label
        return f"link on {host.rsplit('@', 1)[-1]}"
    return cut(label, 60)


def added_line(outcome: dict[str, Any]) -> str:
    """One line saying what an add did (the table's answer)."""
    name = esc(cut(outcome["name"] or outcome["hash"] or "the torrent"))
    if outcome["already_present"]:
        return f"ℹ️ Already there: <b>{name}</b>"
    if outcome["hash"] is None:
        return "⏳ qBittorrent is still fetching the link; it will show up in /list."
    return f"➕ Added <b>{name}</b>" + ("" if outcome["confirmed"] else " (not shown yet)")


def add_arguments(words: list[str]) -> tuple[list[str], dict[str, Any]]:
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


def adder_tag(update: Update) -> str:
    """``tg:<username>`` (or ``tg:<user id>``) of whoever sent the update."""
    user = update.effective_user
    if user is None:  # pragma: no cover - adds come from users
        return "tg:unknown"
    return f"tg:{user.username or user.id}"
