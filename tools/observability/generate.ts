// `npx tsx tools/observability/generate.ts [--check]`: writes the observability files generated from
// tools/observability's sources, or checks that the committed ones are what the sources give.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { workspaceRoot } from '@hwp/dev-services';
import { commandLine } from '../lib/command-line';
import { generatedFiles, staleFiles } from './generated-files';

const USAGE = `
usage: npx tsx tools/observability/generate.ts [--check]

Writes the Prometheus rules file, the Grafana dashboards and their Kubernetes manifests from
tools/observability/alert-rules.ts and dashboards.ts.

options:
  --check     write nothing; exit 1 when a committed file differs from what the sources give
  -h, --help  this text
`;

async function main() {
  const { values } = commandLine({ usage: USAGE, options: { check: { type: 'boolean', default: false } } });
  const root = workspaceRoot();
  if (values.check) {
    const stale = await staleFiles(root);
    if (stale.length === 0) return;
    process.stderr.write(
      `out of date: ${stale.join(', ')}\nregenerate with: npx tsx tools/observability/generate.ts\n`,
    );
    process.exit(1);
  }
  for (const [path, content] of await generatedFiles(root)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
    process.stdout.write(`wrote ${path}\n`);
  }
}

void main();
