import { describe, expect, it } from 'vitest';
import type { Widget } from '@hwp/sdui-schema';
import { checkSlotContent } from '@hwp/widget-events';
import {
  decideChange,
  decideStop,
  deliveryOf,
  type Experiment,
  type ExperimentDefinition,
} from './experiments';

const widget = (id: string) => ({ type: 'card', id, children: [] }) as unknown as Widget;
const definition = (state: ExperimentDefinition['state']): ExperimentDefinition => ({
  name: 'Bold or quiet',
  audience: 'everyone',
  variants: [
    { variantId: 'quiet', basisPoints: 5000, widget: widget('quiet') },
    { variantId: 'bold', basisPoints: 5000, widget: widget('bold') },
  ],
  state,
});
const saved = (state: ExperimentDefinition['state']): Experiment => ({
  ...definition(state),
  productId: 'deals',
  experimentId: 'spring',
  dataVersion: 1,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  startedAt: null,
  stoppedAt: null,
});

describe('decideChange', () => {
  it('creates a draft or a running experiment, never a stopped one', () => {
    expect(decideChange(undefined, definition('draft'))).toMatchObject({
      ok: true,
      action: 'define-experiment',
    });
    expect(decideChange(undefined, definition('running'))).toMatchObject({
      ok: true,
      action: 'start-experiment',
    });
    expect(decideChange(undefined, definition('stopped'))).toMatchObject({ ok: false, pointer: '/state' });
  });

  it('lets a draft change in every way', () => {
    const other = { ...definition('running'), audience: 'segment:annual' as const };
    expect(decideChange(saved('draft'), other)).toMatchObject({ ok: true, action: 'start-experiment' });
  });

  it('keeps a running experiment’s audience and variants, lets it be renamed and stopped', () => {
    const running = saved('running');
    expect(decideChange(running, definition('running'))).toEqual({ ok: true, next: definition('running') });
    expect(decideChange(running, { ...definition('running'), name: 'New name' })).toMatchObject({
      ok: true,
      action: 'define-experiment',
    });
    expect(decideChange(running, { ...definition('running'), audience: 'segment:annual' })).toMatchObject({
      ok: false,
      reason: 'conflict',
      pointer: '/audience',
    });
    const [quiet, bold] = definition('running').variants;
    const moved = [
      { ...quiet!, basisPoints: 6000 },
      { ...bold!, basisPoints: 4000 },
    ];
    expect(decideChange(running, { ...definition('running'), variants: moved })).toMatchObject({
      ok: false,
      pointer: '/variants',
    });
    expect(decideChange(running, definition('draft'))).toMatchObject({ ok: false, pointer: '/state' });
    expect(decideChange(running, definition('stopped'))).toMatchObject({
      ok: true,
      action: 'stop-experiment',
    });
  });

  it('keeps a stopped experiment stopped', () => {
    expect(decideChange(saved('stopped'), definition('running'))).toMatchObject({
      ok: false,
      pointer: '/state',
    });
    expect(decideStop(saved('stopped'), 'spring')).toEqual({ ok: true, next: definition('stopped') });
    expect(decideStop(undefined, 'spring')).toMatchObject({ ok: false, reason: 'unknown-experiment' });
  });
});

describe('deliveryOf', () => {
  const startedAt = new Date('2026-12-07T09:00:00Z');
  const running = { ...saved('running'), startedAt };

  it('delivers the content when an experiment starts, in the form the core side checks', () => {
    const delivery = deliveryOf('draft', running);
    expect(delivery).toEqual({
      content: {
        '~slot': 'experiment',
        experimentId: 'spring',
        audience: 'everyone',
        startedAt: startedAt.getTime(),
        variants: [
          { variantId: 'quiet', basisPoints: 5000, widget: widget('quiet') },
          { variantId: 'bold', basisPoints: 5000, widget: widget('bold') },
        ],
      },
    });
    expect(checkSlotContent(delivery?.content).ok).toBe(true);
    expect(deliveryOf(undefined, { ...running, audience: 'segment:annual' })?.content).toMatchObject({
      audience: 'segment:annual',
    });
  });

  it('delivers a tombstone when a running experiment stops, and nothing for drafts and renames', () => {
    expect(deliveryOf('running', { ...running, state: 'stopped' })).toEqual({ content: null });
    expect(deliveryOf('running', running)).toBeUndefined();
    expect(deliveryOf(undefined, saved('draft'))).toBeUndefined();
    expect(deliveryOf('draft', saved('draft'))).toBeUndefined();
    expect(deliveryOf('draft', saved('stopped'))).toBeUndefined();
    expect(deliveryOf('stopped', saved('stopped'))).toBeUndefined();
  });
});
