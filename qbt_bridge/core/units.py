"""Human-readable sizes, speeds and durations: as shown in terminals and chats, and as typed."""

from __future__ import annotations

import re

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def format_bytes(value: float | None) -> str:
    """``1536`` -> ``1.5 KiB``; None (unknown) -> ``?``."""
    if value is None:
        return "?"
    size = float(value)
    for unit in _UNITS:
        if abs(size) < 1024 or unit == _UNITS[-1]:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError  # pragma: no cover - the loop always returns


def format_speed(value: float | None) -> str:
    """Bytes per second as ``1.5 MiB/s``."""
    return f"{format_bytes(value)}/s"


def format_duration(seconds: int | None) -> str:
    """``3725`` -> ``1h 2m``; None (never) -> ``∞``."""
    if seconds is None:
        return "∞"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    if minutes:
        return f"{minutes}m {secs}s"
    return f"{secs}s"


_SIZE = re.compile(r"(\d+(?:\.\d+)?)([kmg]?)(?:i?b)?")
_FACTORS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
_NO_LIMIT = {"0", "off", "none", "unlimited", "no"}


def _bytes(word: str) -> int | None:
    match = _SIZE.fullmatch(word)
    return None if match is None else round(float(match[1]) * _FACTORS[match[2]])


def parse_size(text: str | int) -> int:
    """An amount of bytes as people type it: ``50G``, ``512M``, ``1.5 GiB``, or a number.

    Units are binary (G = 1024³). Raises ValueError with the reason.
    """
    if isinstance(text, int) and not isinstance(text, bool) and text >= 0:
        return text
    size = _bytes(str(text).strip().lower().replace(" ", ""))
    if size is None:
        raise ValueError(f"not a size: {str(text)[:30]!r} (say 50G, 512M or a number of bytes)")
    return size


def parse_rate(text: str) -> int:
    """A speed as people type it, in bytes/s: ``5M``, ``512k``, ``1.5MiB/s``, ``300 KB``.

    Units are binary (k = 1024); ``0``, ``off``, ``none`` and ``unlimited`` are 0 (no limit).
    Raises ValueError with the reason.
    """
    word = text.strip().lower().replace(" ", "")
    rate = 0 if word in _NO_LIMIT else _bytes(word.removesuffix("/s"))
    if rate is None:
        raise ValueError(f"not a speed: {text[:30]!r} (say 5M, 512K or off)")
    return rate


# How long a command holds ("for 30 minutes"): 1 s to 30 days.
DURATION_MAX = 30 * 86400
DURATION_RULE = "say 30m, 2h, 1d or 1h30m (s, m, h, d), from 1s to 30d"
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(sec|min|s|m|h|d)")
_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_PARTS = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1, "milliseconds": 0.001}


def parse_duration(value: object) -> int:
    """A length of time in whole seconds, as people give it.

    Text: ``30m``, ``2h``, ``1d``, ``1h30m``, ``90s``; a whole number: seconds; a mapping of
    ``days``, ``hours``, ``minutes``, ``seconds`` (Home Assistant's duration picker). From 1 s
    to ``DURATION_MAX``; raises ValueError with the reason.
    """
    seconds: float | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        parts = _DURATION.findall(text)
        if parts and "".join(n + u for n, u in parts) == text:
            seconds = sum(float(n) * _SECONDS[u] for n, u in parts)
    elif isinstance(value, dict) and value and set(value) <= set(_PARTS):
        numbers = value.values()
        if all(isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
            seconds = sum(float(n) * _PARTS[k] for k, n in value.items())
    if seconds is None:
        raise ValueError(f"not a duration: {str(value)[:30]!r} ({DURATION_RULE})")
    if not 1 <= seconds <= DURATION_MAX:
        raise ValueError(f"a duration from 1s to 30d, not {str(value)[:30]!r}")
    return round(seconds)
