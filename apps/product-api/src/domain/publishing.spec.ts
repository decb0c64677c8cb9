import { describe, expect, it } from 'vitest';
import type { Widget } from '@hwp/sdui-schema';
import type { Audience, ScheduledEntry } from '@hwp/widget-events';
import {
  ALWAYS,
  isScheduled,
  Publishing,
  windowRefusal,
  type AcceptedWrite,
  type Change,
  type ScheduledWrite,
  type WidgetStore,
  type WidgetWrite,
} from './publishing';

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;
const widget = (id: string) => ({ type: 'card', id, children: [] }) as unknown as Widget;
const change: Change = {
  caller: { teamId: 'team-deals', actor: { kind: 'key', id: 'key-1' }, requestId: 'r' },
  action: 'publish',
};

/**
 * Records which save a publish took, and what each write of a scheduled save delivers after `previous`:
 * its schedule, undefined for the plain widget, or 'plain' for a write without a schedule. `pending`: the
 * audiences with windows still to show.
 */
class RecordingStore implements Pick<WidgetStore, 'save' | 'saveScheduled' | 'withPendingWindows'> {
  readonly plain: WidgetWrite[][] = [];
  readonly scheduled: unknown[][] = [];
  readonly asked: Audience[][] = [];
  segmentExists = true;
  constructor(
    private readonly previous: ScheduledEntry[] = [],
    private readonly pending: Audience[] = [],
  ) {}

  withPendingWindows(_productId: string, audiences: Audience[]): Promise<Set<Audience>> {
    this.asked.push(audiences);
    return Promise.resolve(new Set(audiences.filter((audience) => this.pending.includes(audience))));
  }
  save(_productId: string, writes: WidgetWrite[]): Promise<AcceptedWrite[]> {
    this.plain.push(writes);
    return Promise.resolve(writes.map(({ audience }) => ({ audience, dataVersion: 1 })));
  }
  saveScheduled(
    _productId: string,
    writes: ScheduledWrite[],
  ): Promise<AcceptedWrite[] | { unknownSegment: string }> {
    if (!this.segmentExists) return Promise.resolve({ unknownSegment: 'gone' });
    this.scheduled.push(writes.map(({ schedule }) => (schedule ? schedule(3, this.previous) : 'plain')));
    return Promise.resolve(writes.map(({ audience }) => ({ audience, dataVersion: 3 })));
  }
}

const publishing = (store: RecordingStore) => new Publishing(store as unknown as WidgetStore, () => NOW);

describe('windowRefusal', () => {
  it('refuses a window that ends before it starts or has ended, naming activeUntil', () => {
    expect(windowRefusal({ activeFrom: NOW + HOUR, activeUntil: NOW + HOUR }, NOW)).toMatchObject({
      field: 'activeUntil',
      detail: 'must be after activeFrom',
    });
    expect(windowRefusal({ activeFrom: null, activeUntil: NOW }, NOW)).toMatchObject({
      field: 'activeUntil',
      detail: expect.stringContaining('has already passed'),
    });
  });

  it('takes a window that started in the past, an open end and no window', () => {
    expect(windowRefusal({ activeFrom: NOW - HOUR, activeUntil: NOW + 1 }, NOW)).toBeUndefined();
    expect(windowRefusal({ activeFrom: NOW + HOUR, activeUntil: null }, NOW)).toBeUndefined();
    expect(windowRefusal(ALWAYS, NOW)).toBeUndefined();
  });
});

describe('isScheduled', () => {
  const window = { activeFrom: NOW, activeUntil: null };
  it('is true for a window or a segment, false for an unwindowed generic or personal write', () => {
    expect(isScheduled({ audience: 'generic', widget: null }, new Set())).toBe(false);
    expect(isScheduled({ audience: 'user:u1', widget: widget('u'), window: ALWAYS }, new Set())).toBe(false);
    expect(isScheduled({ audience: 'user:u1', widget: null, window }, new Set())).toBe(true);
    expect(isScheduled({ audience: 'segment:annual', widget: null }, new Set())).toBe(true);
  });

  it('is true for an everyday publish of a slot with pending windows, not for an everyday deletion', () => {
    const pending = new Set<Audience>(['generic', 'user:u1']);
    expect(isScheduled({ audience: 'generic', widget: widget('g') }, pending)).toBe(true);
    expect(isScheduled({ audience: 'user:u1', widget: widget('u') }, pending)).toBe(true);
    expect(isScheduled({ audience: 'user:u2', widget: widget('u') }, pending)).toBe(false);
    expect(isScheduled({ audience: 'generic', widget: null }, pending)).toBe(false);
  });
});

