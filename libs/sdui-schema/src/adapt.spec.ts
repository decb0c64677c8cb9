import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { nodeIds, validFixtures } from './golden-fixtures';
import {
  adaptForClient,
  type Screen,
  SDUI_NODE_TYPES,
  type SduiNode,
  validateScreen,
  type Widget,
} from './index';

const screens = validFixtures()
  .filter((fixture) => fixture.kind === 'screen')
  .map((fixture) => fixture.document as Screen);
const [firstScreen] = screens;
if (!firstScreen) throw new Error('the golden fixtures have no screen');
const screenOf = (...widgets: Widget[]): Screen => ({
  type: 'screen',
  id: 'home',
  schemaVersion: '1.0.0',
  widgets,
});
const allTypes: string[] = [...SDUI_NODE_TYPES];
const allBut = (...types: string[]) => allTypes.filter((type) => !types.includes(type));
const client = (supportedTypes: string[], schemaVersion = '1.0.0') => ({ schemaVersion, supportedTypes });
const text = (id: string): SduiNode => ({ type: 'text', id, text: id });

function adapted(screen: Screen, supportedTypes: string[]): Screen {
  const result = adaptForClient(screen, client(supportedTypes));
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

function typesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(typesIn);
  if (value === null || typeof value !== 'object') return [];
  const { type, id } = value as { type?: unknown; id?: unknown };
  const own = typeof type === 'string' && typeof id === 'string' ? [type] : [];
  return [...own, ...Object.values(value).flatMap(typesIn)];
}

describe('adaptForClient', () => {
  it('leaves a screen alone for a client that supports everything', () => {
    for (const screen of screens) expect(adapted(screen, allTypes)).toEqual(screen);
  });

  it('replaces an unsupported node by its fallback', () => {
    const carousel = validFixtures().find((f) => f.name === 'widget-carousel-with-fallback')
      ?.document as Widget;
    expect(adapted(screenOf(carousel), allBut('carousel')).widgets).toEqual([carousel.fallback]);
  });

  it('drops an unsupported node without a fallback, keeping its siblings', () => {
    const screen = screenOf({
      type: 'card',
      id: 'c',
      children: [text('a'), { type: 'divider', id: 'd' }, text('b')],
    });
    expect(nodeIds(adapted(screen, allBut('divider')))).toEqual(['home', 'c', 'a', 'b']);
  });

  it('adapts fallbacks too, falling back as far as needed', () => {
    const icon: SduiNode = {
      type: 'icon',
      id: 'i',
      name: 'star',
      fallback: { type: 'badge', id: 'b', label: '★', fallback: text('t') },
    };
    const screen = screenOf({ type: 'card', id: 'c', children: [icon] });
    expect(nodeIds(adapted(screen, allBut('icon', 'badge')))).toEqual(['home', 'c', 't']);
  });

  it('treats a node whose required content is lost as unsupported', () => {
    const sheetButton: SduiNode = {
      type: 'button',
      id: 'more',
      label: 'More',
      accessibilityLabel: 'More',
      action: { type: 'open-sheet', content: { type: 'rating', id: 'r', value: 4 } },
      fallback: text('more-fallback'),
    };
    const screen = screenOf({ type: 'card', id: 'c', children: [sheetButton] });
    // Without rating the sheet has no content, so the button (whose action is required) falls back.
    expect(nodeIds(adapted(screen, allBut('rating')))).toEqual(['home', 'c', 'more-fallback']);
  });

  it('drops an optional action that loses its required content', () => {
    const screen = screenOf({
      type: 'card',
      id: 'c',
      children: [text('t')],
      action: { type: 'open-sheet', content: { type: 'rating', id: 'r', value: 4 } },
      accessibilityLabel: 'Rate',
    });
    expect(adapted(screen, allBut('rating')).widgets[0]).toEqual({
      type: 'card',
      id: 'c',
      children: [text('t')],
      accessibilityLabel: 'Rate',
    });
  });

  it('drops a list owner whose list falls below its minimum', () => {
    const screen = screenOf({ type: 'card', id: 'c', children: [{ type: 'rating', id: 'r', value: 4 }] });
    expect(adapted(screen, allBut('rating')).widgets).toEqual([]);
  });

  it('does not modify its input', () => {
    const screen = structuredClone(firstScreen);
    adapted(screen, ['card', 'text']);
    expect(screen).toEqual(firstScreen);
  });

  it.each(['2.0.0', '0.9.0', '1.0', 'latest'])('refuses a client on schema version %s', (schemaVersion) => {
    expect(adaptForClient(firstScreen, client(allTypes, schemaVersion))).toMatchObject({ ok: false });
  });

  it('accepts any 1.x client', () => {
    expect(adaptForClient(firstScreen, client(allTypes, '1.7.3')).ok).toBe(true);
  });

  it('always returns a valid screen made of supported types only', () => {
    fc.assert(
      fc.property(fc.constantFrom(...screens), fc.subarray(allTypes), (screen, supported) => {
        const result = adapted(screen, supported);
        expect(validateScreen(result).ok).toBe(true);
        expect(typesIn(result.widgets).filter((type) => !supported.includes(type))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
