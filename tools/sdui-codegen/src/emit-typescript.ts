import type { Def, Field, FieldType, SduiModel } from './model';
import { ROOTS, slotsOf, tokenFieldsOf } from './model';
import { constraintsOf, GENERATED_NOTICE } from './naming';

const docComment = (lines: (string | undefined)[], indent = '') => {
  const text = lines.filter(Boolean);
  return text.length === 0 ? '' : `${indent}/** ${text.join(' ')} */\n`;
};

function tsType(type: FieldType): string {
  switch (type.kind) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'ref':
      return type.target;
    case 'list':
      return `${tsType(type.items)}[]`;
    case 'map':
      return `Record<string, ${tsType(type.values)}>`;
  }
}

function fieldLine(field: Field): string {
  const constraints = constraintsOf(field.type);
  const doc = docComment(
    [field.description, constraints.length ? `(${constraints.join('; ')})` : undefined],
    '  ',
  );
  return `${doc}  ${field.name}${field.required ? '' : '?'}: ${tsType(field.type)};\n`;
}

function typeDeclaration(def: Def): string {
  const doc = docComment([def.description]);
  switch (def.kind) {
    case 'enum':
      return `${doc}export type ${def.name} = ${def.values.map((v) => `'${v}'`).join(' | ')};\n`;
    case 'union':
      return `${doc}export type ${def.name} = ${def.variants.join(' | ')};\n`;
    case 'object':
      return (
        `${doc}export interface ${def.name} {\n` +
        (def.tag !== undefined ? `  type: '${def.tag}';\n` : '') +
        def.fields.map(fieldLine).join('') +
        '}\n'
      );
  }
}

/** types.ts: the tree as TypeScript types, a discriminated union on `type`. */
export function emitTypes(model: SduiModel): string {
  const ordered = [
    model.screen,
    ...model.unions,
    ...model.nodes,
    ...model.actions,
    ...model.structs,
    ...model.enums,
  ];
  return `// ${GENERATED_NOTICE}\n\n${ordered.map(typeDeclaration).join('\n')}`;
}

/** catalogue.ts: the component lists and where each node or action nests further nodes. */
export function emitCatalogue(model: SduiModel): string {
  const list = (values: string[]) => `[${values.map((v) => `'${v}'`).join(', ')}] as const`;
  const table = (defs: SduiModel['nodes'], entries: (def: SduiModel['nodes'][number]) => object[]) =>
    defs.map((def) => `  '${def.tag}': ${JSON.stringify(entries(def))},`).join('\n');
  const slots = (defs: SduiModel['nodes']) => table(defs, slotsOf);
  const tokens = (defs: SduiModel['nodes']) => table(defs, (def) => tokenFieldsOf(def, model));
  return `// ${GENERATED_NOTICE}

import type { ${ROOTS.action}, ${ROOTS.node} } from './types';

export const SDUI_NODE_TYPES = ${list(model.nodes.map((n) => n.tag as string))};
export const SDUI_WIDGET_TYPES = ${list(model.widgetTypes)};
export const SDUI_ACTION_TYPES = ${list(model.actions.map((a) => a.tag as string))};

/** A field that holds nodes (\`holds: 'node'\`, or \`'widget'\` for widget roots only) or an action. */
export interface Slot {
  field: string;
  holds: 'node' | 'widget' | 'action';
  many: boolean;
  required: boolean;
  minItems: number;
}

export const NODE_SLOTS: { readonly [T in ${ROOTS.node}['type']]: readonly Slot[] } = {
${slots(model.nodes)}
};

export const ACTION_SLOTS: { readonly [T in ${ROOTS.action}['type']]: readonly Slot[] } = {
${slots(model.actions)}
};

/** A field holding one design token, and the tokens this version knows. */
export interface TokenField {
  field: string;
  required: boolean;
  values: readonly string[];
}

export const NODE_TOKENS: { readonly [T in ${ROOTS.node}['type']]: readonly TokenField[] } = {
${tokens(model.nodes)}
};

export const ACTION_TOKENS: { readonly [T in ${ROOTS.action}['type']]: readonly TokenField[] } = {
${tokens(model.actions)}
};
`;
}

/** renderers.ts: the renderer contract, one function per node type, keyed by the node's `type`. */
export function emitRenderers(model: SduiModel): string {
  const entries = model.nodes.map((node) => `  '${node.tag}': ${node.name};\n`).join('');
  return `// ${GENERATED_NOTICE}

import type { ${[ROOTS.node, ...model.nodes.map((n) => n.name)].sort().join(', ')} } from './types';

/** The node of each node type. */
export interface SduiNodeTypes {
${entries}}

/**
 * A renderer: one function per node type, keyed by \`type\`. A component added to the schema is a
 * compile error in every renderer until it has its function.
 */
export type SduiNodeRenderers<R, C = undefined> = {
  readonly [T in keyof SduiNodeTypes]: (node: SduiNodeTypes[T], context: C) => R;
};

/** Renders \`node\` with the function of its type. */
export function renderSduiNode<R, C>(renderers: SduiNodeRenderers<R, C>, node: ${ROOTS.node}, context: C): R {
  return (renderers[node.type] as (node: ${ROOTS.node}, context: C) => R)(node, context);
}
`;
}

/** json-schemas.ts: this version's JSON Schema and every released one, for the apps' OpenAPI and core-api. */
export function emitJsonSchemas(version: string, released: string[]): string {
  const name = (v: string) => `released_${v.replace(/\W/g, '_')}`;
  const imports = released.map(
    (v) => `import ${name(v)} from '../../schema/released/sdui-${v}.schema.json';\n`,
  );
  return `// ${GENERATED_NOTICE}

import current from '../../schema/sdui-${version}.schema.json';
${imports.join('')}
export interface SduiJsonSchema {
  $id: string;
  $defs: { [definition: string]: object };
}

/** This version's JSON Schema (schema/sdui-${version}.schema.json). */
export const SDUI_JSON_SCHEMA: SduiJsonSchema = current;

/** The JSON Schema of every released version (schema/released), by version. */
export const RELEASED_SDUI_JSON_SCHEMAS: { readonly [version: string]: SduiJsonSchema } = {
${released.map((v) => `  '${v}': ${name(v)},\n`).join('')}};
`;
}
