import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';

import type { JsonSchema } from './json-schema';
import { ROOTS } from './model';

/**
 * Compiles the published schema into standalone validation code with ajv at build time, so the
 * runtime needs neither ajv nor schema compilation. Two build-only tweaks, both keeping the
 * meaning of the published schema:
 * - every `oneOf` (all of them are tagged on `type`) gets ajv's `discriminator`, so a node is
 *   checked against its own variant only: faster, and errors point inside that variant;
 * Strings are measured in code points, as the spec says (Kotlin does the same); ajv's helper for
 * that is imported from ajv's small runtime module.
 */
export function emitValidator(schema: JsonSchema): string {
  const ajv = new Ajv2020({
    code: { source: true, esm: true, optimize: true },
    inlineRefs: false,
    discriminator: true,
    allErrors: false,
    strict: true,
  });
  ajv.addVocabulary(['x-sdui-limits']);
  ajv.addSchema(withDiscriminators(schema));
  const id = schema['$id'] as string;
  const code = standaloneCode(ajv, {
    validateScreenSchema: `${id}#/$defs/${ROOTS.screen}`,
    validateWidgetSchema: `${id}#/$defs/${ROOTS.widget}`,
  });
  return `// @ts-nocheck\n${asEsModule(code)}\n`;
}

function withDiscriminators(schema: JsonSchema): JsonSchema {
  const defs = schema['$defs'] as Record<string, JsonSchema>;
  return {
    ...schema,
    $defs: Object.fromEntries(
      Object.entries(defs).map(([name, def]) => [
        name,
        def['oneOf'] ? { type: 'object', discriminator: { propertyName: 'type' }, ...def } : def,
      ]),
    ),
  };
}

/** ajv's standalone ESM output still `require`s its runtime helpers; turn those into imports. */
function asEsModule(code: string): string {
  const imports = new Map<string, string>();
  const body = code
    .replace(/^"use strict";/, '')
    .replace(/require\("(ajv\/dist\/runtime\/(\w+))"\)\.default/g, (_, module: string, name: string) => {
      imports.set(module, name);
      return name;
    });
  return [...[...imports].map(([module, name]) => `import ${name} from '${module}';`), body].join('\n');
}
