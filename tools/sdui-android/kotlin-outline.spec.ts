import { beforeAll, describe, expect, it } from 'vitest';
import { adaptForClient } from '@hwp/sdui-schema';
import { runKotlin } from './kotlin-driver';
import {
  clientProfiles,
  compileSchemaKotlin,
  fixtureScreen,
  forwardCompatFixtures,
  typescriptOutline,
  validFixtures,
} from './schema';

// Cross-platform consistency: every golden fixture (valid and forward-compat), adapted by core-api's
// adaptForClient for every client profile, is decoded and outlined by the TypeScript reference renderer
// and by the Kotlin one (kotlin-test/OutlineFixtures.kt, one JVM run for all); the outlines must be equal.

const fixtures = [
  ...validFixtures().map((f) => ({ ...f, name: `valid/${f.name}` })),
  ...forwardCompatFixtures().map((f) => ({ ...f, name: `forward-compat/${f.name}` })),
];

const cases = fixtures.flatMap(({ name, kind, document }) =>
  clientProfiles().map(({ name: profile, capabilities }) => {
    const screen = fixtureScreen(name, kind, document);
    const adapted =
      capabilities === null ? { ok: true as const, value: screen } : adaptForClient(screen, capabilities);
    if (!adapted.ok) throw new Error(`${name} for ${profile}: ${adapted.reason}`);
    return { name, profile, json: JSON.stringify(adapted.value) };
  }),
);

describe('the reference outline renderers', () => {
  let kotlin: unknown[] = [];

  beforeAll(async () => {
    kotlin = runKotlin(
      await compileSchemaKotlin(),
      'OutlineFixturesKt',
      cases.map(({ json }) => `${json}\n`).join(''),
    );
  }, 180_000);

  it.each(cases.map((c, index) => ({ ...c, index })))(
    'TypeScript and Kotlin outline $name for $profile alike',
    ({ json, index }) => {
      expect(kotlin[index]).toEqual(typescriptOutline(json));
    },
  );
});
