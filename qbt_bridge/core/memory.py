"""Handing memory freed after a large answer back to the system (glibc's ``malloc_trim``).

A whole ``sync/maindata`` answer of 10 000 torrents is decoded into some 30 MiB of mappings that
live only until the store has taken what it keeps. Python frees them, but glibc keeps the freed
pages in the process unless asked to return them, so the resident memory would stay at that
peak for good. Elsewhere (musl, macOS, Windows) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import platform
from collections.abc import Callable

_LOGGER = logging.getLogger(__name__)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (OSError, AttributeError) as err:
        _LOGGER.debug("no malloc_trim: %s", err)
        return None
    return trim


def give_back_freed_memory() -> bool:
    """Ask the C allocator to return its free pages; whether there was one to ask."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
