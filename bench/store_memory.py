"""What the engine's store keeps per torrent, and what taking in a whole answer costs it.

Builds a ``sync/maindata`` answer of N seeding torrents with 48 keys each, modelled on what
qbittorrent-nox 4.5.2 sends (the magnet link among them), with values of the kinds it sends
(names, paths and hashes, timestamps, sizes and ratios of their own; flags, limits and counts),
decodes it from JSON as the client does, and measures with tracemalloc:
  answer   the decoded mappings of the torrents (a dict each: what the store kept before
           ``snapshot.Record``)
  store    the store's records after taking in the answer, the answer freed
and the time ``SyncStore.apply_maindata`` takes for the whole answer (best of 3).

Run: .venv/bin/python bench/store_memory.py [--sizes 1000,10000,50000]
"""

from __future__ import annotations

import argparse
import gc
import json
import time
import tracemalloc
from typing import Any

from qbt_bridge.core.models import MainData
from qbt_bridge.engine.store import SyncStore

KEYS_4_5 = [
    "added_on",
    "amount_left",
    "auto_tmm",
    "availability",
    "category",
    "completed",
    "completion_on",
    "content_path",
    "dl_limit",
    "dlspeed",
    "download_path",
    "downloaded",
    "downloaded_session",
    "eta",
    "f_l_piece_prio",
    "force_start",
    "infohash_v1",
    "infohash_v2",
    "last_activity",
    "magnet_uri",
    "max_ratio",
    "max_seeding_time",
    "name",
    "num_complete",
    "num_incomplete",
    "num_leechs",
    "num_seeds",
    "priority",
    "progress",
    "ratio",
    "ratio_limit",
    "save_path",
    "seeding_time",
    "seeding_time_limit",
    "seen_complete",
    "seq_dl",
    "size",
    "state",
    "super_seeding",
    "tags",
    "time_active",
    "total_size",
    "tracker",
    "trackers_count",
    "up_limit",
    "uploaded",
    "uploaded_session",
    "upspeed",
]
TEXT = {"category": "linux", "save_path": "/downloads", "download_path": "", "state": "stalledUP",
        "tags": "", "tracker": "https://tracker.example/announce", "infohash_v2": ""}  # fmt: skip
# A seeding torrent's other values: flags and small counts (one shared object each in Python),
# and numbers of its own (a new object per torrent, as the JSON decoder makes them).
SMALL = {"auto_tmm": False, "f_l_piece_prio": False, "force_start": False, "seq_dl": False,
         "super_seeding": False, "amount_left": 0, "dl_limit": 0, "up_limit": 0, "dlspeed": 0,
         "upspeed": 0, "downloaded_session": 0, "uploaded_session": 0, "priority": 0,
         "num_complete": 12, "num_incomplete": 3, "num_leechs": 0, "num_seeds": 0,
         "trackers_count": 1, "max_ratio": -1, "max_seeding_time": -1, "ratio_limit": -2,
         "seeding_time_limit": -2, "progress": 1, "eta": 8640000}  # fmt: skip


def _torrent(n: int) -> dict[str, Any]:
    own: dict[str, Any] = {
        "name": f"Distribution {n} amd64.iso",
        "content_path": f"/downloads/Distribution {n} amd64.iso",
        "infohash_v1": f"{n:040x}",
        "magnet_uri": f"magnet:?xt=urn:btih:{n:040x}&dn=Distribution%20{n}&tr=https%3A%2F%2F"
        "tracker.example%2Fannounce",
        "availability": -1, "ratio": 0.5 + n / 1e6,
    }  # fmt: skip
    size = 2**30 + n * 4096
    numbers = {"added_on": 1_700_000_000 + n, "completion_on": 1_700_000_600 + n,
               "last_activity": 1_700_100_000 + n, "seen_complete": 1_700_100_000 + n,
               "size": size, "total_size": size, "completed": size, "downloaded": size,
               "uploaded": size // 2, "time_active": 100_000 + n,
               "seeding_time": 99_000 + n}  # fmt: skip
    return {key: next(d[key] for d in (own, TEXT, SMALL, numbers) if key in d) for key in KEYS_4_5}


def measure(size: int) -> str:
    """One size's figures."""
    text = json.dumps({"rid": 1, "full_update": True,
                       "torrents": {f"{n:040x}": _torrent(n) for n in range(size)}})  # fmt: skip
    best = float("inf")
    for _ in range(3):
        gc.collect()
        tracemalloc.start()
        decoded = json.loads(text)
        answer = tracemalloc.get_traced_memory()[0]
        data = MainData.from_api(decoded)
        store = SyncStore("bench")
        begun = time.perf_counter()
        store.apply_maindata(data)
        best = min(best, time.perf_counter() - begun)
        del data, decoded
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    per = kept / size
    return (f"{size} torrents: answer {answer / 2**20:.1f} MiB, store {kept / 2**20:.1f} MiB "
            f"({per / 1024:.2f} KiB a torrent); apply_maindata {best * 1000:.0f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",") if s):
        print(measure(size), flush=True)


if __name__ == "__main__":
    main()
