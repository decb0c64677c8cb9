import { createHash } from 'node:crypto';
import { createCoreDatabase } from '@hwp/core-db';
import { createProductDatabase } from '@hwp/product-db';
import type { Logger } from '../lib/log';
import { DEMO_PRODUCTS, DEMO_USERS, demoWidget, type DemoProduct } from './sample-widgets';

/** The demo's product-team API keys (printed by `npm run demo`); only their hashes are stored. */
export const DEMO_API_KEYS = Object.fromEntries(DEMO_PRODUCTS.map((p) => [p.id, `hwp_demo_${p.id}_key`]));

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Sample data for the demo: product teams with keys, the home layout, a generic widget per product and
 * personalised widgets for many of the seeded users. Idempotent: existing rows are left as they are.
 * Widgets are written to both databases as version 1, i.e. as if the pipeline had already delivered them.
 */
export async function seedDemoData(env: Record<string, string>, log: Logger): Promise<void> {
  const product = createProductDatabase(env['PRODUCT_DATABASE_URL']!);
  const core = createCoreDatabase(env['DATABASE_URL']!);
  try {
    await product.team.createMany({
      data: DEMO_PRODUCTS.map((p) => ({ id: p.teamId, name: p.teamName })),
      skipDuplicates: true,
    });
    await product.product.createMany({
      data: DEMO_PRODUCTS.map((p) => ({ id: p.id, teamId: p.teamId, name: p.name })),
      skipDuplicates: true,
    });
    await product.apiKey.createMany({
      data: DEMO_PRODUCTS.map((p) => ({
        id: `demo-${p.id}`,
        teamId: p.teamId,
        keyHash: sha256(DEMO_API_KEYS[p.id]!),
        label: 'demo key',
      })),
      skipDuplicates: true,
    });
    await core.homeSlot.createMany({
      data: DEMO_PRODUCTS.map((p, position) => ({ productId: p.id, position })),
      skipDuplicates: true,
    });

    const widgets = DEMO_PRODUCTS.flatMap((p: DemoProduct) => [
      { productId: p.id, audience: 'generic', content: demoWidget(p) },
      ...DEMO_USERS.filter((_, i) => i % p.personalisedEvery === 0).map((userId) => ({
        productId: p.id,
        audience: `user:${userId}`,
        content: demoWidget(p, userId),
      })),
    ]);
    const acceptedAt = new Date();
    await product.widget.createMany({
      data: widgets.map((w) => ({ ...w, dataVersion: 1n })),
      skipDuplicates: true,
    });
    await core.widget.createMany({
      data: widgets.map((w) => ({ ...w, dataVersion: 1n, acceptedAt })),
      skipDuplicates: true,
    });
    const personalised = widgets.length - DEMO_PRODUCTS.length;
    log(
      `${DEMO_PRODUCTS.length} products, ${DEMO_USERS.length} users, ${DEMO_PRODUCTS.length} generic and ${personalised} personalised widgets`,
    );
  } finally {
    await Promise.all([product.$disconnect(), core.$disconnect()]);
  }
}
