// qbt-bridge-card: the torrent list of a qbt-bridge server on a Home Assistant dashboard.
// It reads a live page through the integration's websocket subscription (the first page, then
// only what changed: no polling) and acts through qbt_bridge/command, the command table.

import { LitElement, css, html, nothing, type PropertyValues, type TemplateResult } from "lit";
import {
  formatBytes, formatEta, formatProgress, formatRatio, formatSpeed, formatTags, isStopped,
  pageSpan, stateKey,
} from "./format";
import { type Key, translator } from "./i18n";
import {
  COLUMNS, GROUPS, SORTS, applyEvent, emptyPage, viewArgs, visibleRows, type Column, type Page,
  type PageEvent, type Row, type Sort, type View,
} from "./page";

// What the card needs of Home Assistant's `hass` object.
interface Connection {
  subscribeMessage<T>(
    callback: (event: T) => void, message: Record<string, unknown>, options?: { resubscribe?: boolean },
  ): Promise<() => Promise<void>>;
  addEventListener(event: "ready", listener: () => void): void;
  removeEventListener(event: "ready", listener: () => void): void;
  sendMessagePromise<T>(message: Record<string, unknown>): Promise<T>;
}
export interface Hass {
  connection: Connection;
  language?: string;
  locale?: { language?: string };
}

export interface CardConfig {
  type: string;
  entry_id?: string;
  columns?: Column[];
  state?: string;
  sort?: Sort;
  descending?: boolean;
  page_size?: number;
}

interface FileRow { index: number; name: string; size: number; progress: number; priority: string }
type Dialog =
  | { kind: "delete"; row: Row; files: boolean }
  | { kind: "add"; source: string; category: string }
  | { kind: "tags"; row: Row; text: string }
  | { kind: "category"; row: Row; category: string }
  | { kind: "files"; row: Row; files: FileRow[] | null };

const DEFAULT_COLUMNS: Column[] = [...COLUMNS];
const DEFAULT_PAGE_SIZE = 50;
// How long a pause or the alternative speed may last, in the command table's words ("": until undone).
const DURATIONS = ["", "30m", "1h", "2h", "8h"] as const;
const NO_CATEGORY = "\u0000none"; // the select's value for "no category" (a category is text)
const RETRY_FIRST_MS = 2000; // a refused or ended subscription is tried again, ever less often
const RETRY_MAX_MS = 30000;

export class QbtBridgeCard extends LitElement {
  static properties = {
    hass: { attribute: false },
    _config: { state: true },
    _page: { state: true },
    _view: { state: true },
    _dialog: { state: true },
    _error: { state: true },
    _failed: { state: true },
    _duration: { state: true },
    _notice: { state: true },
  };

  hass?: Hass;
  private _config: CardConfig = { type: "custom:qbt-bridge-card" };
  private _page: Page = emptyPage();
  private _view: View = { sort: "added_on", descending: true, offset: 0, limit: DEFAULT_PAGE_SIZE };
  private _dialog: Dialog | null = null;
  private _error = "";
  private _failed = "";
  private _duration = ""; // "" until undone, or how long a pause or the alt speed lasts (30m …)
  private _notice = ""; // what a command given for a while says: until when
  private _unsubscribe: (() => Promise<void>) | null = null;
  private _subscribing = false;
  private _searchTimer: ReturnType<typeof setTimeout> | undefined;
  private _retryTimer: ReturnType<typeof setTimeout> | undefined;
  private _retryDelay = RETRY_FIRST_MS;
  private _listening: Connection | null = null;
  // Home Assistant restarted (or the network came back): a new connection, subscribe again.
  private _onReady = (): void => void this._resubscribe();

  static getConfigElement(): HTMLElement {
    return document.createElement("qbt-bridge-card-editor");
  }

  static getStubConfig(): Partial<CardConfig> {
    return { page_size: DEFAULT_PAGE_SIZE };
  }

