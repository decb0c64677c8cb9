import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as prettier from 'prettier';

import { emitDocs } from './emit-docs';
import { emitKotlin } from './emit-kotlin';
import { emitTsValidator } from './emit-ts-validator';
import { emitCatalogue, emitJsonSchemas, emitRenderers, emitTypes } from './emit-typescript';
import { buildJsonSchema } from './json-schema';
import { readModel } from './model';
import { GENERATED_NOTICE } from './naming';
import { SDUI_SCHEMA_VERSION } from './source';

export const WORKSPACE_ROOT = join(__dirname, '../../..');
export const LIB = 'libs/sdui-schema';
export const GENERATE_COMMAND = 'NX_NO_CLOUD=true NX_DAEMON=false npx nx run sdui-schema:generate';

/** Folders the generator owns: any file in them that carries the generated notice is an output. */
const OWNED_DIRS = [`${LIB}/src/generated`, `${LIB}/schema`, `${LIB}/kotlin`, 'docs/sdui'];
/** Copies of released schemas: immutable, never regenerated. */
export const RELEASED_DIR = `${LIB}/schema/released`;
const MARKER = GENERATED_NOTICE.slice(0, 30);

/**
 * Every generated file, path (from the workspace root) -> content, formatted as committed.
 * `schema` defaults to the one built from the source; tests pass an edited one.
 */
export async function buildOutputs(
  log: (line: string) => void = () => undefined,
  schema = buildJsonSchema(),
): Promise<Map<string, string>> {
  const model = readModel(schema, SDUI_SCHEMA_VERSION);
  log(`schema ${SDUI_SCHEMA_VERSION}: ${model.nodes.length} nodes, ${model.actions.length} actions`);
  const files = new Map<string, string>([
    [
      `${LIB}/schema/sdui-${SDUI_SCHEMA_VERSION}.schema.json`,
      JSON.stringify({ $comment: GENERATED_NOTICE, ...schema }),
    ],
    [`${LIB}/src/generated/types.ts`, emitTypes(model)],
    [`${LIB}/src/generated/catalogue.ts`, emitCatalogue(model)],
    [`${LIB}/src/generated/validator.ts`, emitTsValidator(model)],
    [`${LIB}/src/generated/renderers.ts`, emitRenderers(model)],
    [`${LIB}/src/generated/json-schemas.ts`, emitJsonSchemas(SDUI_SCHEMA_VERSION, releasedVersions())],
    ...emitKotlin(model).map(
      ([name, content]) => [`${LIB}/kotlin/com/homewidgets/sdui/${name}`, content] as const,
    ),
    ...emitDocs(model, readValidFixtures()).map(([name, content]) => [`docs/sdui/${name}`, content] as const),
  ]);
  for (const [path, content] of files) {
    if (!/\.(ts|json)$/.test(path)) continue;
    const options = await prettier.resolveConfig(join(WORKSPACE_ROOT, path));
    files.set(path, await prettier.format(content, { ...options, filepath: path }));
  }
  return files;
}

export interface Drift {
  path: string;
  change: 'added' | 'changed' | 'removed';
}

/** How the files on disk differ from `outputs`; empty when the committed files are up to date. */
export function findDrift(outputs: Map<string, string>): Drift[] {
  const drift: Drift[] = [];
  for (const [path, content] of outputs) {
    const file = join(WORKSPACE_ROOT, path);
    if (!existsSync(file)) drift.push({ path, change: 'added' });
    else if (readFileSync(file, 'utf8') !== content) drift.push({ path, change: 'changed' });
  }
  for (const path of ownedFiles()) if (!outputs.has(path)) drift.push({ path, change: 'removed' });
  return drift;
}

function ownedFiles(): string[] {
  const walk = (dir: string): string[] =>
    existsSync(dir)
      ? readdirSync(dir).flatMap((name) => {
          const path = join(dir, name);
          if (relative(WORKSPACE_ROOT, path) === RELEASED_DIR) return [];
          return statSync(path).isDirectory() ? walk(path) : [path];
        })
      : [];
  return OWNED_DIRS.flatMap((dir) => walk(join(WORKSPACE_ROOT, dir)))
    .filter((file) => readFileSync(file, 'utf8').includes(MARKER))
    .map((file) => relative(WORKSPACE_ROOT, file));
}

/** The versions in schema/released, oldest first. */
function releasedVersions(): string[] {
  return readdirSync(join(WORKSPACE_ROOT, RELEASED_DIR))
    .flatMap((name) => /^sdui-(.+)\.schema\.json$/.exec(name)?.[1] ?? [])
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** The valid golden fixtures, which the reference pages quote as examples. */
function readValidFixtures(): [string, unknown][] {
  const dir = join(WORKSPACE_ROOT, LIB, 'fixtures/valid');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [name, JSON.parse(readFileSync(join(dir, name), 'utf8'))]);
}
