// The card's copy of its live page: the first event holds it whole, each later one only what
// changed (rows by hash, the order when it moved, the header when a figure did).

export interface Row {
  hash: string;
  name: string;
  state: string;
  status: string;
  progress: number;
  size: number;
  download_speed: number;
  upload_speed: number;
  eta: number | null;
  ratio: number | null;
  category: string;
  tags: string[];
}

export interface Header {
  download_speed: number;
  upload_speed: number;
  free_space: number | null;
  alt_speed: boolean | null;
  connection: string;
  counts: Record<string, number>;
  categories: string[];
  tags: string[];
}

export interface Page {
  entry: { id: string; title: string } | null;
  canAct: boolean;
  capabilities: string[];
  available: boolean;
  header: Header | null;
  count: number;
  offset: number;
  order: string[];
  rows: Record<string, Row>;
  ended: boolean;
}

export interface PageEvent {
  entry?: { id: string; title: string };
  can_act?: boolean;
  capabilities?: string[];
  available?: boolean;
  header?: Header;
  count?: number;
  offset?: number;
  order?: string[];
  rows?: Record<string, Row>;
  ended?: boolean;
}

// qBittorrent's sidebar filters, as the subscription counts them (chips, in this order).
export const GROUPS = [
  "downloading", "seeding", "completed", "running", "stopped", "active", "inactive", "stalled",
  "checking", "moving", "errored",
] as const;

// The list's columns (name is always shown); the sort keys the list command takes.
export const COLUMNS = [
  "progress", "state", "download_speed", "upload_speed", "eta", "ratio", "size", "category",
  "tags",
] as const;
export const SORTS = [
  "added_on", "name", "progress", "state", "download_speed", "upload_speed", "eta", "ratio",
  "size", "category",
] as const;
export type Column = (typeof COLUMNS)[number];
export type Sort = (typeof SORTS)[number];

export function emptyPage(): Page {
  return {
    entry: null, canAct: false, capabilities: [], available: true, header: null, count: 0,
    offset: 0, order: [], rows: {}, ended: false,
  };
}

/** The page after one event: a new object (the card re-renders on a new one). */
export function applyEvent(page: Page, event: PageEvent): Page {
  const order = event.order ?? page.order;
  const rows: Record<string, Row> = {};
  for (const hash of order) {
    const row = event.rows?.[hash] ?? page.rows[hash];
    if (row) rows[hash] = row;
  }
  return {
    entry: event.entry ?? page.entry,
    canAct: event.can_act ?? page.canAct,
    capabilities: event.capabilities ?? page.capabilities,
    available: event.available ?? page.available,
    header: event.header ?? page.header,
    count: event.count ?? page.count,
    offset: event.offset ?? page.offset,
    order,
    rows,
    ended: event.ended ?? false,
  };
}

/** The rows in the page's order. */
export function visibleRows(page: Page): Row[] {
  return page.order.map((hash) => page.rows[hash]).filter((row): row is Row => row !== undefined);
}

/** The list command's arguments for a view of the card. */
export interface View {
  state?: string;
  category?: string;
  tag?: string;
  name?: string;
  sort: Sort;
  descending: boolean;
  offset: number;
  limit: number;
}

export function viewArgs(view: View): Record<string, unknown> {
  const args: Record<string, unknown> = {
    sort: view.sort, descending: view.descending, offset: view.offset, limit: view.limit,
  };
  for (const key of ["state", "tag", "name"] as const) {
    const value = view[key];
    if (value !== undefined && value !== "") args[key] = value;
  }
  if (view.category !== undefined) args.category = view.category; // "" is "no category"
  return args;
}
