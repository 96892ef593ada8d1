"""Keep secrets out of what fronts show: tracker pass-keys in URLs, configured secrets in logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

REDACTED = "**REDACTED**"
# A path segment that looks like a key: long runs of hex or base64-ish characters.
_KEYLIKE = re.compile(r"^[A-Za-z0-9_\-]{16,}$")


def redact_url(url: str) -> str:
    """A URL fit to show: no user info, no query values, no key-like path segments.

    ``https://tracker.example/announce/0123456789abcdef0123?passkey=x`` becomes
    ``https://tracker.example/announce/**REDACTED**?passkey=**REDACTED**``. Magnet links
    keep their hash and name but lose their trackers.
    """
    if url.lower().startswith("magnet:"):
        return re.sub(r"([&?])tr=[^&]*", r"\1tr=" + REDACTED, url)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return REDACTED
    path = "/".join(REDACTED if _KEYLIKE.match(seg) else seg for seg in parts.path.split("/"))
    query = "&".join(
        f"{pair.partition('=')[0]}={REDACTED}" if "=" in pair else pair
        for pair in parts.query.split("&")
        if pair
    )
    return urlunsplit((parts.scheme, netloc, path, query, ""))


class SecretFilter(logging.Filter):
    """Replaces known secret values in every log record that passes a handler."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Short values would redact ordinary words; they are refused by nothing, so skip them.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, with every secret replaced."""
        if not self._secrets:
            return True
        message = record.getMessage()
        cleaned = self._clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            # A traceback may quote a URL or a request; render it now, cleaned.
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
        return True

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def install_secret_filter(secrets: Iterable[str]) -> SecretFilter:
    """Put a SecretFilter on every handler of the root logger."""
    secret_filter = SecretFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(secret_filter)
    return secret_filter
