import { Inject, Injectable } from '@nestjs/common';
import { PRODUCT_DATABASE, ProductPrisma, type ProductDatabaseClient } from '@hwp/product-db';
import type { PostgresConnection } from '@hwp/service-kit';
import type { Audience } from '@hwp/widget-events';
import type {
  AcceptedWrite,
  StoredWidget,
  WidgetQuery,
  WidgetStore,
  WidgetWrite,
} from '../domain/publishing';

/**
 * The transactional outbox in one statement: bump each widget's version, store its content and insert
 * the matching outbox row. A single statement is a single transaction, so state and event are saved
 * together or not at all; a batch of writes is all-or-nothing for the same reason.
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
)
INSERT INTO outbox (product_id, audience, data_version, payload, traceparent)
SELECT product_id, audience, data_version, jsonb_build_object('widget', content, 'acceptedAt', $3::bigint), $4::text
FROM saved
RETURNING audience, data_version::text AS "dataVersion"`;

@Injectable()
export class PostgresWidgetStore implements WidgetStore {
  constructor(@Inject(PRODUCT_DATABASE) private readonly db: PostgresConnection<ProductDatabaseClient>) {}

  async save(
    productId: string,
    writes: WidgetWrite[],
    acceptedAt: number,
    traceparent?: string,
  ): Promise<AcceptedWrite[]> {
    const rows = await this.db.client.$queryRawUnsafe<{ audience: Audience; dataVersion: string }[]>(
      SAVE_WITH_OUTBOX,
      productId,
      JSON.stringify(writes),
      acceptedAt,
      traceparent ?? null,
    );
    // RETURNING order is not guaranteed; answer in request order.
    const versions = new Map(rows.map((row) => [row.audience, Number(row.dataVersion)]));
    return writes.map(({ audience }) => {
      const dataVersion = versions.get(audience);
      if (dataVersion === undefined)
        throw new Error(`saving ${productId} returned no version for ${audience}`);
      return { audience, dataVersion };
    });
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
}
