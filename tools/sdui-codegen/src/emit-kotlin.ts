import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Def, Field, FieldType, ObjectDef, SduiModel, UnionDef } from './model';
import { ROOTS } from './model';
import { constantCase, GENERATED_NOTICE } from './naming';

// Kotlin for Android on org.json (kotlinx.serialization is not available): data classes, sealed
// interfaces for the unions and token enums (SduiModels.kt), and a decoder that checks every field
// in schema order, like the TypeScript validator (SduiDecoder.kt), and the renderer contract, a visitor
// with one method per node type (SduiVisitor.kt). SduiRuntime.kt and SduiOutline.kt are hand-written
// Kotlin from tools/sdui-codegen/kotlin, copied as is.

const PACKAGE = 'package com.homewidgets.sdui';
const kotlinString = (value: string) => JSON.stringify(value).replace(/\$/g, '\\$');
const kdoc = (text: string | undefined, indent = '') => (text ? `${indent}/** ${text} */\n` : '');
const INT_MAX = 2 ** 31 - 1;

function kotlinType(type: FieldType): string {
  switch (type.kind) {
    case 'string':
      return 'String';
    case 'integer':
      return (type.maximum ?? Infinity) <= INT_MAX && (type.minimum ?? -Infinity) >= -INT_MAX
        ? 'Int'
        : 'Long';
    case 'number':
      return 'Double';
    case 'boolean':
      return 'Boolean';
    case 'ref':
      return type.target;
    case 'list':
      return `List<${kotlinType(type.items)}>`;
    case 'map':
      return `Map<String, ${kotlinType(type.values)}>`;
  }
}

const fieldKotlinType = (field: Field) => kotlinType(field.type) + (field.required ? '' : '?');

export function emitKotlin(model: SduiModel): [string, string][] {
  const copy = (name: string) =>
    `// ${GENERATED_NOTICE}\n${readFileSync(join(__dirname, '../kotlin', name), 'utf8')}`;
  return [
    ['SduiModels.kt', emitModels(model)],
    ['SduiDecoder.kt', emitDecoder(model)],
    ['SduiVisitor.kt', emitVisitor(model)],
    ['SduiRuntime.kt', copy('SduiRuntime.kt')],
    ['SduiOutline.kt', copy('SduiOutline.kt')],
  ];
}

/** TextNode -> visitText */
const visitMethod = (def: ObjectDef) => `visit${def.name.replace(/Node$/, '')}`;

function emitVisitor(model: SduiModel): string {
  const methods = model.nodes.map(
    (node) => `${kdoc(node.description, '    ')}    fun ${visitMethod(node)}(node: ${node.name}): R\n`,
  );
  const cases = model.nodes.map((node) => `    is ${node.name} -> visitor.${visitMethod(node)}(this)\n`);
  return `// ${GENERATED_NOTICE}
${PACKAGE}

/**
 * The renderer contract: one method per node type. A renderer (a Jetpack Compose one, or [SduiOutline])
 * implements every method, so a component added to the schema is a compile error until it is rendered.
 */
interface ${ROOTS.node}Visitor<R> {
${methods.join('\n')}}

/** Calls the method of [visitor] for this node's type. */
fun <R> ${ROOTS.node}.accept(visitor: ${ROOTS.node}Visitor<R>): R = when (this) {
${cases.join('')}}
`;
}

