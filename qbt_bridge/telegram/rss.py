"""/rss: RSS rules and feeds from the chat, and the buttons of the rules' message."""

from __future__ import annotations

import shlex
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from qbt_bridge.api.commands import Name
from qbt_bridge.api.parse import execute, request
from qbt_bridge.core.errors import InvalidRequestError
from qbt_bridge.engine.bridge import Bridge
from qbt_bridge.telegram.access import Access, chat_of, one
from qbt_bridge.telegram.buttons import AskRssDelete, RssDelete, RssOverview, RssToggle, key
from qbt_bridge.telegram.format import cut, esc, rule_line
from qbt_bridge.telegram.settings import TelegramUser

RSS_HELP = """<b>RSS</b>
/rss — rules (with buttons) and feeds
/rss add NAME must=TEXT [not=TEXT] [regex=yes] [episode=1x01-] [feeds=PATH,PATH] \
[category=X] [save=PATH] — quote values with spaces: must="the show"
/rss enable NAME · /rss disable NAME · /rss delete NAME
/rss match NAME — articles the rule matches
/rss feeds · /rss addfeed URL [PATH] · /rss delfeed PATH
"""


class RssCommands(Access):
    """RSS rules (with buttons) and feeds."""

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
        chat = chat_of(update)
        if sub in {"", "list", "rules"}:
            await self._send(chat, *await self._rss_view(bridge, user))
        elif sub == "help":
            await self._send(chat, RSS_HELP)
        elif sub == "feeds":
            feeds = await bridge.rss.feeds()
            rows = [f"• <code>{esc(f.path)}</code> ({len(f.articles)} articles)" for f in feeds]
            await self._send(chat, "<b>Feeds</b>\n" + ("\n".join(rows) or "none"))
        elif sub == "match":
            await self._rss_match(chat, bridge, one(rest, "rule name"))
        else:
            self._writable(user)
            await self._rss_change(chat, bridge, sub, rest)

    async def _rss_view(
        self, bridge: Bridge, user: TelegramUser
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """The rules with their buttons and the feeds line: for /rss and after each button."""
        rules = await bridge.rss.rules()
        feeds = await bridge.rss.feeds()
        i = bridge.instance_id
        lines = ["<b>RSS rules</b>"] + [rule_line(r) for r in rules.values()]
        if not rules:
            lines.append("none yet — /rss help says how to add one")
        lines.append(f"<b>Feeds</b>: {len(feeds)} (/rss feeds)")
        rows = []
        for name, rule in list(rules.items())[:20]:
            toggle = f"{'⏸' if rule.enabled else '▶'} {cut(name, 20)}"
            rows.append(
                [
                    key(toggle, RssToggle(i, name, enabled=not rule.enabled)),
                    key(f"🗑 {cut(name, 20)}", AskRssDelete(i, name)),
                ]
            )
        return "\n".join(lines), self._keyboard(rows, user)

    async def _rss_match(self, chat: int, bridge: Bridge, name: str) -> None:
        """The article titles a rule matches, by feed."""
        matching = await bridge.rss.matching(name)
        lines = [f"Rule <b>{esc(name)}</b> matches:"]
        for feed, titles in matching.items():
            lines.append(f"<code>{esc(feed)}</code>")
            lines += [f"• {esc(cut(t))}" for t in titles[:30]]
        if len(lines) == 1:
            lines.append("nothing in the feeds right now")
        await self._send(chat, "\n".join(lines))

    async def _rss_change(self, chat: int, bridge: Bridge, sub: str, rest: list[str]) -> None:
        """The /rss subcommands that change something."""
        if sub == "add":
            name, options = rule_from_words(rest)
            await execute(bridge, request(Name.RSS_SET_RULE, {"name": name, **options}))
            rule = (await bridge.rss.rules())[name]
            await self._send(chat, "Saved: " + rule_line(rule))
        elif sub in {"enable", "disable"}:
            name = one(rest, "rule name")
            await execute(
                bridge, request(Name.RSS_ENABLE_RULE, {"name": name, "enabled": sub == "enable"})
            )
            await self._send(chat, f"Rule <b>{esc(name)}</b> {sub}d.")
        elif sub in {"delete", "remove"}:
            name = one(rest, "rule name")
            await execute(bridge, request(Name.RSS_REMOVE_RULE, {"name": name}))
            await self._send(chat, f"Rule <b>{esc(name)}</b> deleted.")
        elif sub == "addfeed":
            if not rest:
                raise InvalidRequestError("/rss addfeed URL [PATH]")
            feed = {"url": rest[0], "path": rest[1] if len(rest) > 1 else ""}
            await execute(bridge, request(Name.RSS_ADD_FEED, feed))
            await self._send(chat, "Feed added.")
        elif sub == "delfeed":
            path = one(rest, "feed path")
            await execute(bridge, request(Name.RSS_REMOVE_FEED, {"path": path}))
            await self._send(chat, f"Feed <code>{esc(path)}</code> removed.")
        else:
            raise InvalidRequestError(f"no /rss {sub}; /rss help lists what there is")

    async def on_rss_overview(
        self, message: Message, bridge: Bridge, _button: RssOverview, user: TelegramUser
    ) -> str | None:
        """The rules again (Cancel of a delete)."""
        await self._edit(message, *await self._rss_view(bridge, user))
        return None

    async def on_rss_toggle(
        self, message: Message, bridge: Bridge, button: RssToggle, user: TelegramUser
    ) -> str | None:
        """Enable or disable a rule; the message keeps its buttons and feeds line."""
        await execute(
            bridge, request(Name.RSS_ENABLE_RULE, {"name": button.name, "enabled": button.enabled})
        )
        await self._edit(message, *await self._rss_view(bridge, user))
        return f"{button.name}: {'enabled' if button.enabled else 'disabled'}"

    async def on_ask_rss_delete(
        self, message: Message, bridge: Bridge, button: AskRssDelete, user: TelegramUser
    ) -> str | None:
        """Ask before a rule is deleted."""
        i = bridge.instance_id
        keyboard = self._keyboard(
            [[key("🗑 Delete the rule", RssDelete(i, button.name)), key("Cancel", RssOverview(i))]],
            user,
        )
        await self._edit(message, f"Delete the RSS rule <b>{esc(button.name)}</b>?", keyboard)
        return None

    async def on_rss_delete(
        self, message: Message, bridge: Bridge, button: RssDelete, user: TelegramUser
    ) -> str | None:
        """Delete the rule, then show the rules again."""
        await execute(bridge, request(Name.RSS_REMOVE_RULE, {"name": button.name}))
        await self._edit(message, *await self._rss_view(bridge, user))
        return f"{button.name}: deleted"


# /rss add's words for the engine's rule options.
_RULE_KEYS = {
    "must": "must_contain",
    "not": "must_not_contain",
    "regex": "use_regex",
    "episode": "episode_filter",
    "feeds": "feeds",
    "category": "category",
    "save": "save_path",
}


def rule_from_words(words: list[str]) -> tuple[str, dict[str, Any]]:
    """``NAME key=value …`` of /rss add: the rule's name and its options (the engine's names)."""
    if not words or "=" in words[0]:
        raise InvalidRequestError("/rss add NAME must=TEXT … (/rss help)")
    options: dict[str, Any] = {}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        option = _RULE_KEYS.get(key.lower())
        if not sep or option is None:
            raise InvalidRequestError(
                f"unknown rule option {cut(word, 30)!r}; known: {', '.join(_RULE_KEYS)}"
            )
        if option == "use_regex":
            options[option] = value.lower() in {"yes", "true", "1", "on"}
        elif option == "feeds":
            options[option] = [name for name in value.split(",") if name]
        else:
            options[option] = value
    return words[0], options
