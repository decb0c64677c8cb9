import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_DATABASE, ProductPrisma, type ProductDatabaseClient } from '@hwp/product-db';
import type { PostgresConnection } from '@hwp/service-kit';
import type { Widget } from '@hwp/sdui-schema';
import {
  audienceSegment,
  type Audience,
  type ScheduleContent,
  type ScheduledEntry,
  type SlotContent,
} from '@hwp/widget-events';
import type { Actor, Caller } from '../domain/audit';
import type {
  AcceptedWrite,
  Change,
  HistoryQuery,
  ScheduledWrite,
  StoredWidget,
  VersionWindow,
  WidgetQuery,
  WidgetStore,
  WidgetVersion,
  WidgetWrite,
} from '../domain/publishing';
import { holdLiveSegment, type Transaction } from './postgres-segment-store';

/**
 * The transactional outbox in one statement: bump each widget's version, store its widget, keep the
 * version in the history (with its window, accepted at $3), append its audit record and insert the
 * matching outbox row, which carries `delivered` instead of the widget when there is one (a schedule). A
 * single statement is a single transaction, so state, history, audit and event are saved together or not at all; a batch of
 * writes is all-or-nothing for the same reason. Without an action ($8 null) no audit record is appended:
 * the caller's own transaction records the change (an experiment's start or stop).
 */
const SAVE_WITH_OUTBOX = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS t(audience text, widget jsonb, delivered jsonb, active_from timestamptz, active_until timestamptz)
), saved AS (
  INSERT INTO widgets AS w (product_id, audience, data_version, content, updated_at)
  SELECT $1, audience, 1, widget, now() FROM input
  ON CONFLICT (product_id, audience) DO UPDATE
    SET data_version = w.data_version + 1, content = EXCLUDED.content, updated_at = EXCLUDED.updated_at
  RETURNING product_id, audience, data_version, content
), history AS (
  INSERT INTO widget_versions
    (product_id, audience, data_version, content, active_from, active_until, accepted_at, actor_kind, actor_id)
  SELECT s.product_id, s.audience, s.data_version, s.content, i.active_from, i.active_until,
    to_timestamp($3::bigint / 1000.0), $5, $6
  FROM saved s JOIN input i USING (audience)
), audit AS (
  INSERT INTO audit_log (team_id, actor_kind, actor_id, action, product_id, audience, data_version, request_id)
  SELECT $7, $5, $6, $8, product_id, audience, data_version, $9 FROM saved WHERE $8::text IS NOT NULL
)
INSERT INTO outbox (product_id, audience, data_version, payload, traceparent)
SELECT s.product_id, s.audience, s.data_version,
  jsonb_build_object('widget', COALESCE(i.delivered, s.content), 'acceptedAt', $3::bigint), $4::text
