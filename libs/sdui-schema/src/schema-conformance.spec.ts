import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { invalidFixtures, nodeIds, validFixtures } from './golden-fixtures';
import { SDUI_SCHEMA_VERSION, validateScreen, validateWidget } from './index';

// The generated validator must mean exactly what the published JSON Schema says (plus the limits
// the schema cannot express). ajv, a reference implementation, compiles the published schema here
// and judges thousands of mutations of the golden fixtures alongside it.

type Kind = 'screen' | 'widget';
type SchemaValidators = Record<Kind, (document: unknown) => boolean>;

function compile(schema: { $id: string }): SchemaValidators {
  const ajv = new Ajv2020({ strictSchema: true });
  ajv.addVocabulary(['x-sdui-limits']);
  ajv.addSchema(schema);
  return {
    screen: ajv.getSchema(schema.$id) as SchemaValidators[Kind],
    widget: ajv.getSchema(`${schema.$id}#/$defs/Widget`) as SchemaValidators[Kind],
  };
}

const readSchema = (file: string) => JSON.parse(readFileSync(join(__dirname, '../schema', file), 'utf8'));
const bySchema = compile(readSchema(`sdui-${SDUI_SCHEMA_VERSION}.schema.json`));
const byValidator = {
  screen: (document: unknown) => validateScreen(document).ok,
  widget: (document: unknown) => validateWidget(document).ok,
};

/** The id rules, which JSON Schema cannot express (the other limits are out of reach of these mutations). */
function idsAreUnique(kind: Kind, document: unknown): boolean {
  const widgets = kind === 'screen' ? ((document as { widgets: unknown[] }).widgets ?? []) : [document];
  const distinct = (ids: string[]) => new Set(ids).size === ids.length;
  return (
    distinct(widgets.map((widget) => (widget as { id: string }).id)) &&
    widgets.every((w) => distinct(nodeIds(w)))
  );
}

type Path = (string | number)[];
function pathsIn(value: unknown, path: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [path];
  const entries = Array.isArray(value) ? value.map((item, i) => [i, item] as const) : Object.entries(value);
  return [path, ...entries.flatMap(([key, inner]) => pathsIn(inner, [...path, key]))];
}

const replacements: unknown[] = [
  null,
  0,
  -1,
  2.5,
  6,
  1e13,
  true,
  '',
  'x',
  '🎁'.repeat(81),
  'X'.repeat(1001),
  'http://cdn.homewidgets.com/a.jpg',
  'https://cdn.homewidgets.com/a.jpg',
  'homewidgets://orders',
  '#FF0000',
  '12px',
  'primary',
  'tertiary',
  'md',
  'text',
  'card',
  'video',
  'EUR',
  '1.2.0',
  '2.0.0',
  '2025-12-24T18:00:00Z',
  [],
  {},
  { type: 'text', id: 'zz', text: 'Hi' },
  { type: 'card', id: 'yy', children: [{ type: 'spacer', id: 'ww', size: 'sm' }] },
  { type: 'navigate', deeplink: 'homewidgets://orders' },
  { type: 'open-url', url: 'https://homewidgets.com' },
  { productId: 'orders', audience: 'generic', dataVersion: '1' },
];
const memberNames = [
  'id',
  'type',
  'fallback',
  'action',
  'accessibilityLabel',
  'children',
  'color',
  'provenance',
  'unknown',
];

type Mutation = { path: Path; change: 'replace' | 'delete' | 'add'; value: unknown; member: string };

function mutate(document: unknown, { path, change, value, member }: Mutation): unknown {
  const copy = structuredClone(document);
  const key = path.at(-1);
  if (key === undefined) return change === 'replace' ? value : copy;
  const parent = path
    .slice(0, -1)
    .reduce<Record<string | number, unknown>>((at, key) => at[key] as never, copy as never);
  if (change === 'replace') parent[key] = value;
  else if (change === 'delete' && Array.isArray(parent)) parent.splice(key as number, 1);
  else if (change === 'delete') delete parent[key];
  else if (typeof parent[key] === 'object' && parent[key] !== null && !Array.isArray(parent[key])) {
    (parent[key] as Record<string, unknown>)[member] = value;
  }
  return copy;
}

const mutations = fc.constantFrom(...validFixtures()).chain((fixture) =>
  fc.record({
    fixture: fc.constant(fixture),
    mutation: fc.record({
      path: fc.constantFrom(...pathsIn(fixture.document)),
      change: fc.constantFrom('replace' as const, 'delete' as const, 'add' as const),
      value: fc.constantFrom(...replacements),
      member: fc.constantFrom(...memberNames),
    }),
  }),
);

describe('the generated validator and the published JSON Schema', () => {
  it('agree on the golden fixtures, except for the limits beyond JSON Schema', () => {
    for (const { kind, document } of validFixtures()) expect(bySchema[kind](document)).toBe(true);
    for (const { name, kind, document } of invalidFixtures()) {
      const result = kind === 'screen' ? validateScreen(document) : validateWidget(document);
      const limit = !result.ok && /deep|nodes|bytes|duplicate/.test(result.errors[0]?.message ?? '');
      expect({ name, bySchema: bySchema[kind](document) }).toEqual({ name, bySchema: limit });
    }
  });

  it('agree on mutations of the golden fixtures', () => {
    fc.assert(
      fc.property(mutations, ({ fixture, mutation }) => {
        const document = mutate(fixture.document, mutation);
        const expected = bySchema[fixture.kind](document) && idsAreUnique(fixture.kind, document);
        expect(byValidator[fixture.kind](document)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  }, 60_000);
});

describe('fixtures written for an older minor version', () => {
  const major = SDUI_SCHEMA_VERSION.split('.')[0];
  const released = readdirSync(join(__dirname, '../schema/released'))
    .filter((file) => file.startsWith(`sdui-${major}.`))
    .map((file) => ({ file, validators: compile(readSchema(`released/${file}`)) }));

  it('stay valid: whatever a released schema of this major accepts, the current validator accepts', () => {
    expect(released.length).toBeGreaterThan(0);
    const regressions = released.flatMap(({ file, validators }) =>
      validFixtures()
        .filter(({ kind, document }) => validators[kind](document) && !byValidator[kind](document))
        .map(({ name }) => `${name} (valid under ${file})`),
    );
    expect(regressions).toEqual([]);
  });

  it('declare a version this reader understands', () => {
    const [, minor] = SDUI_SCHEMA_VERSION.split('.').map(Number);
    const versions = validFixtures()
      .filter(({ kind }) => kind === 'screen')
      .map(({ document }) => (document as { schemaVersion: string }).schemaVersion.split('.').map(Number));
    expect(
      versions.filter(
        ([fixtureMajor, fixtureMinor]) =>
          fixtureMajor !== Number(major) ||
          fixtureMinor === undefined ||
          minor === undefined ||
          fixtureMinor > minor,
      ),
    ).toEqual([]);
  });
});
