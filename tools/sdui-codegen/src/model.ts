import type { JsonSchema } from './json-schema';

// The emitters read this small model of the published JSON Schema rather than the schema itself.
// Reading it fails loudly on any keyword outside the subset the emitters (and so the Kotlin decoder)
// implement, so a new zod feature in the source cannot be silently ignored on one platform.

export type FieldType =
  | { kind: 'string'; minLength?: number; maxLength?: number; pattern?: string }
  | { kind: 'integer' | 'number'; minimum?: number; maximum?: number }
  | { kind: 'boolean' }
  | { kind: 'ref'; target: string }
  | { kind: 'list'; items: FieldType; minItems?: number; maxItems?: number }
  | { kind: 'map'; keyPattern?: string; values: FieldType };

export interface Field {
  name: string;
  type: FieldType;
  required: boolean;
  description?: string;
}

export interface ObjectDef {
  kind: 'object';
  name: string;
  description?: string;
  /** The `type` discriminator value of a node, action or the screen. */
  tag?: string;
  fields: Field[];
  /** Field -> fields that become required when it is present. */
  dependentRequired: Record<string, string[]>;
}
export interface UnionDef {
  kind: 'union';
  name: string;
  description?: string;
  variants: string[];
}
export interface EnumDef {
  kind: 'enum';
  name: string;
  description?: string;
  values: string[];
}
export type Def = ObjectDef | UnionDef | EnumDef;

/** The definitions every part of the platform relies on by name. */
export const ROOTS = { screen: 'Screen', node: 'SduiNode', widget: 'Widget', action: 'Action' } as const;

export interface SduiModel {
  version: string;
  limits: Record<string, number>;
  defs: Map<string, Def>;
  screen: ObjectDef;
  /** Node variants in catalogue order. */
  nodes: ObjectDef[];
  widgetTypes: string[];
  actions: ObjectDef[];
  unions: UnionDef[];
  /** Plain objects that are neither nodes nor actions (e.g. Provenance). */
  structs: ObjectDef[];
  enums: EnumDef[];
}

