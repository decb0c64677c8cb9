import { describe, expect, it } from 'vitest';
import type { AnalyticsEvent } from './analytics-event';
import { analyticsEntryFields, decodeAnalyticsEntry } from './analytics-stream';

const click: AnalyticsEvent = {
  type: 'click',
  productId: 'deals',
  audience: 'generic',
  dataVersion: '3',
  widgetId: 'deals-card',
  at: '2026-11-26T10:00:00.000Z',
};

describe('the analytics stream entry', () => {
  it('decodes the batch it encoded', () => {
    expect(decodeAnalyticsEntry(analyticsEntryFields([click, click]))).toEqual([click, click]);
  });

  it('has no batch when trimmed while pending, not JSON, or holding an event the schema refuses', () => {
    expect(decodeAnalyticsEntry(null)).toBeUndefined();
    expect(decodeAnalyticsEntry(['events', '{not json'])).toBeUndefined();
    expect(decodeAnalyticsEntry(['events', JSON.stringify([{ ...click, type: 'view' }])])).toBeUndefined();
    expect(decodeAnalyticsEntry(['other', JSON.stringify([click])])).toBeUndefined();
  });
});
