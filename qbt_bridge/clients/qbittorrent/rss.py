"""``rss/*``: feeds, folders and auto-downloading rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import aiohttp

from qbt_bridge.clients.qbittorrent.request import (
    RequestCore,
    flag,
    route,
)
from qbt_bridge.core.rss import RssFeed, RssRule, parse_rss_items
from qbt_bridge.core.versions import WEBAPI_SESSION_PAUSE

_RULES_FILE = str(WEBAPI_SESSION_PAUSE)  # the release that brought rules export and import


class RssAPI(RequestCore):
    """``rss/*``: feeds, folders and auto-downloading rules."""

    async def rss_add_folder(self, path: str) -> None:
        """``rss/addFolder``: make an RSS folder (``A\\B`` paths)."""
        await self._call(route("rss/addFolder"), {"path": path})

    async def rss_add_feed(self, url: str, path: str = "") -> None:
        """``rss/addFeed``: subscribe to a feed, optionally at a folder path."""
        await self._call(route("rss/addFeed"), {"url": url, "path": path})

    async def rss_remove_item(self, path: str) -> None:
        """``rss/removeItem``: remove a feed or folder."""
        await self._call(route("rss/removeItem"), {"path": path})

    async def rss_move_item(self, item_path: str, dest_path: str) -> None:
        """``rss/moveItem``: move or rename a feed or folder."""
        await self._call(route("rss/moveItem"), {"itemPath": item_path, "destPath": dest_path})

    async def rss_items(self, with_data: bool = False) -> list[RssFeed]:
        """``rss/items``: all feeds (with their articles when ``with_data``)."""
        data = await self._json(route("rss/items"), {"withData": flag(with_data)})
        return parse_rss_items(data or {})

    async def rss_mark_as_read(self, item_path: str, article_id: str | None = None) -> bool | None:
        """``rss/markAsRead``: mark one article, or a whole feed, as read."""
        form = {"itemPath": item_path}
        if article_id is not None:
            form["articleId"] = article_id
        return await self._action(route("rss/markAsRead", "2.5.1"), form)

    async def rss_refresh_item(self, item_path: str) -> bool | None:
        """``rss/refreshItem``: fetch a feed or folder now."""
        return await self._action(route("rss/refreshItem", "2.2.1"), {"itemPath": item_path})

    async def rss_set_rule(self, rule: RssRule) -> None:
        """``rss/setRule``: add or replace an auto-downloading rule."""
        form = {"ruleName": rule.name, "ruleDef": json.dumps(rule.to_api())}
        await self._call(route("rss/setRule"), form)

    async def rss_rename_rule(self, name: str, new_name: str) -> None:
        """``rss/renameRule``: rename an auto-downloading rule."""
        await self._call(route("rss/renameRule"), {"ruleName": name, "newRuleName": new_name})

    async def rss_remove_rule(self, name: str) -> None:
        """``rss/removeRule``: delete an auto-downloading rule."""
        await self._call(route("rss/removeRule"), {"ruleName": name})

    async def rss_rules(self) -> dict[str, RssRule]:
        """``rss/rules``: all auto-downloading rules by name."""
        data = await self._json(route("rss/rules")) or {}
        return {name: RssRule.from_rule(name, value) for name, value in data.items()}

    async def rss_matching_articles(self, name: str) -> dict[str, list[str]] | None:
        """``rss/matchingArticles``: article titles a rule matches, by feed."""
        data = await self._json(route("rss/matchingArticles", "2.5.1"), {"ruleName": name})
        return None if data is None else cast("dict[str, list[str]]", data)

    async def rss_set_feed_url(self, path: str, url: str) -> bool | None:
        """``rss/setFeedURL`` (WebAPI 2.9.1): change the URL of the feed at ``path``."""
        return await self._action(route("rss/setFeedURL", "2.9.1"), {"path": path, "url": url})

    async def rss_set_feed_refresh_interval(self, path: str, seconds: int) -> bool | None:
        """``rss/setFeedRefreshInterval`` (WebAPI 2.11.5): a feed's own refresh interval.

        0 goes back to the global interval.
        """
        form = {"path": path, "refreshInterval": seconds}
        return await self._action(route("rss/setFeedRefreshInterval", "2.11.5"), form)

    async def rss_clone_rule(self, source_name: str, clone_name: str) -> bool | None:
        """``rss/cloneRule`` (WebAPI 2.15.4): copy an auto-download rule under a new name."""
        form = {"sourceName": source_name, "cloneName": clone_name}
        return await self._action(route("rss/cloneRule", "2.15.4"), form)

    async def rss_export_rules(self) -> dict[str, Any] | None:
        """``rss/exportRules`` (WebAPI 2.16.2): every rule as qBittorrent's rules file (JSON).

        The mapping is what ``rss/rules`` shows and what ``rss_import_rules`` takes back.
        """
        data = await self._json(route("rss/exportRules", _RULES_FILE))
        return None if data is None else cast("dict[str, Any]", data)

    async def rss_import_rules(self, rules: Mapping[str, Any] | bytes) -> bool | None:
        """``rss/importRules`` (WebAPI 2.16.2): add or replace rules from a rules file.

        ``rules`` is the file's bytes or its mapping (rule name to definition); the server
        takes exactly one file as a multipart upload and refuses one that is not its JSON (400).
        """
        content = rules if isinstance(rules, bytes) else json.dumps(rules).encode()
        form = aiohttp.FormData()
        form.add_field("rules", content, filename="rules.json", content_type="application/json")
        return (
            None if await self._call(route("rss/importRules", _RULES_FILE), form) is None else True
        )
