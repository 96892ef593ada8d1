"""The qBittorrent client names every endpoint of the newest release (WebAPI 2.16, qBittorrent 5.3).

The list is qBittorrent's own (its ``src/webui/api`` controllers at WebAPI 2.16.1), plus the four
that 5.3.0 as shipped (WebAPI 2.16.2) answers; the real-daemon tests in ``tests/clients`` check
what each endpoint does on each release.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import qbt_bridge.clients.qbittorrent as package

pytestmark = pytest.mark.unit  # the fast tier: no daemon

WEBAPI_2_16 = [
    "app/buildInfo",
    "app/cookies",
    "app/defaultSavePath",
    "app/deleteAPIKey",
    "app/getDirectoryContent",
    "app/getFreeSpaceAtPath",
    "app/networkInterfaceAddressList",
    "app/networkInterfaceList",
    "app/preferences",
    "app/processInfo",
    "app/rotateAPIKey",
    "app/sendTestEmail",
    "app/setCookies",
    "app/setPreferences",
    "app/shutdown",
    "app/version",
    "app/webapiVersion",
    "auth/login",
    "auth/logout",
    "clientdata/load",
    "clientdata/store",
    "log/main",
    "log/peers",
    "rss/addFeed",
    "rss/addFolder",
    "rss/cloneRule",
    "rss/items",
    "rss/markAsRead",
    "rss/matchingArticles",
    "rss/moveItem",
    "rss/refreshItem",
    "rss/removeItem",
    "rss/removeRule",
    "rss/renameRule",
    "rss/rules",
    "rss/setFeedRefreshInterval",
    "rss/setFeedURL",
    "rss/setRule",
    "search/delete",
    "search/downloadTorrent",
    "search/enablePlugin",
    "search/installPlugin",
    "search/plugins",
    "search/results",
    "search/start",
    "search/status",
    "search/stop",
    "search/uninstallPlugin",
    "search/updatePlugins",
    "sync/maindata",
    "sync/torrentPeers",
    "torrentcreator/addTask",
    "torrentcreator/deleteTask",
    "torrentcreator/status",
    "torrentcreator/torrentFile",
    "torrents/SSLParameters",
    "torrents/add",
    "torrents/addPeers",
    "torrents/addTags",
    "torrents/addTrackers",
    "torrents/addWebSeeds",
    "torrents/bottomPrio",
    "torrents/categories",
    "torrents/count",
    "torrents/createCategory",
    "torrents/createTags",
    "torrents/decreasePrio",
    "torrents/delete",
    "torrents/deleteTags",
    "torrents/downloadFile",
    "torrents/downloadLimit",
    "torrents/editCategory",
    "torrents/editTracker",
    "torrents/editWebSeed",
    "torrents/export",
    "torrents/fetchMetadata",
    "torrents/filePrio",
    "torrents/files",
    "torrents/increasePrio",
    "torrents/info",
    "torrents/parseMetadata",
    "torrents/pieceAvailability",
    "torrents/pieceHashes",
    "torrents/pieceStates",
    "torrents/properties",
    "torrents/reannounce",
    "torrents/recheck",
    "torrents/removeCategories",
    "torrents/removeTags",
    "torrents/removeTrackers",
    "torrents/removeWebSeeds",
    "torrents/rename",
    "torrents/renameFile",
    "torrents/renameFolder",
    "torrents/saveMetadata",
    "torrents/setAutoManagement",
    "torrents/setCategory",
    "torrents/setComment",
    "torrents/setDownloadLimit",
    "torrents/setDownloadPath",
    "torrents/setForceStart",
    "torrents/setLocation",
    "torrents/setSSLParameters",
    "torrents/setSavePath",
    "torrents/setShareLimits",
    "torrents/setSuperSeeding",
    "torrents/setTags",
    "torrents/setUploadLimit",
    "torrents/start",
    "torrents/stop",
    "torrents/tags",
    "torrents/toggleFirstLastPiecePrio",
    "torrents/toggleSequentialDownload",
    "torrents/topPrio",
    "torrents/trackers",
    "torrents/uploadLimit",
    "torrents/webseeds",
    "transfer/banPeers",
    "transfer/downloadLimit",
    "transfer/getSpeedLimits",
    "transfer/info",
    "transfer/setDownloadLimit",
    "transfer/setSpeedLimits",
    "transfer/setSpeedLimitsMode",
    "transfer/setUploadLimit",
    "transfer/speedLimitsMode",
    "transfer/toggleSpeedLimitsMode",
    "transfer/uploadLimit",
]
# Answered by qBittorrent 5.3.0 (WebAPI 2.16.2), not in the controllers at 2.16.1.
WEBAPI_2_16_2 = [
    "rss/exportRules",
    "rss/importRules",
    "transfer/pauseSession",
    "transfer/resumeSession",
]


def test_every_endpoint_of_the_newest_release_is_named_by_the_client() -> None:
    source = "\n".join(p.read_text() for p in Path(package.__file__).parent.glob("*.py"))
    named = set(re.findall(r'"((?:app|auth|clientdata|log|rss|search|sync|torrentcreator|torrents'
                           r'|transfer)/[A-Za-z]+)"', source))  # fmt: skip
    newest = {*WEBAPI_2_16, *WEBAPI_2_16_2}
    assert len(newest) == 132
    assert sorted(newest - named) == []
    # and nothing the newest release does not know, but the two 5.0 removed
    assert sorted(named - newest) == ["torrents/pause", "torrents/resume"]
