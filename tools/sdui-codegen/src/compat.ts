import type { JsonSchema } from './json-schema';

// Which changes from a released schema to the current one are not additive. Within a major version
// the schema may only grow: new definitions, new variants of a union (components, actions), new
// optional fields, new tokens. Everything a released reader already knows is frozen, in both
// directions: narrowing breaks released documents (a removed field, a lower limit, a new required
// field), and widening breaks released readers, which validate strictly (a 1.0 client rejects a
// title longer than 1.0 allowed). Descriptions and other annotations may change freely.

const ANNOTATIONS = new Set(['description', '$comment', 'title', '$id']);
/** Keywords whose value is a set that may grow. */
const GROWING_SETS = new Set(['enum', 'oneOf']);
/** Keywords whose value maps names to subschemas; new names may be added. */
const SCHEMA_MAPS = new Set(['$defs', 'properties']);
const SUBSCHEMAS = new Set(['items', 'additionalProperties', 'propertyNames']);

export const majorOf = (version: string) => Number(version.split('.')[0]);

/** Human-readable non-additive changes from `released` to `current`; empty when `current` only adds. */
export function breakingChanges(released: JsonSchema, current: JsonSchema): string[] {
  const changes: string[] = [];
  compare(released, current, '', changes);
  return changes;
}

/** `where` names the place in the schema: "" (the root), "TextNode", "TextNode.text", "Screen.widgets[]". */
function compare(before: JsonSchema, after: JsonSchema, where: string, changes: string[]): void {
  const at = where || 'schema';
  for (const keyword of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const old = before[keyword];
    const now = after[keyword];
    if (ANNOTATIONS.has(keyword) || JSON.stringify(old) === JSON.stringify(now)) continue;
    if (SCHEMA_MAPS.has(keyword) && isObject(old) && isObject(now)) {
      for (const [name, schema] of Object.entries(old)) {
        const inner = where ? `${where}.${name}` : name;
        if (!(name in now)) changes.push(`${inner}: removed`);
        else compare(schema as JsonSchema, now[name] as JsonSchema, inner, changes);
      }
    } else if (GROWING_SETS.has(keyword) && Array.isArray(old) && Array.isArray(now)) {
      const kept = new Set(now.map((value) => JSON.stringify(value)));
      const removed = old.filter((value) => !kept.has(JSON.stringify(value)));
      removed.forEach((value) => changes.push(`${at}: ${JSON.stringify(value)} removed`));
    } else if (keyword === 'dependentRequired') {
      // Rules about fields that did not exist before are part of adding those fields.
      const existed = (field: string) => field in ((before['properties'] ?? {}) as object);
      const rules = (value: unknown, field: string) =>
        JSON.stringify((value as Record<string, unknown>)?.[field] ?? []);
      const fields = new Set([...Object.keys(old ?? {}), ...Object.keys(now ?? {})]);
      for (const field of [...fields].filter(existed)) {
        if (rules(old, field) !== rules(now, field)) {
          changes.push(
            `${at}: what ${field} requires changed from ${rules(old, field)} to ${rules(now, field)}`,
          );
        }
      }
    } else if (SUBSCHEMAS.has(keyword) && isObject(old) && isObject(now)) {
      compare(old, now, keyword === 'items' ? `${at}[]` : `${at}.${keyword}`, changes);
    } else {
      changes.push(`${at}: ${keyword} changed from ${JSON.stringify(old)} to ${JSON.stringify(now)}`);
    }
  }
}

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
