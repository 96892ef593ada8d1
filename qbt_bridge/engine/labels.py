"""Categories and tags: the server's lists, and making and removing categories."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qbt_bridge.clients import Capability
from qbt_bridge.core.errors import InvalidRequestError, NotFoundError
from qbt_bridge.core.models import Category
from qbt_bridge.engine.link import Link, connected, requires
from qbt_bridge.engine.refresh import Refresher


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    """A category with its save path and how many torrents are in it now."""

    name: str
    save_path: str
    torrents: int


class Labels:
    """The server's categories and tags."""

    def __init__(self, link: Link, refresher: Refresher) -> None:
        self.link = link
        self._refresher = refresher

    async def _read_categories(self) -> Mapping[str, Category]:
        """The server's categories, read now (a sweep may be minutes away)."""
        return self.link.there(await self.link.client.torrents_categories(), "use categories")

    @connected
    async def categories(self) -> list[str]:
        """The server's category names, read now."""
        return sorted(await self._read_categories(), key=str.casefold)

    @requires(Capability.CATEGORIES)
    async def category_list(self) -> list[CategoryInfo]:
        """Every category, by name, with its save path and the number of its torrents (now)."""
        await self._refresher.refresh(full=True)
        found = await self._read_categories()
        counts = self._category_counts()
        return [
            CategoryInfo(name, category.save_path, counts.get(name, 0))
            for name, category in sorted(found.items(), key=lambda item: item[0].casefold())
        ]

    def _category_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for torrent_hash in self.link.store.hashes():
            name = self.link.store.category(torrent_hash)
            counts[name] = counts.get(name, 0) + 1
        return counts

    @requires(Capability.CATEGORIES)
    async def create_category(self, name: str, save_path: str = "") -> CategoryInfo:
        """Make a category (refused when there is one of that name); new, it holds none."""
        name = name.strip()
        if not name:
            raise InvalidRequestError("give the category a name")
        if name in await self._read_categories():
            raise InvalidRequestError(f"there is a category {name!r} already")
        await self.link.client.torrents_create_category(name, save_path)
        made = (await self._read_categories()).get(name)  # its save path as qBittorrent keeps it
        return CategoryInfo(name, made.save_path if made else save_path, 0)

    @requires(Capability.CATEGORIES)
    async def remove_category(self, name: str) -> int:
        """Delete a category; its torrents stay, without one.

        Answers how many were in it, as the engine last saw them; one sweep after shows them
        without it.
        """
        known = await self._read_categories()
        if name not in known:
            raise NotFoundError(f"no category {name!r}; there are: {', '.join(known) or 'none'}")
        held = self._category_counts().get(name, 0)
        await self.link.client.torrents_remove_categories([name])
        await self._refresher.refresh(full=True)
        return held

    @requires(Capability.TAGS)
    async def tag_list(self) -> list[str]:
        """The server's tags (as of the last sweep, with those the torrents carry now)."""
        return sorted(self.link.store.tags, key=str.casefold)
