import { describe, expect, it } from 'vitest';
import {
  activeEntry,
  checkSlotContent,
  isEverydayOnly,
  isSlotContentText,
  nextBoundary,
  scheduleAfter,
  type ScheduledEntry,
} from './slot-content';

const widget = { type: 'text', text: 'hi' };
const entry = (
  dataVersion: number,
  activeFrom: number | null,
  activeUntil: number | null,
): ScheduledEntry => ({
  dataVersion,
  activeFrom,
  activeUntil,
  acceptedAt: dataVersion * 10,
  widget,
});

describe('a schedule', () => {
  const always = entry(1, null, null);
  const weekend = entry(2, 1_000, 2_000);
  const entries = [weekend, always];

  it('shows the newest entry whose window holds the time, from inclusive, until exclusive', () => {
    expect(activeEntry(entries, 999)).toBe(always);
    expect(activeEntry(entries, 1_000)).toBe(weekend);
    expect(activeEntry(entries, 1_999)).toBe(weekend);
    expect(activeEntry(entries, 2_000)).toBe(always);
    expect(activeEntry([weekend], 2_000)).toBeUndefined();
  });

  it('names the next time a window opens or closes', () => {
    expect(nextBoundary(entries, 0)).toBe(1_000);
    expect(nextBoundary(entries, 1_000)).toBe(2_000);
    expect(nextBoundary(entries, 2_000)).toBeUndefined();
  });

  it('shows a window over the everyday version, even an everyday version published after it', () => {
    const campaign = entry(2, 1_000, 2_000);
    const everyday = entry(3, null, null);
    expect(activeEntry([everyday, campaign, always], 1_500)).toBe(campaign);
    expect(activeEntry([everyday, campaign, always], 2_000)).toBe(everyday);
  });

  it('makes a launch without an end the everyday version from its start, until an edit accepted after it', () => {
    const fridayLaunch = { ...entry(2, 500, null), acceptedAt: 100 };
    const wednesdayEdit = { ...entry(3, null, null), acceptedAt: 300 };
    const mondayEdit = { ...entry(4, null, null), acceptedAt: 800 };
    expect(activeEntry([wednesdayEdit, fridayLaunch], 400)).toBe(wednesdayEdit);
    expect(activeEntry([wednesdayEdit, fridayLaunch], 500)).toBe(fridayLaunch);
    expect(activeEntry([mondayEdit, wednesdayEdit, fridayLaunch], 900)).toBe(mondayEdit);
    // Of two edits, the later version is the everyday one, whatever their clocks said (two writers).
    const racing = { ...entry(5, null, null), acceptedAt: 799 };
    expect(activeEntry([racing, mondayEdit, wednesdayEdit, fridayLaunch], 900)).toBe(racing);
    expect(scheduleAfter(racing, [mondayEdit, wednesdayEdit, fridayLaunch], 900)).toEqual([racing]);
    // What a write keeps: the launch until it has opened and an edit after it replaced it.
    expect(scheduleAfter(wednesdayEdit, [fridayLaunch], 300)).toEqual([wednesdayEdit, fridayLaunch]);
    expect(scheduleAfter(mondayEdit, [wednesdayEdit, fridayLaunch], 800)).toEqual([mondayEdit]);
  });

  it('keeps after a write only what can still be shown', () => {
    // An everyday write keeps the windows that have not ended, and no older everyday version.
    expect(scheduleAfter(entry(3, null, null), entries, 0)).toEqual([entry(3, null, null), weekend]);
    expect(scheduleAfter(entry(3, null, null), entries, 2_000)).toEqual([entry(3, null, null)]);
    // A windowed write keeps the windows that have not ended and the newest everyday version.
    const ended = entry(2, 10, 20);
    expect(
      scheduleAfter(entry(5, 500, 600), [entry(4, 100, 900), ended, entry(3, null, null), always], 50),
    ).toEqual([entry(5, 500, 600), entry(4, 100, 900), entry(3, null, null)]);
    // A deletion without a window withdraws everything, and nothing before it comes back.
    const deletion = { ...entry(6, null, null), widget: null };
    expect(scheduleAfter(deletion, entries, 0)).toEqual([deletion]);
    expect(scheduleAfter(entry(7, 500, 600), [deletion, weekend, always], 0)).toEqual([entry(7, 500, 600)]);
    expect(isEverydayOnly([entry(3, null, null)])).toBe(true);
    expect(isEverydayOnly([entry(3, null, null), weekend])).toBe(false);
  });
});

describe('checkSlotContent', () => {
  it('accepts a schedule and an experiment, and names what is wrong otherwise', () => {
    expect(
      checkSlotContent({ '~slot': 'schedule', entries: [entry(2, 5, null), entry(1, null, null)] }).ok,
    ).toBe(true);
    expect(
      checkSlotContent({ '~slot': 'schedule', entries: [entry(1, null, null), entry(2, 5, null)] }),
    ).toMatchObject({
      ok: false,
      pointer: '/entries/1/dataVersion',
    });
    expect(checkSlotContent({ '~slot': 'schedule', entries: [entry(1, 9, 9)] })).toMatchObject({
      ok: false,
      pointer: '/entries/0/activeUntil',
    });
    const experiment = {
      '~slot': 'experiment',
      experimentId: 'spring',
      audience: 'segment:annual',
      startedAt: 1,
      variants: [
        { variantId: 'a', basisPoints: 5_000, widget },
        { variantId: 'b', basisPoints: 5_000, widget },
      ],
    };
    expect(checkSlotContent(experiment).ok).toBe(true);
    expect(checkSlotContent({ ...experiment, variants: experiment.variants.slice(0, 1) })).toMatchObject({
      pointer: '/variants',
    });
    expect(
      checkSlotContent({
        ...experiment,
        variants: [experiment.variants[0], { ...experiment.variants[1], basisPoints: 4_000 }],
      }),
    ).toMatchObject({ pointer: '/variants', detail: expect.stringContaining('9000') });
    expect(checkSlotContent(widget)).toMatchObject({ ok: false, pointer: '/~slot' });
  });

  it('is told from a plain widget without parsing', () => {
    expect(isSlotContentText(JSON.stringify({ '~slot': 'schedule', entries: [] }))).toBe(true);
    expect(isSlotContentText(JSON.stringify({ type: 'text', text: '"~slot"' }))).toBe(false);
  });
});
