import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  MAX_EVENT_NAMES_PER_PRODUCT_DAY,
  OVERFLOW,
  dailyCounts,
  trackCounts,
  type AnalyticsEvent,
} from '@hwp/analytics-events';
import { createCoreDatabase } from '@hwp/core-db';
import { useTestDatabase } from '@hwp/testing';
import { WidgetStatsRepository } from '../src/outbound/widget-stats.repository';

// Two ingesters adding new event names to one product-day at the same time: the lock per product-day
// makes them take turns, so together they never count more names than the limit (ADR 0026).
const AT = new Date(Date.now() - 3_600_000).toISOString();
const DAY = AT.slice(0, 10);
const ROUNDS = 8;

const track = (event: string): AnalyticsEvent => ({
  type: 'track',
  productId: 'deals',
  audience: 'generic',
  dataVersion: '3',
  widgetId: 'deals-card',
  at: AT,
  event,
});
const batch = (batchId: string, events: AnalyticsEvent[]) => ({
  batchId,
  counts: dailyCounts(events),
  tracks: trackCounts(events),
});

let clients: ReturnType<typeof createCoreDatabase>[];

beforeAll(async () => {
  const url = await useTestDatabase('core');
  clients = [createCoreDatabase(url, { max: 2 }), createCoreDatabase(url, { max: 2 })];
});
afterAll(() => Promise.all(clients.map((client) => client.$disconnect())));

it('never counts more event names a product-day than the limit when two ingesters add new ones at once', async () => {
  const [one, two] = clients.map((client) => new WidgetStatsRepository(client));
  // The day counts all but two names already: every round below races for the last free places.
  const known = Array.from({ length: MAX_EVENT_NAMES_PER_PRODUCT_DAY - 2 }, (_, i) => `known_${i}`);
  await one!.add([batch('0-1', known.map(track))]);

  const added = await Promise.all(
    Array.from({ length: ROUNDS }, (_, round) => [
      one!.add([batch(`${round + 1}-1`, [track(`one_${round}`), track(`one_${round}`)])]),
      two!.add([batch(`${round + 1}-2`, [track(`two_${round}`), track(`two_${round}`)])]),
    ]).flat(),
  );

  const rows = await clients[0]!.widgetDailyEvent.findMany({ where: { productId: 'deals' } });
  const names = rows.map((row) => row.eventName).filter((name) => name !== OVERFLOW);
  expect(names).toHaveLength(MAX_EVENT_NAMES_PER_PRODUCT_DAY);
  expect(rows.every((row) => row.day.toISOString().startsWith(DAY))).toBe(true);
  // Every event is counted once: under its name, or under the overflow name, and the metric says which.
  const total = rows.reduce((sum, row) => sum + Number(row.count), 0);
  expect(total).toBe(known.length + ROUNDS * 2 * 2);
  const overflowed = added.reduce((sum, { overflow }) => sum + overflow.eventNames, 0);
  expect(overflowed).toBe((ROUNDS * 2 - 2) * 2);
  expect(Number(rows.find((row) => row.eventName === OVERFLOW)?.count)).toBe(overflowed);
});
