import type { Field, ObjectDef, SduiModel, UnionDef } from './model';
import { ROOTS } from './model';
import { constantCase, GENERATED_NOTICE, lowerFirst } from './naming';

/**
 * validator.ts: one check function per definition, calling the Checker (src/checker.ts) field by
 * field in schema order. The Kotlin decoder is emitted from the same model in the same order, so
 * both report the same first error.
 */
export function emitTsValidator(model: SduiModel): string {
  const patterns = new Map<string, string>();
  const patternConst = (pattern: string) => {
    if (!patterns.has(pattern)) patterns.set(pattern, `PATTERN_${patterns.size + 1}`);
    return patterns.get(pattern) as string;
  };
  const isNodeUnion = (name: string) => name === ROOTS.node || name === ROOTS.widget;

  const fieldCheck = (def: ObjectDef, field: Field): string[] => {
    const { name, required, type } = field;
    const head = `o, '${name}', ${required}`;
    switch (type.kind) {
      case 'string': {
        const args = [head, type.minLength ?? 0, type.maxLength ?? 'Infinity'];
        const check = `c.string(${[...args, ...(type.pattern ? [patternConst(type.pattern)] : [])].join(', ')});`;
        // Node ids must also be unique; the Kotlin decoder does the same right after reading the id.
        return isNode(def) && name === 'id' ? [check, 'c.uniqueId(o);'] : [check];
      }
      case 'integer':
      case 'number':
        return [
          `c.number(${head}, ${type.kind === 'integer'}, ${type.minimum ?? '-Infinity'}, ${type.maximum ?? 'Infinity'});`,
        ];
      case 'boolean':
        return [`c.boolean(${head});`];
      case 'ref': {
        const target = model.defs.get(type.target);
        return target?.kind === 'enum'
          ? [`c.token(${head}, ${constantCase(type.target)});`]
          : [`c.one(${head}, ${lowerFirst(type.target)});`];
      }
      case 'list':
        if (type.items.kind !== 'ref')
          throw new Error(`${def.name}.${name}: only lists of definitions are supported`);
        return [
          `c.many(${head}, ${type.minItems ?? 0}, ${type.maxItems ?? 'Infinity'}, ${lowerFirst(type.items.target)});`,
        ];
      case 'map':
        if (type.values.kind !== 'string' || !type.keyPattern) {
          throw new Error(`${def.name}.${name}: only maps of strings with a key pattern are supported`);
        }
        return [
          `c.stringMap(${head}, ${patternConst(type.keyPattern)}, ${type.values.maxLength ?? 'Infinity'});`,
        ];
    }
  };
  const nodeNames = new Set(model.nodes.map((n) => n.name));
  const isNode = (def: ObjectDef) => nodeNames.has(def.name);

  const body = (def: ObjectDef) => [
    `c.keys(o, ${constantCase(def.name)}_KEYS);`,
    ...def.fields.flatMap((field) => fieldCheck(def, field)),
    ...Object.entries(def.dependentRequired).flatMap(([when, thens]) =>
      thens.map((then) => `c.requiredWith(o, '${when}', '${then}');`),
    ),
  ];
  const keysConst = (def: ObjectDef) =>
    `const ${constantCase(def.name)}_KEYS = new Set(${JSON.stringify([...(def.tag ? ['type'] : []), ...def.fields.map((f) => f.name)])});`;

  // Variants are reached through their union, which has already checked the object and its type.
  const variant = (def: ObjectDef) =>
    `${keysConst(def)}\nfunction ${lowerFirst(def.name)}(c: Checker, o: JsonObject): void {\n  ${body(def).join('\n  ')}\n}\n`;
  const standalone = (def: ObjectDef, exported: boolean) =>
    `${keysConst(def)}\n${exported ? 'export ' : ''}function ${lowerFirst(def.name)}(c: Checker, value: unknown): void {\n` +
    `  const o = c.object(value);\n` +
    (def.tag ? `  c.constant(o, 'type', '${def.tag}');\n` : '') +
    `  ${body(def).join('\n  ')}\n}\n`;
  const union = (def: UnionDef) => {
    const variants = def.variants.map((name) => model.defs.get(name) as ObjectDef);
    const node = isNodeUnion(def.name);
    return (
      `${def.name === ROOTS.widget ? 'export ' : ''}function ${lowerFirst(def.name)}(c: Checker, value: unknown): void {\n` +
      `  const o = c.${node ? 'enterNode' : 'object'}(value);\n` +
      `  switch (o['type']) {\n` +
      variants
        .map((v) => `    case '${v.tag}':\n      ${lowerFirst(v.name)}(c, o);\n      break;\n`)
        .join('') +
      `    default:\n      c.unknownType(o, ${JSON.stringify(variants.map((v) => v.tag))});\n  }\n` +
      (node ? '  c.leaveNode(o);\n' : '') +
      '}\n'
    );
  };

  const code = [
    standalone(model.screen, true),
    ...model.unions.map(union),
    ...[...model.nodes, ...model.actions].map(variant),
    ...model.structs.map((def) => standalone(def, false)),
  ];
  const tokens = model.enums.map(
    (e) => `const ${constantCase(e.name)} = new Set(${JSON.stringify(e.values)});`,
  );
  const regexes = [...patterns].map(
    ([pattern, name]) => `const ${name} = new RegExp(${JSON.stringify(pattern)}, 'u');`,
  );
  return `// ${GENERATED_NOTICE}

import type { Checker, JsonObject } from '../checker';

${tokens.join('\n')}

${regexes.join('\n')}

${code.join('\n')}`;
}
