import { describe, expect, it } from 'vitest';
import { CONSUMER_GROUP } from '@hwp/widget-events';
import type { ConsumerGroupProgress } from './ports';
import { compareEntryIds, oldestNeededEntry } from './stream-trimming';

const group = (
  lastDeliveredId: string,
  oldestPendingId?: string,
  name = CONSUMER_GROUP,
): ConsumerGroupProgress => ({ name, lastDeliveredId, oldestPendingId });

describe('stream trimming', () => {
  it('orders entry ids by time, then sequence, as numbers', () => {
    expect(compareEntryIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareEntryIds('5-10', '5-9')).toBeGreaterThan(0);
    expect(compareEntryIds('1795000000000-3', '1795000000000-3')).toBe(0);
    expect(compareEntryIds('18446744073709551615-0', '18446744073709551614-5')).toBeGreaterThan(0);
  });

  it('keeps nothing back until the ingesters group exists, whatever other groups there are', () => {
    expect(oldestNeededEntry([])).toBeUndefined();
    expect(oldestNeededEntry([group('5-0', undefined, 'audit')])).toBeUndefined();
  });

  it('keeps the oldest pending entry, or everything after the last delivered one when all are acknowledged', () => {
    expect(oldestNeededEntry([group('7-0', '4-2')])).toBe('4-2');
    expect(oldestNeededEntry([group('7-3')])).toBe('7-4');
    // A group created at "0" has been given nothing: the trim keeps every entry.
    expect(oldestNeededEntry([group('0-0')])).toBe('0-1');
  });

  it('keeps what the slowest of several groups still needs', () => {
    expect(oldestNeededEntry([group('9-0', '8-0'), group('3-0', undefined, 'audit')])).toBe('3-1');
    expect(oldestNeededEntry([group('9-0', '2-0'), group('3-0', undefined, 'audit')])).toBe('2-0');
  });
});
