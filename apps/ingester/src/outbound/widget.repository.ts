import type { CoreDatabaseClient } from '@hwp/core-db';
import type { WidgetEvent } from '@hwp/widget-events';
import type { StoredWidget, WidgetStore } from '../domain/ports';
import type { AudiencePage, PersonalisedAudiences } from '../domain/rebuild-personalised-users.use-case';

/**
 * The version-guarded upsert into the core database's `widgets` table, one statement per batch. The batch
 * is one JSON parameter (one statement text whatever the batch size, so Postgres and Prisma prepare it
 * once, and no per-row parameters), each widget spliced in as the JSON text the event carries. The final
 * SELECT reads `widgets` as it was before the statement (a data-modifying CTE's changes are not visible to
 * its own query), which tells a redelivery of the stored version from a stale event.
 */
const UPSERT_IF_NEWER = `
  WITH incoming AS (
    SELECT ord, product_id, audience, data_version, content, to_timestamp(accepted_at / 1000.0) AS accepted_at
    FROM jsonb_to_recordset($1::jsonb)
      AS t(ord int, product_id text, audience text, data_version bigint, content jsonb, accepted_at bigint)
  ), applied AS (
    INSERT INTO widgets AS w (product_id, audience, data_version, content, accepted_at)
    SELECT product_id, audience, data_version, content, accepted_at FROM incoming ORDER BY ord
    ON CONFLICT (product_id, audience) DO UPDATE
      SET data_version = EXCLUDED.data_version, content = EXCLUDED.content,
          accepted_at = EXCLUDED.accepted_at, ingested_at = CURRENT_TIMESTAMP
      WHERE w.data_version < EXCLUDED.data_version
    RETURNING product_id, audience
  )
  SELECT i.ord,
         a.product_id IS NOT NULL AS applied,
         a.product_id IS NOT NULL OR before.data_version = i.data_version AS current
  FROM incoming i
  LEFT JOIN applied a ON a.product_id = i.product_id AND a.audience = i.audience
  LEFT JOIN widgets before ON before.product_id = i.product_id AND before.audience = i.audience`;

/** The batch as the statement's JSON parameter; a widget is valid JSON text (the ingester checked it). */
function incomingRows(events: WidgetEvent[]): string {
  const rows = events.map(
    (event, ord) =>
      `{"ord":${ord},"product_id":${JSON.stringify(event.productId)},"audience":${JSON.stringify(event.audience)},` +
      `"data_version":${event.dataVersion},"content":${event.widget ?? 'null'},"accepted_at":${event.acceptedAt}}`,
  );
  return `[${rows.join(',')}]`;
}

export class PostgresWidgetRepository implements WidgetStore {
  constructor(private readonly db: CoreDatabaseClient) {}

  /** `events` must hold at most one event per (product, audience); see latestPerWidget. */
  async upsertIfNewer(events: WidgetEvent[]): Promise<StoredWidget[]> {
    const rows = await this.db.$queryRawUnsafe<{ ord: number; applied: boolean; current: boolean }[]>(
      UPSERT_IF_NEWER,
      incomingRows(events),
    );
    return rows.map(({ ord, applied, current }) => {
      const event = events[ord];
      if (!event) throw new Error(`the upsert answered for event ${ord} of ${events.length}`);
      return { event, applied, current };
    });
  }
}

/** Users with a personalised widget row (a tombstone too), for the index rebuild. */
export class PostgresPersonalisedAudiences implements PersonalisedAudiences {
  constructor(private readonly db: CoreDatabaseClient) {}

  // Keyset pagination over the audience index, in the database's own collation (the cursor is the last
  // audience read), so that each page is an index range scan whatever the collation.
  async page(limit: number, after?: string): Promise<AudiencePage> {
    const rows = await this.db.$queryRawUnsafe<{ audience: string }[]>(
      `SELECT DISTINCT audience FROM widgets
       WHERE audience LIKE 'user:%' AND audience > $1
       ORDER BY audience LIMIT $2`,
      after ?? '',
      limit,
    );
    return {
      userIds: rows.map(({ audience }) => audience.slice('user:'.length)),
      next: rows.length === limit ? rows.at(-1)?.audience : undefined,
    };
  }
}
