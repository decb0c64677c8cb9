import { spawnSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { LIB, WORKSPACE_ROOT } from './outputs';
import { SDUI_SCHEMA_VERSION } from './source';

// Builds the @hwp/sdui-schema npm package into libs/sdui-schema/dist (`nx run sdui-schema:build`): the
// compiled public API with its declarations, and the current JSON Schema as dist/schema.json.

const log = (line: string) => console.log(`sdui-schema build: ${line}`);
const dist = join(WORKSPACE_ROOT, LIB, 'dist');

rmSync(dist, { recursive: true, force: true });
log(`compiling ${LIB}/tsconfig.lib.json`);
const tsc = spawnSync(join(WORKSPACE_ROOT, 'node_modules/.bin/tsc'), ['-p', join(LIB, 'tsconfig.lib.json')], {
  cwd: WORKSPACE_ROOT,
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.error(`sdui-schema build: tsc failed (${tsc.error?.message ?? `exit ${tsc.status}`})`);
  process.exit(1);
}
copyFileSync(
  join(WORKSPACE_ROOT, LIB, `schema/sdui-${SDUI_SCHEMA_VERSION}.schema.json`),
  join(dist, 'schema.json'),
);
log(`${LIB}/dist holds @hwp/sdui-schema for schema ${SDUI_SCHEMA_VERSION}`);
