import { describe, expect, it } from 'vitest';

import { invalidFixtures, validFixtures } from './golden-fixtures';
import {
  MAX_WIDGET_BYTES,
  SDUI_ACTION_TYPES,
  SDUI_NODE_TYPES,
  validateScreen,
  validateWidget,
} from './index';

const validate = (kind: 'screen' | 'widget', document: unknown) =>
  kind === 'screen' ? validateScreen(document) : validateWidget(document);

const card = (...children: unknown[]) => ({ type: 'card', id: 'c', children });
const text = (id: string, extra: object = {}) => ({ type: 'text', id, text: 'Hi', ...extra });

describe('golden fixtures', () => {
  it.each(validFixtures())('accepts valid/$name', ({ kind, document }) => {
    expect(validate(kind, document)).toEqual({ ok: true, value: document });
  });

  it.each(invalidFixtures())(
    'rejects invalid/$name at its expected path',
    ({ kind, document, expectedErrorPath }) => {
      const result = validate(kind, document);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors[0]?.path).toBe(expectedErrorPath);
    },
  );

  it('use every component and every action in the valid fixtures', () => {
    const types = new Set<string>();
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(collect);
      if (value === null || typeof value !== 'object') return;
      const type = (value as { type?: unknown }).type;
      if (typeof type === 'string') types.add(type);
      Object.values(value).forEach(collect);
    };
    validFixtures().forEach((fixture) => collect(fixture.document));
    expect([...SDUI_NODE_TYPES, ...SDUI_ACTION_TYPES].filter((type) => !types.has(type))).toEqual([]);
  });
});

describe('validateScreen and validateWidget', () => {
  it.each([undefined, null, 42, 'screen', [], true])(
    'report %j as not an object, without throwing',
    (input) => {
      expect(validateScreen(input)).toEqual({
        ok: false,
        errors: [{ path: '', message: 'must be an object' }],
      });
    },
  );

  it('reject members the schema does not define, e.g. a typo', () => {
    const result = validateWidget(card(text('t', { colour: 'primary' })));
    expect(result).toEqual({
      ok: false,
      errors: [{ path: '/children/0/colour', message: 'is not allowed' }],
    });
  });

  it('reject component types from other schema versions (clients fall back, the server does not)', () => {
    const result = validateWidget(card({ type: 'video', id: 'v' }));
    expect(result.ok || result.errors[0]?.path).toBe('/children/0/type');
  });

  it('escape JSON pointer segments', () => {
    const result = validateWidget(card(text('t', { 'a/b~c': 1 })));
    expect(result.ok || result.errors[0]?.path).toBe('/children/0/a~1b~0c');
  });

  it('check the members of analytics properties', () => {
    const button = (properties: object) => ({
      type: 'button',
      id: 'b',
      label: 'Go',
      accessibilityLabel: 'Go',
      action: { type: 'track', event: 'tapped', properties },
    });
    expect(validateWidget(card(button({ placement: 'home' }))).ok).toBe(true);
    expect(validateWidget(card(button({ Placement: 'home' })))).toMatchObject({
      errors: [{ path: '/children/0/action/properties/Placement' }],
    });
    expect(validateWidget(card(button({ placement: 7 })))).toMatchObject({
      errors: [{ path: '/children/0/action/properties/placement', message: 'must be a string' }],
    });
  });

  it('count string lengths in code points, not UTF-16 units', () => {
    const title = (length: number) => ({
      type: 'section',
      id: 's',
      title: '🎁'.repeat(length),
      children: [text('t')],
    });
    expect(validateWidget(title(80)).ok).toBe(true);
    expect(validateWidget(title(81)).ok).toBe(false);
  });

  it('allow a widget of exactly MAX_WIDGET_BYTES (UTF-8 of compact JSON) and reject one byte more', () => {
    const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;
    // Emoji take 4 bytes; ASCII pads to the exact size. 20 texts of up to ~1000 characters suffice.
    const widgetOf = (size: number) => {
      const padded = text('t0', { text: 'x' });
      const children = [padded, ...Array.from({ length: 19 }, (_, i) => text(`t${i + 1}`, { text: 'x' }))];
      let missing = size - bytes(card(...children));
      for (const child of children) {
        const emoji = Math.min(995, Math.floor(missing / 4));
        child.text += '🎁'.repeat(emoji);
        missing -= 4 * emoji;
      }
      padded.text += 'x'.repeat(missing);
      return card(...children);
    };
    expect(bytes(widgetOf(MAX_WIDGET_BYTES))).toBe(MAX_WIDGET_BYTES);
    expect(validateWidget(widgetOf(MAX_WIDGET_BYTES)).ok).toBe(true);
    expect(validateWidget(widgetOf(MAX_WIDGET_BYTES + 1))).toMatchObject({
      ok: false,
      errors: [{ path: '' }],
    });
  });
});
