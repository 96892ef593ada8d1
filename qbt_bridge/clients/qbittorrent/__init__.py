"""The qBittorrent WebAPI v2 client (qBittorrent 4.1 to 5.3)."""

from qbt_bridge.clients.qbittorrent.client import (
    ENV_API_KEY,
    ENV_DO_NOT_VERIFY,
    ENV_HOST,
    ENV_PASSWORD,
    ENV_USERNAME,
    QBittorrentClient,
)

__all__ = [
    "ENV_API_KEY",
    "ENV_DO_NOT_VERIFY",
    "ENV_HOST",
    "ENV_PASSWORD",
    "ENV_USERNAME",
    "QBittorrentClient",
]
