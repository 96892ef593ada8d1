"""Human-readable sizes, speeds and durations for terminal and chat output."""

from __future__ import annotations

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
