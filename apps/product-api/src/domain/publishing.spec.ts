import { describe, expect, it } from 'vitest';
import type { Widget } from '@hwp/sdui-schema';
import type { ScheduledEntry } from '@hwp/widget-events';
import {
  ALWAYS,
  isScheduled,
  Publishing,
  windowRefusal,
  type AcceptedWrite,
  type Change,
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

/** Records which save a publish took; the scheduled one builds its content from `previous`. */
class RecordingStore implements Pick<WidgetStore, 'save' | 'saveScheduled'> {
  readonly plain: WidgetWrite[][] = [];
  readonly scheduled: unknown[] = [];
  segmentExists = true;
  constructor(private readonly previous: ScheduledEntry[] = []) {}

  save(_productId: string, writes: WidgetWrite[]): Promise<AcceptedWrite[]> {
    this.plain.push(writes);
    return Promise.resolve(writes.map(({ audience }) => ({ audience, dataVersion: 1 })));
  }
  saveScheduled(
    _productId: string,
    write: WidgetWrite,
    _acceptedAt: number,
    _change: Change,
    schedule: (dataVersion: number, previous: ScheduledEntry[]) => unknown,
  ): Promise<AcceptedWrite | undefined> {
    if (!this.segmentExists) return Promise.resolve(undefined);
    this.scheduled.push(schedule(3, this.previous));
    return Promise.resolve({ audience: write.audience, dataVersion: 3 });
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
  it('is true for a window or a segment, false for an unwindowed generic or personal write', () => {
    expect(isScheduled({ audience: 'generic', widget: null })).toBe(false);
    expect(isScheduled({ audience: 'user:u1', widget: null, window: ALWAYS })).toBe(false);
    expect(
      isScheduled({ audience: 'user:u1', widget: null, window: { activeFrom: NOW, activeUntil: null } }),
    ).toBe(true);
    expect(isScheduled({ audience: 'segment:annual', widget: null })).toBe(true);
  });
});

describe('Publishing.publish', () => {
  it('saves unwindowed writes as plain widgets, in one batch', async () => {
    const store = new RecordingStore();
    const writes: WidgetWrite[] = [
      { audience: 'user:a', widget: widget('a') },
      { audience: 'user:b', widget: widget('b') },
    ];
    expect(await publishing(store).publish('deals', writes, change)).toMatchObject({ ok: true });
    expect(store.plain).toEqual([writes]);
    expect(store.scheduled).toEqual([]);
  });

  it('builds a windowed write as a schedule after the versions still shown', async () => {
    const older: ScheduledEntry = { dataVersion: 2, ...ALWAYS, acceptedAt: NOW - HOUR, widget: {} };
    const store = new RecordingStore([older]);
    const window = { activeFrom: NOW + HOUR, activeUntil: NOW + 2 * HOUR };
    await publishing(store).publish('deals', [{ audience: 'generic', widget: widget('w'), window }], change);
    expect(store.scheduled).toEqual([
      {
        '~slot': 'schedule',
        entries: [{ dataVersion: 3, ...window, acceptedAt: NOW, widget: widget('w') }, older],
      },
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
