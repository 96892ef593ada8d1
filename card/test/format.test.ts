// The card's formatting, its page model and its words, under Node's own test runner.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  formatBytes, formatEta, formatProgress, formatRatio, formatSpeed, isStopped, pageSpan, stateKey,
} from "../src/format";
import { STRINGS, translator } from "../src/i18n";
import { COLUMNS, GROUPS, SORTS, applyEvent, emptyPage, viewArgs, visibleRows, type Row } from "../src/page";

test("sizes in binary units, as qBittorrent shows them", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1,023 B");
  assert.equal(formatBytes(1536), "1.50 KiB");
  assert.equal(formatBytes(50 * 1024 ** 2), "50.0 MiB");
  assert.equal(formatBytes(700 * 1024 ** 3), "700 GiB");
  assert.equal(formatBytes(null), "—");
  assert.equal(formatBytes(-1), "—");
  assert.equal(formatBytes(1536, "de"), "1,50 KiB");
  assert.equal(formatSpeed(2 * 1024 ** 2), "2.00 MiB/s");
  assert.equal(formatSpeed(undefined), "0 B/s");
});

test("time left: none is infinite, the rest in two units", () => {
  assert.equal(formatEta(8640000), "∞");
  assert.equal(formatEta(null), "∞");
  assert.equal(formatEta(45), "45s");
  assert.equal(formatEta(185), "3m 5s");
  assert.equal(formatEta(2 * 3600 + 600), "2h 10m");
  assert.equal(formatEta(4 * 86400 + 3 * 3600), "4d 3h");
});

test("ratio and progress: placeholders, and 100% only when done", () => {
  assert.equal(formatRatio(null), "—");
  assert.equal(formatRatio(-1), "—");
  assert.equal(formatRatio(1.5), "1.50");
  assert.equal(formatRatio(10000), "∞");
  assert.equal(formatProgress(99.99), "99.9%");
  assert.equal(formatProgress(100), "100%");
  assert.equal(formatProgress(12.34), "12.3%");
});

test("each state in its release's words: 4.x pauses, 5.x stops", () => {
  assert.equal(stateKey("pausedDL"), "paused");
  assert.equal(stateKey("stoppedDL"), "stopped");
  assert.equal(stateKey("stalledUP"), "seeding");
  assert.equal(stateKey("something new"), "unknown");
  assert.ok(isStopped("pausedUP") && isStopped("stoppedDL") && !isStopped("stalledDL"));
  const en = translator("en");
  assert.equal(en("state_paused"), "Paused");
  assert.equal(en("state_stopped"), "Stopped");
});

test("every language has every word the English has, and a fallback", () => {
  const keys = Object.keys(STRINGS.en).sort();
  for (const [language, words] of Object.entries(STRINGS)) {
    assert.deepEqual(Object.keys(words).sort(), keys, language);
  }
  for (const group of GROUPS) assert.ok(`group_${group}` in STRINGS.en, group);
  for (const name of [...COLUMNS, ...SORTS]) assert.ok(name in STRINGS.en, name);
  assert.equal(translator("de-AT")("pause"), "Pausieren");
  assert.equal(translator("xx")("pause"), "Pause");
  assert.equal(translator("en")("delete_title", { name: "ubuntu" }), "Delete ubuntu?");
});

const row = (hash: string, name: string): Row => ({
  hash, name, state: "downloading", status: "downloading", progress: 10, size: 1, download_speed: 1,
  upload_speed: 0, eta: 5, ratio: 0, category: "", tags: [],
});

test("the page applies the first event whole, then only the changes", () => {
  let page = applyEvent(emptyPage(), {
    entry: { id: "e", title: "NAS" }, can_act: true, count: 2, offset: 0, order: ["a", "b"],
    rows: { a: row("a", "A"), b: row("b", "B") },
  });
  assert.deepEqual(visibleRows(page).map((r) => r.name), ["A", "B"]);
  page = applyEvent(page, { rows: { b: { ...row("b", "B"), progress: 50 } } });
  assert.equal(page.rows.b.progress, 50);
  assert.equal(page.canAct, true);
  page = applyEvent(page, { order: ["c", "a"], count: 2, rows: { c: row("c", "C") } });
  assert.deepEqual(visibleRows(page).map((r) => r.name), ["C", "A"]);
  assert.equal(page.rows.b, undefined); // gone from the page, gone from memory
  assert.equal(applyEvent(page, { ended: true }).ended, true);
});

test("the view becomes the list command's arguments", () => {
  assert.deepEqual(viewArgs({ sort: "name", descending: false, offset: 50, limit: 50 }), {
    sort: "name", descending: false, offset: 50, limit: 50,
  });
  assert.deepEqual(
    viewArgs({ sort: "size", descending: true, offset: 0, limit: 10, state: "seeding", name: "", category: "" }),
    { sort: "size", descending: true, offset: 0, limit: 10, state: "seeding", category: "" },
  );
  assert.deepEqual(pageSpan(50, 50, 10000), [51, 100]);
  assert.deepEqual(pageSpan(0, 0, 0), [0, 0]);
});
