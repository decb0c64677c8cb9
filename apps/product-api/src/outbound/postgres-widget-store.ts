import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_DATABASE, ProductPrisma, type ProductDatabaseClient } from '@hwp/product-db';
import type { PostgresConnection } from '@hwp/service-kit';
import type { Widget } from '@hwp/sdui-schema';
import type { Audience, SlotContent } from '@hwp/widget-events';
import type { Actor, Caller } from '../domain/audit';
import type {
  AcceptedWrite,
  Change,
  HistoryQuery,
  StoredWidget,
  WidgetQuery,
  WidgetStore,
  WidgetVersion,
  WidgetWrite,
} from '../domain/publishing';

/**
 * The transactional outbox in one statement: bump each widget's version, store its content, keep the
 * version in the history, append its audit record and insert the matching outbox row. A single statement
 * is a single transaction, so state, history, audit and event are saved together or not at all; a batch of
 * writes is all-or-nothing for the same reason. Without an action ($8 null) no audit record is appended:
 * the caller's own transaction records the change (an experiment's start or stop).
 */
const SAVE_WITH_OUTBOX = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS t(audience text, widget jsonb)
), saved AS (
  INSERT INTO widgets AS w (product_id, audience, data_version, content, updated_at)
  SELECT $1, audience, 1, widget, now() FROM input
  ON CONFLICT (product_id, audience) DO UPDATE
    SET data_version = w.data_version + 1, content = EXCLUDED.content, updated_at = EXCLUDED.updated_at
  RETURNING product_id, audience, data_version, content
), history AS (
  INSERT INTO widget_versions (product_id, audience, data_version, content, actor_kind, actor_id)
  SELECT product_id, audience, data_version, content, $5, $6 FROM saved
), audit AS (
  INSERT INTO audit_log (team_id, actor_kind, actor_id, action, product_id, audience, data_version, request_id)
  SELECT $7, $5, $6, $8, product_id, audience, data_version, $9 FROM saved WHERE $8::text IS NOT NULL
)
INSERT INTO outbox (product_id, audience, data_version, payload, traceparent)
SELECT product_id, audience, data_version, jsonb_build_object('widget', content, 'acceptedAt', $3::bigint), $4::text
FROM saved
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

  /** Keyset pagination over the primary key (product_id, audience): no page costs more than its rows. */
  async find(productId: string, { kind, after, limit }: WidgetQuery): Promise<StoredWidget[]> {
    const rows = await this.db.client.widget.findMany({
      where: {
        productId,
        content: { not: ProductPrisma.DbNull },
        audience: {
          ...(after === undefined ? {} : { gt: after }),
          ...(kind === 'generic' ? { equals: 'generic' } : kind === 'user' ? { startsWith: 'user:' } : {}),
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

const VERSION_FIELDS = {
  dataVersion: true,
  content: true,
  actorKind: true,
  actorId: true,
  acceptedAt: true,
} as const;

function toVersion(row: {
  dataVersion: bigint;
  content: unknown;
  actorKind: string;
  actorId: string;
  acceptedAt: Date;
}): WidgetVersion {
  return {
    dataVersion: Number(row.dataVersion),
    content: row.content,
    actor: { kind: row.actorKind as Actor['kind'], id: row.actorId },
    acceptedAt: row.acceptedAt,
  };
}

/** The content one audience gets: a widget, a tombstone (null) or a slot's campaign content (ADR 0030). */
export interface ContentWrite {
  audience: Audience;
  widget: Widget | SlotContent | null;
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
    JSON.stringify(writes),
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
