"""/list, /info, /pause and /resume, and the buttons of their messages."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.core.errors import InvalidRequestError, NotFoundError, QbtBridgeError
from qbt_bridge.core.models import StateGroup
from qbt_bridge.engine import Capability
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.telegram.access import Access, chat_of, fresh
from qbt_bridge.telegram.buttons import (
    FOR_A_WHILE,
    AskDelete,
    Back,
    Button,
    CategoryMenu,
    Delete,
    FilesPage,
    Info,
    ListPage,
    PauseAllFor,
    TagsMenu,
    TorrentVerb,
    key,
)
from qbt_bridge.telegram.format import cut, esc, torrent_details, torrent_list, until_text
from qbt_bridge.telegram.settings import TelegramUser

View = tuple[str, InlineKeyboardMarkup | None]


class TorrentCommands(Access):
    """Listing torrents, one torrent's details, pausing and resuming, deleting."""

    async def cmd_list(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/list [filter]."""
        bridge, args = self._pick(update, context.args or [], user)
        await bridge.refresh(full=True)  # asked for by a person: the whole, current list
        text, keyboard = self._list_view(bridge, " ".join(args).strip(), 0, user)
        await self._send(chat_of(update), text, keyboard)

    def _list_view(
        self, bridge: Bridge, query: str, page: int, user: TelegramUser, pick: str | None = None
    ) -> View:
        """A page of torrents with a button each (info, or ``pick``'s action) and paging."""
        size = self.settings.page_size
        stopped = {"pause": False, "resume": True}.get(pick or "")
        hashes = _filtered(bridge, query, stopped)
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
        i = bridge.instance_id
        back = (query, page)
        buttons = [
            key(str(number), TorrentVerb(i, pick, t.hash, back) if pick else Info(i, t.hash, back))
            for number, t in enumerate(chunk, start=page * size + 1)
        ]
        rows = [buttons[k : k + 5] for k in range(0, len(buttons), 5)]
        rows += paging(page, pages, lambda n: ListPage(i, query, n, pick))
        return text, self._keyboard(rows, user)

    async def cmd_info(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/info <torrent>."""
        bridge, args = self._pick(update, context.args or [], user)
        if not args:
            raise InvalidRequestError("which torrent? /info <name, hash or hash prefix>")
        await fresh(bridge)
        torrent_hash = await bridge.targets.resolve_single(
            " ".join(args)
        )  # "all" or a label: refused
        text, keyboard = self._info_view(bridge, torrent_hash, user)
        await self._send(chat_of(update), text, keyboard)

    def _info_view(
        self, bridge: Bridge, torrent_hash: str, user: TelegramUser, back: Back = None
    ) -> View:
        """One torrent with its buttons; ``back``: the list page (query, page) it came from."""
        torrent = bridge.store.torrent(torrent_hash)
        if torrent is None:
            raise NotFoundError("that torrent is gone")
        i, h = bridge.instance_id, torrent.hash
        verb = "resume" if torrent.state.is_stopped else "pause"
        label = "▶ Resume" if torrent.state.is_stopped else "⏸ Pause"
        rows = [
            [key(label, TorrentVerb(i, verb, h, back)),
             key("🔁 Recheck", TorrentVerb(i, "recheck", h, back))],
            [key("🗑 Delete", AskDelete(i, h, back)), key("🔄 Refresh", Info(i, h, back))],
        ]  # fmt: skip
        extra = [key("📄 Files", FilesPage(i, h, 0))] if bridge.supports(Capability.FILES) else []
        if bridge.supports(Capability.CATEGORIES):
            extra.append(key("📁 Category", CategoryMenu(i, h, back)))
        if bridge.supports(Capability.TAGS):
            extra.append(key("🔖 Tags", TagsMenu(i, h, back)))
        if extra:
            rows.append(extra)
        if back is not None:
            rows.append([key("◀ Back", ListPage(i, *back))])
        return torrent_details(torrent), self._keyboard(rows, user)

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
        await fresh(bridge)
        duration = None
        if len(args) > 2 and args[-2].lower() == "for":
            if verb != "pause":
                raise InvalidRequestError("only /pause takes a duration: /pause all for 2h")
            args, duration = args[:-2], args[-1]
        target = " ".join(args).strip()
        if not target:
            await bridge.refresh(full=True)
            text, keyboard = self._list_view(bridge, "", 0, user, pick=verb)
            await self._send(chat_of(update), text, keyboard)
            return
        result = await run_verb(bridge, verb, target, duration)
        keyboard = None
        if verb == "pause" and target.lower() == "all" and duration is None:
            i = bridge.instance_id
            rows = [[key(f"Resume in {label}", PauseAllFor(i, seconds))
                     for seconds, label in FOR_A_WHILE]]  # fmt: skip
            keyboard = self._keyboard(rows, user)
        await self._send(chat_of(update), result_text(verb, result), keyboard)

    async def on_pause_all_for(
        self, message: Message, bridge: Bridge, button: PauseAllFor, _user: TelegramUser
    ) -> str | None:
        """Pause all for a while: what pause all paused resumes at its end."""
        answer = await run_verb(bridge, "pause", "all", button.seconds)
        await self._edit(message, result_text("pause", answer))
        return "Paused for a while"

    # ------------------------------------------------------------------ buttons

    async def on_list_page(
        self, message: Message, bridge: Bridge, button: ListPage, user: TelegramUser
    ) -> str | None:
        """◀ Prev / Next ▶ and ◀ Back: another page of the list."""
        await fresh(bridge)
        view = self._list_view(bridge, button.query, button.page, user, button.pick)
        await self._edit(message, *view)
        return None

    async def on_info(
        self, message: Message, bridge: Bridge, button: Info, user: TelegramUser
    ) -> str | None:
        """A torrent's details, read fresh."""
        await bridge.refresh()
        await self._edit(message, *self._info_view(bridge, button.torrent, user, button.back))
        return None

    async def on_verb(
        self, message: Message, bridge: Bridge, button: TorrentVerb, user: TelegramUser
    ) -> str | None:
        """Pause, resume or recheck; the details are shown again after."""
        result = await run_verb(bridge, button.verb, button.torrent)
        with contextlib.suppress(QbtBridgeError):  # gone meanwhile: the note still says it
            await self._edit(message, *self._info_view(bridge, button.torrent, user, button.back))
        return result_text(button.verb, result)

    async def on_ask_delete(
        self, message: Message, bridge: Bridge, button: AskDelete, user: TelegramUser
    ) -> str | None:
        """Keep the files, delete them too, or cancel."""
        torrent = bridge.store.torrent(button.torrent)
        name = torrent.name if torrent else button.torrent
        i, h, back = bridge.instance_id, button.torrent, button.back
        rows = [
            [key("Remove, keep files", Delete(i, h, False, back))],  # noqa: FBT003
            [key("Remove with files", Delete(i, h, True, back))],  # noqa: FBT003
            [key("Cancel", Info(i, h, back))],
        ]
        await self._edit(message, f"Delete <b>{esc(cut(name))}</b>?", self._keyboard(rows, user))
        return None

    async def on_delete(
        self, message: Message, bridge: Bridge, button: Delete, user: TelegramUser
    ) -> str | None:
        """Delete, then offer the way back to the list."""
        args = {"torrents": button.torrent, "delete_files": button.with_files}
        answer = await execute(bridge, request(Name.DELETE, args))
        names = ", ".join(t.get("name") or t["hash"] for t in answer["torrents"]) or button.torrent
        files = " and its files" if button.with_files else ""
        rows = []
        if button.back is not None:
            rows.append([key("◀ Back", ListPage(bridge.instance_id, *button.back))])
        await self._edit(
            message, f"🗑 Removed <b>{esc(cut(names))}</b>{files}.", self._keyboard(rows, user)
        )
        return "Removed"


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


def paging(
    page: int, pages: int, button: Callable[[int], Button]
) -> list[list[InlineKeyboardButton]]:
    """A row of ◀ Prev / Next ▶ buttons, when there is more than one page."""
    row = []
    if page > 0:
        row.append(key("◀ Prev", button(page - 1)))
    if page < pages - 1:
        row.append(key("Next ▶", button(page + 1)))
    return [row] if row else []


async def run_verb(
    bridge: Bridge, verb: str, target: str, duration: str | int | None = None
) -> dict[str, Any]:
    """Pause, resume or recheck a target, through the command table.

    "all" pauses or resumes everything; "/resume paused" resumes what "/pause all" paused. A
    pause may be for a while (``duration``).
    """
    word = target.lower()
    args: dict[str, Any]
    if word == "paused" and verb == "resume":
        command, args = Name.RESUME_PAUSED, {}
    elif word == "all" and verb in {"pause", "resume"}:
        command, args = Name(f"{verb}_all"), {}
    else:
        command, args = Name(verb), {"torrents": target}
    if duration is not None:
        args["duration"] = duration
    answer: dict[str, Any] = await execute(bridge, request(command, args))
    return answer


def result_text(verb: str, answer: dict[str, Any]) -> str:
    """What a pause, resume or recheck did (the table's answer), in one line."""
    done = {"pause": "Paused", "resume": "Resumed", "recheck": "Rechecking"}[verb]
    touched = answer["torrents"]
    names = [cut(t.get("name") or t["hash"], 60) for t in touched[:10]]
    count = len(touched)
    what = ", ".join(names) if names and count <= 10 else f"{count} torrents"
    if not count:
        what = "nothing"
    suffix = "" if answer["confirmed"] else " (qBittorrent has not shown it yet)"
    note = f" ({esc(answer['message'])})" if answer.get("message") else ""
    until = answer.get("until")
    back = "" if until is None else f"; they resume at {until_text(until)}"
    return f"{done}: {esc(what)}{note}{suffix}{back}"