describe('Publishing.publish', () => {
  const window = { activeFrom: NOW + HOUR, activeUntil: NOW + 2 * HOUR };
  const campaign: ScheduledEntry = { dataVersion: 2, ...window, acceptedAt: NOW - HOUR, widget: {} };
  const everyday = (id: string) => ({ dataVersion: 3, ...ALWAYS, acceptedAt: NOW, widget: widget(id) });

  it('saves unwindowed writes without pending windows as plain widgets, in one batch after one query', async () => {
    const store = new RecordingStore();
    const writes: WidgetWrite[] = [
      { audience: 'user:a', widget: widget('a') },
      { audience: 'user:b', widget: widget('b') },
    ];
    expect(await publishing(store).publish('deals', writes, change)).toMatchObject({ ok: true });
    expect(store.asked).toEqual([['user:a', 'user:b']]);
    expect(store.plain).toEqual([writes]);
    expect(store.scheduled).toEqual([]);
  });

  it('keeps a pending window when the everyday widget is published again', async () => {
    const store = new RecordingStore([campaign], ['generic']);
    await publishing(store).publish('deals', [{ audience: 'generic', widget: widget('fix') }], change);
    expect(store.plain).toEqual([]);
    expect(store.scheduled).toEqual([[{ '~slot': 'schedule', entries: [everyday('fix'), campaign] }]]);
  });

  it('delivers the plain widget when no window is left under the lock, and an everyday deletion as a tombstone', async () => {
    const ended = new RecordingStore([], ['generic']);
    await publishing(ended).publish('deals', [{ audience: 'generic', widget: widget('g') }], change);
    expect(ended.scheduled).toEqual([[undefined]]);

    const deletion = new RecordingStore([campaign], ['generic']);
    await publishing(deletion).publish('deals', [{ audience: 'generic', widget: null }], change);
    expect(deletion.asked).toEqual([]);
    expect(deletion.plain).toEqual([[{ audience: 'generic', widget: null }]]);
  });

  it('builds the schedules of the users of a campaign who have pending windows, in the same save', async () => {
    const store = new RecordingStore([campaign], ['user:b', 'user:d']);
    const writes = ['a', 'b', 'c', 'd'].map(
      (id): WidgetWrite => ({ audience: `user:${id}`, widget: widget(id) }),
    );
    expect(await publishing(store).publish('deals', writes, change)).toMatchObject({ ok: true });
    expect(store.asked).toEqual([['user:a', 'user:b', 'user:c', 'user:d']]);
    expect(store.plain).toEqual([]);
    const kept = (id: string) => ({ '~slot': 'schedule', entries: [everyday(id), campaign] });
    expect(store.scheduled).toEqual([['plain', kept('b'), 'plain', kept('d')]]);
  });

  it("keeps a segment's everyday-only widget a schedule", async () => {
    const store = new RecordingStore();
    await publishing(store).publish('deals', [{ audience: 'segment:annual', widget: widget('s') }], change);
    expect(store.asked).toEqual([]);
    expect(store.scheduled).toEqual([[{ '~slot': 'schedule', entries: [everyday('s')] }]]);
  });

  it('builds a windowed write as a schedule after the versions still shown', async () => {
    const older: ScheduledEntry = { dataVersion: 2, ...ALWAYS, acceptedAt: NOW - HOUR, widget: {} };
    const store = new RecordingStore([older]);
    await publishing(store).publish('deals', [{ audience: 'generic', widget: widget('w'), window }], change);
    expect(store.scheduled).toEqual([
      [
        {
          '~slot': 'schedule',
          entries: [{ dataVersion: 3, ...window, acceptedAt: NOW, widget: widget('w') }, older],
        },
      ],
    ]);
  });

  it('refuses an ended window and an unknown segment without the plain save', async () => {
    const store = new RecordingStore();
    const ended = { activeFrom: null, activeUntil: NOW - 1 };
    expect(
      await publishing(store).publish(
        'deals',
        [{ audience: 'generic', widget: null, window: ended }],
        change,
      ),
    ).toMatchObject({ ok: false, reason: 'window', field: 'activeUntil' });
    store.segmentExists = false;
    expect(
      await publishing(store).publish('deals', [{ audience: 'segment:gone', widget: widget('s') }], change),
    ).toMatchObject({ ok: false, reason: 'unknown-segment', segmentId: 'gone' });
    expect(store.plain).toEqual([]);
  });
});
