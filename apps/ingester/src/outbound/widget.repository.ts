import type { CoreDatabaseClient } from '@hwp/core-db';
import type { WidgetEvent } from '@hwp/widget-events';
import type { StoredWidget, WidgetStore } from '../domain/ports';
import type { AudiencePage, PersonalisedAudiences } from '../domain/rebuild-personalised-users.use-case';

const COLUMNS = 5;

/**
 * The version-guarded upsert into the core database's `widgets` table, one statement per batch. The
 * final SELECT reads `widgets` as it was before the statement (a data-modifying CTE's changes are not
 * visible to its own query), which tells a redelivery of the stored version from a stale event.
 */
function upsertStatement(rows: number): string {
  const values = Array.from({ length: rows }, (_, row) => {
    const p = row * COLUMNS;
    return `(${row}, $${p + 1}::text, $${p + 2}::text, $${p + 3}::bigint, $${p + 4}::jsonb, $${p + 5}::timestamptz)`;
  });
  return `
    WITH incoming (ord, product_id, audience, data_version, content, accepted_at) AS (
      VALUES ${values.join(',\n             ')}
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
}

export class PostgresWidgetRepository implements WidgetStore {
  constructor(private readonly db: CoreDatabaseClient) {}

  /** `events` must hold at most one event per (product, audience); see latestPerWidget. */
  async upsertIfNewer(events: WidgetEvent[]): Promise<StoredWidget[]> {
    const parameters = events.flatMap((event) => [
      event.productId,
      event.audience,
      event.dataVersion,
      event.widget,
      new Date(event.acceptedAt).toISOString(),
    ]);
    const rows = await this.db.$queryRawUnsafe<{ ord: number; applied: boolean; current: boolean }[]>(
      upsertStatement(events.length),
      ...parameters,
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
