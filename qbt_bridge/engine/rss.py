"""RSS feeds and auto-downloading rules."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from qbt_bridge.clients import Capability
from qbt_bridge.core.errors import (
    InvalidRequestError,
    NotFoundError,
)
from qbt_bridge.core.redact import is_redacted, redact_text
from qbt_bridge.core.rss import RssFeed, RssRule
from qbt_bridge.engine.link import Link, requires

_LOGGER = logging.getLogger(__name__)


class Rss:
    """RSS feeds and auto-downloading rules (they touch no torrent of the store)."""

    def __init__(self, link: Link) -> None:
        self.link = link

    @requires(Capability.RSS)
    async def feeds(self) -> list[RssFeed]:
        """Every RSS feed with its articles."""
        return await self.link.client.rss_items(with_data=True)

    @requires(Capability.RSS)
    async def add_feed(self, url: str, path: str = "") -> None:
        """Subscribe to a feed (``path``: where in qBittorrent's RSS tree, default its title)."""
        if not re.match(r"^https?://\S+$", url.strip(), re.IGNORECASE):
            raise InvalidRequestError("a feed URL must start with http:// or https://")
        await self.link.client.rss_add_feed(url.strip(), path)

    @requires(Capability.RSS)
    async def remove_feed(self, path: str) -> None:
        """Unsubscribe from a feed (or remove a folder) by its path."""
        path = await self._feed_path(path)
        await self.link.client.rss_remove_item(path)

    @requires(Capability.RSS)
    async def refresh(self, path: str | None = None) -> None:
        """Fetch one feed, or every feed, now."""
        paths = (
            [await self._feed_path(path)]
            if path
            else [f.path for f in await self.link.client.rss_items()]
        )
        for item in paths:
            await self.link.client.rss_refresh_item(item)

    async def _feed_path(self, path: str) -> str:
        """The server's path of a feed or folder, also from the redacted form answers show.

        A feed named after its URL keeps its pass-key on the server, never in an answer.
        """
        paths = [f.path for f in await self.link.client.rss_items()]
        if path and any(p == path or p.startswith(path + "\\") for p in paths):
            return path
        if path and is_redacted(path):
            hits = [p for p in paths if redact_text(p) == path]
            if len(hits) == 1:
                return hits[0]
        raise NotFoundError(f"no RSS feed or folder {path!r}")

    @requires(Capability.RSS)
    async def rules(self) -> dict[str, RssRule]:
        """Every auto-downloading rule by name."""
        return await self.link.client.rss_rules()

    @requires(Capability.RSS)
    async def set_rule(self, rule: RssRule) -> None:
        """Add or replace a rule; keeps server-side keys of an existing rule of that name."""
        if not rule.name.strip():
            raise InvalidRequestError("a rule needs a name")
        if rule.use_regex:
            for what, pattern in (("must_contain", rule.must_contain),
                                  ("must_not_contain", rule.must_not_contain)):  # fmt: skip
                try:
                    re.compile(pattern)
                except re.error as err:
                    raise InvalidRequestError(
                        f"{what}: not a valid regular expression: {err}"
                    ) from err
        existing = (await self.link.client.rss_rules()).get(rule.name)
        if existing is not None:
            merged = {**existing.raw, **rule.to_api()}
            rule = RssRule.from_rule(rule.name, merged)
        await self.link.client.rss_set_rule(rule)

    @requires(Capability.RSS)
    async def rename_rule(self, name: str, new_name: str) -> None:
        """Rename a rule."""
        await self._rule(name)
        if not new_name.strip():
            raise InvalidRequestError("a rule needs a name")
        await self.link.client.rss_rename_rule(name, new_name)

    @requires(Capability.RSS)
    async def enable_rule(self, name: str, *, enabled: bool) -> None:
        """Enable or disable a rule."""
        rule = await self._rule(name)
        await self.link.client.rss_set_rule(
            RssRule.from_rule(name, {**rule.raw, "enabled": enabled})
        )

    @requires(Capability.RSS)
    async def remove_rule(self, name: str) -> None:
        """Delete a rule."""
        await self._rule(name)
        await self.link.client.rss_remove_rule(name)

    @requires(Capability.RSS)
    async def matching(self, name: str) -> dict[str, list[str]]:
        """Article titles the rule matches, by feed."""
        await self._rule(name)
        return await self.link.client.rss_matching_articles(name) or {}

    @requires(Capability.RSS)
    async def save_rule(
        self,
        name: str,
        *,
        feeds: Iterable[str] | None = None,
        enabled: bool = True,
        must_contain: str = "",
        must_not_contain: str = "",
        use_regex: bool = False,
        episode_filter: str = "",
        smart_filter: bool = False,
        category: str = "",
        save_path: str = "",
    ) -> RssRule:
        """Add or replace a rule, named the way people name things: every front calls this.

        ``feeds`` name feeds by URL, path or title (None: every feed); an unknown one is
        refused with the feeds there are. Returns the rule as the server keeps it.
        """
        known = await self.link.client.rss_items()
        if feeds is None:
            urls = [f.url for f in known]
        else:
            urls = []
            for wanted in feeds:
                feed = next((f for f in known if wanted in {f.url, f.path, f.title}), None)
                if feed is None:
                    shown = ", ".join(f.path for f in known) or "none"
                    raise NotFoundError(f"no RSS feed {wanted!r} (feeds: {shown})")
                urls.append(feed.url)
        rule = RssRule(
            name=name,
            enabled=enabled,
            must_contain=must_contain,
            must_not_contain=must_not_contain,
            use_regex=use_regex,
            episode_filter=episode_filter,
            smart_filter=smart_filter,
            affected_feeds=tuple(dict.fromkeys(urls)),
            assigned_category=category,
            save_path=save_path,
        )
        await self.set_rule(rule)
        return await self._rule(name)

    @requires(Capability.RSS)
    async def export_rules(self) -> dict[str, Any]:
        """Every auto-downloading rule as qBittorrent's rules file (rule name to definition)."""
        return self.link.there(await self.link.client.rss_export_rules(), "export RSS rules")

    @requires(Capability.RSS)
    async def import_rules(self, rules: Mapping[str, Any]) -> list[str]:
        """Add or replace rules from a rules file's mapping; the names the server now has.

        Feed URLs shown redacted (an export read through a front) are put back where exactly
        one feed matches, so an export round-trips.
        """
        if not rules or not all(isinstance(rule, Mapping) for rule in rules.values()):
            raise InvalidRequestError("rules: a mapping of rule names to their definitions")
        feeds = [f.url for f in await self.link.client.rss_items()]

        def real(url: Any) -> Any:
            hits = [f for f in feeds if redact_text(f) == url] if is_redacted(str(url)) else []
            return hits[0] if len(hits) == 1 else url

        restored = {
            name: {**rule, "affectedFeeds": [real(u) for u in rule["affectedFeeds"]]}
            if isinstance(rule.get("affectedFeeds"), list)
            else rule
            for name, rule in rules.items()
        }
        self.link.there(await self.link.client.rss_import_rules(restored), "import RSS rules")
        present = await self.link.client.rss_rules()
        return [name for name in rules if name in present]

    async def _rule(self, name: str) -> RssRule:
        rule = (await self.link.client.rss_rules()).get(name)
        if rule is None:
            raise NotFoundError(f"no RSS rule named {name!r}")
        return rule
