"""Benchmark: the dashboard card with 10 000 torrents, in Debian's chromium, and its server side.

Browser: the built bundle (custom_components/qbt_bridge/frontend/qbt-bridge-card.js) in a page
of its own, with a stand-in ``hass`` whose connection answers ``qbt_bridge/subscribe`` as the
integration does (a page of a 10 000-torrent list, sorted and filtered in the page), then sends
a change of 50 rows each second. It measures:
  first render   from giving the card its ``hass`` to the page's rows drawn (page size 50, 200)
  page flip      a click on "next page" until the next page's rows are drawn
  live change    a change of 50 rows until they are drawn
  scroll frames  the page scrolled through the card for 2 s: frame times (median, p95, worst)
Server: the subscription's work in the integration (``api.view.Watch``) on a store of 10 000
torrents: the first page, and a change of 100 torrents.

Run: .venv/bin/python bench/card.py [--torrents 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from playwright.async_api import async_playwright

from qbt_bridge.api.commands import COMMANDS, Name
from qbt_bridge.api.view import Watch
from qbt_bridge.core.models import MainData
from qbt_bridge.engine.store import SyncStore

BUNDLE = Path(__file__).parents[1] / "custom_components/qbt_bridge/frontend/qbt-bridge-card.js"
ORIGIN = "http://card.bench"

# The stand-in hass: the integration's subscription answered in the page (filters left out).
PAGE = """<!doctype html><html><head><meta charset="utf-8">
<style>body { margin: 0; font-family: sans-serif; --primary-color: #03a9f4;
  --divider-color: #ddd; --primary-text-color: #222; --secondary-text-color: #666; }</style>
<script type="module" src="/card.js"></script></head><body>
<div id="host" style="width: 1200px"></div>
<script type="module">
const N = __N__;
const states = ["downloading", "stalledUP", "stoppedDL", "stalledDL", "uploading"];
const rows = Array.from({length: N}, (_, i) => ({
  hash: i.toString(16).padStart(40, "0"), name: `Torrent ${i} linux distribution.iso`,
  state: "downloading", status: states[i % 5], progress: (i * 7) % 100, size: i * 1048576,
  download_speed: (i % 9) * 1000, upload_speed: (i % 5) * 500, eta: i % 3 ? i * 10 : 8640000,
  ratio: (i % 30) / 10, category: ["linux", "bsd", ""][i % 3], tags: i % 4 ? [] : ["iso"],
  added_on: i,
}));
const counts = {total: N, downloading: N / 5, seeding: N / 5, completed: N / 5, running: N,
  stopped: 0, active: N / 2, inactive: N / 2, stalled: N / 5, checking: 0, moving: 0, errored: 0};
const header = {download_speed: 123456, upload_speed: 6543, free_space: 5e11, alt_speed: false,
  connection: "connected", counts, categories: ["bsd", "linux"], tags: ["iso"]};
let listener = null, view = null;
function pageOf(v) {
  const key = v.sort;
  const sorted = key === "added_on" ? rows.slice().reverse() : rows.slice().sort(
    (a, b) => (a[key] > b[key] ? 1 : a[key] < b[key] ? -1 : 0) * (v.descending ? -1 : 1));
  return sorted.slice(v.offset, v.offset + v.limit);
}
window.sendChange = (count) => {
  const shown = pageOf(view).slice(0, count);
  const changed = {};
  for (const row of shown) { row.download_speed += 1; changed[row.hash] = {...row}; }
  listener({rows: changed});
};
window.hass = {
  language: "en",
  connection: {
    async subscribeMessage(callback, message) {
      listener = callback; view = message.view;
      const page = pageOf(view);
      setTimeout(() => callback({entry: {id: "x", title: "Bench"}, can_act: true,
        capabilities: [], available: true, header, count: N, offset: view.offset,
        order: page.map(r => r.hash), rows: Object.fromEntries(page.map(r => [r.hash, r]))}), 0);
      return async () => { listener = null; };
    },
    async sendMessagePromise() { return {}; },
  },
};
window.benchReady = true;
</script></body></html>"""

RENDERED = """async ([size, mark]) => {
  const card = document.querySelector("qbt-bridge-card");
  const done = () => card.shadowRoot.querySelectorAll(".row[data-hash]").length === size
    && card.shadowRoot.querySelector(".row[data-hash]").dataset.hash !== mark;
  while (!done()) await new Promise(r => requestAnimationFrame(r));
  return performance.now();
}"""


LIVE_CHANGE = """async () => { const card = document.querySelector("qbt-bridge-card");
  const t = performance.now(); window.sendChange(50);
  await card.updateComplete; return performance.now() - t; }"""


async def browser(count: int) -> dict[str, Any]:
    chromium_path = shutil.which("chromium")
    if chromium_path is None:
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")
    figures: dict[str, Any] = {}
    async with async_playwright() as driver:
        chromium = await driver.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await chromium.new_page(viewport={"width": 1280, "height": 900})
        await page.route(
            f"{ORIGIN}/",
            lambda route: route.fulfill(
                body=PAGE.replace("__N__", str(count)), content_type="text/html"
            ),
        )
        await page.route(
            f"{ORIGIN}/card.js",
            lambda route: route.fulfill(body=BUNDLE.read_bytes(), content_type="text/javascript"),
        )
        for size in (50, 200):
            await page.goto(f"{ORIGIN}/")
            await page.wait_for_function(
                "window.benchReady && !!customElements.get('qbt-bridge-card')"
            )
            start = await page.evaluate(
                """(size) => {
                  const card = document.createElement("qbt-bridge-card");
                  card.setConfig({type: "custom:qbt-bridge-card", page_size: size});
                  document.getElementById("host").appendChild(card);
                  const t = performance.now();
                  card.hass = window.hass;
                  return t;
                }""",
                size,
            )
            drawn = await page.evaluate(RENDERED, [size, ""])
            figures[f"first render, {size} rows (ms)"] = drawn - start
            first = await page.evaluate(
                "document.querySelector('qbt-bridge-card').shadowRoot"
                ".querySelector('.row[data-hash]').dataset.hash"
            )
            flip = await page.evaluate(
                """() => { const t = performance.now();
                  document.querySelector("qbt-bridge-card").shadowRoot
                    .querySelector(".pager button:last-of-type").click(); return t; }"""
            )
            flipped = await page.evaluate(RENDERED, [size, first])
            figures[f"page flip, {size} rows (ms)"] = flipped - flip
            live = [await page.evaluate(LIVE_CHANGE) for _ in range(10)]
            figures[f"live change of 50 rows, {size} rows (ms, median of 10)"] = statistics.median(
                live
            )
            frames = await page.evaluate(
                """async () => { const times = []; let last = performance.now();
                  const end = last + 2000; let y = 0;
                  while (performance.now() < end) {
                    y = (y + 40) % Math.max(1, document.body.scrollHeight - innerHeight);
                    window.scrollTo(0, y);
                    await new Promise(r => requestAnimationFrame(r));
                    const now = performance.now(); times.push(now - last); last = now; }
                  return times; }"""
            )
            frames.sort()
            figures[f"scroll frames, {size} rows (ms: median / p95 / worst)"] = (
                f"{statistics.median(frames):.1f} / {frames[int(len(frames) * 0.95)]:.1f} / "
                f"{frames[-1]:.1f}"
            )
        await chromium.close()
    return figures


def server(count: int) -> dict[str, float]:
    store = SyncStore()
    torrents = {
        f"{n:040x}": {
            "name": f"Torrent {n}",
            "state": "stalledUP",
            "progress": 1.0,
            "size": n,
            "dlspeed": 0,
            "upspeed": n % 7,
            "added_on": n,
            "category": ("linux", "bsd", "")[n % 3],
        }
        for n in range(count)
    }
    store.apply_maindata(MainData.from_api({"rid": 1, "full_update": True, "torrents": torrents}))
    args = COMMANDS[Name.LIST].schema({"sort": "name", "limit": 50})
    watch = Watch(args)
    start = time.perf_counter()
    watch.first(store)
    first = time.perf_counter() - start
    changed = {h: {"upspeed": 99} for h in list(torrents)[:100]}
    store.apply_maindata(MainData.from_api({"rid": 2, "torrents": changed}))
    start = time.perf_counter()
    watch.changes(store)
    change = time.perf_counter() - start
    start = time.perf_counter()
    watch.changes(store)
    idle = time.perf_counter() - start
    return {
        "first page, sorted by name (ms)": first * 1000,
        "after a change of 100 torrents (ms)": change * 1000,
        "with nothing changed (ms)": idle * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torrents", type=int, default=10000)
    args = parser.parse_args()
    print(f"card with {args.torrents} torrents, in Debian's chromium")
    for name, value in asyncio.run(browser(args.torrents)).items():
        print(f"  {name:<58} {value:.1f}" if isinstance(value, float) else f"  {name:<58} {value}")
    print(f"the subscription's work in the integration, a store of {args.torrents} torrents")
    for name, value in server(args.torrents).items():
        print(f"  {name:<58} {value:.1f}")


if __name__ == "__main__":
    main()
