import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '@hwp/dev-services';
import { ALERT_RULES } from './alert-rules';
import { staleFiles } from './generated-files';

describe('observability files', () => {
  it('are what tools/observability generates (else: npx tsx tools/observability/generate.ts)', async () => {
    expect(await staleFiles()).toEqual([]);
  });

  it('give every alert a runbook entry: a docs/runbook.md heading with its name', () => {
    const runbook = readFileSync(join(workspaceRoot(), 'docs/runbook.md'), 'utf8');
    const headings = [...runbook.matchAll(/^## (\w+)$/gm)].map(([, name]) => name);
    expect(headings).toEqual(ALERT_RULES.map(({ alert }) => alert));
    for (const name of headings) {
      const [, section = ''] = runbook.split(`## ${name}\n`);
      const [entry = ''] = section.split(/^## /m);
      for (const part of ['**What it means.**', '**Confirm.**', '**Do.**'])
        expect(entry, `${name}: ${part}`).toContain(part);
    }
  });
});
