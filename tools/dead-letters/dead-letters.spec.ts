import { describe, expect, it } from 'vitest';
import { describeDeadLetter, parseDeadLetter } from './dead-letters';

const published = ['id', '42', 'product', 'deals', 'audience', 'user:u1', 'version', '7', 'widget', '{}'];

describe('parseDeadLetter', () => {
  it('splits the published fields from what the ingester appended', () => {
    const flat = [
      ...published,
      'dead-reason',
      'invalid widget: /',
      'dead-deliveries',
      '1',
      'dead-original-id',
      '9-0',
    ];
    const letter = parseDeadLetter(3, '10-0', flat);
    expect(letter).toEqual({
      shard: 3,
      id: '10-0',
      reason: 'invalid widget: /',
      deliveries: 1,
      originalId: '9-0',
      fields: published,
    });
    expect(describeDeadLetter(letter)).toBe(
      '10-0  deals user:u1 v7  (1 deliveries, was 9-0): invalid widget: /',
    );
  });

  it('names a segment event by its segment', () => {
    const segmentEvent = [
      'kind',
      'segment',
      'id',
      '5',
      'product',
      'deals',
      'segment',
      'annual',
      'version',
      '3',
    ];
    const letter = parseDeadLetter(1, '2-0', [
      ...segmentEvent,
      'dead-reason',
      'malformed',
      'dead-deliveries',
      '1',
      'dead-original-id',
      '1-0',
    ]);
    expect(describeDeadLetter(letter)).toBe(
      '2-0  deals segment:annual v3  (1 deliveries, was 1-0): malformed',
    );
  });

  it('keeps an entry added by hand whole, so a replay publishes it as it is', () => {
    expect(parseDeadLetter(0, '1-0', published)).toMatchObject({ reason: 'unknown', fields: published });
  });
});
