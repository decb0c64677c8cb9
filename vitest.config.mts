import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The one Vitest set-up. This config runs every app's, lib's and tool's tests at once
// (`npx vitest run --project unit <paths>`); each project's vitest.config.mts, from which @nx/vitest infers
// the project's `test` target (what `npm test` runs), is vitestConfig(<its folder>). This file belongs to no
// project, so importing it adds no edge to the project graph.

const workspaceRoot = import.meta.dirname;

// The workspace libs resolve from tsconfig.base.json's paths, like in the apps' builds.
const { paths } = JSON.parse(readFileSync(join(workspaceRoot, 'tsconfig.base.json'), 'utf8'))
  .compilerOptions as { paths: Record<string, string[]> };
const alias = Object.fromEntries(
  Object.entries(paths).map(([name, [target]]) => [name, join(workspaceRoot, target!)]),
);

// SWC instead of esbuild: NestJS dependency injection needs emitDecoratorMetadata.
const plugins = [
  swc.vite({ tsconfigFile: join(workspaceRoot, 'tsconfig.base.json'), module: { type: 'es6' } }),
];

/**
 * The unit (`*.spec.ts`) and integration (`*.integration-spec.ts`) projects over the folder `root`: a
 * project's folder, or the workspace root for every app, lib and tool. The web's Playwright tests and
 * build output are not unit tests; its src/ specs are.
 */
export function vitestConfig(root = workspaceRoot, { passWithNoTests = false } = {}) {
  const sources = root === workspaceRoot ? '{apps,libs,tools}/**' : '**';
  const skipped = ['**/node_modules/**', '**/.next/**', '**/e2e/**'];
  const folder = relative(workspaceRoot, root);
  // A focused test (`.only`) fails the run everywhere, not only where CI is set (Vitest's default), so that
  // CI changes no result and is not among the test targets' cache inputs. `--allowOnly` to focus while
  // editing. Per project: a project does not inherit it from the root.
  const allowOnly = false;
  return defineConfig({
    root,
    plugins,
    resolve: { alias },
    test: {
      passWithNoTests,
      // Where `--reporter=json` writes: test-results/vitest/<project folder>.json (npm test counts them).
      outputFile: {
        json: join(workspaceRoot, 'test-results', folder ? `vitest/${folder}.json` : 'vitest.json'),
      },
      projects: [
        {
          root,
          plugins,
          resolve: { alias },
          test: {
            name: 'unit',
            allowOnly,
            include: [`${sources}/*.spec.ts`],
            exclude: [...skipped, '**/*.integration-spec.ts'],
          },
        },
        {
          root,
          plugins,
          resolve: { alias },
          test: {
            name: 'integration',
            allowOnly,
            include: [`${sources}/*.integration-spec.ts`],
            exclude: skipped,
            globalSetup: [join(workspaceRoot, 'libs/testing/src/global-setup.ts')],
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
      ],
    },
  });
}

export default vitestConfig();