  setConfig(config: CardConfig): void {
    if (config.page_size !== undefined && !(config.page_size >= 10 && config.page_size <= 200)) {
      throw new Error("page_size: from 10 to 200");
    }
    const unknown = (config.columns ?? []).filter((c) => !COLUMNS.includes(c));
    if (unknown.length) throw new Error(`columns: no ${unknown.join(", ")} (known: ${COLUMNS.join(", ")})`);
    if (config.sort !== undefined && !SORTS.includes(config.sort)) {
      throw new Error(`sort: one of ${SORTS.join(", ")}`);
    }
    const before = this._config;
    this._config = config;
    this._view = {
      ...this._view,
      state: config.state || undefined,
      sort: config.sort ?? "added_on",
      descending: config.descending ?? true,
      limit: config.page_size ?? DEFAULT_PAGE_SIZE,
      offset: 0,
    };
    if (before.entry_id !== config.entry_id || this._unsubscribe) void this._resubscribe();
  }

  getCardSize(): number {
    return 3 + Math.min(this._page.order.length, 10);
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (this.hass && !this._unsubscribe) void this._subscribe();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this._retryTimer);
    this._listening?.removeEventListener("ready", this._onReady);
    this._listening = null;
    void this._unsubscribeNow();
  }

  protected updated(changed: PropertyValues): void {
    if (!changed.has("hass") || !this.hass) return;
    if (this._listening !== this.hass.connection) {
      this._listening?.removeEventListener("ready", this._onReady);
      this._listening = this.hass.connection;
      this._listening.addEventListener("ready", this._onReady);
    }
    if (!this._unsubscribe && !this._subscribing && this._retryTimer === undefined) {
      void this._subscribe();
    }
  }

  private get _t(): (key: Key, values?: Record<string, string>) => string {
    return translator(this.hass?.locale?.language ?? this.hass?.language);
  }

  private get _language(): string {
    return this.hass?.locale?.language ?? this.hass?.language ?? "en";
  }

  // ------------------------------------------------------------------ the subscription

  private async _subscribe(): Promise<void> {
    if (!this.hass || this._subscribing) return;
    this._subscribing = true;
    try {
      const message: Record<string, unknown> = { type: "qbt_bridge/subscribe", view: viewArgs(this._view) };
      if (this._config.entry_id) message.entry_id = this._config.entry_id;
      // not the library's own resubscribing: this card subscribes again on "ready" itself
      this._unsubscribe = await this.hass.connection.subscribeMessage<PageEvent>(
        (event) => this._onEvent(event), message, { resubscribe: false },
      );
      this._failed = "";
      this._retryDelay = RETRY_FIRST_MS;
    } catch (err) {
      // e.g. right after a restart, before the server's entry is loaded: say so, try again
      this._failed = (err as { message?: string }).message ?? String(err);
      this._retryLater();
    } finally {
      this._subscribing = false;
    }
  }

  private _retryLater(): void {
    clearTimeout(this._retryTimer);
    this._retryTimer = setTimeout(() => {
      this._retryTimer = undefined;
      void this._resubscribe();
    }, this._retryDelay);
    this._retryDelay = Math.min(this._retryDelay * 2, RETRY_MAX_MS);
  }

  private async _unsubscribeNow(): Promise<void> {
    const unsubscribe = this._unsubscribe;
    this._unsubscribe = null;
    if (unsubscribe) {
      try {
        await unsubscribe();
      } catch {
        // the connection went: nothing to end
      }
    }
  }

  private async _resubscribe(): Promise<void> {
    clearTimeout(this._retryTimer);
    this._retryTimer = undefined;
    await this._unsubscribeNow();
    await this._subscribe();
  }

  private _onEvent(event: PageEvent): void {
    this._page = applyEvent(this._page, event);
    if (event.ended) {
      // the server ended it (its entry unloads or reloads): subscribe again in a moment
      void this._unsubscribeNow();
      this._retryLater();
    }
  }

  private _setView(change: Partial<View>): void {
    this._view = { ...this._view, offset: 0, ...change };
    void this._resubscribe();
  }

  // ------------------------------------------------------------------ commands

  private async _run<T = unknown>(command: string, args: Record<string, unknown>): Promise<T | undefined> {
    if (!this.hass) return undefined;
    const message: Record<string, unknown> = { type: "qbt_bridge/command", command, args };
    const entry = this._config.entry_id ?? this._page.entry?.id;
    if (entry) message.entry_id = entry;
    try {
      this._error = "";
      return await this.hass.connection.sendMessagePromise<T>(message);
    } catch (err) {
      this._error = (err as { message?: string }).message ?? String(err);
      return undefined;
    }
  }

  // pause, pause_all and alt_speed on take the chosen "for": the command undoes itself then
  private async _forAWhile(command: string, args: Record<string, unknown>): Promise<void> {
    const timed = this._duration ? { ...args, duration: this._duration } : args;
    const answer = await this._run<{ until?: string }>(command, timed);
    this._notice = answer?.until
      ? this._t("until", { time: new Date(answer.until).toLocaleString(this._language) })
      : "";
  }

  private async _openFiles(row: Row): Promise<void> {
    this._dialog = { kind: "files", row, files: null };
    const answer = await this._run<{ files: FileRow[] }>("files", { torrent: row.hash, per_page: 1000 });
    if (this._dialog?.kind === "files" && this._dialog.row.hash === row.hash) {
      this._dialog = answer ? { ...this._dialog, files: answer.files } : null;
    }
  }

  private async _confirm(): Promise<void> {
    const dialog = this._dialog;
    if (!dialog) return;
    let done: unknown;
    if (dialog.kind === "delete") {
      done = await this._run("delete", { torrents: dialog.row.hash, delete_files: dialog.files });
    } else if (dialog.kind === "add") {
      const args: Record<string, unknown> = { source: dialog.source.trim() };
      if (dialog.category) args.category = dialog.category;
      done = await this._run("add", args);
    } else if (dialog.kind === "tags") {
      const wanted = dialog.text.split(",").map((t) => t.trim()).filter(Boolean);
      const gone = dialog.row.tags.filter((t) => !wanted.includes(t));
      const added = wanted.filter((t) => !dialog.row.tags.includes(t));
      done = true;
      if (gone.length) done = await this._run("remove_tags", { torrents: dialog.row.hash, tags: gone });
      if (done && added.length) done = await this._run("add_tags", { torrents: dialog.row.hash, tags: added });
    } else if (dialog.kind === "category") {
      done = await this._run("set_category", { torrents: dialog.row.hash, category: dialog.category });
    } else {
      done = true;
    }
    if (done !== undefined) this._dialog = null;
  }

  // ------------------------------------------------------------------ rendering

  protected render(): TemplateResult {
    const t = this._t;
    const page = this._page;
    if (this._failed && !page.header) {
      return html`<ha-card><div class="message error" role="alert">${this._failed}</div></ha-card>`;
    }
    return html`
      <ha-card>
        <div class="card" @keydown=${this._onKey}>
          ${this._renderHeader(page)} ${this._renderFilters(page)}
          ${page.available ? nothing : html`<div class="message warning" role="status">${t("unavailable")}</div>`}
          ${this._notice ? html`<div class="message notice" role="status">${this._notice}</div>` : nothing}
          ${this._error || this._failed
            ? html`<div class="message error" role="alert">${this._error || this._failed}</div>`
            : nothing}
          ${this._renderList(page)} ${this._renderPager(page)} ${this._renderDialog()}
        </div>
      </ha-card>
    `;
  }

  private _renderHeader(page: Page): TemplateResult {
    const t = this._t;
    const header = page.header;
    const lang = this._language;
    return html`
      <div class="header">
        <div class="title">${page.entry?.title ?? t("title")}</div>
        <div class="figures">
          <span title=${t("download")} aria-label=${t("download")}>↓ ${formatSpeed(header?.download_speed, lang)}</span>
          <span title=${t("upload")} aria-label=${t("upload")}>↑ ${formatSpeed(header?.upload_speed, lang)}</span>
          <span>${t("free_space")}: ${formatBytes(header?.free_space, lang)}</span>
          ${header?.alt_speed === null || header === null
            ? nothing
            : html`<button class="toggle ${header.alt_speed ? "on" : ""}" role="switch"
                aria-checked=${header.alt_speed ? "true" : "false"} ?disabled=${!page.canAct}
                @click=${() => (header.alt_speed
                  ? this._run("alt_speed", { enabled: false })
                  : this._forAWhile("alt_speed", { enabled: true }))}>
                <ha-icon icon="mdi:speedometer-slow"></ha-icon> ${t("alt_speed")}</button>`}
        </div>
        ${page.canAct
          ? html`<div class="global-actions">
              <button @click=${() => (this._dialog = { kind: "add", source: "", category: "" })}><ha-icon icon="mdi:plus"></ha-icon> ${t("add")}</button>
              <button @click=${() => this._forAWhile("pause_all", {})}><ha-icon icon="mdi:pause-circle-outline"></ha-icon> ${t("pause_all")}</button>
              <button @click=${() => this._run("resume_paused", {})}><ha-icon icon="mdi:play-circle-outline"></ha-icon> ${t("resume_paused")}</button>
              <select class="duration" aria-label=${t("for_a_while")} title=${t("for_a_while")}
                .value=${this._duration} @change=${(e: Event) => (this._duration = (e.target as HTMLSelectElement).value)}>
                ${DURATIONS.map((d) => html`<option value=${d} ?selected=${d === this._duration}>${t(d ? `for_${d}` as Key : "until_undone")}</option>`)}
              </select>
            </div>`
          : nothing}
      </div>
      <div class="chips" role="toolbar" aria-label=${t("state")}>
        <button class="chip" aria-pressed=${this._view.state === undefined ? "true" : "false"}
          @click=${() => this._setView({ state: undefined })}>${t("all")} ${header?.counts.total ?? 0}</button>
        ${GROUPS.map(
          (group) => html`<button class="chip" data-group=${group}
            aria-pressed=${this._view.state === group ? "true" : "false"}
            @click=${() => this._setView({ state: this._view.state === group ? undefined : group })}>
            ${t(`group_${group}` as Key)} ${header?.counts[group] ?? 0}</button>`,
        )}
      </div>
    `;
  }

  private _renderFilters(page: Page): TemplateResult {
    const t = this._t;
    const header = page.header;
    const category = this._view.category === undefined ? "" : this._view.category === "" ? NO_CATEGORY : this._view.category;
    return html`
      <div class="filters">
        <input type="search" class="search" placeholder=${t("search")} aria-label=${t("search")}
          .value=${this._view.name ?? ""} @input=${this._onSearch} />
        <select aria-label=${t("category")} .value=${category} @change=${(e: Event) => {
          const value = (e.target as HTMLSelectElement).value;
          this._setView({ category: value === "" ? undefined : value === NO_CATEGORY ? "" : value });
        }}>
          <option value="">${t("any_category")}</option>
          <option value=${NO_CATEGORY}>${t("no_category")}</option>
          ${(header?.categories ?? []).map((c) => html`<option value=${c} ?selected=${c === category}>${c}</option>`)}
        </select>
        <select aria-label=${t("tags")} .value=${this._view.tag ?? ""} @change=${(e: Event) => {
          const value = (e.target as HTMLSelectElement).value;
          this._setView({ tag: value || undefined });
        }}>
          <option value="">${t("any_tag")}</option>
          ${(header?.tags ?? []).map((tag) => html`<option value=${tag} ?selected=${tag === this._view.tag}>${tag}</option>`)}
        </select>
        <select aria-label=${t("sort_by")} .value=${this._view.sort} @change=${(e: Event) =>
          this._setView({ sort: (e.target as HTMLSelectElement).value as Sort })}>
          ${SORTS.map((s) => html`<option value=${s} ?selected=${s === this._view.sort}>${t(s)}</option>`)}
        </select>
        <button class="direction" aria-label=${this._view.descending ? t("descending") : t("ascending")}
          title=${this._view.descending ? t("descending") : t("ascending")}
          @click=${() => this._setView({ descending: !this._view.descending })}>
          ${this._view.descending ? "↓" : "↑"}</button>
      </div>
    `;
  }

  private _onSearch(e: Event): void {
    const value = (e.target as HTMLInputElement).value;
    clearTimeout(this._searchTimer);
    this._searchTimer = setTimeout(() => this._setView({ name: value || undefined }), 300);
  }

  private _columns(): Column[] {
    return this._config.columns?.length ? this._config.columns : DEFAULT_COLUMNS;
  }

  private _renderList(page: Page): TemplateResult {
    const t = this._t;
    const rows = visibleRows(page);
    if (!page.header) return html`<div class="message">…</div>`;
    if (rows.length === 0) return html`<div class="message empty">${t("empty")}</div>`;
    const columns = this._columns();
    return html`
      <div class="list" role="table" aria-rowcount=${page.count} style="--qbt-columns: ${columns.length}; --qbt-actions: ${page.canAct ? "228px" : "0px"}">
        <div class="row head" role="row">
          <span class="name" role="columnheader">${t("name")}</span>
          ${columns.map((c) => html`<span class="cell ${c}" role="columnheader">${t(c)}</span>`)}
          ${page.canAct ? html`<span class="actions" role="columnheader">${t("actions")}</span>` : nothing}
        </div>
        ${rows.map((row) => this._renderRow(row, columns, page.canAct))}
      </div>
    `;
  }

  private _renderRow(row: Row, columns: Column[], canAct: boolean): TemplateResult {
    const t = this._t;
    const lang = this._language;
    const cell = (column: Column): TemplateResult => {
      switch (column) {
        case "progress":
          return html`<span class="cell progress" role="cell">
            <span class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"
              aria-valuenow=${row.progress}><span style="width:${Math.min(row.progress, 100)}%"></span></span>
            <span class="percent">${formatProgress(row.progress, lang)}</span></span>`;
        case "state":
          return html`<span class="cell state" role="cell" data-status=${row.status}>${t(`state_${stateKey(row.status)}` as Key)}</span>`;
        case "download_speed":
          return html`<span class="cell download_speed" role="cell">↓ ${formatSpeed(row.download_speed, lang)}</span>`;
        case "upload_speed":
          return html`<span class="cell upload_speed" role="cell">↑ ${formatSpeed(row.upload_speed, lang)}</span>`;
        case "eta":
          return html`<span class="cell eta" role="cell">${formatEta(row.eta)}</span>`;
        case "ratio":
          return html`<span class="cell ratio" role="cell">${formatRatio(row.ratio, lang)}</span>`;
        case "size":
          return html`<span class="cell size" role="cell">${formatBytes(row.size, lang)}</span>`;
        case "category":
          return html`<span class="cell category" role="cell">${row.category}</span>`;
        case "tags":
          return html`<span class="cell tags" role="cell">${formatTags(row.tags)}</span>`;
      }
    };
    const stopped = isStopped(row.status);
    return html`
      <div class="row" role="row" data-hash=${row.hash}>
        <span class="name" role="cell" title=${row.name}>${row.name}</span>
        ${columns.map(cell)}
        ${canAct
          ? html`<span class="actions" role="cell">
              <button class="act ${stopped ? "resume" : "pause"}" aria-label="${stopped ? t("resume") : t("pause")} ${row.name}"
                title=${stopped ? t("resume") : t("pause")}
                @click=${() => (stopped
                  ? this._run("resume", { torrents: row.hash })
                  : this._forAWhile("pause", { torrents: row.hash }))}><ha-icon icon=${stopped ? "mdi:play" : "mdi:pause"}></ha-icon></button>
              <button class="act recheck" aria-label="${t("recheck")} ${row.name}" title=${t("recheck")}
                @click=${() => this._run("recheck", { torrents: row.hash })}><ha-icon icon="mdi:file-check-outline"></ha-icon></button>
              <button class="act category" aria-label="${t("set_category")} ${row.name}" title=${t("set_category")}
                @click=${() => (this._dialog = { kind: "category", row, category: row.category })}><ha-icon icon="mdi:folder-outline"></ha-icon></button>
              <button class="act tags" aria-label="${t("edit_tags")} ${row.name}" title=${t("edit_tags")}
                @click=${() => (this._dialog = { kind: "tags", row, text: formatTags(row.tags) })}><ha-icon icon="mdi:tag-outline"></ha-icon></button>
              <button class="act files" aria-label="${t("files")} ${row.name}" title=${t("files")}
                @click=${() => this._openFiles(row)}><ha-icon icon="mdi:file-tree-outline"></ha-icon></button>
              <button class="act delete" aria-label="${t("delete")} ${row.name}" title=${t("delete")}
                @click=${() => (this._dialog = { kind: "delete", row, files: false })}><ha-icon icon="mdi:delete-outline"></ha-icon></button>
            </span>`
          : nothing}
      </div>
    `;
  }

  private _renderPager(page: Page): TemplateResult | typeof nothing {
    if (page.count <= this._view.limit) return nothing;
    const t = this._t;
    const [first, last] = pageSpan(page.offset, page.order.length, page.count);
    const number = (n: number): string => n.toLocaleString(this._language);
    return html`
      <div class="pager">
        <button aria-label=${t("previous")} ?disabled=${this._view.offset === 0}
          @click=${() => this._setView({ offset: Math.max(0, this._view.offset - this._view.limit) })}>‹</button>
        <span>${number(first)}–${number(last)} ${t("of")} ${number(page.count)}</span>
        <button aria-label=${t("next")} ?disabled=${last >= page.count}
          @click=${() => this._setView({ offset: this._view.offset + this._view.limit })}>›</button>
      </div>
    `;
  }

  private _renderDialog(): TemplateResult | typeof nothing {
    const dialog = this._dialog;
    if (!dialog) return nothing;
    const t = this._t;
    const categories = this._page.header?.categories ?? [];
    let title = "";
    let body: TemplateResult;
    let confirm: string | null = t("save");
    switch (dialog.kind) {
      case "delete":
        title = t("delete_title", { name: dialog.row.name });
        confirm = t("confirm");
        body = html`<label><input type="checkbox" .checked=${dialog.files}
          @change=${(e: Event) => (this._dialog = { ...dialog, files: (e.target as HTMLInputElement).checked })} />
          ${t("delete_files")}</label>`;
        break;
      case "add":
        title = t("add_title");
        confirm = t("add_button");
        body = html`
          <label>${t("source")}<textarea rows="3" .value=${dialog.source}
            @input=${(e: Event) => (this._dialog = { ...dialog, source: (e.target as HTMLTextAreaElement).value })}></textarea></label>
          <label>${t("category")}<select .value=${dialog.category}
            @change=${(e: Event) => (this._dialog = { ...dialog, category: (e.target as HTMLSelectElement).value })}>
            <option value="">${t("no_category")}</option>
            ${categories.map((c) => html`<option value=${c}>${c}</option>`)}
          </select></label>`;
        break;
      case "tags":
        title = t("tags_title", { name: dialog.row.name });
        body = html`<label>${t("tags_hint")}<input type="text" .value=${dialog.text}
          @input=${(e: Event) => (this._dialog = { ...dialog, text: (e.target as HTMLInputElement).value })} /></label>`;
        break;
      case "category":
        title = t("category_title", { name: dialog.row.name });
        body = html`<label>${t("category")}<select .value=${dialog.category}
          @change=${(e: Event) => (this._dialog = { ...dialog, category: (e.target as HTMLSelectElement).value })}>
          <option value="">${t("no_category")}</option>
          ${categories.map((c) => html`<option value=${c} ?selected=${c === dialog.category}>${c}</option>`)}
        </select></label>`;
        break;
      case "files":
        title = t("files_title", { name: dialog.row.name });
        confirm = null;
        body = dialog.files === null
          ? html`<div class="message">…</div>`
          : html`<div class="files">${dialog.files.map(
              (file) => html`<div class="file">
                <span class="file-name" title=${file.name}>${file.name}</span>
                <span>${formatBytes(file.size, this._language)}</span>
                <select aria-label="${t("priority")} ${file.name}" .value=${file.priority}
                  @change=${(e: Event) => this._run("set_file_priority", {
                    torrent: dialog.row.hash, files: [file.index], priority: (e.target as HTMLSelectElement).value,
                  })}>
                  ${(["skip", "normal", "high", "max"] as const).map(
                    (p) => html`<option value=${p} ?selected=${p === file.priority}>${t(p)}</option>`,
                  )}
                </select></div>`,
            )}</div>`;
        break;
    }
    return html`
      <div class="scrim" @click=${(e: Event) => e.target === e.currentTarget && (this._dialog = null)}>
        <div class="dialog" role="dialog" aria-modal="true" aria-label=${title}>
          <h2>${title}</h2>
          ${body}
          <div class="dialog-actions">
            <button @click=${() => (this._dialog = null)}>${confirm === null ? t("close") : t("cancel")}</button>
            ${confirm === null ? nothing : html`<button class="primary ${dialog.kind}" @click=${this._confirm}>${confirm}</button>`}
          </div>
        </div>
      </div>
    `;
  }

  protected firstUpdated(): void {
    this.setAttribute("tabindex", "-1");
  }

  protected willUpdate(changed: PropertyValues): void {
    if (changed.has("_dialog") && this._dialog && !changed.get("_dialog")) {
      // a new dialog: focus its first field once it is drawn
      void this.updateComplete.then(() => {
        const field = this.renderRoot.querySelector<HTMLElement>(".dialog input, .dialog textarea, .dialog select, .dialog button");
        field?.focus();
      });
    }
  }

  private _onKey(e: KeyboardEvent): void {
    if (e.key === "Escape" && this._dialog) {
      this._dialog = null;
      e.stopPropagation();
    }
  }

  static styles = css`
    :host { display: block; }
    .card { container-type: inline-size; padding: 12px 16px 8px; color: var(--primary-text-color); }
    button, select, input, textarea {
      font: inherit; color: var(--primary-text-color);
      background: var(--secondary-background-color, transparent);
      border: 1px solid var(--divider-color); border-radius: 6px; padding: 4px 8px;
    }
    button { cursor: pointer; min-height: 32px; display: inline-flex; align-items: center; gap: 4px; }
    ha-icon { --mdc-icon-size: 18px; }
    button:disabled { opacity: 0.5; cursor: default; }
    button:focus-visible, select:focus-visible, input:focus-visible, textarea:focus-visible {
      outline: 2px solid var(--primary-color); outline-offset: 1px;
    }
    .header { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
    .title { font-size: 1.2em; font-weight: 500; flex: 1 1 auto; }
    .figures { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; color: var(--secondary-text-color); }
    .toggle.on { background: var(--primary-color); color: var(--text-primary-color, #fff); border-color: var(--primary-color); }
    .global-actions { display: flex; flex-wrap: wrap; gap: 6px; width: 100%; }
    .chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 10px 0 6px; }
    .chip { border-radius: 16px; font-size: 0.9em; }
    .chip[aria-pressed="true"] { background: var(--primary-color); color: var(--text-primary-color, #fff); border-color: var(--primary-color); }
    .filters { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 8px; }
    .search { flex: 1 1 160px; min-width: 0; }
    .message { padding: 12px 0; color: var(--secondary-text-color); }
    .message.error { color: var(--error-color, #db4437); }
    .message.warning { color: var(--warning-color, #ffa600); }
    .list { display: flex; flex-direction: column; }
    .row {
      display: grid; align-items: center; gap: 4px 10px; padding: 6px 0;
      grid-template-columns: minmax(140px, 3fr) repeat(var(--qbt-columns, 9), minmax(0, 1fr)) var(--qbt-actions, 0px);
      border-bottom: 1px solid var(--divider-color);
    }
    .row.head { font-size: 0.85em; color: var(--secondary-text-color); }
    .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .cell { font-size: 0.9em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .progress { display: flex; flex-direction: column; gap: 2px; }
    .bar { display: block; height: 6px; border-radius: 3px; background: var(--divider-color); overflow: hidden; }
    .bar > span { display: block; height: 100%; background: var(--primary-color); }
    .percent { font-size: 0.85em; color: var(--secondary-text-color); }
    .actions { display: flex; gap: 4px; justify-content: flex-end; }
    .act { min-width: 32px; padding: 2px 6px; }
    .pager { display: flex; gap: 12px; align-items: center; justify-content: center; padding: 8px 0; }
    .scrim { position: fixed; inset: 0; background: rgba(0, 0, 0, 0.4); display: flex; align-items: center; justify-content: center; z-index: 10; }
    .dialog {
      background: var(--card-background-color, #fff); color: var(--primary-text-color);
      border-radius: 12px; padding: 16px 20px; width: min(480px, 92vw); max-height: 85vh; overflow: auto;
      display: flex; flex-direction: column; gap: 10px;
    }
    .dialog h2 { margin: 0; font-size: 1.1em; overflow-wrap: anywhere; }
    .dialog label { display: flex; flex-direction: column; gap: 4px; }
    .dialog label:has(input[type="checkbox"]) { flex-direction: row; align-items: center; }
    .dialog-actions { display: flex; justify-content: flex-end; gap: 8px; }
    .primary { background: var(--primary-color); color: var(--text-primary-color, #fff); border-color: var(--primary-color); }
    .primary.delete { background: var(--error-color, #db4437); border-color: var(--error-color, #db4437); }
    .files { display: flex; flex-direction: column; gap: 4px; }
    .file { display: grid; grid-template-columns: 1fr auto auto; gap: 8px; align-items: center; }
    .file-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    @container (max-width: 599px) {
      .row { grid-template-columns: 1fr auto; }
      .row.head { display: none; }
      .row .name { grid-column: 1 / -1; white-space: normal; }
      .row .cell { grid-column: auto; }
      .row .cell.size, .row .cell.category, .row .cell.tags, .row .cell.ratio, .row .cell.eta { display: none; }
      .row .progress { grid-column: 1 / -1; }
      .row .actions { grid-column: 1 / -1; justify-content: flex-start; flex-wrap: wrap; }
    }
  `;
}

