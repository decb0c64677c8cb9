import { z } from 'zod';

import { SDUI_LIMITS, SDUI_SCHEMA_VERSION, Screen } from './source';

export type JsonSchema = { [keyword: string]: unknown };

export const schemaId = (version: string) =>
  `https://schemas.homewidgets.com/sdui/sdui-${version}.schema.json`;

/** The published JSON Schema (draft 2020-12): the zod source exported, plus identity and limits. */
export function buildJsonSchema(): JsonSchema {
  const { $defs } = z.toJSONSchema(Screen, { target: 'draft-2020-12', unrepresentable: 'throw' });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: schemaId(SDUI_SCHEMA_VERSION),
    title: `Home Widget Platform SDUI schema ${SDUI_SCHEMA_VERSION}`,
    description:
      'A home screen as a tree of nodes. The root is a Screen; validate one widget against #/$defs/Widget. ' +
      'x-sdui-limits lists limits every reader enforces beyond this schema.',
    'x-sdui-limits': SDUI_LIMITS,
    $ref: '#/$defs/Screen',
    $defs: withoutAliases($defs as Record<string, JsonSchema>),
  };
}

/** z.lazy leaves alias definitions (`__schemaN: { $ref }`); point their users straight at the target. */
function withoutAliases(defs: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const targetOf = new Map(
    Object.entries(defs)
      .filter(([name, def]) => name.startsWith('__schema') && Object.keys(def).length === 1 && def['$ref'])
      .map(([name, def]) => [`#/$defs/${name}`, def['$ref'] as string]),
  );
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === '$ref' && targetOf.has(inner as string) ? targetOf.get(inner as string) : rewrite(inner),
      ]),
    );
  };
  const kept = Object.entries(defs).filter(([name]) => !targetOf.has(`#/$defs/${name}`));
  const leftover = kept.find(([name]) => name.startsWith('__schema'));
  if (leftover)
    throw new Error(`Unnamed definition ${leftover[0]} in the schema: give it an id with .meta()`);
  return rewrite(Object.fromEntries(kept)) as Record<string, JsonSchema>;
}
