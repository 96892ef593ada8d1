"""The qBittorrent WebAPI v2 client (qBittorrent 4.1 to 5.3), one module per WebAPI namespace."""

from qbt_bridge.clients.qbittorrent.client import QBittorrentClient
from qbt_bridge.clients.qbittorrent.request import (
    ENV_API_KEY,
    ENV_DO_NOT_VERIFY,
    ENV_HOST,
    ENV_PASSWORD,
    ENV_USERNAME,
)
from qbt_bridge.clients.qbittorrent.torrents import STATUS_FILTERS, TorrentsInfoQuery

__all__ = [
    "ENV_API_KEY",
    "ENV_DO_NOT_VERIFY",
    "ENV_HOST",
    "ENV_PASSWORD",
    "ENV_USERNAME",
    "STATUS_FILTERS",
    "QBittorrentClient",
    "TorrentsInfoQuery",
]
