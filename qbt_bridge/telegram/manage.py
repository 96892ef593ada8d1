"""/manage: qbit_manage runs from the chat."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.core.errors import InvalidRequestError
from qbt_bridge.engine import MANAGE_COMMANDS
from qbt_bridge.telegram.access import Access, chat_of
from qbt_bridge.telegram.format import esc
from qbt_bridge.telegram.settings import TelegramUser


class ManageCommands(Access):
    """qbit_manage, where an instance has one."""

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
        run: dict[str, Any] = {"commands": commands, "dry_run": dry_run}
        if target is not None:
            run["torrents"] = target
        answer = await execute(bridge, request(Name.MANAGE, run))
        await self._send(chat_of(update), manage_text(commands, answer, dry_run=dry_run))


def manage_text(commands: list[str], answer: dict[str, Any], *, dry_run: bool) -> str:
    """What a qbit_manage run did (the table's answer), in one line."""
    what = ", ".join(commands) + (" (dry run)" if dry_run else "")
    if answer["status"] == "queued":
        return f"⏳ qbit_manage is busy with a scheduled run; {esc(what)} will run after it."
    stats = []
    for entry in answer["results"]:
        for key, value in (entry.get("stats") or {}).items():
            if key != "executed_commands" and value:
                stats.append(f"{esc(key)}: {esc(value)}")
    return f"🛠 qbit_manage ran {esc(what)}" + (": " + ", ".join(stats) if stats else ".")
