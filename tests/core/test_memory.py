"""Handing freed memory back to the system after a large answer."""

from __future__ import annotations

import json
import platform
from pathlib import Path

import pytest

from qbt_bridge.core.memory import give_back_freed_memory

pytestmark = pytest.mark.unit  # the fast tier: no daemon


def _rss_kib() -> int:
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_memory_freed_after_a_large_answer_leaves_the_process() -> None:
    # 20 000 mappings of 50 keys, as a decoded sync/maindata answer: ~30 MiB, then freed.
    answer = json.loads(json.dumps([{f"key_{k}": n for k in range(50)} for n in range(20_000)]))
    held = _rss_kib()
    del answer
    freed = _rss_kib()
    assert give_back_freed_memory()
    given_back = _rss_kib()
    # Python frees some of it by itself; glibc keeps the rest until asked (~30 MiB here).
    assert freed - given_back > 10 * 1024, (held, freed, given_back)
