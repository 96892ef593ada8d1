"""RSS models: feeds and their articles, and auto-downloading rules (``rss/*``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self, cast

from qbt_bridge.core.models import WireModel, build, wire, wire_fields


@dataclass(frozen=True, slots=True)
class RssArticle(WireModel):
    """One article of an RSS feed."""

    id: str = ""
    title: str = ""
    date: str = ""
    link: str = ""
    torrent_url: str = wire("torrentURL", "")
    description: str = ""
    is_read: bool = wire("isRead", default=False)


@dataclass(frozen=True, slots=True)
class RssFeed(WireModel):
    """An RSS feed; ``path`` is its place in qBittorrent's folder tree (``Folder\\Feed``)."""

    path: str = ""
    url: str = ""
    uid: str = ""
    title: str = ""
    last_build_date: str = wire("lastBuildDate", "")
    is_loading: bool = wire("isLoading", default=False)
    has_error: bool = wire("hasError", default=False)
    articles: tuple[RssArticle, ...] = ()


def parse_rss_items(tree: Mapping[str, Any], prefix: str = "") -> list[RssFeed]:
    """Flatten ``rss/items``' nested folders into a list of feeds with their full paths."""
    feeds: list[RssFeed] = []
    for name, value in tree.items():
        path = f"{prefix}\\{name}" if prefix else name
        if isinstance(value, str):  # very old servers: name -> URL
            feeds.append(RssFeed(path=path, url=value, raw={"url": value}))
        elif isinstance(value, Mapping) and "url" in value:
            feed = build(RssFeed, value)
            articles = tuple(RssArticle.from_api(a) for a in value.get("articles", ()))
            feeds.append(_replace_feed(feed, path, articles))
        elif isinstance(value, Mapping):
            feeds.extend(parse_rss_items(cast("Mapping[str, Any]", value), path))
    return feeds


def _replace_feed(feed: RssFeed, path: str, articles: tuple[RssArticle, ...]) -> RssFeed:
    return RssFeed(
        path=path,
        url=feed.url,
        uid=feed.uid,
        title=feed.title,
        last_build_date=feed.last_build_date,
        is_loading=feed.is_loading,
        has_error=feed.has_error,
        articles=articles,
        raw=feed.raw,
    )


@dataclass(frozen=True, slots=True)
class RssRule(WireModel):
    """An RSS auto-downloading rule; ``to_api`` keeps every key the server sent."""

    name: str = ""
    enabled: bool = True
    must_contain: str = wire("mustContain", "")
    must_not_contain: str = wire("mustNotContain", "")
    use_regex: bool = wire("useRegex", default=False)
    episode_filter: str = wire("episodeFilter", "")
    smart_filter: bool = wire("smartFilter", default=False)
    affected_feeds: tuple[str, ...] = wire("affectedFeeds", (), tuple)
    ignore_days: int = wire("ignoreDays", 0)
    last_match: str = wire("lastMatch", "")
    add_paused: bool | None = wire("addPaused", None)
    assigned_category: str = wire("assignedCategory", "")
    save_path: str = wire("savePath", "")

    @classmethod
    def from_rule(cls, name: str, data: Mapping[str, Any]) -> Self:
        """Build from one value of ``rss/rules``."""
        rule = build(cls, data)
        return cls(**{**{f.name: getattr(rule, f.name) for f in fields(cls)}, "name": name})

    def to_api(self) -> dict[str, Any]:
        """The JSON rule definition for ``rss/setRule``, unknown server keys included."""
        out = dict(self.raw)
        for name, key, _convert in wire_fields(type(self)):
            if name == "name":
                continue
            value = getattr(self, name)
            if value is None:
                continue
            out[key] = list(value) if isinstance(value, tuple) else value
        return out