const refName = (ref: string) => ref.replace(/^#\/\$defs\//, '');

function assertKeywords(schema: JsonSchema, allowed: string[], where: string): void {
  const extra = Object.keys(schema).filter((key) => !allowed.includes(key));
  if (extra.length > 0) {
    throw new Error(`${where}: keyword(s) ${extra.join(', ')} are not supported by the SDUI generators`);
  }
}

function readType(schema: JsonSchema, where: string): FieldType {
  const common = ['description'];
  if (typeof schema['$ref'] === 'string') {
    assertKeywords(schema, ['$ref', ...common], where);
    return { kind: 'ref', target: refName(schema['$ref']) };
  }
  switch (schema['type']) {
    case 'string':
      assertKeywords(schema, ['type', 'minLength', 'maxLength', 'pattern', ...common], where);
      if (typeof schema['pattern'] === 'string' && !/^\^.*\$$/.test(schema['pattern'])) {
        throw new Error(`${where}: patterns must be anchored with ^...$`);
      }
      return pick(schema, { kind: 'string' }, ['minLength', 'maxLength', 'pattern']);
    case 'integer':
    case 'number':
      assertKeywords(schema, ['type', 'minimum', 'maximum', ...common], where);
      return pick(schema, { kind: schema['type'] }, ['minimum', 'maximum']);
    case 'boolean':
      assertKeywords(schema, ['type', ...common], where);
      return { kind: 'boolean' };
    case 'array':
      assertKeywords(schema, ['type', 'items', 'minItems', 'maxItems', ...common], where);
      return pick(schema, { kind: 'list', items: readType(schema['items'] as JsonSchema, `${where}[]`) }, [
        'minItems',
        'maxItems',
      ]);
    case 'object': {
      assertKeywords(schema, ['type', 'propertyNames', 'additionalProperties', ...common], where);
      const keys = schema['propertyNames'] as JsonSchema | undefined;
      return {
        kind: 'map',
        ...(keys?.['pattern'] !== undefined && { keyPattern: keys['pattern'] as string }),
        values: readType(schema['additionalProperties'] as JsonSchema, `${where}{}`),
      };
    }
    default:
      throw new Error(`${where}: unsupported schema ${JSON.stringify(schema)}`);
  }
}

function pick<T extends object>(schema: JsonSchema, base: T, keys: string[]): T {
  return Object.assign(
    base,
    Object.fromEntries(keys.filter((key) => key in schema).map((key) => [key, schema[key]])),
  );
}

function readDef(name: string, schema: JsonSchema): Def {
  const description = schema['description'] as string | undefined;
  if (Array.isArray(schema['oneOf'])) {
    assertKeywords(schema, ['oneOf', 'description'], name);
    return {
      kind: 'union',
      name,
      description,
      variants: schema['oneOf'].map((v: JsonSchema) => refName(v['$ref'] as string)),
    };
  }
  if (Array.isArray(schema['enum'])) {
    assertKeywords(schema, ['type', 'enum', 'description'], name);
    return { kind: 'enum', name, description, values: schema['enum'] as string[] };
  }
  assertKeywords(
    schema,
    ['type', 'properties', 'required', 'additionalProperties', 'dependentRequired', 'description'],
    name,
  );
  if (schema['additionalProperties'] !== false) throw new Error(`${name}: objects must be strict`);
  const properties = schema['properties'] as Record<string, JsonSchema>;
  const required = new Set((schema['required'] as string[] | undefined) ?? []);
  const tag = properties['type']?.['const'] as string | undefined;
  return {
    kind: 'object',
    name,
    description,
    ...(tag !== undefined && { tag }),
    fields: Object.entries(properties)
      .filter(([field]) => !(tag !== undefined && field === 'type'))
      .map(([field, property]) => ({
        name: field,
        type: readType(property, `${name}.${field}`),
        required: required.has(field),
        description: property['description'] as string | undefined,
      })),
    dependentRequired: (schema['dependentRequired'] as Record<string, string[]> | undefined) ?? {},
  };
}

export function readModel(schema: JsonSchema, version: string): SduiModel {
  const defs = new Map(
    Object.entries(schema['$defs'] as Record<string, JsonSchema>).map(([name, def]) => [
      name,
      readDef(name, def),
    ]),
  );
  const get = <K extends Def['kind']>(name: string, kind: K) => {
    const def = defs.get(name);
    if (def?.kind !== kind) throw new Error(`Definition ${name} must be a ${kind}`);
    return def as Extract<Def, { kind: K }>;
  };
  const variantsOf = (union: string) => get(union, 'union').variants.map((name) => get(name, 'object'));
  const nodes = variantsOf(ROOTS.node);
  const actions = variantsOf(ROOTS.action);
  const tagged = new Set([ROOTS.screen, ...nodes.map((n) => n.name), ...actions.map((a) => a.name)]);
  const all = [...defs.values()];
  return {
    version,
    limits: schema['x-sdui-limits'] as Record<string, number>,
    defs,
    screen: get(ROOTS.screen, 'object'),
    nodes,
    widgetTypes: variantsOf(ROOTS.widget).map((w) => w.tag as string),
    actions,
    unions: all.filter((d): d is UnionDef => d.kind === 'union'),
    structs: all.filter((d): d is ObjectDef => d.kind === 'object' && !tagged.has(d.name)),
    enums: all.filter((d): d is EnumDef => d.kind === 'enum').sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** A field that holds nodes (any node, or widget roots only) or actions, which is where trees nest. */
export interface Slot {
  field: string;
  holds: 'node' | 'widget' | 'action';
  many: boolean;
  required: boolean;
  minItems: number;
}

const SLOT_HOLDS = new Map<string, Slot['holds']>([
  [ROOTS.node, 'node'],
  [ROOTS.widget, 'widget'],
  [ROOTS.action, 'action'],
]);

export function slotsOf(def: ObjectDef): Slot[] {
  return def.fields.flatMap((field) => {
    const many = field.type.kind === 'list';
    const inner = field.type.kind === 'list' ? field.type.items : field.type;
    if (inner.kind !== 'ref') return [];
    const holds = SLOT_HOLDS.get(inner.target);
    if (!holds) return [];
    const minItems = field.type.kind === 'list' ? (field.type.minItems ?? 0) : 0;
    return [{ field: field.name, holds, many, required: field.required, minItems }];
  });
}

/** A field holding one design token: an unknown token comes from a newer schema version. */
export interface TokenField {
  field: string;
  required: boolean;
  values: string[];
}

export function tokenFieldsOf(def: ObjectDef, model: Pick<SduiModel, 'defs'>): TokenField[] {
  return def.fields.flatMap((field) => {
    const target = field.type.kind === 'ref' ? model.defs.get(field.type.target) : undefined;
    return target?.kind === 'enum'
      ? [{ field: field.name, required: field.required, values: target.values }]
      : [];
  });
}
