import { beforeAll, describe, expect, it } from 'vitest';

import { runKotlin } from './kotlin-driver';
import {
  compileSchemaKotlin,
  forwardCompatFixtures,
  invalidFixtures,
  nodeIds,
  type ValidFixture,
  validFixtures,
} from './schema';

// Compiles the generated Kotlin of libs/sdui-schema with a small driver (kotlin-test/DecodeFixtures.kt) and
// decodes every golden fixture on the JVM with Android's org.json.

type KotlinResult =
  | { ok: true; decoded: string }
  | { ok: false; path: string; reason: string }
  | { crash: string };

function decode(jar: string, documents: ValidFixture[]): KotlinResult[] {
  const input = documents.map(({ kind, document }) => `${kind}\t${JSON.stringify(document)}\n`).join('');
  return runKotlin(jar, 'DecodeFixturesKt', input) as KotlinResult[];
}

/** Whether the decoded models (their toString) contain the node with this id. */
const decodedHas = (decoded: string, id: string) =>
  new RegExp(`\\bid=${id.replace(/[.]/g, '\\.')}[,)]`).test(decoded);

describe('the generated Kotlin decoder', () => {
  const valid = validFixtures();
  const invalid = invalidFixtures();
  const forwardCompat = forwardCompatFixtures();
  const results = new Map<string, KotlinResult>();

  beforeAll(async () => {
    const all = [...valid, ...invalid, ...forwardCompat];
    const decoded = decode(await compileSchemaKotlin(), all);
    all.forEach((fixture, i) => {
      const result = decoded[i];
      if (result) results.set(fixture.name, result);
    });
  }, 180_000);

  it.each(valid)('decodes valid/$name, keeping every node', ({ name, document }) => {
    const result = results.get(name);
    expect(result).toMatchObject({ ok: true });
    const decoded = (result as { decoded: string }).decoded;
    expect(nodeIds(document).filter((id) => !decodedHas(decoded, id))).toEqual([]);
  });

  it("decodes a widget's campaign provenance (1.1.0): its segment, experiment and variant", () => {
    const result = results.get('screen-campaign-provenance');
    expect(result).toMatchObject({ ok: true });
    const provenances = (result as { decoded: string }).decoded.match(/Provenance\([^)]*\)/g);
    expect(provenances).toEqual([
      'Provenance(productId=deals, audience=GENERIC, dataVersion=12, segmentId=null, ' +
        'experimentId=spring-banner, variantId=bold)',
      'Provenance(productId=subscriptions, audience=GENERIC, dataVersion=4, segmentId=annual-plan, ' +
        'experimentId=null, variantId=null)',
    ]);
  });

  it.each(invalid)(
    'rejects invalid/$name at the same path as the TypeScript validator',
    ({ name, expectedErrorPath }) => {
      expect(results.get(name)).toMatchObject({ ok: false, path: expectedErrorPath });
    },
  );

  it.each(forwardCompat)('decodes forward-compat/$name as a client must', ({ name, keeps, drops }) => {
    const result = results.get(name);
    expect(result).toMatchObject({ ok: true });
    const decoded = (result as { decoded: string }).decoded;
    expect({
      missing: keeps.filter((id) => !decodedHas(decoded, id)),
      unexpected: drops.filter((id) => decodedHas(decoded, id)),
    }).toEqual({ missing: [], unexpected: [] });
  });
});
