"""/categories, and /info's Category and Tags buttons: picked from the server's lists or typed."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.core.errors import InvalidRequestError, NotFoundError
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.telegram.access import chat_of
from qbt_bridge.telegram.buttons import (
    AskRemoveCategory,
    CategoriesView,
    CategoryMenu,
    Info,
    NewLabel,
    PickCategory,
    RemoveCategory,
    TagsMenu,
    ToggleTag,
    key,
)
from qbt_bridge.telegram.format import cut, esc
from qbt_bridge.telegram.settings import TelegramUser
from qbt_bridge.telegram.torrents import TorrentCommands

View = tuple[str, InlineKeyboardMarkup | None]
MAX_LABEL_BUTTONS = 30  # categories or tags offered as buttons; more are typed
CATEGORIES_USAGE = "/categories, /categories add NAME [save path], /categories remove NAME"


class LabelCommands(TorrentCommands):
    """Categories and tags from the chat."""

    async def cmd_categories(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
    ) -> None:
        """/categories [add NAME [save path] | remove NAME]."""
        bridge, args = self._pick(update, context.args or [], user)
        verb = args[0].lower() if args else ""
        if verb in {"add", "remove"}:
            self._writable(user)
            if len(args) < 2:
                raise InvalidRequestError(f"say {CATEGORIES_USAGE}")
            if verb == "add":
                made = {"name": args[1], "save_path": " ".join(args[2:])}
                await execute(bridge, request(Name.CREATE_CATEGORY, made))
            else:
                await execute(bridge, request(Name.REMOVE_CATEGORY, {"name": " ".join(args[1:])}))
        elif args:
            raise InvalidRequestError(f"say {CATEGORIES_USAGE}")
        await self._send(chat_of(update), *await self._categories_view(bridge, user))

    async def _categories_view(self, bridge: Bridge, user: TelegramUser) -> View:
        answer = await execute(bridge, request(Name.CATEGORIES, {}))
        listed = answer["categories"]
        title = self.names.get(bridge.instance_id, bridge.instance_id)
        lines = [f"<b>Categories</b> · {esc(title)}"]
        lines += [
            f"• {esc(cut(c['name'], 60))} — {c['torrents']} torrents"
            + (f" · {esc(cut(c['save_path'], 80))}" if c["save_path"] else "")
            for c in listed
        ] or ["none yet"]
        lines.append(f"<i>{esc(CATEGORIES_USAGE)}</i>")
        i = bridge.instance_id
        buttons = [key(f"🗑 {cut(c['name'], 25)}", AskRemoveCategory(i, c["name"]))
                   for c in listed[:MAX_LABEL_BUTTONS]]  # fmt: skip
        rows = [buttons[k : k + 3] for k in range(0, len(buttons), 3)]
        return "\n".join(lines), self._keyboard(rows, user)

    async def on_categories(
        self, message: Message, bridge: Bridge, _button: CategoriesView, user: TelegramUser
    ) -> str | None:
        """The category list again."""
        await self._edit(message, *await self._categories_view(bridge, user))
        return None

    async def on_ask_remove_category(
        self, message: Message, bridge: Bridge, button: AskRemoveCategory, user: TelegramUser
    ) -> str | None:
        """Remove, or cancel."""
        i = bridge.instance_id
        rows = [
            [key("Remove it", RemoveCategory(i, button.name)), key("Cancel", CategoriesView(i))]
        ]
        text = (f"Remove the category <b>{esc(cut(button.name))}</b>? Its torrents stay, "
                "without a category.")  # fmt: skip
        await self._edit(message, text, self._keyboard(rows, user))
        return None

    async def on_remove_category(
        self, message: Message, bridge: Bridge, button: RemoveCategory, user: TelegramUser
    ) -> str | None:
        """Remove it through the command table, then the list again."""
        await execute(bridge, request(Name.REMOVE_CATEGORY, {"name": button.name}))
        await self._edit(message, *await self._categories_view(bridge, user))
        return f"Removed {button.name}"

    # ------------------------------------------------------------------ one torrent's labels

    async def on_category_menu(
        self, message: Message, bridge: Bridge, button: CategoryMenu, user: TelegramUser
    ) -> str | None:
        """The server's categories as buttons, plus none and a new one."""
        torrent = bridge.store.torrent(button.torrent)
        if torrent is None:
            raise NotFoundError("that torrent is gone")
        i, h, back = bridge.instance_id, button.torrent, button.back
        names = await bridge.labels.categories()
        picks = [key(("✓ " if n == torrent.category else "") + cut(n, 25),
                     PickCategory(i, h, n, back)) for n in names[:MAX_LABEL_BUTTONS]]  # fmt: skip
        rows = [picks[k : k + 3] for k in range(0, len(picks), 3)]
        rows.append([key("✖ None", PickCategory(i, h, "", back)),
                     key("✏️ New…", NewLabel(i, h, "category", back))])  # fmt: skip
        rows.append([key("◀ Back", Info(i, h, back))])
        now = esc(torrent.category) if torrent.category else "none"
        text = f"Category of <b>{esc(cut(torrent.name))}</b> (now: {now})"
        await self._edit(message, text, self._keyboard(rows, user))
        return None

    async def on_pick_category(
        self, message: Message, bridge: Bridge, button: PickCategory, user: TelegramUser
    ) -> str | None:
        """Set it through the command table, then the torrent again."""
        args = {"torrents": button.torrent, "category": button.name}
        await execute(bridge, request(Name.SET_CATEGORY, args))
        await self._edit(message, *self._info_view(bridge, button.torrent, user, button.back))
        return f"Category: {button.name or 'none'}"

    async def on_tags_menu(
        self, message: Message, bridge: Bridge, button: TagsMenu, user: TelegramUser
    ) -> str | None:
        """The server's tags, each a toggle (✓ where the torrent has it), plus a new one."""
        await self._edit(message, *await self._tags_view(bridge, button, user))
        return None

    async def _tags_view(self, bridge: Bridge, button: TagsMenu, user: TelegramUser) -> View:
        torrent = bridge.store.torrent(button.torrent)
        if torrent is None:
            raise NotFoundError("that torrent is gone")
        i, h, back = bridge.instance_id, button.torrent, button.back
        answer = await execute(bridge, request(Name.TAGS, {}))
        names = sorted(set(answer["tags"]) | set(torrent.tags), key=str.casefold)
        toggles = [key(("✓ " if t in torrent.tags else "") + cut(t, 25),
                       ToggleTag(i, h, t, t not in torrent.tags, back))
                   for t in names[:MAX_LABEL_BUTTONS]]  # fmt: skip
        rows = [toggles[k : k + 3] for k in range(0, len(toggles), 3)]
        rows.append([key("✏️ New…", NewLabel(i, h, "tag", back)), key("◀ Back", Info(i, h, back))])
        has = ", ".join(esc(t) for t in torrent.tags) or "none"
        return f"Tags of <b>{esc(cut(torrent.name))}</b> (now: {has})", self._keyboard(rows, user)

    async def on_toggle_tag(
        self, message: Message, bridge: Bridge, button: ToggleTag, user: TelegramUser
    ) -> str | None:
        """Tag or untag through the command table; the toggles again."""
        command = Name.ADD_TAGS if button.add else Name.REMOVE_TAGS
        await execute(bridge, request(command, {"torrents": button.torrent, "tags": [button.tag]}))
        view = TagsMenu(bridge.instance_id, button.torrent, button.back)
        await self._edit(message, *await self._tags_view(bridge, view, user))
        return f"{'Tagged' if button.add else 'Untagged'} {button.tag}"

    async def on_new_label(
        self, message: Message, _bridge: Bridge, button: NewLabel, _user: TelegramUser
    ) -> str | None:
        """The next message of this chat is the new name."""
        self._awaiting[message.chat.id] = button
        await self._edit(message, f"Send the new {button.kind}'s name (or /cancel).")
        return None

    async def _typed(self, update: Update, user: TelegramUser) -> bool:
        """A new category or tag's name, as a button asked for: set it on the torrent."""
        asked = self._awaiting.pop(chat_of(update), None)
        message = update.effective_message
        if not isinstance(asked, NewLabel) or message is None or not message.text:
            return False
        if message.text.lstrip().lower().startswith("magnet:"):
            return False  # a link pasted meanwhile is added, not taken as a name
        self._writable(user)
        bridge, _args = self._pick(update, [f"@{asked.instance}"], user)
        name = message.text.strip()
        if asked.kind == "category":
            if name not in await bridge.labels.categories():
                await execute(bridge, request(Name.CREATE_CATEGORY, {"name": name}))
            await execute(
                bridge, request(Name.SET_CATEGORY, {"torrents": asked.torrent, "category": name})
            )
        else:
            await execute(
                bridge, request(Name.ADD_TAGS, {"torrents": asked.torrent, "tags": [name]})
            )
        text, keyboard = self._info_view(bridge, asked.torrent, user, asked.back)
        done = f"{asked.kind.capitalize()} <b>{esc(name)}</b> set.\n\n"
        await self._send(chat_of(update), done + text, keyboard)
        return True

    async def cmd_cancel(
        self, update: Update, _context: ContextTypes.DEFAULT_TYPE, _user: TelegramUser
    ) -> None:
        """/cancel: forget a name a button asked for."""
        asked = self._awaiting.pop(chat_of(update), None)
        await self._send(chat_of(update), "Cancelled." if asked else "Nothing to cancel.")
