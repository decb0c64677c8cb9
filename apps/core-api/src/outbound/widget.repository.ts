import DataLoader from 'dataloader';
import type { CoreDatabaseClient } from '@hwp/core-db';
import { withTimeout } from '@hwp/service-kit';
import { widgetHashField } from '@hwp/cache';
import { GENERIC, type Audience } from '@hwp/widget-events';
import type { StoredWidgets, WidgetDatabase } from '../domain/home.ports';

const TIMEOUT_MS = 2_000;

interface WidgetRow {
  audience: string;
  productId: string;
  dataVersion: bigint | number;
  content: unknown;
}
// Audiences in one query at most: one batch stays a short index scan.
const MAX_BATCH = 256;

/**
 * L3: the core database's widgets and home layout, read from the first of `databases` that answers (a
 * replica, then the primary). A lagging replica is harmless: what L3 returns refills the cache Redis
 * through the same version guard as the ingester's writes, so it never replaces a newer widget.
 */
export class WidgetRepository implements WidgetDatabase {
  /**
   * The audiences asked for in one turn of the event loop (the misses of every request read from the
   * sockets in that turn) are loaded by one query: under a miss storm (the cache Redis lost) the database
   * gets one query per turn instead of one per request, and the pool does not pile up.
   */
  private readonly byAudience = new DataLoader<Audience, StoredWidgets>((audiences) => this.load(audiences), {
    cache: false,
    maxBatchSize: MAX_BATCH,
    batchScheduleFn: (send) => setImmediate(send),
  });

  constructor(private readonly databases: CoreDatabaseClient[]) {}

  widgets(audience: Audience): Promise<StoredWidgets> {
    return this.byAudience.load(audience);
  }

  /**
   * Users' widgets by user audience; for GENERIC, everything shared by many users (the generic, segment
   * and experiment widgets, keyed by widgetHashField as in the cache Redis), through the partial index
   * on non-user rows (ADR 0030).
   */
  private async load(audiences: readonly Audience[]): Promise<StoredWidgets[]> {
    const users = audiences.filter((audience) => audience !== GENERIC);
    const [userRows, sharedRows] = await Promise.all([
      users.length === 0
        ? []
        : this.read((db) =>
            db.widget.findMany({
              where: { audience: { in: users } },
              select: { audience: true, productId: true, dataVersion: true, content: true },
            }),
          ),
      users.length === audiences.length
        ? []
        : this.read(
            (db) =>
              db.$queryRaw<
                WidgetRow[]
              >`SELECT audience, product_id AS "productId", data_version AS "dataVersion", content
              FROM widgets WHERE audience NOT LIKE 'user:%'`,
          ),
    ]);
    const found = new Map<string, Map<string, { dataVersion: number; widget: string | null }>>();
    const add = (audience: string, field: string, row: WidgetRow) => {
      let widgets = found.get(audience);
      if (widgets === undefined) found.set(audience, (widgets = new Map()));
      widgets.set(field, {
        dataVersion: Number(row.dataVersion),
        widget: row.content === null ? null : JSON.stringify(row.content),
      });
    };
    for (const row of userRows) add(row.audience, row.productId, row);
    for (const row of sharedRows) add(GENERIC, widgetHashField(row.productId, row.audience as Audience), row);
    return audiences.map((audience) => found.get(audience) ?? new Map());
  }

  async layout(): Promise<string[]> {
    const slots = await this.read((db) =>
      db.homeSlot.findMany({ orderBy: { position: 'asc' }, select: { productId: true } }),
    );
    return slots.map((slot) => slot.productId);
  }

  private async read<T>(query: (db: CoreDatabaseClient) => Promise<T>): Promise<T> {
    let failure: unknown;
    for (const db of this.databases) {
      try {
        return await withTimeout(query(db), TIMEOUT_MS, 'core database');
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }
}