function emitModels(model: SduiModel): string {
  const unions = model.unions;
  const variantsOf = (union: UnionDef) => new Set(union.variants);
  const isSubset = (a: UnionDef, b: UnionDef) => a !== b && a.variants.every((v) => variantsOf(b).has(v));
  // A union whose variants all belong to another union extends it (Widget : SduiNode).
  const parentsOf = (union: UnionDef) => unions.filter((other) => isSubset(union, other));
  // Members shared, with the same type, by every variant become interface properties.
  const objectOf = (name: string) => model.defs.get(name) as ObjectDef;
  const sharedFields = (union: UnionDef): Field[] => {
    const [first, ...rest] = union.variants.map(objectOf);
    if (!first) return []; // a union without variants shares nothing
    const inherited = new Set(parentsOf(union).flatMap((parent) => sharedFields(parent).map((f) => f.name)));
    return first.fields.filter(
      (field) =>
        !inherited.has(field.name) &&
        rest.every((variant) => {
          const same = variant.fields.find((f) => f.name === field.name);
          return same !== undefined && fieldKotlinType(same) === fieldKotlinType(field);
        }),
    );
  };
  const interfaceFields = new Map(unions.map((u) => [u.name, sharedFields(u)]));
  const supertypesOf = (def: ObjectDef) => {
    const direct = unions.filter((u) => u.variants.includes(def.name));
    return direct.filter((u) => !direct.some((other) => isSubset(other, u)));
  };
  const overridden = (def: ObjectDef) => {
    const names = new Set<string>();
    const collect = (u: UnionDef): void => {
      interfaceFields.get(u.name)?.forEach((f) => names.add(f.name));
      parentsOf(u).forEach(collect);
    };
    supertypesOf(def).forEach(collect);
    return names;
  };

  const declaration = (def: Def): string => {
    const doc = kdoc(def.description);
    switch (def.kind) {
      case 'enum':
        return (
          `${doc}enum class ${def.name}(override val wire: String) : SduiToken {\n` +
          def.values.map((v) => `    ${constantCase(v)}(${kotlinString(v)}),\n`).join('') +
          '}\n'
        );
      case 'union': {
        const parents = parentsOf(def).map((p) => p.name);
        const fields = interfaceFields.get(def.name) ?? [];
        const head = `${doc}sealed interface ${def.name}${parents.length ? ` : ${parents.join(', ')}` : ''}`;
        return fields.length === 0
          ? `${head}\n`
          : `${head} {\n${fields.map((f) => `    val ${f.name}: ${fieldKotlinType(f)}\n`).join('')}}\n`;
      }
      case 'object': {
        const supertypes = supertypesOf(def).map((u) => u.name);
        const inherits = supertypes.length ? ` : ${supertypes.join(', ')}` : '';
        if (def.fields.length === 0) return `${doc}data object ${def.name}${inherits}\n`;
        const overrides = overridden(def);
        const params = def.fields.map(
          (f) =>
            kdoc(f.description, '    ') +
            `    ${overrides.has(f.name) ? 'override ' : ''}val ${f.name}: ${fieldKotlinType(f)}${f.required ? '' : ' = null'},\n`,
        );
        return `${doc}data class ${def.name}(\n${params.join('')})${inherits}\n`;
      }
    }
  };
  const ordered = [
    model.screen,
    ...unions,
    ...model.nodes,
    ...model.actions,
    ...model.structs,
    ...model.enums,
  ];
  return `// ${GENERATED_NOTICE}\n${PACKAGE}\n\n${ordered.map(declaration).join('\n')}`;
}

