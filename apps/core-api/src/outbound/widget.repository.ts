import type { CoreDatabaseClient } from '@hwp/core-db';
import { withTimeout } from '@hwp/service-kit';
import type { Audience } from '@hwp/widget-events';
import type { StoredWidgets, WidgetDatabase } from '../domain/home.ports';

const TIMEOUT_MS = 2_000;

/**
 * L3: the core database's widgets and home layout, read from the first of `databases` that answers (a
 * replica, then the primary). A lagging replica is harmless: what L3 returns refills the cache Redis
 * through the same version guard as the ingester's writes, so it never replaces a newer widget.
 */
export class WidgetRepository implements WidgetDatabase {
  constructor(private readonly databases: CoreDatabaseClient[]) {}

  async widgets(audience: Audience): Promise<StoredWidgets> {
    const rows = await this.read((db) =>
      db.widget.findMany({
        where: { audience },
        select: { productId: true, dataVersion: true, content: true },
      }),
    );
    return new Map(
      rows.map((row) => [
        row.productId,
        {
          dataVersion: Number(row.dataVersion),
          widget: row.content === null ? null : JSON.stringify(row.content),
        },
      ]),
    );
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
