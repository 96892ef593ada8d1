"""``app/*``: the application, its preferences, API keys."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

from qbt_bridge.clients.qbittorrent.request import (
    RequestCore,
    flag,
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

    async def listen_port(self) -> int:
        """The port for incoming peers: ``listen_port`` of ``app/preferences``."""
        return int((await self.app_preferences()).get("listen_port") or 0)

    async def set_listen_port(self, port: int) -> None:
        """Another port for incoming peers: ``listen_port`` through ``app/setPreferences``.

        ``random_port`` goes off with it, or qBittorrent would pick its own at its next start.
        """
        await self.app_set_preferences({"listen_port": port, "random_port": False})

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

    async def app_network_interfaces(self) -> list[dict[str, str]] | None:
        """``app/networkInterfaceList`` (WebAPI 2.2): the network interfaces (name, value)."""
        data = await self._json(route("app/networkInterfaceList", "2.2.0"))
        return None if data is None else cast("list[dict[str, str]]", data)

    async def app_network_interface_addresses(self, iface: str = "") -> list[str] | None:
        """``app/networkInterfaceAddressList`` (WebAPI 2.2): an interface's addresses ("": all)."""
        data = await self._json(route("app/networkInterfaceAddressList", "2.2.0"), {"iface": iface})
        return None if data is None else cast("list[str]", data)

    async def app_directory_content(
        self, dir_path: str, mode: str = "all", *, with_metadata: bool = False
    ) -> list[Any] | None:
        """``app/getDirectoryContent`` (WebAPI 2.11): what a folder on the server holds.

        ``mode`` is ``all``, ``dirs`` or ``files``; paths, or with ``with_metadata`` (WebAPI
        2.11.8) mappings with name, type, size and dates. A missing folder raises NotFoundError.
        """
        form: dict[str, str] = {"dirPath": dir_path, "mode": mode}
        if with_metadata:
            form["withMetadata"] = flag(with_metadata)
        data = await self._json(route("app/getDirectoryContent", "2.11.0", item=True), form)
        return None if data is None else cast("list[Any]", data)

    async def app_free_space_at_path(self, path: str) -> int | None:
        """``app/getFreeSpaceAtPath`` (WebAPI 2.15.2): free bytes on the disk holding ``path``."""
        text = await self._text(route("app/getFreeSpaceAtPath", "2.15.2"), {"path": path})
        return None if text is None else int(text.strip())

    async def app_process_info(self) -> dict[str, Any] | None:
        """``app/processInfo`` (WebAPI 2.15.1): the process's facts (``launch_time``, epoch s)."""
        data = await self._json(route("app/processInfo", "2.15.1"))
        return None if data is None else cast("dict[str, Any]", data)

    async def app_send_test_email(self) -> bool | None:
        """``app/sendTestEmail`` (WebAPI 2.10.4): send a test mail with the mail settings."""
        return await self._action(route("app/sendTestEmail", "2.10.4"))

    async def app_cookies(self) -> list[dict[str, Any]] | None:
        """``app/cookies`` (WebAPI 2.11.3): the cookies qBittorrent sends when downloading.

        Cookies often hold tracker logins: keep them out of logs and messages.
        """
        data = await self._json(route("app/cookies", "2.11.3"))
        return None if data is None else cast("list[dict[str, Any]]", data)

    async def app_set_cookies(self, cookies: Iterable[Mapping[str, Any]]) -> bool | None:
        """``app/setCookies`` (WebAPI 2.11.3): replace every cookie.

        Each has ``name``, ``domain``, ``path``, ``value`` and ``expirationDate`` (epoch s).
        """
        form = {"cookies": json.dumps([dict(c) for c in cookies])}
        return await self._action(route("app/setCookies", "2.11.3"), form)
