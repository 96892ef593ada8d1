"""/search: qBittorrent's search plugins from the chat; results page by page, each addable."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.core.errors import InvalidRequestError, QbtBridgeError
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.telegram.access import Access, chat_of
from qbt_bridge.telegram.adding import added_line
from qbt_bridge.telegram.buttons import SearchAdd, SearchResultsPage, key
from qbt_bridge.telegram.format import esc, search_page
from qbt_bridge.telegram.settings import TelegramUser
from qbt_bridge.telegram.torrents import paging

SEARCH_WATCH = 60.0  # seconds a search's message is kept up to date


class SearchCommands(Access):
    """Searches and their result pages."""

    async def cmd_search(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/search <words>: start a search and keep its message up to date."""
        bridge, args = self._pick(update, context.args or [], user)
        pattern = " ".join(args).strip()
        if not pattern:
            raise InvalidRequestError("search for what? /search <words>")
        job = await bridge.search.start(pattern)
        message = await self._send(chat_of(update), f"Searching <b>{esc(pattern)}</b>…")
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
                page = await bridge.search.results(job, page_size=self.settings.page_size)
                if page.total != shown or not page.running:
                    shown = page.total
                    text, keyboard = self._search_view(bridge, job, pattern, 0, user, page=page)
                    await self._edit(message, text, keyboard)
                if not page.running:
                    return
                if loop.time() >= deadline:
                    await bridge.search.stop(job)
                    continue
                await asyncio.sleep(1.0)
        except QbtBridgeError as err:
            await self._edit(message, f"⚠️ Search <b>{esc(pattern)}</b> failed: {esc(err)}")

    def _search_view(
        self, bridge: Bridge, job: int, pattern: str, number: int, user: TelegramUser, *, page: Any
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """One page of a search's results, with an add button each and paging."""
        size = self.settings.page_size
        first = number * size
        text = search_page(
            pattern, page.results, first=first + 1, total=page.total, running=page.running
        )
        i = bridge.instance_id
        buttons = [
            key(f"➕ {first + n + 1}", SearchAdd(i, job, first + n))
            for n in range(len(page.results))
        ]
        rows = [buttons[k : k + 5] for k in range(0, len(buttons), 5)]
        rows += paging(number, page.pages, lambda n: SearchResultsPage(i, job, pattern, n))
        return text, self._keyboard(rows, user)

    async def on_results_page(
        self, message: Message, bridge: Bridge, button: SearchResultsPage, user: TelegramUser
    ) -> str | None:
        """Another page of a search's results."""
        size = self.settings.page_size
        page = await bridge.search.results(button.job, page=button.page, page_size=size)
        view = self._search_view(bridge, button.job, button.pattern, button.page, user, page=page)
        await self._edit(message, *view)
        return None

    async def on_search_add(
        self, message: Message, bridge: Bridge, button: SearchAdd, _user: TelegramUser
    ) -> str | None:
        """Add one result; the answer comes as a new message."""
        args = {"job_id": button.job, "index": button.index}
        outcome = await execute(bridge, request(Name.SEARCH_ADD, args))
        await self._send(message.chat.id, added_line(outcome))
        return "Added"
