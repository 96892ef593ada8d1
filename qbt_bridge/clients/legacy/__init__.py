"""Clients of the older WebUIs: qBittorrent 3.1 and uTorrent, over one snapshot-diffing base."""