// ------------------------------------------------------------------ the visual editor

interface EditorHass extends Hass { [key: string]: unknown }

export class QbtBridgeCardEditor extends LitElement {
  static properties = { hass: { attribute: false }, _config: { state: true } };
  hass?: EditorHass;
  private _config: CardConfig = { type: "custom:qbt-bridge-card" };

  setConfig(config: CardConfig): void {
    this._config = config;
  }

  private _schema(): unknown[] {
    const t = translator(this.hass?.locale?.language ?? this.hass?.language);
    return [
      { name: "entry_id", selector: { config_entry: { integration: "qbt_bridge" } } },
      { name: "columns", selector: { select: { multiple: true, options: COLUMNS.map((c) => ({ value: c, label: t(c) })) } } },
      { name: "state", selector: { select: { options: [{ value: "", label: t("all") }, ...GROUPS.map((g) => ({ value: g, label: t(`group_${g}` as Key) }))] } } },
      { name: "sort", selector: { select: { options: SORTS.map((s) => ({ value: s, label: t(s) })) } } },
      { name: "descending", selector: { boolean: {} } },
      { name: "page_size", selector: { number: { min: 10, max: 200, step: 10, mode: "box" } } },
    ];
  }

  protected render(): TemplateResult {
    const t = translator(this.hass?.locale?.language ?? this.hass?.language);
    return html`<ha-form .hass=${this.hass} .data=${{ descending: true, page_size: DEFAULT_PAGE_SIZE, ...this._config }}
      .schema=${this._schema()} .computeLabel=${(s: { name: string }) => t(`editor_${s.name === "entry_id" ? "entry" : s.name}` as Key)}
      @value-changed=${this._changed}></ha-form>`;
  }

