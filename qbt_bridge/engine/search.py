"""Searches with qBittorrent's plugins, and adding a result."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from qbt_bridge.clients import Capability
from qbt_bridge.core.errors import (
    InvalidRequestError,
    NotFoundError,
)
from qbt_bridge.core.search import SearchPlugin, SearchResult
from qbt_bridge.engine.actions import TorrentActions
from qbt_bridge.engine.link import Link, requires
from qbt_bridge.engine.results import AddOutcome

_LOGGER = logging.getLogger(__name__)

SEARCH_WAIT = 30.0  # seconds a waited search gives qBittorrent's plugins
SEARCH_POLL = 0.5  # seconds between looks at a running search


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of a search job's results, best seeded first."""

    job_id: int
    results: tuple[SearchResult, ...]
    total: int
    running: bool
    page: int
    pages: int


class Search:
    """Searches with qBittorrent's plugins, and adding a result."""

    def __init__(self, link: Link, torrents: TorrentActions) -> None:
        self.link = link
        self._torrents = torrents

    @requires(Capability.SEARCH)
    async def plugins(self) -> list[SearchPlugin]:
        """Installed search plugins."""
        return self.link.there(await self.link.client.search_plugins(), "search")

    @requires(Capability.SEARCH)
    async def start(self, pattern: str, *, plugins: str = "enabled", category: str = "all") -> int:
        """Start a search; returns the job id. No enabled plugin is an error that says so."""
        if not pattern.strip():
            raise InvalidRequestError("search for what? the pattern is empty")
        if not any(p.enabled for p in await self.plugins()):
            raise InvalidRequestError(
                "no search plugin is installed and enabled; install one in qBittorrent "
                "(Search tab → Search plugins) or with search/installPlugin"
            )
        job = await self.link.client.search_start(pattern.strip(), plugins, category)
        return self.link.there(job, "search").id

    @requires(Capability.SEARCH)
    async def results(self, job_id: int, *, page: int = 0, page_size: int = 10) -> SearchPage:
        """A page of results, best seeded first (all results fetched, then sorted)."""
        if page < 0 or page_size < 1:
            raise InvalidRequestError("page must be >= 0 and page size >= 1")
        data = await self.link.client.search_results(job_id)
        if data is None:
            raise InvalidRequestError("this qBittorrent has no search")
        ordered = sorted(data.results, key=lambda r: r.seeders, reverse=True)
        pages = max(1, -(-len(ordered) // page_size))
        chunk = tuple(ordered[page * page_size : (page + 1) * page_size])
        return SearchPage(job_id, chunk, data.total, data.running, page, pages)

    @requires(Capability.SEARCH)
    async def find(self, pattern: str, *, limit: int = 20, wait: float = SEARCH_WAIT) -> SearchPage:
        """Search and wait for the plugins (at most ``wait`` s): the best ``limit`` results.

        The job is stopped then, not forgotten: ``add`` takes its results by index.
        """
        job = await self.start(pattern)
        deadline = time.monotonic() + wait
        page = await self.results(job, page_size=limit)
        while page.running and time.monotonic() < deadline:
            await asyncio.sleep(SEARCH_POLL)
            page = await self.results(job, page_size=limit)
        await self.stop(job)
        return page

    @requires(Capability.SEARCH)
    async def add(
        self,
        job_id: int,
        index: int,
        *,
        category: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> AddOutcome:
        """Add the ``index``-th result (in ``results`` order) of a search job.

        The result's link stays inside the engine: it may carry a tracker pass-key.
        """
        data = await self.link.client.search_results(job_id)
        if data is None:
            raise InvalidRequestError("this qBittorrent has no search")
        ordered = sorted(data.results, key=lambda r: r.seeders, reverse=True)
        if not 0 <= index < len(ordered):
            raise NotFoundError(f"search {job_id} has no result number {index}")
        return await self._torrents.add(ordered[index].file_url, category=category, tags=tags)

    @requires(Capability.SEARCH)
    async def stop(self, job_id: int) -> None:
        """Stop a running search."""
        await self.link.client.search_stop(job_id)

    @requires(Capability.SEARCH)
    async def delete(self, job_id: int) -> None:
        """Forget a search and its results."""
        await self.link.client.search_delete(job_id)
