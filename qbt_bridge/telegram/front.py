"""The Telegram front: one python-telegram-bot Application that serves every instance.

The bot is put together from one module per part: ``transport`` (sending with retries, outages,
the notifications' outbox), ``access`` (the allow-list, instance choice, refusals), ``buttons``
(what each button does, as typed callback data) and one module of handlers per area:
``instances`` (/help, /use, /status, /alt), ``torrents`` (/list, /info, /pause, /resume),
``adding`` (/add, files, magnets), ``search``, ``rss`` and ``manage``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from telegram import BotCommand
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    InvalidCallbackData,
    MessageHandler,
    filters,
)

from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.telegram import buttons
from qbt_bridge.telegram.adding import AddCommands
from qbt_bridge.telegram.files import FilesCommands
from qbt_bridge.telegram.instances import InstanceCommands
from qbt_bridge.telegram.labels import LabelCommands
from qbt_bridge.telegram.manage import ManageCommands
from qbt_bridge.telegram.rss import RssCommands
from qbt_bridge.telegram.search import SearchCommands
from qbt_bridge.telegram.settings import TelegramConfig
from qbt_bridge.telegram.torrents import TorrentCommands
from qbt_bridge.telegram.transport import MAX_BACKOFF
from qbt_bridge.telegram.watch import WatchCommands

_LOGGER = logging.getLogger(__name__)

COMMANDS = (
    ("status", "speeds, limits, free space, counts"),
    ("list", "torrents [state|category:x|tag:x|name]"),
    ("info", "one torrent's details and buttons"),
    ("files", "a torrent's files and their priorities"),
    ("categories", "categories [add NAME | remove NAME]"),
    ("add", "[@all] magnet/links [category=x] [tags=a,b] [paused]"),
    ("pause", "pause a torrent, 'all', or pick one"),
    ("resume", "resume a torrent, 'all', or pick one"),
    ("search", "search with qBittorrent's plugins"),
    ("rss", "RSS rules and feeds (/rss help)"),
    ("alt", "alternative speed limits [on|off] [30m]"),
    ("limits", "speed limits [alt] [dl|ul speed]"),
    ("session", "pause or resume the whole session"),
    ("port", "the listening port [N]"),
    ("watch", "a live message of the active torrents"),
    ("notify", "which events this chat is told of"),
    ("use", "choose the qBittorrent for this chat"),
    ("help", "what this bot can do"),
)

# Where each command of the one command table is in the chat, and why the others are not
# (checked by tests/api/test_command_table.py).
OFFERED: dict[str, str] = {
    "add": "/add, a .torrent file, a pasted magnet",
    "pause": "/pause",
    "resume": "/resume",
    "pause_all": "/pause all",
    "resume_all": "/resume all",
    "resume_paused": "/resume paused",
    "recheck": "/info's Recheck button",
    "delete": "/info's Delete button",
    "set_category": "the category buttons after /add and in /info",
    "add_tags": "/info's Tags buttons (a server tag, or typed)",
    "remove_tags": "/info's Tags buttons",
    "categories": "/categories",
    "create_category": "/categories add, or typed in /info's Category",
    "remove_category": "/categories remove, or its 🗑 button",
    "tags": "/info's Tags buttons",
    "list": "/list",
    "files": "/files, /info's Files button",
    "set_file_priority": "/files' buttons (one file, or all)",
    "refresh": "/status, /list and /info read fresh",
    "alt_speed": "/alt",
    "pause_session": "/session pause",
    "resume_session": "/session resume",
    "set_global_limits": "/limits",
    "set_listen_port": "/port N",
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
    "reannounce": "not yet a chat command",
    "force_start": "not yet a chat command",
    "set_torrent_limits": "not yet a chat command",
    "rss_refresh": "not yet a chat command",
    "rss_rename_rule": "not yet a chat command",
    "rss_export_rules": "a rules file in the chat: not yet",
    "rss_import_rules": "a rules file in the chat: not yet",
    "search_plugins": "plugins are managed in qBittorrent's own UI",
    "search": "the chat pages a running search (/search) instead of waiting for it",
    "search_delete": "a finished search is forgotten by qBittorrent's own limits",
}  # fmt: skip


class TelegramFront(
    InstanceCommands,
    LabelCommands,
    TorrentCommands,
    FilesCommands,
    AddCommands,
    SearchCommands,
    RssCommands,
    ManageCommands,
    WatchCommands,
):
    """Runs the bot until the daemon stops; announces events to the configured chats."""

    def __init__(
        self,
        settings: TelegramConfig,
        bridges: Sequence[Bridge],
        names: dict[str, str],
        state_dir: Path | None = None,
    ) -> None:
        super().__init__(settings, bridges, names, state_dir)
        self.ready = asyncio.Event()
        self._register()

    def _register(self) -> None:
        commands: dict[str, Any] = {
            "start": self.cmd_help,
            "help": self.cmd_help,
            "status": self.cmd_status,
            "list": self.cmd_list,
            "info": self.cmd_info,
            "files": self.cmd_files,
            "categories": self.cmd_categories,
            "cancel": self.cmd_cancel,
            "add": self.cmd_add,
            "pause": self.cmd_pause,
            "resume": self.cmd_resume,
            "search": self.cmd_search,
            "rss": self.cmd_rss,
            "alt": self.cmd_alt,
            "limits": self.cmd_limits,
            "session": self.cmd_session,
            "port": self.cmd_port,
            "watch": self.cmd_watch,
            "notify": self.cmd_notify,
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
        # Each kind of button to its handler, by the type of its callback data.
        pressed: dict[type[buttons.Button], Any] = {
            buttons.ListPage: self.on_list_page,
            buttons.Info: self.on_info,
            buttons.TorrentVerb: self.on_verb,
            buttons.AskDelete: self.on_ask_delete,
            buttons.Delete: self.on_delete,
            buttons.SetCategory: self.on_category,
            buttons.CategoryMenu: self.on_category_menu,
            buttons.PickCategory: self.on_pick_category,
            buttons.TagsMenu: self.on_tags_menu,
            buttons.ToggleTag: self.on_toggle_tag,
            buttons.NewLabel: self.on_new_label,
            buttons.CategoriesView: self.on_categories,
            buttons.AskRemoveCategory: self.on_ask_remove_category,
            buttons.RemoveCategory: self.on_remove_category,
            buttons.FilesPage: self.on_files_page,
            buttons.FilePriorityButton: self.on_file_priority,
            buttons.SearchResultsPage: self.on_results_page,
            buttons.SearchAdd: self.on_search_add,
            buttons.RssOverview: self.on_rss_overview,
            buttons.RssToggle: self.on_rss_toggle,
            buttons.AskRssDelete: self.on_ask_rss_delete,
            buttons.RssDelete: self.on_rss_delete,
            buttons.UseInstance: self.on_use,
            buttons.AltFor: self.on_alt,
            buttons.NotifyToggle: self.on_notify,
            buttons.WatchPage: self.on_watch_page,
            buttons.WatchStop: self.on_watch_stop,
            buttons.PauseAllFor: self.on_pause_all_for,
        }
        for kind, handler in pressed.items():
            self.app.add_handler(CallbackQueryHandler(self._pressed(handler), pattern=kind))
        self.app.add_handler(CallbackQueryHandler(self._expired, pattern=InvalidCallbackData))
        self.app.add_error_handler(self._on_error)

    async def run(self, stop: asyncio.Event) -> None:
        """Connect (retrying while Telegram is unreachable), poll, and stop cleanly."""
        self._stopping = stop  # live messages (/watch) end with the bot
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
        if any(b.manage.client is not None for b in self.bridges.values()):
            menu.insert(-2, ("manage", "run qbit_manage commands [torrent]"))
        try:
            await self.app.bot.set_my_commands([BotCommand(n, d) for n, d in menu])
        except TelegramError as err:
            _LOGGER.warning("could not register the bot's command menu: %s", err)
