import type { Client } from 'pg';
import { refillWidgetHash, type CachedWidget } from '@hwp/cache';
import type { RedisClient } from '@hwp/service-kit';
import type { Audience } from '@hwp/widget-events';
import type { RowCursor, WidgetCacheRefill, WidgetRow, WidgetRows } from './cache-rebuild';

interface Row {
  audience: string;
  product_id: string;
  data_version: string;
  content: unknown;
}

/**
 * The core database's widgets, by keyset pagination over (audience, product_id) in the database's own
 * collation, so that each page starts where the last one ended however many rows are applied meanwhile.
 */
export class PostgresWidgetRows implements WidgetRows {
  constructor(private readonly db: Client) {}

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: string }>('SELECT count(*) AS n FROM widgets');
    return Number(rows[0]?.n ?? 0); // count(*) always answers one row
  }

  async page(limit: number, after?: RowCursor): Promise<WidgetRow[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT audience, product_id, data_version, content FROM widgets
       ${after ? 'WHERE (audience, product_id) > ($2, $3)' : ''}
       ORDER BY audience, product_id LIMIT $1`,
      after ? [limit, after.audience, after.productId] : [limit],
    );
    return rows.map((row) => ({
      audience: row.audience as Audience,
      productId: row.product_id,
      dataVersion: Number(row.data_version),
      // The text core-api's own refill from the database writes (JSON.stringify of the parsed jsonb).
      widget: row.content === null ? null : JSON.stringify(row.content),
    }));
  }
}

/** The cache Redis, through libs/cache's refill: the version guard and the complete marker of core-api. */
export class RedisWidgetCacheRefill implements WidgetCacheRefill {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs: number,
  ) {}

  refill(audience: Audience, widgets: ReadonlyMap<string, CachedWidget>): Promise<number> {
    return refillWidgetHash(this.redis, audience, widgets, this.ttlMs);
  }
}
