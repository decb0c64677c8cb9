import { describe, expect, it } from 'vitest';
import { segmentAudience, experimentAudience, GENERIC, userAudience } from '@hwp/widget-events';
import {
  MAX_ANNOUNCED_USERS,
  encodeSegmentChanges,
  encodeWidgetInvalidations,
  parseSegmentChanges,
  parseWidgetInvalidations,
  sharedFieldAudience,
  widgetHashField,
  widgetHashKey,
} from './layout';

describe('where a (product, audience) is cached', () => {
  it("puts a user's widgets in their own hash and everything shared in the generic hash, one field each", () => {
    const places = [GENERIC, userAudience('u1'), segmentAudience('annual'), experimentAudience('spring')].map(
      (audience) => [widgetHashKey(audience), widgetHashField('deals', audience)],
    );
    expect(places).toEqual([
      ['{generic}:widgets', 'deals'],
      ['{u:u1}:widgets', 'deals'],
      ['{generic}:widgets', 'deals/annual'],
      ['{generic}:widgets', 'deals#spring'],
    ]);
    for (const audience of [GENERIC, segmentAudience('annual'), experimentAudience('spring')])
      expect(sharedFieldAudience(widgetHashField('deals', audience))).toEqual({
        productId: 'deals',
        audience,
      });
    expect(sharedFieldAudience('~complete')).toBeUndefined();
  });
});

describe('parseWidgetInvalidations', () => {
  it('reads the list the ingester publishes for a batch', () => {
    const message = encodeWidgetInvalidations([
      { productId: 'deals', audience: 'user:u-1', dataVersion: 7 },
      { productId: 'travel', audience: 'generic', dataVersion: 2 },
    ]);
    expect(parseWidgetInvalidations(message)).toEqual([
      { productId: 'deals', audience: 'user:u-1', dataVersion: 7 },
      { productId: 'travel', audience: 'generic', dataVersion: 2 },
    ]);
  });

  it('reads a single invalidation, as ingesters before the list published it', () => {
    const message = JSON.stringify({ productId: 'deals', audience: 'user:u-1', dataVersion: 7 });
    expect(parseWidgetInvalidations(message)).toEqual([
      { productId: 'deals', audience: 'user:u-1', dataVersion: 7 },
    ]);
  });

  it("keeps each change's trace context", () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const message = encodeWidgetInvalidations([
      { productId: 'deals', audience: 'generic', dataVersion: 1, traceparent },
      { productId: 'deals', audience: 'user:u-2', dataVersion: 1 },
    ]);
    const [traced, untraced] = parseWidgetInvalidations(message);
    expect(traced).toHaveProperty('traceparent', traceparent);
    expect(untraced).not.toHaveProperty('traceparent');
  });

  it('leaves out the malformed items of a list and keeps the others', () => {
    const message = JSON.stringify([
      { productId: 'deals', audience: 'everyone', dataVersion: 1 },
      { productId: 'deals', audience: 'generic', dataVersion: 3 },
      null,
    ]);
    expect(parseWidgetInvalidations(message)).toEqual([
      { productId: 'deals', audience: 'generic', dataVersion: 3 },
    ]);
  });

  it.each([
    ['not JSON', '{'],
    ['a bad audience', JSON.stringify({ productId: 'deals', audience: 'everyone', dataVersion: 1 })],
    [
      'a version that is not an integer',
      JSON.stringify({ productId: 'deals', audience: 'generic', dataVersion: '1' }),
    ],
    ['no product', JSON.stringify({ audience: 'generic', dataVersion: 1 })],
    ['a number', '42'],
  ])('ignores %s', (_, message) => {
    expect(parseWidgetInvalidations(message)).toEqual([]);
  });
});

describe('segment change messages', () => {
  it('carries the users at most 10,000 a message, and the floors with the first', () => {
    const users = Array.from({ length: 10_001 }, (_, i) => `u${i}`);
    const messages = encodeSegmentChanges({ users, floors: new Map([['deals/annual', 7]]) });
    const parsed = messages.map(parseSegmentChanges);
    expect(parsed.map((changes) => changes.users.length)).toEqual([MAX_ANNOUNCED_USERS, 1]);
    expect(parsed.flatMap((changes) => changes.users)).toEqual(users);
    expect(parsed.map((changes) => [...changes.floors])).toEqual([[['deals/annual', 7]], []]);
  });

  it('announces a deletion alone, and nothing when nothing changed', () => {
    const floors = new Map([['deals/annual', 3]]);
    expect(encodeSegmentChanges({ users: [], floors }).map(parseSegmentChanges)).toEqual([
      { users: [], floors },
    ]);
    expect(encodeSegmentChanges({ users: [], floors: new Map() })).toEqual([]);
  });

  it('leaves out what is malformed', () => {
    expect(parseSegmentChanges('{"users":["u1",2],"floors":{"deals/a":1.5,"deals/b":4}}')).toEqual({
      users: ['u1'],
      floors: new Map([['deals/b', 4]]),
    });
    expect(parseSegmentChanges('not json')).toEqual({ users: [], floors: new Map() });
    expect(parseSegmentChanges('null')).toEqual({ users: [], floors: new Map() });
  });
});