  private _changed(e: CustomEvent<{ value: CardConfig }>): void {
    const config = { ...e.detail.value };
    for (const key of Object.keys(config) as (keyof CardConfig)[]) {
      if (config[key] === "" || (Array.isArray(config[key]) && (config[key] as unknown[]).length === 0)) delete config[key];
    }
    this.dispatchEvent(new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }));
  }
}

// Home Assistant's app swaps window.customElements for a scoped registry (a polyfill) as it
// loads. This module is loaded beside the app and may run first: what it defined then is not in
// the registry Home Assistant asks later, which draws "Custom element doesn't exist". So define
// again once the app is there, and ask any such error card to rebuild.
function defineAll(): void {
  if (!customElements.get("qbt-bridge-card")) customElements.define("qbt-bridge-card", QbtBridgeCard);
  if (!customElements.get("qbt-bridge-card-editor")) {
    customElements.define("qbt-bridge-card-editor", QbtBridgeCardEditor);
  }
}

function rebuildStaleErrorCards(root: Document | ShadowRoot = document): void {
  for (const element of Array.from(root.querySelectorAll("*"))) {
    if (element.localName === "hui-error-card"
      && (element.shadowRoot?.textContent ?? "").includes("qbt-bridge-card")) {
      element.dispatchEvent(new Event("ll-rebuild", { bubbles: true, composed: true }));
    }
    if (element.shadowRoot) rebuildStaleErrorCards(element.shadowRoot);
  }
}

if (!customElements.get("qbt-bridge-card")) {
  defineAll();
  const cards = ((window as unknown as { customCards?: unknown[] }).customCards ??= []);
  cards.push({
    type: "qbt-bridge-card",
    name: "qbt-bridge torrents",
    description: "The torrents of a qbt-bridge server, live, with their buttons.",
    preview: false,
    documentationURL: "https://github.com/qbt-bridge/qbt-bridge/blob/main/docs/card.md",
  });
  void customElements.whenDefined("home-assistant").then(() => {
    defineAll(); // in the registry the app put in place, if it is another
    setTimeout(() => rebuildStaleErrorCards(), 0);
  });
}
