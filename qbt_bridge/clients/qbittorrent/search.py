"""``search/*``: search jobs and plugins."""

from __future__ import annotations

from collections.abc import Iterable

from qbt_bridge.clients.qbittorrent.request import (
    RequestCore,
    flag,
    route,
)
from qbt_bridge.core.search import SearchJob, SearchPlugin, SearchResult, SearchResults


class SearchAPI(RequestCore):
    """``search/*``: search jobs and plugins."""

    async def search_start(
        self, pattern: str, plugins: str = "enabled", category: str = "all"
    ) -> SearchJob | None:
        """``search/start``: start a search job (409 when 5 already run)."""
        form = {"pattern": pattern, "plugins": plugins, "category": category}
        data = await self._json(route("search/start", "2.1.1"), form)
        return None if data is None else SearchJob.from_api(data)

    async def search_stop(self, job_id: int) -> bool | None:
        """``search/stop``: stop a running search job."""
        return await self._action(route("search/stop", "2.1.1", item=True), {"id": job_id})

    async def search_status(self, job_id: int | None = None) -> list[SearchJob] | None:
        """``search/status``: one job's status, or all jobs'."""
        form = {} if job_id is None else {"id": job_id}
        data = await self._json(route("search/status", "2.1.1", item=True), form)
        return None if data is None else [SearchJob.from_api(item) for item in data]

    async def search_results(
        self, job_id: int, limit: int = 0, offset: int = 0
    ) -> SearchResults | None:
        """``search/results``: a page of a job's results."""
        form = {"id": job_id, "limit": limit, "offset": offset}
        data = await self._json(route("search/results", "2.1.1", item=True), form)
        if data is None:
            return None
        results = tuple(SearchResult.from_api(item) for item in data.get("results", ()))
        return SearchResults(
            id=job_id,
            status=str(data.get("status", "")),
            total=int(data.get("total", 0)),
            results=results,
            raw=data,
        )

    async def search_delete(self, job_id: int) -> bool | None:
        """``search/delete``: forget a search job and its results."""
        return await self._action(route("search/delete", "2.1.1", item=True), {"id": job_id})

    async def search_plugins(self) -> list[SearchPlugin] | None:
        """``search/plugins``: installed search plugins."""
        data = await self._json(route("search/plugins", "2.1.1"))
        return None if data is None else [SearchPlugin.from_api(item) for item in data]

    async def search_install_plugin(self, sources: Iterable[str]) -> bool | None:
        """``search/installPlugin``: install plugins from URLs or file paths."""
        return await self._action(
            route("search/installPlugin", "2.1.1"), {"sources": "|".join(sources)}
        )

    async def search_uninstall_plugin(self, names: Iterable[str]) -> bool | None:
        """``search/uninstallPlugin``: remove plugins."""
        return await self._action(
            route("search/uninstallPlugin", "2.1.1"), {"names": "|".join(names)}
        )

    async def search_enable_plugin(self, names: Iterable[str], enable: bool) -> bool | None:
        """``search/enablePlugin``: enable or disable plugins."""
        form = {"names": "|".join(names), "enable": flag(enable)}
        return await self._action(route("search/enablePlugin", "2.1.1"), form)

    async def search_update_plugins(self) -> bool | None:
        """``search/updatePlugins``: update all plugins from their sources."""
        return await self._action(route("search/updatePlugins", "2.1.1"))

    async def search_download_torrent(self, torrent_url: str, plugin_name: str) -> bool | None:
        """``search/downloadTorrent`` (WebAPI 2.11): add a result through its plugin.

        For results whose link only the plugin can fetch (logins, redirects).
        """
        form = {"torrentUrl": torrent_url, "pluginName": plugin_name}
        return await self._action(route("search/downloadTorrent", "2.11.0"), form)
