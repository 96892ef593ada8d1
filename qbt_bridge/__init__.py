"""qbt-bridge: qBittorrent in Home Assistant, MQTT and Telegram."""

__version__ = "0.1.0"
