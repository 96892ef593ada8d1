"""Plain data every layer shares: models, errors, versions, units, torrent files, redaction.

Nothing here does I/O or imports another part of qbt-bridge.
"""
