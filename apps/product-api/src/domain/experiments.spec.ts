import { describe, expect, it } from 'vitest';
import type { Widget } from '@hwp/sdui-schema';
import { decideChange, decideStop, type Experiment, type ExperimentDefinition } from './experiments';

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
