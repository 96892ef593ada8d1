"""``torrents/*`` about categories and tags: the lists, and which torrents carry which."""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

from qbt_bridge.clients.qbittorrent.request import (
    Hashes,
    RequestCore,
    route,
)
from qbt_bridge.core.models import Category


class LabelsAPI(RequestCore):
    """``torrents/*`` about categories and tags."""

    async def torrents_set_category(self, hashes: Hashes, category: str) -> None:
        """``torrents/setCategory``: set (or, with "", clear) the torrents' category."""
        await self._on_hashes(route("torrents/setCategory"), hashes, category=category)

    async def torrents_set_tags(self, hashes: Hashes, tags: Iterable[str]) -> bool | None:
        """``torrents/setTags`` (WebAPI 2.11.4): replace the torrents' tags with ``tags``."""
        route_ = route("torrents/setTags", "2.11.4")
        return await self._on_hashes(route_, hashes, tags=",".join(tags))

    async def torrents_categories(self) -> dict[str, Category] | None:
        """``torrents/categories``: all categories by name."""
        data = await self._json(route("torrents/categories", "2.1.1"))
        if data is None:
            return None
        return {name: Category.from_api(value) for name, value in data.items()}

    async def torrents_create_category(self, name: str, save_path: str = "") -> None:
        """``torrents/createCategory``: make a category."""
        await self._call(
            route("torrents/createCategory"), {"category": name, "savePath": save_path}
        )

    async def torrents_edit_category(self, name: str, save_path: str) -> bool | None:
        """``torrents/editCategory``: change a category's save path."""
        form = {"category": name, "savePath": save_path}
        return await self._action(route("torrents/editCategory", "2.1.0"), form)

    async def torrents_remove_categories(self, names: Iterable[str]) -> None:
        """``torrents/removeCategories``: delete categories."""
        await self._call(route("torrents/removeCategories"), {"categories": "\n".join(names)})

    async def torrents_add_tags(self, hashes: Hashes, tags: Iterable[str]) -> bool | None:
        """``torrents/addTags``: tag torrents (creating the tags as needed)."""
        return await self._on_hashes(
            route("torrents/addTags", "2.3.0"), hashes, tags=",".join(tags)
        )

    async def torrents_remove_tags(self, hashes: Hashes, tags: Iterable[str] = ()) -> bool | None:
        """``torrents/removeTags``: untag torrents (no tags: remove all)."""
        return await self._on_hashes(
            route("torrents/removeTags", "2.3.0"), hashes, tags=",".join(tags)
        )

    async def torrents_tags(self) -> list[str] | None:
        """``torrents/tags``: all tags."""
        data = await self._json(route("torrents/tags", "2.3.0"))
        return None if data is None else cast("list[str]", data)

    async def torrents_create_tags(self, tags: Iterable[str]) -> bool | None:
        """``torrents/createTags``: make tags."""
        return await self._action(route("torrents/createTags", "2.3.0"), {"tags": ",".join(tags)})

    async def torrents_delete_tags(self, tags: Iterable[str]) -> bool | None:
        """``torrents/deleteTags``: delete tags."""
        return await self._action(route("torrents/deleteTags", "2.3.0"), {"tags": ",".join(tags)})
