import { RELEASED_SDUI_JSON_SCHEMAS, SDUI_JSON_SCHEMA, type SduiJsonSchema } from './generated/json-schemas';

// The JSON Schemas for the apps' HTTP descriptions (`@hwp/sdui-schema/json-schema`, kept out of the main
// entry point so that browsers never load them): the OpenAPI components of core-api and product-api, and
// the released versions core-api serves at their $id.

export { RELEASED_SDUI_JSON_SCHEMAS, SDUI_JSON_SCHEMA, type SduiJsonSchema };

/**
 * This version's definitions as OpenAPI 3.1 component schemas (which are JSON Schema 2020-12):
 * `#/$defs/X` becomes `#/components/schemas/X`, and each names the published schema's $id.
 */
export function sduiOpenApiSchemas(): Record<string, object> {
  const json = JSON.stringify(SDUI_JSON_SCHEMA.$defs).replaceAll('"#/$defs/', '"#/components/schemas/');
  const defs = JSON.parse(json) as Record<string, { description?: string }>;
  return Object.fromEntries(
    Object.entries(defs).map(([name, def]) => [
      name,
      { ...def, description: `${def.description ?? name} (${SDUI_JSON_SCHEMA.$id}#/$defs/${name})` },
    ]),
  );
}

/** A reference to one of sduiOpenApiSchemas(): a screen or a widget. */
export const sduiOpenApiRef = (definition: 'Screen' | 'Widget') => ({
  $ref: `#/components/schemas/${definition}`,
});

/** The path of a schema's $id URL, where core-api serves it (e.g. /sdui/sdui-1.0.0.schema.json). */
export const schemaIdPath = (schema: SduiJsonSchema): string => new URL(schema.$id).pathname;
