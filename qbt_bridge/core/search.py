"""Search models: jobs, results and plugins (``search/*``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from qbt_bridge.core.models import WireModel, wire


@dataclass(frozen=True, slots=True)
class SearchJob(WireModel):
    """A running or finished search job (``search/start`` and ``search/status``)."""

    id: int = 0
    status: str = ""
    total: int = 0

    @property
    def running(self) -> bool:
        """Whether the job may still find more results."""
        return self.status == "Running"


@dataclass(frozen=True, slots=True)
class SearchResult(WireModel):
    """One search hit."""

    file_name: str = wire("fileName", "")
    file_url: str = wire("fileUrl", "")
    file_size: int = wire("fileSize", -1)
    seeders: int = wire("nbSeeders", -1)
    leechers: int = wire("nbLeechers", -1)
    site_url: str = wire("siteUrl", "")
    description_url: str = wire("descrLink", "")


@dataclass(frozen=True, slots=True)
class SearchResults(SearchJob):
    """One page of a search job's results, with the job's status."""

    results: tuple[SearchResult, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchPlugin(WireModel):
    """An installed search plugin."""

    name: str = ""
    full_name: str = wire("fullName", "")
    enabled: bool = False
    version: str = ""
    url: str = ""
    supported_categories: tuple[Any, ...] = wire("supportedCategories", (), tuple)
