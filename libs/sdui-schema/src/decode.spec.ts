import { describe, expect, it } from 'vitest';

import { decodeScreen, decodeWidget } from './decode';

// The rules the forward-compat golden fixture does not show; that fixture is decoded by outline.spec.ts.

const text = (id: string) => ({ type: 'text', id, text: id });
const card = (id: string, children: unknown[], extra: object = {}) => ({
  type: 'card',
  id,
  children,
  ...extra,
});

describe('the tolerant decoder', () => {
  it('refuses what is not a screen, or a screen of another major version', () => {
    expect(decodeScreen({ type: 'widget' })).toEqual({ ok: false, reason: 'not a screen' });
    expect(decodeScreen({ type: 'screen', id: 'home', schemaVersion: '2.0.0', widgets: [] })).toEqual({
      ok: false,
      reason: 'schema version "2.0.0" is not 1.x',
    });
  });

  it('shows only widget types at the root: a node there is replaced by its fallback, itself a widget', () => {
    expect(decodeWidget(text('loose'))).toBeUndefined();
    expect(decodeWidget({ ...text('loose'), fallback: card('w', [text('t')]) })).toMatchObject({ id: 'w' });
    expect(decodeWidget(card('w', [{ ...text('t'), fallback: card('c', [text('u')]) }]))).toMatchObject({
      children: [{ id: 't' }],
    });
  });

  it('leaves out an optional node it cannot render, and an optional action or token from a newer version', () => {
    const widget = card('w', [
      {
        type: 'list-item',
        id: 'row',
        title: 'Orders',
        leading: { type: 'hologram', id: 'h' },
        action: { type: 'open-sheet', content: { type: 'hologram', id: 'h2' } },
        accessibilityLabel: 'Open orders',
      },
      { type: 'divider', id: 'line', inset: 'huge' },
    ]);
    expect(decodeWidget(widget)).toEqual(
      card('w', [
        { type: 'list-item', id: 'row', title: 'Orders', accessibilityLabel: 'Open orders' },
        { type: 'divider', id: 'line' },
      ]),
    );
  });

  it('replaces a node whose required action, token or children it cannot read, and drops its fallback once read', () => {
    const button = {
      type: 'button',
      id: 'go',
      label: 'Go',
      accessibilityLabel: 'Go',
      action: { type: 'open-sheet', content: { type: 'hologram', id: 'h' } },
      fallback: text('go-text'),
    };
    const spacer = { type: 'spacer', id: 'gap', size: 'huge', fallback: text('gap-text') };
    const empty = {
      type: 'row',
      id: 'row',
      children: [{ type: 'hologram', id: 'h3' }],
      fallback: text('row-text'),
    };
    const decoded = decodeWidget(
      card('w', [button, spacer, empty], { fallback: card('unused', [text('x')]) }),
    );
    expect(decoded).toEqual(card('w', [text('go-text'), text('gap-text'), text('row-text')]));
  });
});
