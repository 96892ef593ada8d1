"""/watch: one message kept up to date with the active torrents, until Stop or the end.

The message is edited in place every ``watch_every`` seconds (10 at least: Telegram limits how
often a bot may edit), with the active torrents (as qBittorrent's Active filter: they move data)
a page at a time, ◀ Prev / Next ▶ and ⏹ Stop. It ends by itself after ``watch_for`` seconds, or
once nothing is active; a chat watches one server at a time (a new /watch ends the old one).
Under flood control an edit waits as long as Telegram says (``Transport._retrying``) and the
same message goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from qbt_bridge.core.errors import QbtBridgeError
from qbt_bridge.core.models import StateGroup
from qbt_bridge.core.units import format_duration
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.telegram.access import Access, chat_of
from qbt_bridge.telegram.buttons import WatchPage, WatchStop, key
from qbt_bridge.telegram.format import esc, torrent_list
from qbt_bridge.telegram.settings import TelegramUser
from qbt_bridge.telegram.torrents import paging

_LOGGER = logging.getLogger(__name__)

ENDED = "This watch has ended; /watch again."


@dataclass
class Watch:
    """One chat's live message."""

    bridge: Bridge
    message: Message
    user: TelegramUser
    page: int = 0
    task: asyncio.Task[None] | None = None
    ended: str | None = None  # why it ended (the message says so)


class WatchCommands(Access):
    """/watch and its buttons."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._live: dict[int, Watch] = {}  # by chat
        self._stopping = asyncio.Event()  # the bot's stop (set by the front's run)

    async def cmd_watch(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/watch: a message with the active torrents, edited in place until Stop or the end."""
        bridge, _args = self._pick(update, context.args or [], user)
        await bridge.refresh()
        chat = chat_of(update)
        old = self._live.pop(chat, None)
        if old is not None:
            if old.task is not None:
                old.task.cancel()
            with contextlib.suppress(TelegramError):  # that message may be gone
                await self._end(old, "a newer /watch took over")
        text, keyboard = self._watch_view(bridge, 0, user)
        message = await self._send(chat, text, keyboard)
        if message is None:  # pragma: no cover - only when stopping
            return
        watch = Watch(bridge, message, user)
        if not self._active(bridge):
            await self._end(watch, "nothing is active")
            return
        self._live[chat] = watch
        watch.task = asyncio.create_task(self._keep(chat, watch))
        self._tasks.add(watch.task)
        watch.task.add_done_callback(self._tasks.discard)

    @staticmethod
    def _active(bridge: Bridge) -> list[str]:
        return bridge.store.select(state=StateGroup.ACTIVE.value)

    def _watch_view(
        self, bridge: Bridge, page: int, user: TelegramUser, ended: str | None = None
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        size = self.settings.page_size
        hits = self._active(bridge)
        pages = max(1, -(-len(hits) // size))
        page = min(page, pages - 1)
        shown = [t for h in hits[page * size : (page + 1) * size] if (t := bridge.store.torrent(h))]
        title = f"Active on {self.names.get(bridge.instance_id, bridge.instance_id)}"
        text = torrent_list(shown, first=page * size + 1, total=len(hits), title=title)
        if ended is not None:
            return f"{text}\n<i>Stopped watching: {esc(ended)}.</i>", None
        every = format_duration(self.settings.watch_every)
        text += f"\n<i>Live: edited every {every}.</i>"
        i = bridge.instance_id
        rows = paging(page, pages, lambda n: WatchPage(i, n))
        rows.append([key("⏹ Stop", WatchStop(i))])
        return text, self._keyboard(rows, user)

    async def _keep(self, chat: int, watch: Watch) -> None:
        """Edit the message on time until the end, Stop, or the bot's stop."""
        try:
            await self._keep_editing(watch)
        except TelegramError as err:  # the message is gone, or Telegram gave up: it ends here
            _LOGGER.warning("a /watch in chat %s ended: %s", chat, err)
        finally:
            if self._live.get(chat) is watch:
                del self._live[chat]

    async def _keep_editing(self, watch: Watch) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.watch_for
        stop = self._stopping
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.watch_every)
            if stop.is_set():
                await self._end(watch, "the bot is stopping")
                return
            try:
                await watch.bridge.refresh()
            except QbtBridgeError as err:
                await self._edit(watch.message, f"⚠️ {esc(err)}; still watching.")
                continue
            if not self._active(watch.bridge):
                await self._end(watch, "nothing is active any more")
                return
            if loop.time() >= deadline:
                shown = format_duration(self.settings.watch_for)
                await self._end(watch, f"{shown} are over; /watch again for more")
                return
            await self._show(watch)

    async def _show(self, watch: Watch) -> None:
        view = self._watch_view(watch.bridge, watch.page, watch.user, watch.ended)
        await self._edit(watch.message, *view)

    async def _end(self, watch: Watch, why: str) -> None:
        watch.ended = why
        await self._show(watch)

    def _watch_on(self, message: Message) -> Watch | None:
        """The live watch this message is (None: it has ended, or another took over)."""
        watch = self._live.get(message.chat.id)
        return (
            watch if watch is not None and watch.message.message_id == message.message_id else None
        )

    async def on_watch_page(
        self, message: Message, _bridge: Bridge, button: WatchPage, _user: TelegramUser
    ) -> str | None:
        """Another page of the live message (it stays on that page)."""
        watch = self._watch_on(message)
        if watch is None:
            return ENDED
        watch.page = button.page
        await self._show(watch)
        return None

    async def on_watch_stop(
        self, message: Message, _bridge: Bridge, _button: WatchStop, _user: TelegramUser
    ) -> str | None:
        """Stop: the message stays as it is now, without buttons."""
        watch = self._watch_on(message)
        if watch is None:
            return ENDED
        del self._live[message.chat.id]
        if watch.task is not None:
            watch.task.cancel()
        await self._end(watch, "you pressed Stop")
        return "Stopped"
