import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { buildOutputs, findDrift, GENERATE_COMMAND, WORKSPACE_ROOT } from './outputs';

// Writes every SDUI output from the schema source: `tsx tools/sdui-codegen/src/generate.ts`.
// With --check it writes nothing and fails when the committed files differ from a fresh run.

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const log = (line: string) => console.log(`sdui-codegen: ${line}`);
  const outputs = await buildOutputs(log);
  const drift = findDrift(outputs);
  if (check) {
    if (drift.length === 0) return log(`all ${outputs.size} generated files are up to date`);
    console.error(`sdui-codegen: ${drift.length} generated file(s) are stale:`);
    for (const { path, change } of drift) console.error(`  ${change.padEnd(8)} ${path}`);
    console.error(`Run: ${GENERATE_COMMAND}`);
    process.exitCode = 1;
    return;
  }
  for (const { path, change } of drift) {
    const file = join(WORKSPACE_ROOT, path);
    if (change === 'removed') {
      rmSync(file);
    } else {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, outputs.get(path) as string);
    }
    log(`${change.padEnd(8)} ${path}`);
  }
  log(`${outputs.size} files, ${drift.length} updated`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
