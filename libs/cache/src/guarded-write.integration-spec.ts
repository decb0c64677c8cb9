import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestRedis } from '@hwp/testing';
import { userAudience } from '@hwp/widget-events';
import { writeWidgetIfNewer } from './guarded-write';
import { decodeCachedWidget, widgetHashKey } from './layout';

describe('writeWidgetIfNewer', () => {
  let redis: Redis;
  const audience = userAudience('user-1');
  const read = async () => decodeCachedWidget((await redis.hget(widgetHashKey(audience), 'deals'))!);

  beforeAll(async () => {
    redis = new Redis(await useTestRedis('cache'));
  });
  afterAll(() => redis.disconnect());

  it('writes newer versions, ignores duplicates and stale ones, and keeps tombstones', async () => {
    const write = (dataVersion: number, widget: string | null) =>
      writeWidgetIfNewer(redis, { productId: 'deals', audience, dataVersion, widget }, 60_000);
    expect(await write(2, '{"v":2}')).toBe(true);
    expect(await write(2, '{"v":"dup"}')).toBe(false);
    expect(await write(1, '{"v":1}')).toBe(false);
    expect(await read()).toEqual({ dataVersion: 2, widget: '{"v":2}' });
    expect(await write(10, null)).toBe(true);
    expect(await write(9, '{"v":9}')).toBe(false);
    expect(await read()).toEqual({ dataVersion: 10, widget: null });
  });

  it('sets the TTL on the hash', async () => {
    await writeWidgetIfNewer(redis, { productId: 'loyalty', audience, dataVersion: 1, widget: '{}' }, 60_000);
    const ttl = await redis.pttl(widgetHashKey(audience));
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});
