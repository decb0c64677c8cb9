import { beforeAll, describe, expect, it } from 'vitest';

import { adaptForClient } from './adapt';
import { decodeScreen } from './decode';
import type { Screen } from './generated/types';
import { clientProfiles, forwardCompatFixtures, nodeIds, validFixtures } from './golden-fixtures';
import { compileKotlin, runKotlin } from './kotlin-jvm';
import { outlineScreen } from './outline';
import { SDUI_SCHEMA_VERSION } from './source/version';

// Cross-platform consistency: every golden fixture (valid and forward-compat), adapted by core-api's
// adaptForClient for every client profile, is decoded and outlined by the TypeScript reference renderer
// and by the Kotlin one (kotlin-test/OutlineFixtures.kt, one JVM run for all); the outlines must be equal.

const fixtures = [
  ...validFixtures().map((f) => ({ ...f, name: `valid/${f.name}` })),
  ...forwardCompatFixtures().map((f) => ({ ...f, name: `forward-compat/${f.name}` })),
];

/** A fixture as the screen core-api would send: a widget fixture becomes a screen of that one widget. */
const asScreen = (name: string, kind: string, document: unknown) =>
  (kind === 'screen'
    ? document
    : {
        type: 'screen',
        id: 'fixture',
        schemaVersion: SDUI_SCHEMA_VERSION,
        title: name,
        widgets: [document],
      }) as Screen;

const cases = fixtures.flatMap(({ name, kind, document }) =>
  clientProfiles().map(({ name: profile, capabilities }) => {
    const screen = asScreen(name, kind, document);
    const adapted =
      capabilities === null ? { ok: true as const, value: screen } : adaptForClient(screen, capabilities);
    if (!adapted.ok) throw new Error(`${name} for ${profile}: ${adapted.reason}`);
    return { name, profile, json: JSON.stringify(adapted.value) };
  }),
);

function typescriptOutline(json: string): string {
  const decoded = decodeScreen(JSON.parse(json));
  if (!decoded.ok) throw new Error(decoded.reason);
  return outlineScreen(decoded.screen);
}

describe('the reference outline renderers', () => {
  let kotlin: unknown[] = [];

  beforeAll(() => {
    kotlin = runKotlin(compileKotlin(), 'OutlineFixturesKt', cases.map(({ json }) => `${json}\n`).join(''));
  }, 180_000);

  it.each(cases.map((c, index) => ({ ...c, index })))(
    'TypeScript and Kotlin outline $name for $profile alike',
    ({ json, index }) => {
      expect(kotlin[index]).toEqual(typescriptOutline(json));
    },
  );

  it('outline every node of a valid fixture rendered with every type', () => {
    for (const { name, kind, document } of validFixtures()) {
      const outline = typescriptOutline(JSON.stringify(asScreen(name, kind, document)));
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
      const outline = typescriptOutline(JSON.stringify(asScreen(name, kind, document)));
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
    const screen = asScreen('downgrade', 'widget', widget);
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
