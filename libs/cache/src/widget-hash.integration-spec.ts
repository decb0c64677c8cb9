import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestRedis } from '@hwp/testing';
import { userAudience } from '@hwp/widget-events';
import { writeWidgetIfNewer } from './guarded-write';
import { widgetHashKey } from './layout';
import { COMPLETE_FIELD, readWidgetHash, refillWidgetHash } from './widget-hash';

describe('readWidgetHash and refillWidgetHash', () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis(await useTestRedis('cache'));
  });
  afterAll(() => redis.disconnect());

  it('takes a hash the ingester created by writing through for a partial copy', async () => {
    const audience = userAudience('partial');
    expect(await readWidgetHash(redis, audience)).toBeUndefined();
    await writeWidgetIfNewer(redis, { productId: 'deals', audience, dataVersion: 4, widget: '{}' }, 60_000);
    expect(await readWidgetHash(redis, audience)).toEqual({
      widgets: new Map([['deals', { dataVersion: 4, widget: '{}' }]]),
      complete: false,
    });
  });

  it('refills without overwriting newer widgets, marks the copy complete and sets the shorter TTL', async () => {
    const audience = userAudience('refilled');
    await writeWidgetIfNewer(
      redis,
      { productId: 'deals', audience, dataVersion: 9, widget: '{"v":9}' },
      600_000,
    );
    const fromDatabase = new Map([
      ['deals', { dataVersion: 8, widget: '{"v":8}' }],
      ['orders', { dataVersion: 2, widget: null }],
    ]);
    expect(await refillWidgetHash(redis, audience, fromDatabase, 60_000)).toBe(1); // orders; deals was newer
    expect(await readWidgetHash(redis, audience)).toEqual({
      widgets: new Map([
        ['deals', { dataVersion: 9, widget: '{"v":9}' }],
        ['orders', { dataVersion: 2, widget: null }],
      ]),
      complete: true,
    });
    const ttl = await redis.pttl(widgetHashKey(audience));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('creates nothing for an empty set (a cold user stays without a hash)', async () => {
    const audience = userAudience('cold');
    await refillWidgetHash(redis, audience, new Map(), 60_000);
    expect(await redis.exists(widgetHashKey(audience))).toBe(0);
    expect(await redis.hget(widgetHashKey(audience), COMPLETE_FIELD)).toBeNull();
  });
});
