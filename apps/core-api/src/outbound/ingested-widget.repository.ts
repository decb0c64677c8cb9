import type { CoreDatabaseClient } from '@hwp/core-db';
import { withTimeout } from '@hwp/service-kit';
import type { Audience } from '@hwp/widget-events';
import type { IngestedWidget, IngestedWidgets } from '../domain/studio.ports';

const TIMEOUT_MS = 5_000;

/** The widgets the ingester has applied (the core database's widgets table), by their primary key. */
export class IngestedWidgetRepository implements IngestedWidgets {
  constructor(private readonly db: CoreDatabaseClient) {}

  async find(productId: string, audiences: readonly Audience[]): Promise<IngestedWidget[]> {
    const rows = await withTimeout(
      this.db.widget.findMany({
        where: { productId, audience: { in: [...audiences] } },
        select: { audience: true, dataVersion: true, content: true, acceptedAt: true, ingestedAt: true },
        orderBy: { audience: 'asc' },
      }),
      TIMEOUT_MS,
      'core database',
    );
    return rows.map((row) => ({
      audience: row.audience as Audience,
      dataVersion: Number(row.dataVersion),
      deleted: row.content === null,
      acceptedAt: row.acceptedAt,
      ingestedAt: row.ingestedAt,
    }));
  }
}
