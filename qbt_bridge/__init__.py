"""qbt-bridge: qBittorrent in Home Assistant, MQTT and Telegram."""

# The one version source: pyproject.toml reads it, and the integration's manifest.json pins this
# release of the library (a test fails when they disagree).
__version__ = "0.1.0"