FROM saved s JOIN input i USING (audience)
RETURNING audience, data_version::text AS "dataVersion"`;

@Injectable()
export class PostgresWidgetStore implements WidgetStore {
  constructor(@Inject(PRODUCT_DATABASE) private readonly db: PostgresConnection<ProductDatabaseClient>) {}

  save(
    productId: string,
    writes: WidgetWrite[],
    acceptedAt: number,
    { caller, action }: Change,
    traceparent?: string,
  ): Promise<AcceptedWrite[]> {
    return saveWithOutbox(this.db.client, productId, writes, acceptedAt, caller, action, traceparent);
  }

  saveScheduled(
    productId: string,
    writes: ScheduledWrite[],
    acceptedAt: number,
    { caller, action }: Change,
    traceparent?: string,
  ): Promise<AcceptedWrite[] | { unknownSegment: string }> {
    return this.db.client.$transaction(async (tx) => {
      for (const { audience } of writes) {
        const segmentId = audienceSegment(audience);
        if (segmentId !== undefined && !(await holdLiveSegment(tx, productId, segmentId)))
          return { unknownSegment: segmentId };
      }
      // Locked in audience order, so that two scheduled batches take the widgets they share in one order.
      const scheduled = writes
        .flatMap(({ audience, schedule }) => (schedule ? [{ audience, schedule }] : []))
        .sort((a, b) => (a.audience < b.audience ? -1 : 1));
      const built = new Map<Audience, { dataVersion: number; delivered?: ScheduleContent }>();
      for (const { audience, schedule } of scheduled) {
        const dataVersion = (await lockWidget(tx, productId, audience)) + 1;
        const previous = await versionsStillShown(tx, productId, audience, acceptedAt);
        built.set(audience, { dataVersion, delivered: schedule(dataVersion, previous) });
      }
      const accepted = await saveWithOutbox(
        tx,
        productId,
        writes.map(({ schedule: _, ...write }) => ({
          ...write,
          delivered: built.get(write.audience)?.delivered,
        })),
        acceptedAt,
        caller,
        action,
        traceparent,
      );
      for (const { audience, dataVersion } of accepted) {
        const expected = built.get(audience)?.dataVersion;
        if (expected !== undefined && dataVersion !== expected)
          throw new Error(`${productId} ${audience} took version ${dataVersion}, not ${expected}`);
      }
      return accepted;
    }, SCHEDULED_TRANSACTION);
  }

  /**
   * Over the partial index of windowed versions (widget_versions_windowed), each checked against the
   * deletions without a window after it (widget_versions_withdrawals): no widget's whole history is read.
   */
  async withPendingWindows(productId: string, audiences: Audience[], now: number): Promise<Set<Audience>> {
    const rows = await this.db.client.$queryRaw<{ audience: Audience }[]>`
      SELECT DISTINCT v.audience FROM widget_versions v
      WHERE v.product_id = ${productId} AND v.audience = ANY(${audiences}::text[])
        AND (v.active_from IS NOT NULL OR v.active_until IS NOT NULL)
        AND (v.active_until IS NULL OR v.active_until > ${new Date(now)})
        AND NOT EXISTS (
          SELECT 1 FROM widget_versions d
          WHERE d.product_id = v.product_id AND d.audience = v.audience AND d.data_version > v.data_version
            AND d.content IS NULL AND d.active_from IS NULL AND d.active_until IS NULL)`;
    return new Set(rows.map(({ audience }) => audience));
  }

  /** Keyset pagination over the primary key (product_id, audience): no page costs more than its rows. */
  async find(productId: string, { kind, after, limit }: WidgetQuery): Promise<StoredWidget[]> {
    const rows = await this.db.client.widget.findMany({
      where: {
        productId,
        content: { not: ProductPrisma.DbNull },
        audience: {
          ...(after === undefined ? {} : { gt: after }),
          ...(kind === 'generic' ? { equals: 'generic' } : kind ? { startsWith: `${kind}:` } : {}),
        },
        // A running experiment's content is listed with its experiment, not as a widget.
        NOT: { audience: { startsWith: 'experiment:' } },
      },
      orderBy: { audience: 'asc' },
      take: limit,
      select: { audience: true, dataVersion: true, updatedAt: true, content: true },
    });
    return rows.map((row) => ({
      ...row,
      audience: row.audience as Audience,
      dataVersion: Number(row.dataVersion),
    }));
  }

  /** Newest first over the primary key (product_id, audience, data_version). */
  async history(
    productId: string,
    audience: Audience,
    { before, limit }: HistoryQuery,
  ): Promise<WidgetVersion[]> {
    const rows = await this.db.client.widgetVersion.findMany({
      where: { productId, audience, ...(before === undefined ? {} : { dataVersion: { lt: before } }) },
      orderBy: { dataVersion: 'desc' },
      take: limit,
      select: VERSION_FIELDS,
    });
    return rows.map(toVersion);
  }

  async version(
    productId: string,
    audience: Audience,
    dataVersion: number,
  ): Promise<WidgetVersion | undefined> {
    const row = await this.db.client.widgetVersion.findUnique({
      where: { productId_audience_dataVersion: { productId, audience, dataVersion } },
      select: VERSION_FIELDS,
    });
    return row ? toVersion(row) : undefined;
  }
}

// A scheduled write waits for the widget's lock while earlier writes of it commit.
const SCHEDULED_TRANSACTION = { maxWait: 10_000, timeout: 30_000 };

/**
 * Locks the widget's row until the transaction ends, creating it (at version 0, replaced by the save in
 * the same transaction) when it has none yet, and answers its version: the next save takes the one after.
 */
async function lockWidget(tx: Transaction, productId: string, audience: Audience): Promise<number> {
  const [row] = await tx.$queryRaw<{ data_version: bigint }[]>`
    INSERT INTO widgets AS w (product_id, audience, data_version, content, updated_at)
    VALUES (${productId}, ${audience}, 0, NULL, now())
    ON CONFLICT (product_id, audience) DO UPDATE SET data_version = w.data_version
    RETURNING data_version`;
  if (!row) throw new Error(`locking ${productId} ${audience} returned no row`);
  return Number(row.data_version);
}

/**
 * The versions a new schedule may keep (scheduleAfter), newest first: those after the newest deletion
 * without a window (it withdrew everything before it), the windows that had not ended at `now` and the
 * newest version without a window; older everyday versions are hidden by it. Three index range reads
 * (the two partial indexes and the primary key backwards from the newest version), none over the whole
 * history.
 */
async function versionsStillShown(
  tx: Transaction,
  productId: string,
  audience: Audience,
  now: number,
): Promise<ScheduledEntry[]> {
  const rows = await tx.$queryRaw<
    {
      data_version: bigint;
      active_from: Date | null;
      active_until: Date | null;
      accepted_at: Date;
      content: unknown;
    }[]
  >`
    WITH withdrawn AS (
      SELECT COALESCE(MAX(data_version), 0) AS data_version FROM widget_versions
      WHERE product_id = ${productId} AND audience = ${audience}
        AND content IS NULL AND active_from IS NULL AND active_until IS NULL
    ), windows AS (
      SELECT * FROM widget_versions
      WHERE product_id = ${productId} AND audience = ${audience}
        AND data_version > (SELECT data_version FROM withdrawn)
        AND (active_from IS NOT NULL OR active_until IS NOT NULL)
        AND (active_until IS NULL OR active_until > ${new Date(now)})
    ), everyday AS (
      SELECT * FROM widget_versions
      WHERE product_id = ${productId} AND audience = ${audience}
        AND data_version > (SELECT data_version FROM withdrawn)
        AND active_from IS NULL AND active_until IS NULL
      ORDER BY data_version DESC LIMIT 1
    )
    SELECT data_version, active_from, active_until, accepted_at, content
    FROM (SELECT * FROM windows UNION ALL SELECT * FROM everyday) kept
    ORDER BY data_version DESC`;
  return rows.map((row) => ({
    dataVersion: Number(row.data_version),
    activeFrom: row.active_from?.getTime() ?? null,
    activeUntil: row.active_until?.getTime() ?? null,
    acceptedAt: row.accepted_at.getTime(),
    widget: row.content as ScheduledEntry['widget'],
  }));
}

const VERSION_FIELDS = {
  dataVersion: true,
  content: true,
  activeFrom: true,
  activeUntil: true,
  actorKind: true,
  actorId: true,
  acceptedAt: true,
} as const;

function toVersion(row: {
  dataVersion: bigint;
  content: unknown;
  activeFrom: Date | null;
  activeUntil: Date | null;
  actorKind: string;
  actorId: string;
  acceptedAt: Date;
}): WidgetVersion {
  return {
    dataVersion: Number(row.dataVersion),
    content: row.content,
    window: {
      activeFrom: row.activeFrom?.getTime() ?? null,
      activeUntil: row.activeUntil?.getTime() ?? null,
    },
    actor: { kind: row.actorKind as Actor['kind'], id: row.actorId },
    acceptedAt: row.acceptedAt,
  };
}

/** The content one audience gets: a widget, a tombstone (null) or a slot's campaign content (ADR 0030). */
export interface ContentWrite {
  audience: Audience;
  widget: Widget | SlotContent | null;
  /** The version's window, kept in its history; absent: always shown. */
  window?: VersionWindow;
  /** What the pipeline delivers instead of `widget`: a scheduled write's schedule. */
  delivered?: ScheduleContent;
}

/**
 * Saves contents at the next version of each (product, audience) with their history and outbox events, as
 * one statement of `client`: the connection's own transaction, or the caller's when it passes its
 * transaction (an experiment's start saves its content with the experiment). `action` null: the caller
 * appends the audit record itself.
 */
export async function saveWithOutbox(
  client: Pick<ProductDatabaseClient, '$queryRawUnsafe'>,
  productId: string,
  writes: ContentWrite[],
  acceptedAt: number,
  caller: Caller,
  action: Change['action'] | null,
  traceparent?: string,
): Promise<AcceptedWrite[]> {
  const rows = await client.$queryRawUnsafe<{ audience: Audience; dataVersion: string }[]>(
    SAVE_WITH_OUTBOX,
    productId,
    JSON.stringify(writes.map(toInputRow)),
    acceptedAt,
    traceparent ?? null,
    caller.actor.kind,
    caller.actor.id,
    caller.teamId,
    action,
    caller.requestId,
  );
  // RETURNING order is not guaranteed; answer in request order.
  const versions = new Map(rows.map((row) => [row.audience, Number(row.dataVersion)]));
  return writes.map(({ audience }) => {
    const dataVersion = versions.get(audience);
    if (dataVersion === undefined) throw new Error(`saving ${productId} returned no version for ${audience}`);
    return { audience, dataVersion };
  });
}

const isoOrNull = (time: number | null | undefined) => (time == null ? null : new Date(time).toISOString());

/** A write as SAVE_WITH_OUTBOX's input row. */
const toInputRow = ({ audience, widget, window, delivered }: ContentWrite) => ({
  audience,
  widget,
  delivered: delivered ?? null,
  active_from: isoOrNull(window?.activeFrom),
  active_until: isoOrNull(window?.activeUntil),
});
