import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor, workspaceRoot } from '@hwp/dev-services';
import { CORES, pinnedCommand } from './process-stats';

export type ReferenceKind = 'node:http' | 'fastify';

export interface ReferenceServer {
  kind: ReferenceKind;
  url: string;
  process: ChildProcess;
}

/**
 * The physical limit of GET /v1/home on this machine: a bare node:http server and a plain Fastify route,
 * each in a process of its own on the servers' core, answering every request with the same bytes and
 * headers core-api sent (no authentication, no cache, no compression negotiation).
 */
export async function startReferenceServer(
  kind: ReferenceKind,
  scratchDir: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<ReferenceServer> {
  const port = await freePort();
  const bodyFile = join(scratchDir, `home-screen-${port}.json`);
  writeFileSync(bodyFile, body);
  const head = JSON.stringify(headers);
  const read = `const body = require('fs').readFileSync(${JSON.stringify(bodyFile)});`;
  const code =
    kind === 'node:http'
      ? `${read}
         require('http').createServer((req, res) => { res.writeHead(200, ${head}); res.end(body); })
           .listen(${port}, '127.0.0.1');`
      : `${read}
         const app = require('fastify')();
         app.get('/v1/home', (req, reply) => { reply.headers(${head}).send(body); });
         app.listen({ port: ${port}, host: '127.0.0.1' });`;
  const [command, args] = pinnedCommand(CORES.server, process.execPath, ['-e', code]);
  const child = spawn(command, args, {
    env: { PATH: process.env['PATH'], NODE_PATH: join(workspaceRoot(), 'node_modules') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/v1/home`;
  await waitFor(`${kind} reference server`, () =>
    fetch(url).then(
      (response) => response.ok,
      () => false,
    ),
  );
  return { kind, url, process: child };
}
