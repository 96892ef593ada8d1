"""Target resolution: hashes, hash prefixes, names, category:, tag:, all."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence

from qbt_bridge.core.errors import (
    AmbiguousTargetError,
    InvalidRequestError,
    NotFoundError,
)
from qbt_bridge.engine.link import Link
from qbt_bridge.engine.refresh import Refresher

_LOGGER = logging.getLogger(__name__)
_HEX = re.compile(r"^[0-9a-fA-F]+$")
MIN_PREFIX = 6


class Targets:
    """Target resolution: hashes, hash prefixes, names, category:, tag:, all."""

    min_prefix = MIN_PREFIX  # shortest hex string taken as a hash prefix

    def __init__(self, link: Link, refresher: Refresher) -> None:
        self.link = link
        self._refresher = refresher

    async def resolve(self, targets: str | Iterable[str]) -> list[str]:
        """Turn targets into hashes.

        Each target is ``all``, a full hash, a unique hash prefix (6+ hex digits), a name or
        name fragment (case-insensitive), ``category:NAME`` or ``tag:NAME``. Ambiguity raises
        AmbiguousTargetError with the candidates; nothing found raises NotFoundError.
        """
        if not self.link.store.initialised:
            await self._refresher.refresh(full=True)
        items = [targets] if isinstance(targets, str) else list(targets)
        if not items:
            raise InvalidRequestError("no torrent named")
        found: dict[str, None] = {}
        for item in items:
            try:
                hits = self._resolve_one(item.strip())
            except NotFoundError:
                # Added outside the engine since the last sweep? Look once more, afresh.
                await self._refresher.refresh(full=True)
                hits = self._resolve_one(item.strip())
            found.update(dict.fromkeys(hits))
        return list(found)

    async def resolve_single(self, target: str) -> str:
        """The one torrent a target names (``all``, a category or a tag may name many)."""
        hashes = await self.resolve(target)
        if len(hashes) != 1:
            raise InvalidRequestError(f"that names {len(hashes)} torrents; name one")
        return hashes[0]

    def _resolve_one(self, target: str) -> list[str]:
        if not target:
            raise InvalidRequestError("empty torrent name or hash")
        lowered = target.lower()
        if lowered == "all":
            return self.link.store.hashes()
        if lowered.startswith(("category:", "tag:")):
            return self._by_label(target)
        if _HEX.match(target) and len(target) == 40:
            if lowered not in self.link.store:
                raise NotFoundError(f"no torrent with hash {lowered}")
            return [lowered]
        if _HEX.match(target) and len(target) >= self.min_prefix:
            hits = [h for h in self.link.store.hashes() if h.startswith(lowered)]
            if hits:
                return self._unique(target, hits)
        return self._by_name(target)

    def _by_label(self, target: str) -> list[str]:
        kind, _, value = target.partition(":")
        kind = kind.lower()
        store = self.link.store
        if kind == "category":
            hits = [h for h in store.hashes() if store.category(h) == value]
        else:
            hits = [h for h in store.hashes() if value in store.torrent_tags(h)]
        if not hits:
            raise NotFoundError(f"no torrent with {kind} {value!r}")
        return hits

    def _by_name(self, target: str) -> list[str]:
        lowered = target.lower()
        names = [(h, self.link.store.name(h).lower()) for h in self.link.store.hashes()]
        exact = [h for h, name in names if name == lowered]
        hits = exact or [h for h, name in names if lowered in name]
        if not hits:
            raise NotFoundError(f"no torrent matches {target!r}")
        return self._unique(target, hits)

    def _unique(self, target: str, hits: list[str]) -> list[str]:
        if len(hits) > 1:
            raise AmbiguousTargetError(target, self.named(hits))
        return hits

    def named(self, hashes: Sequence[str]) -> list[tuple[str, str]]:
        """(hash, name) of the torrents still there, by name."""
        return sorted(
            ((h, self.link.store.name(h)) for h in hashes if h in self.link.store),
            key=lambda pair: pair[1].lower(),
        )
