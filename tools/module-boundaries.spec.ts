import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { workspaceRoot } from '@hwp/dev-services';

const root = workspaceRoot();

interface ProjectGraph {
  graph: {
    nodes: Record<string, { type: string; data: { tags?: string[] } }>;
    dependencies: Record<string, { target: string }[]>;
  };
}

// ESLint with the Nx plugin takes seconds to start on a busy 2-core machine.
describe('module boundaries', { timeout: 60_000 }, () => {
  let graph: ProjectGraph['graph'];

  beforeAll(() => {
    // Writing the graph also caches it, which the lint rule needs (eslint.config.mjs refuses to load without).
    const file = join(mkdtempSync(join(tmpdir(), 'hwp-graph-')), 'graph.json');
    const result = spawnSync('npx', ['nx', 'graph', `--file=${file}`], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    graph = (JSON.parse(readFileSync(file, 'utf8')) as ProjectGraph).graph;
  }, 60_000);

  it('the project graph has no app → app dependency', () => {
    const apps = Object.keys(graph.nodes).filter((name) =>
      graph.nodes[name]?.data.tags?.includes('type:app'),
    );
    expect(apps).toEqual(
      expect.arrayContaining(['core-api', 'ingester', 'outbox-worker', 'product-api', 'web']),
    );
    const appToApp = apps.flatMap((app) =>
      (graph.dependencies[app] ?? [])
        .filter((dep) => apps.includes(dep.target))
        .map((dep) => `${app} -> ${dep.target}`),
    );
    expect(appToApp).toEqual([]);
  });

  const lint = async (filePath: string, code: string) => {
    const eslint = new ESLint({
      cwd: root,
      // The probe file is not on disk, so no tsconfig types it: lint it without the type-aware rules.
      overrideConfig: {
        languageOptions: { parserOptions: { projectService: false } },
        rules: {
          '@typescript-eslint/no-floating-promises': 'off',
          '@typescript-eslint/no-misused-promises': 'off',
        },
      },
    });
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? [])
      .filter((m) => m.ruleId === '@nx/enforce-module-boundaries')
      .map((m) => m.message);
  };

  it('fails lint when an app imports another app', async () => {
    const messages = await lint(
      'apps/core-api/src/probe.ts',
      "import { service } from '../../ingester/src/service';\nexport const probe = service;\n",
    );
    expect(messages).toEqual([
      expect.stringContaining('Projects cannot be imported by a relative or absolute path'),
    ]);
  });

  it("fails lint when the product side imports the core side's database", async () => {
    const messages = await lint(
      'apps/product-api/src/probe.ts',
      "import { CORE_DATABASE } from '@hwp/core-db';\nexport const probe = CORE_DATABASE;\n",
    );
    expect(messages).toEqual([
      expect.stringContaining('"scope:product" can only depend on libs tagged with'),
    ]);
  });

  it('lets an app use a library of its own side', async () => {
    const messages = await lint(
      'apps/core-api/src/probe.ts',
      "import { CORE_DATABASE } from '@hwp/core-db';\nexport const probe = CORE_DATABASE;\n",
    );
    expect(messages).toEqual([]);
  });
});
