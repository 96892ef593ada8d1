"""``app/*``: the application, its preferences, API keys."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from qbt_bridge.clients.qbittorrent.request import (
    RequestCore,
    route,
)
from qbt_bridge.core.models import (
    BuildInfo,
    Preferences,
)
from qbt_bridge.core.versions import (
    WEBAPI_API_KEY,
)


class AppAPI(RequestCore):
    """``app/*``: the application, its preferences, API keys."""

    async def app_build_info(self) -> BuildInfo | None:
        """``app/buildInfo``: versions of the libraries qBittorrent was built with."""
        data = await self._json(route("app/buildInfo", "2.3.0"))
        return None if data is None else BuildInfo.from_api(data)

    async def app_shutdown(self) -> None:
        """``app/shutdown``: quit qBittorrent."""
        await self._call(route("app/shutdown"))

    async def app_preferences(self) -> Preferences:
        """``app/preferences``: every setting, unknown keys kept."""
        return Preferences(await self._json(route("app/preferences")) or {})

    async def app_set_preferences(self, prefs: Mapping[str, Any]) -> None:
        """``app/setPreferences``: change the given settings only."""
        await self._call(route("app/setPreferences"), {"json": json.dumps(dict(prefs))})

    async def app_default_save_path(self) -> str:
        """``app/defaultSavePath``: the default download folder."""
        return (await self._text(route("app/defaultSavePath"))) or ""

    async def app_rotate_api_key(self) -> str | None:
        """``app/rotateAPIKey`` (WebAPI 2.14.1): make a new API key and return it."""
        data = await self._json(route("app/rotateAPIKey", str(WEBAPI_API_KEY)))
        return None if data is None else str(data["apiKey"])

    async def app_delete_api_key(self) -> bool | None:
        """``app/deleteAPIKey`` (WebAPI 2.14.1): revoke the API key."""
        return await self._action(route("app/deleteAPIKey", str(WEBAPI_API_KEY)))
