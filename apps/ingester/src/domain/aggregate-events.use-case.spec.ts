import { describe, expect, it } from 'vitest';
import type { AnalyticsEvent } from '@hwp/analytics-events';
import { FakeEventFeed, FakeStatsStore } from '../../test/analytics.fakes';
import { AggregateEvents } from './aggregate-events.use-case';

const at = '2026-11-26T10:00:00.000Z';
const impression = (productId: string): AnalyticsEvent => ({
  type: 'impression',
  productId,
  audience: 'generic',
  dataVersion: '1',
  widgetId: `${productId}-card`,
  at,
});
const none = { eventNames: 0, propertyValues: 0 };
const click = (productId: string): AnalyticsEvent => ({ ...impression(productId), type: 'click' });

function setUp() {
  const feed = new FakeEventFeed();
  const store = new FakeStatsStore();
  return { feed, store, aggregate: new AggregateEvents(feed, store) };
}

describe('AggregateEvents', () => {
  it('adds the batches to the daily stats, then acknowledges them', async () => {
    const { feed, store, aggregate } = setUp();
    feed.append({ id: '1-0', events: [impression('deals'), click('deals')] });
    feed.append({ id: '2-0', events: [impression('deals'), impression('orders')] });
    const outcome = await aggregate.apply(await feed.readNew());
    expect(outcome).toEqual({ added: 2, duplicates: 0, unreadable: 0, events: 4, overflow: none });
    expect(feed.pending.size).toBe(0);
    expect(await store.productStats('deals')).toMatchObject([
      { day: '2026-11-26', impressions: 2, clicks: 1 },
    ]);
  });

  it('counts a batch once when it is delivered again after a crash before the ack', async () => {
    const { feed, store, aggregate } = setUp();
    feed.append({ id: '1-0', events: [impression('deals'), click('deals')] });
    feed.failAcks = true; // the instance dies between the stats and the ack
    await expect(aggregate.apply(await feed.readNew())).rejects.toThrow('durable Redis down');
    expect(feed.pending.size).toBe(1);

    feed.failAcks = false;
    feed.append({ id: '2-0', events: [impression('deals')] });
    const redelivered = [...(await feed.reclaimIdle()), ...(await feed.readNew())];
    expect(await aggregate.apply(redelivered)).toEqual({
      added: 1,
      duplicates: 1,
      unreadable: 0,
      events: 1,
      overflow: none,
    });
    expect(feed.pending.size).toBe(0);
    expect(await store.productStats('deals')).toMatchObject([{ impressions: 2, clicks: 1 }]);
  });

  it('acknowledges an unreadable batch without counting it', async () => {
    const { feed, store, aggregate } = setUp();
    feed.append({ id: '1-0', events: undefined });
    expect(await aggregate.apply(await feed.readNew())).toEqual({
      added: 0,
      duplicates: 0,
      unreadable: 1,
      events: 0,
      overflow: none,
    });
    expect(feed.pending.size).toBe(0);
    expect(store.totals.size).toBe(0);
  });
});
