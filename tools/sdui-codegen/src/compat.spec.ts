import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { breakingChanges, majorOf } from './compat';
import { buildJsonSchema, type JsonSchema } from './json-schema';
import { RELEASED_DIR, WORKSPACE_ROOT } from './outputs';
import { SDUI_SCHEMA_VERSION } from './source';

const current = buildJsonSchema();
const released = readdirSync(join(WORKSPACE_ROOT, RELEASED_DIR))
  .filter((file) => file.endsWith('.schema.json'))
  .map((file) => {
    const { $comment: _generated, ...schema } = JSON.parse(
      readFileSync(join(WORKSPACE_ROOT, RELEASED_DIR, file), 'utf8'),
    );
    const version = /^sdui-(.+)\.schema\.json$/.exec(file)?.[1];
    if (!version) throw new Error(`${file} is not named sdui-<version>.schema.json`);
    return {
      file,
      version,
      schema: schema as JsonSchema,
    };
  });

describe('the current schema', () => {
  it('only adds to the released schemas of its major version', () => {
    const sameMajor = released.filter(({ version }) => majorOf(version) === majorOf(SDUI_SCHEMA_VERSION));
    const breaks = Object.fromEntries(
      sameMajor.map(({ version, schema }) => [version, breakingChanges(schema, current)]),
    );
    expect(breaks).toEqual(Object.fromEntries(sameMajor.map(({ version }) => [version, []])));
  });

  it('leaves released versions untouched (change the source, then bump SDUI_SCHEMA_VERSION)', () => {
    const edited = released.filter(
      ({ version, schema }) =>
        version === SDUI_SCHEMA_VERSION && JSON.stringify(schema) !== JSON.stringify(current),
    );
    expect(edited.map(({ file }) => file)).toEqual([]);
  });
});

describe('breakingChanges', () => {
  type Def = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  // The definitions these cases edit are in every schema of this major.
  type Defs = Record<string, Def> & Record<'SduiNode' | 'TextNode' | 'Tone', Def>;
  const edited = (change: (defs: Defs, schema: JsonSchema) => void) => {
    const schema = structuredClone(current);
    change(schema['$defs'] as Defs, schema);
    return schema;
  };

  it.each<[string, (defs: Defs, schema: JsonSchema) => void, string[]]>([
    [
      'a removed component',
      (defs) => {
        delete defs.RatingNode;
        defs.SduiNode.oneOf.pop();
      },
      ['SduiNode: {"$ref":"#/$defs/RatingNode"} removed', 'RatingNode: removed'],
    ],
    ['a removed field', (defs) => delete defs.TextNode.properties.maxLines, ['TextNode.maxLines: removed']],
    [
      'a narrowed type',
      (defs) => (defs.TextNode.properties.text.maxLength = 500),
      ['TextNode.text: maxLength changed from 1000 to 500'],
    ],
    [
      'a widened type, which released clients would reject',
      (defs) => (defs.TextNode.properties.text.maxLength = 5000),
      ['TextNode.text: maxLength changed from 1000 to 5000'],
    ],
    ['a removed token', (defs) => defs.Tone.enum.pop(), ['Tone: "promo" removed']],
    [
      'a new required field',
      (defs) => {
        defs.TextNode.properties.lang = { type: 'string' };
        defs.TextNode.required.push('lang');
      },
      ['TextNode: required changed from ["type","id","text"] to ["type","id","text","lang"]'],
    ],
    [
      'a new rule about an existing field',
      (defs) => (defs.TextNode.dependentRequired = { maxLines: ['style'] }),
      ['TextNode: what maxLines requires changed from [] to ["style"]'],
    ],
    [
      'a changed limit',
      (_, schema) => ((schema['x-sdui-limits'] as Record<string, number>).maxDepth = 20),
      [
        'schema: x-sdui-limits changed from {"maxDepth":12,"maxNodesPerWidget":250,"maxWidgetBytes":65536} ' +
          'to {"maxDepth":20,"maxNodesPerWidget":250,"maxWidgetBytes":65536}',
      ],
    ],
  ])('reports %s', (_, change, messages) => {
    expect(breakingChanges(current, edited(change))).toEqual(messages);
  });

  it.each<[string, (defs: Defs) => void]>([
    [
      'a new component',
      (defs) => {
        defs.QuoteNode = structuredClone(defs.TextNode);
        defs.QuoteNode.properties.type.const = 'quote';
        defs.SduiNode.oneOf.push({ $ref: '#/$defs/QuoteNode' });
      },
    ],
    ['a new optional field', (defs) => (defs.TextNode.properties.lang = { type: 'string' })],
    [
      'a new optional field with its own rule',
      (defs) => {
        defs.TextNode.properties.lang = { type: 'string' };
        defs.TextNode.dependentRequired = { lang: ['style'] };
      },
    ],
    ['a new token', (defs) => defs.Tone.enum.push('celebration')],
    ['new descriptions', (defs) => (defs.TextNode.description = 'Words.')],
  ])('accepts %s', (_, change) => {
    expect(breakingChanges(current, edited(change))).toEqual([]);
  });
});
