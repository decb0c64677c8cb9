import type { CoreDatabaseClient } from '@hwp/core-db';
import { withTimeout } from '@hwp/service-kit';
import type { Audience } from '@hwp/widget-events';
import type { StoredWidgets, WidgetDatabase } from '../domain/home.ports';

const TIMEOUT_MS = 2_000;

/** L3: the core database's widgets and home layout. */
export class WidgetRepository implements WidgetDatabase {
  constructor(private readonly db: CoreDatabaseClient) {}

  async widgets(audience: Audience): Promise<StoredWidgets> {
    const rows = await withTimeout(
      this.db.widget.findMany({
        where: { audience },
        select: { productId: true, dataVersion: true, content: true },
      }),
      TIMEOUT_MS,
      'core database',
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
    const slots = await withTimeout(
      this.db.homeSlot.findMany({ orderBy: { position: 'asc' }, select: { productId: true } }),
      TIMEOUT_MS,
      'core database',
    );
    return slots.map((slot) => slot.productId);
  }
}
