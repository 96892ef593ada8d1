// What the card shows of the figures the subscription sends: sizes, speeds, time left, ratio,
// progress, and each state in the words of qBittorrent's own WebUI for that release.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** 1536 → "1.5 KiB" (binary units, as qBittorrent shows them); null → "—". */
export function formatBytes(bytes: number | null | undefined, locale = "en"): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return "—";
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toLocaleString(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${UNITS[unit]}`;
}

/** Bytes per second; nothing moving is "0 B/s". */
export function formatSpeed(bytesPerSecond: number | null | undefined, locale = "en"): string {
  return `${formatBytes(bytesPerSecond ?? 0, locale)}/s`;
}

/** Seconds left as qBittorrent shows them: "∞" for none, "45s", "3m 5s", "2h 10m", "4d 3h". */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || seconds < 0 || seconds >= 8640000) return "∞";
  const s = Math.floor(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  if (s < 100 * 86400) return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
  return "∞";
}

/** A share ratio with two decimals; none (or qBittorrent's -1) is "—", a huge one "∞". */
export function formatRatio(ratio: number | null | undefined, locale = "en"): string {
  if (ratio === null || ratio === undefined || ratio < 0) return "—";
  if (ratio >= 9999) return "∞";
  return ratio.toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Progress in percent (0–100, as the list answers it) with one decimal, never 100 unless done. */
export function formatProgress(percent: number, locale = "en"): string {
  const shown = percent < 100 ? Math.min(Math.floor(percent * 10) / 10, 99.9) : 100;
  return `${shown.toLocaleString(locale, { maximumFractionDigits: 1 })}%`;
}

// qBittorrent's WebUI words per state (its "status" column). 4.x says "Paused", 5.x "Stopped":
// the release's own state key (pausedUP or stoppedUP) picks the word.
const STATE_WORDS: Record<string, string> = {
  error: "errored",
  missingFiles: "missing_files",
  uploading: "seeding",
  forcedUP: "forced_seeding",
  stalledUP: "seeding",
  queuedUP: "queued",
  checkingUP: "checking",
  pausedUP: "paused_completed",
  stoppedUP: "stopped_completed",
  downloading: "downloading",
  forcedDL: "forced_downloading",
  metaDL: "downloading_metadata",
  forcedMetaDL: "forced_downloading_metadata",
  stalledDL: "stalled",
  queuedDL: "queued",
  checkingDL: "checking",
  pausedDL: "paused",
  stoppedDL: "stopped",
  allocating: "allocating",
  checkingResumeData: "checking_resume_data",
  moving: "moving",
};

/** The translation key of a torrent's state as its release names it ("unknown" for others). */
export function stateKey(status: string): string {
  return STATE_WORDS[status] ?? "unknown";
}

/** Whether a row's torrent is stopped (paused on 4.x), so its button resumes it. */
export function isStopped(status: string): boolean {
  return status.startsWith("paused") || status.startsWith("stopped");
}

/** "a, b" from a list of tags. */
export function formatTags(tags: readonly string[]): string {
  return tags.join(", ");
}

/** Which rows a page holds: "51–100 of 10 000" needs the first and last numbers. */
export function pageSpan(offset: number, shown: number, count: number): [number, number] {
  if (count === 0 || shown === 0) return [0, 0];
  return [offset + 1, Math.min(offset + shown, count)];
}
