import nextPlugin from '@next/eslint-plugin-next';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import { readCachedProjectGraph } from '@nx/devkit';

// @nx/enforce-module-boundaries reads the project graph that Nx caches and, when there is none, prints a
// warning and checks nothing. This rule makes that an error instead (every nx command writes the graph).
// A rule, not a check at load time: Nx itself loads this config to build the graph.
let graphCached;
const projectGraphCached = {
  meta: { type: 'problem', schema: [] },
  create: (context) => ({
    Program(node) {
      if (graphCached === undefined) {
        try {
          graphCached = Boolean(readCachedProjectGraph());
        } catch {
          graphCached = false;
        }
      }
      if (!graphCached) {
        context.report({
          node,
          message:
            'No cached Nx project graph, so the module-boundary rule cannot run: lint through Nx ' +
            '(`npx nx run-many -t lint`, `npx nx lint <project>`), or write the graph first (`npx nx show projects`).',
        });
      }
    },
  }),
};

/**
 * The architecture in one rule: apps never import apps, and each side owns its database. Tests may also
 * use the test-support and tooling libraries (real services, app processes).
 */
function moduleBoundaries(forTests) {
  const testExtras = forTests ? ['type:test-support', 'type:tooling'] : [];
  return {
    enforceBuildableLibDependency: true,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', ...testExtras] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', ...testExtras] },
      { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling', ...testExtras] },
      {
        sourceTag: 'type:test-support',
        onlyDependOnLibsWithTags: ['type:lib', 'type:tooling', 'type:test-support'],
      },
      { sourceTag: 'scope:core', onlyDependOnLibsWithTags: ['scope:core', 'scope:shared'] },
      { sourceTag: 'scope:product', onlyDependOnLibsWithTags: ['scope:product', 'scope:shared'] },
      { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['scope:web', 'scope:shared'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      // The demo, test and bench tools drive the whole platform.
      { sourceTag: 'scope:tooling', onlyDependOnLibsWithTags: ['*'] },
    ],
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    ignores: [
      '**/node_modules',
      '**/dist',
      '**/.next',
      '**/.nx',
      '**/.data',
      'libs/*/src/generated/**',
      'libs/sdui-schema/src/generated/**',
      '**/next-env.d.ts',
      'test-results',
      'playwright-report',
      'tmp',
    ],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    plugins: { hwp: { rules: { 'project-graph-cached': projectGraphCached } } },
    rules: {
      'hwp/project-graph-cached': 'error',
      // The architecture in one rule: apps never import apps, and each side owns its database.
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries(false)],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // noUncheckedIndexedAccess is on; a `!` is left only where the code has just established the fact
      // (e.g. a Map lookup right after a `has`).
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Type-aware rules: a promise nobody awaits or catches is a lost error (an unhandled rejection ends a
    // Node process). Each file is typed by its nearest tsconfig.json; the web's Playwright config and
    // scripts belong to the e2e one.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['apps/web/playwright.config.ts', 'apps/web/scripts/*.ts'],
          defaultProject: 'apps/web/e2e/tsconfig.json',
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['apps/web/**/*.ts', 'apps/web/**/*.tsx'],
    plugins: { '@next/next': nextPlugin, 'react-hooks': reactHooks },
    // Absolute: each project's lint runs in its own folder.
    settings: { next: { rootDir: `${import.meta.dirname}/apps/web` } },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs['core-web-vitals'].rules,
      ...reactHooks.configs.recommended.rules,
    },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.integration-spec.ts',
      '**/*.e2e-spec.ts',
      'apps/*/test/**/*.ts',
      'apps/*/e2e/**/*.ts',
      'apps/*/playwright.config.ts',
    ],
    rules: { '@nx/enforce-module-boundaries': ['error', moduleBoundaries(true)] },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Each app's webpack.config.js is one line that loads the shared build config from tools/webpack.
    files: ['apps/*/webpack.config.js'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  prettier,
];
