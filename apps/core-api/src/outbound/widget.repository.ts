import DataLoader from 'dataloader';
import type { CoreDatabaseClient } from '@hwp/core-db';
import { withTimeout } from '@hwp/service-kit';
import type { Audience } from '@hwp/widget-events';
import type { StoredWidgets, WidgetDatabase } from '../domain/home.ports';

const TIMEOUT_MS = 2_000;
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

  private async load(audiences: readonly Audience[]): Promise<StoredWidgets[]> {
    const rows = await this.read((db) =>
      db.widget.findMany({
        where: { audience: { in: [...audiences] } },
        select: { audience: true, productId: true, dataVersion: true, content: true },
      }),
    );
    const found = new Map<string, Map<string, { dataVersion: number; widget: string | null }>>();
    for (const row of rows) {
      let widgets = found.get(row.audience);
      if (widgets === undefined) found.set(row.audience, (widgets = new Map()));
      widgets.set(row.productId, {
        dataVersion: Number(row.dataVersion),
        widget: row.content === null ? null : JSON.stringify(row.content),
      });
    }
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
