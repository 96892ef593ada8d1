"""Categories and tags: the server's lists, and making and removing categories."""

from __future__ import annotations

from dataclasses import dataclass

from qbt_bridge.clients import Capability
from qbt_bridge.core.errors import InvalidRequestError, NotFoundError
from qbt_bridge.engine.content import ContentService
from qbt_bridge.engine.core import connected, requires


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    """A category with its save path and how many torrents are in it now."""

    name: str
    save_path: str
    torrents: int


class LabelService(ContentService):
    """The server's categories and tags."""

    @connected
    async def categories(self) -> list[str]:
        """The server's category names, read now (a sweep may be minutes away)."""
        found = self._there(await self.client.torrents_categories(), "use categories")
        return sorted(found, key=str.casefold)

    @requires(Capability.CATEGORIES)
    async def category_list(self) -> list[CategoryInfo]:
        """Every category, by name, with its save path and the number of its torrents (now)."""
        await self.refresh(full=True)
        found = self._there(await self.client.torrents_categories(), "use categories")
        counts: dict[str, int] = {}
        for torrent_hash in self.store.hashes():
            name = self.store.category(torrent_hash)
            counts[name] = counts.get(name, 0) + 1
        return [
            CategoryInfo(name, category.save_path, counts.get(name, 0))
            for name, category in sorted(found.items(), key=lambda item: item[0].casefold())
        ]

    @requires(Capability.CATEGORIES)
    async def create_category(self, name: str, save_path: str = "") -> CategoryInfo:
        """Make a category (refused when there is one of that name)."""
        name = name.strip()
        if not name:
            raise InvalidRequestError("give the category a name")
        if name in await self.categories():
            raise InvalidRequestError(f"there is a category {name!r} already")
        await self.client.torrents_create_category(name, save_path)
        return next(c for c in await self.category_list() if c.name == name)

    @requires(Capability.CATEGORIES)
    async def remove_category(self, name: str) -> int:
        """Delete a category; its torrents stay, without one. Answers how many were in it."""
        known = {c.name: c for c in await self.category_list()}
        if name not in known:
            raise NotFoundError(f"no category {name!r}; there are: {', '.join(known) or 'none'}")
        await self.client.torrents_remove_categories([name])
        await self.refresh(full=True)  # its torrents show without it
        return known[name].torrents

    @requires(Capability.TAGS)
    async def tag_list(self) -> list[str]:
        """The server's tags (as of the last sweep, with those the torrents carry now)."""
        return sorted(self.store.tags, key=str.casefold)
