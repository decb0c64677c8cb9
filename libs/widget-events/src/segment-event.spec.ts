import { describe, expect, it } from 'vitest';
import {
  decodeSegmentEvent,
  encodePipelineEvent,
  isSegmentEntry,
  shardOfEvent,
  type SegmentEvent,
} from './segment-event';
import { shardOf } from './stream';
import { encodeWidgetEvent } from './widget-event';

const change: SegmentEvent = {
  eventId: '42',
  productId: 'deals',
  segmentId: 'annual-plan',
  dataVersion: 7,
  add: ['user-1', 'user.2'],
  remove: [],
  deleted: false,
  acceptedAt: 1_795_000_000_000,
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
};

describe('segment events', () => {
  it('round-trip through their stream fields, told apart from widget events', () => {
    const fields = encodePipelineEvent(change);
    expect(isSegmentEntry(fields)).toBe(true);
    expect(decodeSegmentEvent(fields)).toEqual({ ok: true, event: change });
    const widget = encodeWidgetEvent({
      eventId: '1',
      productId: 'deals',
      audience: 'generic',
      dataVersion: 1,
      widget: '{}',
      acceptedAt: 0,
    });
    expect(isSegmentEntry(widget)).toBe(false);
  });

  it('are poison when a member id, the segment or the version is malformed', () => {
    const with_ = (name: string, value: string) => {
      const fields = encodePipelineEvent(change);
      fields[fields.indexOf(name) + 1] = value;
      return decodeSegmentEvent(fields);
    };
    expect(with_('add', 'user-1,bad id')).toEqual({ ok: false, reason: 'invalid member ids' });
    expect(with_('segment', 'Annual')).toMatchObject({ ok: false });
    expect(with_('version', '0')).toMatchObject({ ok: false });
    expect(with_('deleted', '')).toMatchObject({ ok: false });
  });

  it("go to one shard per segment, keyed beside the product's widget audiences", () => {
    expect(shardOfEvent(change, 16)).toBe(shardOf('deals', 'segment:annual-plan', 16));
  });
});
