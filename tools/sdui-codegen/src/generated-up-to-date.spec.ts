import { describe, expect, it } from 'vitest';

import { buildJsonSchema, type JsonSchema } from './json-schema';
import { buildOutputs, findDrift, GENERATE_COMMAND } from './outputs';

describe('the generated SDUI files', () => {
  it('match the schema source', async () => {
    const stale = findDrift(await buildOutputs()).map(({ change, path }) => `${change} ${path}`);
    expect(stale, `Stale generated files. Run: ${GENERATE_COMMAND}`).toEqual([]);
  }, 60_000);

  it('all follow a new component: types, validator, renderer contracts, JSON Schema, Kotlin and docs', async () => {
    const schema = buildJsonSchema();
    type Def = JsonSchema & { properties: Record<string, JsonSchema> };
    const defs = schema['$defs'] as Record<string, Def> & Record<'TextNode' | 'SduiNode', Def>;
    const quote = structuredClone(defs['TextNode']);
    quote.properties['type'] = { type: 'string', const: 'quote' };
    defs['QuoteNode'] = { ...quote, description: 'A quotation.' };
    (defs['SduiNode']['oneOf'] as unknown[]).push({ $ref: '#/$defs/QuoteNode' });

    const before = await buildOutputs();
    const after = await buildOutputs(undefined, schema);
    const changed = [...after]
      .filter(([path, content]) => before.get(path) !== content)
      .map(([path]) => path);
    expect(changed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/schema\/sdui-.*\.schema\.json$/),
        'libs/sdui-schema/src/generated/types.ts',
        'libs/sdui-schema/src/generated/catalogue.ts',
        'libs/sdui-schema/src/generated/validator.ts',
        'libs/sdui-schema/src/generated/renderers.ts',
        'libs/sdui-schema/kotlin/com/homewidgets/sdui/SduiModels.kt',
        'libs/sdui-schema/kotlin/com/homewidgets/sdui/SduiVisitor.kt',
        'libs/sdui-schema/kotlin/com/homewidgets/sdui/SduiDecoder.kt',
        'docs/sdui/README.md',
        'docs/sdui/quote.md',
      ]),
    );
    expect(after.get('libs/sdui-schema/src/generated/types.ts')).toContain(
      "export interface QuoteNode {\n  type: 'quote';",
    );
    expect(after.get('libs/sdui-schema/kotlin/com/homewidgets/sdui/SduiDecoder.kt')).toContain(
      '"quote" to ::readQuoteNode',
    );
    expect(after.get('libs/sdui-schema/kotlin/com/homewidgets/sdui/SduiVisitor.kt')).toContain(
      'fun visitQuote(node: QuoteNode): R',
    );
  }, 60_000);
});
