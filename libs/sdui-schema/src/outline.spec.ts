import { describe, expect, it } from 'vitest';

import { adaptForClient } from './adapt';
import {
  fixtureScreen,
  forwardCompatFixtures,
  nodeIds,
  typescriptOutline,
  validFixtures,
} from './golden-fixtures';
import { outlineScreen } from './outline';

// The TypeScript reference outline renderer. Every golden fixture is outlined by the Kotlin one too, for
// every client profile, and the outlines must be equal: tools/sdui-android/kotlin-outline.spec.ts.

describe('the reference outline renderers', () => {
  it('outline every node of a valid fixture rendered with every type', () => {
    for (const { name, kind, document } of validFixtures()) {
      const outline = typescriptOutline(JSON.stringify(fixtureScreen(name, kind, document)));
      // Fallbacks of rendered nodes are not shown; every other node id is.
      const fallbackIds = new Set(nodeIds(collectFallbacks(document)));
      const shown = nodeIds(document).filter((id) => !fallbackIds.has(id));
      expect(
        shown.filter((id) => !outline.includes(` #${id}`)),
        name,
      ).toEqual([]);
    }
  });

  it('outline what a client keeps of a forward-compat fixture, and nothing it drops', () => {
    for (const { name, kind, document, keeps, drops } of forwardCompatFixtures()) {
      const outline = typescriptOutline(JSON.stringify(fixtureScreen(name, kind, document)));
      const has = (id: string) => new RegExp(` #${id.replace(/[.]/g, '\\.')}( |$)`, 'm').test(outline);
      expect({ missing: keeps.filter((id) => !has(id)), unexpected: drops.filter(has) }, name).toEqual({
        missing: [],
        unexpected: [],
      });
    }
  });

  it('shows a downgraded node as its fallback', () => {
    const widget = {
      type: 'card',
      id: 'w',
      children: [
        {
          type: 'countdown',
          id: 'ends',
          endsAt: '2030-01-01T00:00:00Z',
          fallback: { type: 'text', id: 'ends-text', text: 'Soon' },
        },
      ],
    };
    const screen = fixtureScreen('downgrade', 'widget', widget);
    const adapted = adaptForClient(screen, { schemaVersion: '1.0.0', supportedTypes: ['card', 'text'] });
    expect(adapted.ok && outlineScreen(adapted.value)).toBe(
      'screen #fixture title="downgrade"\n  card #w\n    text #ends-text text="Soon"\n',
    );
  });
});

/** The fallback subtrees of a document. */
function collectFallbacks(document: unknown): unknown[] {
  if (Array.isArray(document)) return document.flatMap(collectFallbacks);
  if (document === null || typeof document !== 'object') return [];
  return Object.entries(document).flatMap(([key, value]) =>
    key === 'fallback' ? [value] : collectFallbacks(value),
  );
}
