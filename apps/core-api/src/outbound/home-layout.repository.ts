import type { CoreDatabaseClient } from '@hwp/core-db';
import { withTimeout } from '@hwp/service-kit';
import type { HomeLayout } from '../domain/home-layout';
import type { HomeLayoutStore } from '../domain/studio.ports';

const TIMEOUT_MS = 5_000;

/** The home layout in the core database's home_slots table (position = screen order). */
export class HomeLayoutRepository implements HomeLayoutStore {
  constructor(private readonly db: CoreDatabaseClient) {}

  async read(): Promise<HomeLayout> {
    const slots = await withTimeout(
      this.db.homeSlot.findMany({ orderBy: { position: 'asc' } }),
      TIMEOUT_MS,
      'core database',
    );
    return {
      productIds: slots.map((slot) => slot.productId),
      updatedAt: slots.reduce<Date | null>(
        (latest, slot) => (latest === null || slot.updatedAt > latest ? slot.updatedAt : latest),
        null,
      ),
    };
  }

  /**
   * Deletes every slot and inserts the new ones in one transaction. The table lock (readers are not
   * blocked) serialises concurrent edits, which would otherwise collide on the unique positions.
   */
  async replace(productIds: readonly string[]): Promise<HomeLayout> {
    const updatedAt = new Date();
    await withTimeout(
      this.db.$transaction(async (tx) => {
        await tx.$executeRaw`LOCK TABLE home_slots IN SHARE ROW EXCLUSIVE MODE`;
        await tx.homeSlot.deleteMany();
        await tx.homeSlot.createMany({
          data: productIds.map((productId, position) => ({ productId, position, updatedAt })),
        });
      }),
      TIMEOUT_MS,
      'core database',
    );
    return { productIds: [...productIds], updatedAt };
  }
}
