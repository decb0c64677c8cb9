import { MAX_WIDGET_BYTES, validateWidget, type Widget } from '@hwp/sdui-schema';
import type { Audience } from '@hwp/widget-events';
import type { Actor, AuditAction, Caller } from './audit';
import { onePage } from './pages';

/** One change to publish: the new widget for an audience, or null to delete it (a tombstone). */
export interface WidgetWrite {
  audience: Audience;
  widget: Widget | null;
}

/** What product-api answers for each accepted write. */
export interface AcceptedWrite {
  audience: Audience;
  dataVersion: number;
}

/** Which of a product's widgets to list: the generic one, or those of single users. */
export type AudienceKind = 'generic' | 'user';

export interface WidgetQuery {
  kind?: AudienceKind;
  /** Only audiences after this one (keyset pagination in audience order). */
  after?: Audience;
  limit: number;
}

/** A product's current widget for one audience, as the studio lists it. */
export interface StoredWidget {
  audience: Audience;
  dataVersion: number;
  updatedAt: Date;
  content: unknown;
}

/** One accepted version of a widget; content null is a deletion. */
export interface WidgetVersion {
  dataVersion: number;
  content: unknown;
  actor: Actor;
  acceptedAt: Date;
}

export interface HistoryQuery {
  /** Only versions older than this one (keyset pagination, newest first). */
  before?: number;
  limit: number;
}

export interface HistoryPage {
  versions: WidgetVersion[];
  /** The last version of this page when more follow: the `before` of the next page. */
  next?: number;
}

/** A write as the audit log records it: who made it, and which kind of write it is. */
export interface Change {
  caller: Caller;
  action: Extract<AuditAction, 'publish' | 'delete' | 'campaign' | 'rollback'>;
}

/** A saved, unpublished widget. */
export interface Draft {
  content: unknown;
  actor: Actor;
  savedAt: Date;
}

export interface WidgetPage {
  widgets: StoredWidget[];
  /** The last audience of this page when more follow: the `after` of the next page. */
  next?: Audience;
}

/** Port: the products' widgets. */
export interface WidgetStore {
  /**
   * Saves widget state, its history, its audit records and its outbox events in ONE transaction, all or
   * nothing. `traceparent` (W3C) is the write's trace, saved with its events for the rest of the pipeline.
   */
  save(
    productId: string,
    writes: WidgetWrite[],
    acceptedAt: number,
    change: Change,
    traceparent?: string,
  ): Promise<AcceptedWrite[]>;
  /** Up to `query.limit` versions of one widget, newest first. */
  history(productId: string, audience: Audience, query: HistoryQuery): Promise<WidgetVersion[]>;
  /** One version of a widget, if it was ever accepted. */
  version(productId: string, audience: Audience, dataVersion: number): Promise<WidgetVersion | undefined>;
  /** Up to `query.limit` current (not deleted) widgets in audience order. */
  find(productId: string, query: WidgetQuery): Promise<StoredWidget[]>;
}

/** Port: the teams' drafts; saving one appends its audit record in the same transaction. */
export interface DraftStore {
  save(productId: string, audience: Audience, widget: Widget, caller: Caller): Promise<Draft>;
  find(productId: string, audience: Audience): Promise<Draft | undefined>;
}

/** A product team as its API key identifies it. */
export interface Team {
  id: string;
  /** The id of the API key (never the key itself). */
  keyId: string;
  productIds: string[];
}

/** Port: finds the team an API key belongs to. */
export interface TeamDirectory {
  teamForApiKey(apiKey: string): Promise<Team | undefined>;
}

/** Port: the products the platform knows. */
export interface ProductCatalog {
  exists(productId: string): Promise<boolean>;
  allIds(): Promise<string[]>;
}

export type WidgetCheck =
  | { ok: true; widget: Widget }
  | { ok: false; tooLarge: boolean; pointer: string; detail: string };

/**
 * Validates a submitted widget at the door: size first (cheap, and bounds the validator's work), then the
 * SDUI schema. `pointer` locates the widget in the request body for error messages.
 */
export function checkWidget(json: unknown, pointer: string): WidgetCheck {
  const bytes = Buffer.byteLength(JSON.stringify(json) ?? '');
  if (bytes > MAX_WIDGET_BYTES) {
    return {
      ok: false,
      tooLarge: true,
      pointer,
      detail: `widget is ${bytes} bytes; at most ${MAX_WIDGET_BYTES} are allowed`,
    };
  }
  const result = validateWidget(json);
  if (result.ok) return { ok: true, widget: result.value };
  const [error] = result.errors;
  return {
    ok: false,
    tooLarge: false,
    pointer: pointer + (error?.path ?? ''),
    detail: error?.message ?? 'invalid widget',
  };
}

export const WIDGET_STORE = Symbol('WidgetStore');
export const TEAM_DIRECTORY = Symbol('TeamDirectory');
export const PRODUCT_CATALOG = Symbol('ProductCatalog');
export const DRAFT_STORE = Symbol('DraftStore');

/** The publishing use cases; HTTP concerns (auth, request shapes) stay in the controller. */
export class Publishing {
  constructor(
    private readonly store: WidgetStore,
    private readonly now: () => number = Date.now,
  ) {}

  publish(
    productId: string,
    writes: WidgetWrite[],
    change: Change,
    traceparent?: string,
  ): Promise<AcceptedWrite[]> {
    return this.store.save(productId, writes, this.now(), change, traceparent);
  }

  /** One page of a widget's versions, newest first. */
  async history(productId: string, audience: Audience, query: HistoryQuery): Promise<HistoryPage> {
    const rows = await this.store.history(productId, audience, { ...query, limit: query.limit + 1 });
    const { page, last } = onePage(rows, query.limit);
    return { versions: page, next: last?.dataVersion };
  }

  /** The version a rollback publishes again, if it exists. */
  version(productId: string, audience: Audience, dataVersion: number): Promise<WidgetVersion | undefined> {
    return this.store.version(productId, audience, dataVersion);
  }

  /** One page of the product's current widgets. */
  async list(productId: string, query: WidgetQuery): Promise<WidgetPage> {
    const rows = await this.store.find(productId, { ...query, limit: query.limit + 1 });
    const { page, last } = onePage(rows, query.limit);
    return { widgets: page, next: last?.audience };
  }
}
