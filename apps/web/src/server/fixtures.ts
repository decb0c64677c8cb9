import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * The golden SDUI fixtures of libs/sdui-schema (see its fixtures/README.md), read at request time for the
 * fixture gallery (/dev/fixtures). Found by walking up from the working directory, which is apps/web under
 * `next start` and the repository root for scripts. Not traced into the build output: the gallery is a dev
 * and test tool that runs from the repository.
 */
export type FixtureSet = 'valid' | 'forward-compat';

const NAME = /^[a-z0-9-]+$/;

function fixturesRoot(): string {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const candidate = join(/*turbopackIgnore: true*/ dir, 'libs/sdui-schema/fixtures');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir)
      throw new Error('libs/sdui-schema/fixtures not found above the working directory');
  }
}

export async function fixtureNames(set: FixtureSet): Promise<string[]> {
  const files = await readdir(join(/*turbopackIgnore: true*/ fixturesRoot(), set));
  return files
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/**
 * The document of a fixture (for forward-compat fixtures, their `document` member), or undefined when
 * there is no such fixture.
 */
export async function readFixture(set: FixtureSet, name: string): Promise<unknown> {
  if (!NAME.test(name) || !(await fixtureNames(set)).includes(name)) return undefined;
  const json: unknown = JSON.parse(
    await readFile(join(/*turbopackIgnore: true*/ fixturesRoot(), set, `${name}.json`), 'utf8'),
  );
  return set === 'forward-compat' ? (json as { document: unknown }).document : json;
}
