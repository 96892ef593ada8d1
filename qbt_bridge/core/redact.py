"""Keep secrets out of what fronts show: tracker pass-keys in URLs, configured secrets in logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any
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


# A URL inside any text: it ends at white space, a quote, or an angle bracket (HTML, JSON).
_URL_IN_TEXT = re.compile(r"(?:\b[a-z][a-z0-9+.\-]*://|\bmagnet:\?)[^\s\"'<>]+", re.IGNORECASE)


def redact_text(text: str) -> str:
    """Any text with every URL in it redacted (``redact_url``): answers, errors, chat, logs.

    The one place where outgoing text loses tracker pass-keys, feed keys and credentials in
    URLs, wherever they come from (a feed named after its URL, qBittorrent's own error text).
    """
    if "://" not in text and "magnet:" not in text.lower():
        return text
    return _URL_IN_TEXT.sub(_redact_match, text)


def _redact_match(match: re.Match[str]) -> str:
    """One URL found in a text; punctuation that ends a sentence or a bracket stays outside."""
    url = match.group(0)
    core = url.rstrip(".,;:!?)]}")
    return redact_url(core) + url[len(core) :]


def redact_data(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with ``redact_text`` applied to every string."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(item) for item in value]
    return value


def is_redacted(text: str) -> bool:
    """Whether a text (such as a feed path shown to a user) had a secret taken out."""
    return REDACTED in text


class SecretFilter(logging.Filter):
    """Replaces known secret values and URL secrets in every log record it sees."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # Short values would redact ordinary words; they are refused by nothing, so skip them.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, with every secret replaced."""
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
        return redact_text(text)


def install_secret_filter(secrets: Iterable[str]) -> SecretFilter:
    """Put a SecretFilter on every handler of the root logger (the daemon owns the process)."""
    secret_filter = SecretFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(secret_filter)
    return secret_filter


def remove_secret_filter(secret_filter: SecretFilter) -> None:
    """Take a filter of ``install_secret_filter`` off the root logger's handlers again."""
    for handler in logging.getLogger().handlers:
        handler.removeFilter(secret_filter)


def protect_loggers(*prefixes: str) -> SecretFilter:
    """Put a SecretFilter on every existing logger under ``prefixes``.

    For a host such as Home Assistant, whose handlers are not ours to change.
    """
    secret_filter = SecretFilter()
    names = [n for n in logging.root.manager.loggerDict if n.startswith(prefixes)]
    for name in [*prefixes, *names]:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SecretFilter) for f in logger.filters):
            logger.addFilter(secret_filter)
    return secret_filter
