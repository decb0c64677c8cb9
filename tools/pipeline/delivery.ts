import type { Client } from 'pg';
import { decodeCachedWidget, widgetHashKey, type CachedWidget } from '@hwp/cache';
import { waitFor } from '@hwp/dev-services';
import type { Audience } from '@hwp/widget-events';

/** Where the pipeline delivers one product's widgets: the core database and the cache (Redis or Cluster). */
export interface DeliveryTargets {
  core: Client;
  cache: { hget(key: string, field: string): Promise<string | null> };
  productId: string;
}

/** The cached widget of `audience`, if any. */
export async function cachedWidget(
  { cache, productId }: DeliveryTargets,
  audience: Audience,
): Promise<CachedWidget | undefined> {
  return decodeCachedWidget((await cache.hget(widgetHashKey(audience), productId)) ?? '');
}

async function coreVersion({ core, productId }: DeliveryTargets, audience: Audience): Promise<number> {
  const { rows } = await core.query<{ data_version: string }>(
    'SELECT data_version FROM widgets WHERE product_id = $1 AND audience = $2',
    [productId, audience],
  );
  return Number(rows[0]?.data_version ?? 0);
}

/**
 * Waits until the core database and the cache hold, for every key, exactly its accepted version. Both:
 * the ingester writes the cache after the database commit.
 */
export async function waitUntilDelivered(
  targets: DeliveryTargets,
  accepted: Map<Audience, number>,
  timeoutMs: number,
): Promise<void> {
  const delivered = async ([audience, version]: [Audience, number]) =>
    (await coreVersion(targets, audience)) === version &&
    (await cachedWidget(targets, audience))?.dataVersion === version;
  await waitFor(
    'every accepted write in the core database and the cache',
    async () => (await Promise.all([...accepted].map(delivered))).every(Boolean),
    timeoutMs,
  );
}
