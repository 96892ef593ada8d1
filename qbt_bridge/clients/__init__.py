"""Clients for the torrent servers qbt-bridge speaks to; the only code that builds URLs."""

from qbt_bridge.clients.qbittorrent import QBittorrentClient

__all__ = ["QBittorrentClient"]
