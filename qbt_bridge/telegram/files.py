"""/files: one torrent's files, a page at a time, with a button per file for its priority."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.core.content import FilePriority, TorrentFile
from qbt_bridge.core.errors import InvalidRequestError
from qbt_bridge.core.units import format_bytes
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.telegram.access import Access, chat_of, fresh
from qbt_bridge.telegram.buttons import FilePriorityButton, FilesPage, Info, key
from qbt_bridge.telegram.format import cut, esc
from qbt_bridge.telegram.settings import TelegramUser

View = tuple[str, InlineKeyboardMarkup | None]
MARK = {FilePriority.SKIP: "⏭", FilePriority.NORMAL: "▫️", FilePriority.HIGH: "🔼",
        FilePriority.MAX: "⏫"}  # fmt: skip
_CYCLE = list(FilePriority)  # a file's button moves it to the next priority
JUMP = 10  # pages a ⏪ / ⏩ button skips, for torrents with thousands of files


class FilesCommands(Access):
    """A torrent's files and their priorities."""

    async def cmd_files(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/files <torrent> [page]."""
        bridge, args = self._pick(update, context.args or [], user)
        page = 0
        if len(args) > 1 and args[-1].isdigit():
            page, args = int(args[-1]) - 1, args[:-1]
        if not args:
            raise InvalidRequestError("which torrent? /files <name, hash or hash prefix> [page]")
        await fresh(bridge)
        torrent_hash = await bridge.targets.resolve_single(" ".join(args))
        await self._send(chat_of(update), *await self._files_view(bridge, torrent_hash, page, user))

    async def _files_view(
        self, bridge: Bridge, torrent_hash: str, page: int, user: TelegramUser
    ) -> View:
        """A page of the files: name, size, progress, priority; a button each, and paging."""
        _hash, files = await bridge.content.files(torrent_hash)
        torrent = bridge.store.torrent(torrent_hash)
        name = torrent.name if torrent else torrent_hash
        size = self.settings.page_size
        pages = max(1, -(-len(files) // size))
        page = max(0, min(page, pages - 1))
        shown = files[page * size : (page + 1) * size]
        i, h = bridge.instance_id, torrent_hash
        title = f"<b>{esc(cut(name, 200))}</b> — {len(files)} files"
        if pages > 1:
            title += f", page {page + 1} of {pages}"
        if not files:
            return title + "\nNo files yet: qBittorrent is still fetching the metadata.", None
        lines = [title, *(_line(f) for f in shown)]
        rows = [
            [key(f"{f.index} {MARK[f.priority]} → {_next(f.priority).word}",
                 FilePriorityButton(i, h, f.index, _next(f.priority).word, page))]
            for f in shown
        ]  # fmt: skip
        rows.append([key(f"All: {p.word}", FilePriorityButton(i, h, None, p.word, page))
                     for p in (FilePriority.SKIP, FilePriority.NORMAL)])  # fmt: skip
        moves = [(-JUMP, "⏪"), (-1, "◀"), (1, "▶"), (JUMP, "⏩")]
        paging = [key(label, FilesPage(i, h, page + step)) for step, label in moves
                  if 0 <= page + step < pages and (abs(step) == 1 or pages > JUMP)]  # fmt: skip
        rows += [paging] if paging else []
        rows.append([key("ℹ️ Torrent", Info(i, h))])
        return "\n".join(lines), self._keyboard(rows, user)

    async def on_files_page(
        self, message: Message, bridge: Bridge, button: FilesPage, user: TelegramUser
    ) -> str | None:
        """Another page of the files."""
        await self._edit(
            message, *await self._files_view(bridge, button.torrent, button.page, user)
        )
        return None

    async def on_file_priority(
        self, message: Message, bridge: Bridge, button: FilePriorityButton, user: TelegramUser
    ) -> str | None:
        """Set the priority through the command table, then show the page again."""
        files = "all" if button.index is None else [button.index]
        args = {"torrent": button.torrent, "files": files, "priority": button.priority}
        await execute(bridge, request(Name.SET_FILE_PRIORITY, args))
        await self._edit(
            message, *await self._files_view(bridge, button.torrent, button.page, user)
        )
        what = "every file" if button.index is None else f"file {button.index}"
        return f"{what}: {button.priority}"


def _next(priority: FilePriority) -> FilePriority:
    return _CYCLE[(_CYCLE.index(priority) + 1) % len(_CYCLE)]


def _line(file: TorrentFile) -> str:
    return (
        f"{file.index}. {MARK[file.priority]} {esc(cut(file.name, 80))} "
        f"({format_bytes(file.size)}, {file.progress:.0%}) · {file.priority.word}"
    )