function emitDecoder(model: SduiModel): string {
  const patterns = new Map<string, string>();
  const regex = (pattern: string) => {
    if (!patterns.has(pattern)) patterns.set(pattern, `PATTERN_${patterns.size + 1}`);
    return patterns.get(pattern) as string;
  };
  const num = (value: number | undefined, fallback: string) =>
    value === undefined ? fallback : `${value}.0`;
  const nodeNames = new Set(model.nodes.map((n) => n.name));

  /** An expression decoding the value named `v` at the path named `at` as `type`. */
  const decodeExpression = (type: FieldType, where: string, v = 'value', at = 'at'): string => {
    switch (type.kind) {
      case 'string':
        return `c.string(${v}, ${at}, ${type.minLength ?? 0}, ${type.maxLength ?? 'Int.MAX_VALUE'}, ${type.pattern ? regex(type.pattern) : 'null'})`;
      case 'integer':
      case 'number': {
        const helper = type.kind === 'number' ? 'double' : kotlinType(type) === 'Int' ? 'int' : 'long';
        return `c.${helper}(${v}, ${at}, ${num(type.minimum, 'Double.NEGATIVE_INFINITY')}, ${num(type.maximum, 'Double.POSITIVE_INFINITY')})`;
      }
      case 'boolean':
        return `c.boolean(${v}, ${at})`;
      case 'ref':
        return model.defs.get(type.target)?.kind === 'enum'
          ? `c.token(${v}, ${at}, ${type.target}.entries)`
          : `read${type.target}(${v}, ${at}, c)`;
      case 'list':
        if (v !== 'value') throw new Error(`${where}: lists of lists are not supported`);
        return `c.list(${v}, ${at}, ${type.minItems ?? 0}, ${type.maxItems ?? 'Int.MAX_VALUE'}) { item, itemAt -> ${decodeExpression(type.items, where, 'item', 'itemAt')} }`;
      case 'map':
        if (type.values.kind !== 'string' || !type.keyPattern) throw new Error(`${where}: unsupported map`);
        return `c.stringMap(${v}, ${at}, ${regex(type.keyPattern)}, ${type.values.maxLength ?? 'Int.MAX_VALUE'})`;
    }
  };
  const argument = (def: ObjectDef, field: Field) => {
    const value = `c.field(o, ${kotlinString(field.name)}, p, ${field.required}) { value, at -> ${decodeExpression(field.type, `${def.name}.${field.name}`)} }${field.required ? '!!' : ''}`;
    // Node ids must also be unique; the TypeScript validator checks this right after the id too.
    return nodeNames.has(def.name) && field.name === 'id' ? `c.uniqueId(${value}, p)` : value;
  };
  const objectReader = (def: ObjectDef, standalone: boolean) => {
    const rules = Object.entries(def.dependentRequired).flatMap(([when, thens]) =>
      thens.map((then) => `    c.requiredWith(o, p, ${kotlinString(when)}, ${kotlinString(then)})\n`),
    );
    const construct =
      def.fields.length === 0
        ? def.name
        : `${def.name}(\n${def.fields.map((f) => `        ${f.name} = ${argument(def, f)},\n`).join('')}    )`;
    const head = standalone
      ? `internal fun read${def.name}(v: Any?, p: String, c: DecodeContext): ${def.name} {\n    val o = c.obj(v, p)\n` +
        (def.tag ? `    c.constant(o, "type", p, ${kotlinString(def.tag)})\n` : '')
      : `private fun read${def.name}(o: JSONObject, p: String, c: DecodeContext): ${def.name} {\n`;
    return `${head}    val decoded = ${construct}\n${rules.join('')}    return decoded\n}\n`;
  };
  const unionReader = (union: UnionDef) => {
    const variants = `${constantCase(union.name)}_VARIANTS`;
    const entries = union.variants
      .map(
        (name) =>
          `    ${kotlinString((model.defs.get(name) as ObjectDef).tag as string)} to ::read${name},\n`,
      )
      .join('');
    const table = `private val ${variants}: Map<String, (JSONObject, String, DecodeContext) -> ${union.name}> = mapOf(\n${entries})\n`;
    const reader =
      union.name === ROOTS.action
        ? `internal fun read${union.name}(v: Any?, p: String, c: DecodeContext): ${union.name} = c.action(v, p, ${variants})\n`
        : `internal fun read${union.name}(v: Any?, p: String, c: DecodeContext): ${union.name}? =\n    c.node(v, p, ${variants}, ::read${union.name})\n`;
    return `${table}\n${reader}`;
  };

  const readers = [
    objectReader(model.screen, true),
    ...model.unions.map(unionReader),
    ...[...model.nodes, ...model.actions].map((def) => objectReader(def, false)),
    ...model.structs.map((def) => objectReader(def, true)),
  ];
  const limits = Object.entries(model.limits).map(
    ([name, value]) => `    const val ${constantCase(name)} = ${value}\n`,
  );
  const typeSet = (name: string, defs: ObjectDef[]) =>
    `    val ${name}: Set<String> = setOf(${defs.map((d) => kotlinString(d.tag as string)).join(', ')})\n`;
  return `// ${GENERATED_NOTICE}
${PACKAGE}

import org.json.JSONObject

/** The schema this decoder was generated from, and the limits it enforces. */
object SduiSchema {
    const val VERSION = ${kotlinString(model.version)}
${limits.join('')}${typeSet('NODE_TYPES', model.nodes)}}

${[...patterns].map(([pattern, name]) => `private val ${name} = Regex(${kotlinString(pattern)})`).join('\n')}

${readers.join('\n')}`;
}
