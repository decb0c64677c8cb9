import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The workspace libs resolve from tsconfig.base.json's paths, like in the apps' builds.
const { paths } = JSON.parse(readFileSync('tsconfig.base.json', 'utf8')).compilerOptions as {
  paths: Record<string, string[]>;
};
const alias = Object.fromEntries(Object.entries(paths).map(([name, [target]]) => [name, resolve(target!)]));

// SWC instead of esbuild: NestJS dependency injection needs emitDecoratorMetadata.
const plugins = [swc.vite({ tsconfigFile: 'tsconfig.base.json', module: { type: 'es6' } })];

export default defineConfig({
  plugins,
  resolve: { alias },
  test: {
    projects: [
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['{apps,libs,tools}/**/*.spec.ts'],
          // The web's Playwright tests and build output are not unit tests; its src/ specs are.
          exclude: ['**/node_modules/**', '**/*.integration-spec.ts', 'apps/web/{e2e,.next}/**'],
        },
      },
      {
        plugins,
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['{apps,libs,tools}/**/*.integration-spec.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['libs/testing/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
