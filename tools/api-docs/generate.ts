import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandLine } from '../lib/command-line';
import { logger } from '../lib/log';
import {
  DOCUMENT_PATH,
  GENERATE_COMMAND,
  WORKSPACE_ROOT,
  productRefreshDocumentText,
} from './product-refresh-openapi';

const USAGE = `
Usage: tsx tools/api-docs/generate.ts [--check]

Writes ${DOCUMENT_PATH} from the refresh contract's zod schemas (libs/api-bodies).
  --check   write nothing; exit 1 when the committed document differs from a fresh one
`;

async function main(): Promise<void> {
  const { values } = commandLine({ usage: USAGE, options: { check: { type: 'boolean' } } });
  const log = logger('api-docs');
  const file = join(WORKSPACE_ROOT, DOCUMENT_PATH);
  const fresh = await productRefreshDocumentText();
  const upToDate = existsSync(file) && readFileSync(file, 'utf8') === fresh;
  if (values.check) {
    if (upToDate) {
      log(`${DOCUMENT_PATH} is up to date`);
    } else {
      process.stderr.write(`api-docs: ${DOCUMENT_PATH} is stale. Run: ${GENERATE_COMMAND}\n`);
      process.exitCode = 1;
    }
    return;
  }
  if (!upToDate) writeFileSync(file, fresh);
  log(`${DOCUMENT_PATH} ${upToDate ? 'unchanged' : 'written'}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`api-docs: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
