"""qbt-bridge for Home Assistant (the component arrives with its own issue; this is a stub)."""

DOMAIN = "qbt_bridge"
