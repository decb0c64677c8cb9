import { MAX_WIDGET_BYTES, validateWidget, type Widget } from '@hwp/sdui-schema';
import {
  audienceSegment,
  isEverydayOnly,
  scheduleAfter,
  type Audience,
  type ScheduleContent,
  type ScheduledEntry,
} from '@hwp/widget-events';
import type { Actor, AuditAction, Caller } from './audit';
import { onePage } from './pages';

/** When a version is shown, epoch ms (UTC): from activeFrom (inclusive) until activeUntil (exclusive). */
export type VersionWindow = Pick<ScheduledEntry, 'activeFrom' | 'activeUntil'>;

/** Always shown: a version published without a window. */
export const ALWAYS: VersionWindow = { activeFrom: null, activeUntil: null };

/** One change to publish: the new widget for an audience, or null to delete it (a tombstone). */
export interface WidgetWrite {
  audience: Audience;
  widget: Widget | null;
  /** When this version is shown; absent: always. */
  window?: VersionWindow;
}

/** A write whose content may be a schedule, built by `schedule` from the versions before it (newest first). */
export interface ScheduledWrite extends WidgetWrite {
  schedule?: (dataVersion: number, previous: ScheduledEntry[]) => ScheduleContent | undefined;
}

/** What product-api answers for each accepted write. */
export interface AcceptedWrite {
  audience: Audience;
  dataVersion: number;
}

/** Which of a product's widgets to list: the generic one, those of single users, or those of segments. */
export type AudienceKind = 'generic' | 'user' | 'segment';

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
  window: VersionWindow;
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
  /**
   * The audiences among `audiences` whose slot has a window that can still be shown at `now`: one that has
   * not ended, published after the slot's newest deletion without a window. One query, over the windowed
   * versions only.
   */
  withPendingWindows(productId: string, audiences: Audience[], now: number): Promise<Set<Audience>>;
  /**
   * Saves writes like `save`, all or nothing, in ONE transaction that first locks the row of each write
   * with a `schedule` (in audience order) and reads the versions before its new one that `scheduleAfter`
   * may keep (newest first, since the newest deletion without a window: the windows that had not ended at
   * `acceptedAt` and the newest version without a window), and delivers what `schedule` builds from them:
   * a schedule, or the plain widget when it answers undefined. Writes without one are delivered plain. A
   * segment audience must name a live segment, held against deletion until the write commits; nothing is
   * saved when one does not.
   */
  saveScheduled(
    productId: string,
    writes: ScheduledWrite[],
    acceptedAt: number,
    change: Change,
    traceparent?: string,
  ): Promise<AcceptedWrite[] | { unknownSegment: string }>;
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

/** Why a publish was refused; nothing was written. */
export type PublishRefusal =
  | { reason: 'window'; field: 'activeFrom' | 'activeUntil'; detail: string }
  | { reason: 'unknown-segment'; segmentId: string; detail: string };

export type PublishOutcome = { ok: true; accepted: AcceptedWrite[] } | ({ ok: false } & PublishRefusal);

/** A window that can never be shown is refused: one that ends before it starts, or has already ended. */
export function windowRefusal(window: VersionWindow, now: number): PublishRefusal | undefined {
  const { activeFrom, activeUntil } = window;
  if (activeUntil === null) return undefined;
  if (activeFrom !== null && activeUntil <= activeFrom)
    return { reason: 'window', field: 'activeUntil', detail: 'must be after activeFrom' };
  if (activeUntil <= now)
    return {
      reason: 'window',
      field: 'activeUntil',
      detail: `has already passed (it is ${new Date(now).toISOString()})`,
    };
  return undefined;
}

const isAlways = ({ activeFrom, activeUntil }: VersionWindow) => activeFrom === null && activeUntil === null;

/** A generic or personal widget published without a window: a schedule only if its slot has pending windows. */
const isEverydayPublish = (write: WidgetWrite): boolean =>
  write.widget !== null && isAlways(write.window ?? ALWAYS) && audienceSegment(write.audience) === undefined;

/**
 * Whether a write is delivered as a schedule rather than a plain widget (ADR 0030): when it has a window
 * (older versions may show around it), always for a segment, whose entries' acceptedAt decides between the
 * segments of a user, and for an everyday publish (no window) of a slot with windows still to show
 * (`pending`: the audiences that have them), which keeps them: a window outranks the everyday version
 * while it is open. An everyday deletion withdraws everything, so it stays a plain tombstone.
 */
export const isScheduled = (write: WidgetWrite, pending: ReadonlySet<Audience>): boolean =>
  !isAlways(write.window ?? ALWAYS) ||
  audienceSegment(write.audience) !== undefined ||
  (isEverydayPublish(write) && pending.has(write.audience));

/**
 * What a scheduled write delivers as `dataVersion`, after the slot's earlier versions (newest first): its
 * schedule, or undefined for the plain widget (or tombstone) when nothing but the new everyday version is
 * left to show, exactly as without schedules. A segment's widget is always a schedule.
 */
export function scheduleOf(
  write: WidgetWrite,
  dataVersion: number,
  acceptedAt: number,
  previous: ScheduledEntry[],
): ScheduleContent | undefined {
  const entry: ScheduledEntry = {
    dataVersion,
    ...(write.window ?? ALWAYS),
    acceptedAt,
    widget: write.widget as ScheduledEntry['widget'],
  };
  const entries = scheduleAfter(entry, previous, acceptedAt);
  if (isEverydayOnly(entries) && audienceSegment(write.audience) === undefined) return undefined;
  return { '~slot': 'schedule', entries };
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

  /**
   * Saves the writes with their events, all or nothing. Whether an everyday publish keeps windows is one
   * query for the whole batch; without scheduled writes (isScheduled) the batch is one statement, as
   * before schedules. Otherwise each scheduled write's content is built from the versions before it, read
   * under the widget's lock in the batch's transaction.
   */
  async publish(
    productId: string,
    writes: WidgetWrite[],
    change: Change,
    traceparent?: string,
  ): Promise<PublishOutcome> {
    const acceptedAt = this.now();
    for (const write of writes) {
      const refusal = windowRefusal(write.window ?? ALWAYS, acceptedAt);
      if (refusal) return { ok: false, ...refusal };
    }
    const asked = writes.filter(isEverydayPublish).map(({ audience }) => audience);
    const pending =
      asked.length === 0
        ? new Set<Audience>()
        : await this.store.withPendingWindows(productId, asked, acceptedAt);
    if (!writes.some((write) => isScheduled(write, pending)))
      return {
        ok: true,
        accepted: await this.store.save(productId, writes, acceptedAt, change, traceparent),
      };
    const scheduled = writes.map(
      (write): ScheduledWrite =>
        isScheduled(write, pending)
          ? {
              ...write,
              schedule: (dataVersion, previous) => scheduleOf(write, dataVersion, acceptedAt, previous),
            }
          : write,
    );
    const saved = await this.store.saveScheduled(productId, scheduled, acceptedAt, change, traceparent);
    if (Array.isArray(saved)) return { ok: true, accepted: saved };
    const segmentId = saved.unknownSegment;
    return {
      ok: false,
      reason: 'unknown-segment',
      segmentId,
      detail: `${productId} has no segment ${segmentId}`,
    };
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
