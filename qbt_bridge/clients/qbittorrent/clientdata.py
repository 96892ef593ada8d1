"""``clientdata/*``: small JSON values qBittorrent keeps for its clients (WebAPI 2.13.1)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

from qbt_bridge.clients.qbittorrent.request import (
    RequestCore,
    route,
)

_SINCE = "2.13.1"


class ClientDataAPI(RequestCore):
    """``clientdata/*``: small JSON values qBittorrent keeps for its clients (WebAPI 2.13.1)."""

    async def clientdata_load(self, keys: Iterable[str] | None = None) -> dict[str, Any] | None:
        """``clientdata/load``: the stored values, all or those of ``keys``."""
        form = {} if keys is None else {"keys": json.dumps(list(keys))}
        data = await self._json(route("clientdata/load", _SINCE), form)
        return None if data is None else cast("dict[str, Any]", data)

    async def clientdata_store(self, data: Mapping[str, Any]) -> bool | None:
        """``clientdata/store``: store values by key (a null value removes its key)."""
        form = {"data": json.dumps(dict(data))}
        return await self._action(route("clientdata/store", _SINCE), form)
