"""Clients for the torrent servers qbt-bridge speaks to; the only code that builds URLs."""

from qbt_bridge.clients.base import Capability, TorrentClient
from qbt_bridge.clients.detect import ClientKind, client_for, detect, open_client
from qbt_bridge.clients.legacy.qbittorrent31 import QBittorrent31Client
from qbt_bridge.clients.legacy.utorrent import UTorrentClient
from qbt_bridge.clients.qbittorrent import QBittorrentClient

__all__ = [
    "Capability",
    "ClientKind",
    "QBittorrent31Client",
    "QBittorrentClient",
    "TorrentClient",
    "UTorrentClient",
    "client_for",
    "detect",
    "open_client",
]
